"""The guided setup, walked in Slack as an admin, against the sandbox ServiceNow."""

from __future__ import annotations

from typing import Any

from bot.sandbox.harness import CLIENT_SECRET
from bot.sandbox.slack import TEAM_ID
from tests.app.setupkit import (
    ADMIN,
    create_feedback_table,
    diagnosis,
    enter_credentials,
    latest,
    record,
    run_test,
    unconfigured_bot,
)


async def test_an_admin_connects_the_workspace_end_to_end(engine: Any, redis_prefix: str) -> None:
    """Credentials, the test with the admin's consent, and every check ticked."""
    async with unconfigured_bot(engine, redis_prefix) as bot:
        create_feedback_table(bot)
        await enter_credentials(bot)
        stored = await bot.container.instances.stored(None, TEAM_ID)
        assert stored is not None and stored.client_secret.get_secret_value() == CLIENT_SECRET
        await run_test(bot)
        shown = latest(bot)
        assert "Everything works" in shown, shown
        assert (await record(bot)).connection_ok is True
        assert not (await diagnosis(bot)).failed
