"""Development tools: the lock-file check and the vulnerability audit (not shipped)."""
