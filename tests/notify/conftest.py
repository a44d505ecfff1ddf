"""Notifications end to end: the bot on the sandboxes, pushed to or polling."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from intents import IntentEngine, load_engine
from snowbot_sandbox.harness import BotHarness, running_bot
from tests.conftest import REDIS_URL

EVENTS_SECRET = "sandbox-events-secret-5d1c0a7e9b"


@pytest.fixture(scope="session")
def engine() -> IntentEngine:
    """The bot's own shipped intent model, loaded once per run."""
    return load_engine()


@contextlib.asynccontextmanager
async def _running(
    engine: IntentEngine, redis_prefix: str, **settings: Any
) -> AsyncIterator[BotHarness]:
    """The bot with ``settings``; the rule's posts answered and the keys gone after."""
    async with running_bot(
        redis_url=REDIS_URL, redis_prefix=redis_prefix, engine=engine, **settings
    ) as h:
        try:
            yield h
        finally:
            await h.servicenow.rule.settle()
            async for key in h.container.redis.scan_iter(match=f"{redis_prefix}:*", count=500):
                await h.container.redis.delete(key)


@pytest.fixture
async def pushed(engine: IntentEngine, redis_prefix: str) -> AsyncIterator[BotHarness]:
    """The bot, with ``SERVICENOW_EVENTS_SECRET`` set and the sandbox's rule installed."""
    async with _running(engine, redis_prefix, servicenow_events_secret=EVENTS_SECRET) as h:
        h.servicenow.rule.install(url=f"{h.bot_url}/servicenow/events", secret=EVENTS_SECRET)
        yield h


@pytest.fixture
async def polled(engine: IntentEngine, redis_prefix: str) -> AsyncIterator[BotHarness]:
    """The bot polling every second, with no Business Rule on the instance."""
    async with _running(engine, redis_prefix, poll_interval=1.0) as h:
        yield h


@pytest.fixture
async def bot(engine: IntentEngine, redis_prefix: str) -> AsyncIterator[BotHarness]:
    """The bot with no events secret in its environment (setup makes one)."""
    async with _running(engine, redis_prefix) as h:
        yield h
