"""Redis: key names, the token vault, state, de-duplication, idempotency, audit."""
