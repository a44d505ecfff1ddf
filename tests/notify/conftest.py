"""Notifications end to end: the bot with the sandbox's Business Rule pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from intents import IntentEngine, load_engine
from snowbot_sandbox.harness import BotHarness, running_bot
from tests.conftest import REDIS_URL

EVENTS_SECRET = "sandbox-events-secret-5d1c0a7e9b"


@pytest.fixture(scope="session")
def engine() -> IntentEngine:
    """The bot's own shipped intent model, loaded once per run."""
    return load_engine()


@pytest.fixture
async def pushed(engine: IntentEngine, redis_prefix: str) -> AsyncIterator[BotHarness]:
    """The bot, with ``SERVICENOW_EVENTS_SECRET`` set and the sandbox's rule installed."""
    async with running_bot(
        redis_url=REDIS_URL, redis_prefix=redis_prefix, engine=engine,
        servicenow_events_secret=EVENTS_SECRET,
    ) as h:
        h.servicenow.rule.install(url=f"{h.bot_url}/servicenow/events", secret=EVENTS_SECRET)
        try:
            yield h
        finally:
            await h.servicenow.rule.settle()
            async for key in h.container.redis.scan_iter(match=f"{redis_prefix}:*", count=500):
                await h.container.redis.delete(key)


@pytest.fixture
async def polled(engine: IntentEngine, redis_prefix: str) -> AsyncIterator[BotHarness]:
    """The bot polling every second, with no Business Rule on the instance."""
    async with running_bot(
        redis_url=REDIS_URL, redis_prefix=redis_prefix, engine=engine, poll_interval=1.0,
    ) as h:
        try:
            yield h
        finally:
            async for key in h.container.redis.scan_iter(match=f"{redis_prefix}:*", count=500):
                await h.container.redis.delete(key)
