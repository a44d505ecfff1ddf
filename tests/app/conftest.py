"""The whole bot against both sandboxes, on a real Redis: a fresh bot per test on sandboxes
started once per run and reset before each bot (``start_bot`` in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from snowbot_sandbox.harness import BotHarness
from tests.conftest import StartBot


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotHarness]:
    """The bot, wired to the sandbox ServiceNow and the Slack stand-in; its keys go after."""
    async with start_bot() as h:
        yield h
