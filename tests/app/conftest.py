"""The whole bot against both sandboxes, on a real Redis, per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from intents import IntentEngine, load_engine
from snowbot_sandbox.harness import BotHarness, running_bot
from tests.conftest import REDIS_URL


@pytest.fixture(scope="session")
def engine() -> IntentEngine:
    """The bot's own shipped intent model (verified, not rebuilt), loaded once per run."""
    return load_engine()


@pytest.fixture
async def cleanup(redis_prefix: str) -> AsyncIterator[None]:
    """Deletes the keys of the test's prefix afterwards (for tests that build their own bot)."""
    yield
    client: Redis = Redis.from_url(REDIS_URL)
    async for key in client.scan_iter(match=f"{redis_prefix}:*", count=500):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
async def bot(
    engine: IntentEngine, redis_prefix: str, cleanup: None
) -> AsyncIterator[BotHarness]:
    """The bot, wired to the sandbox ServiceNow and the Slack stand-in; its keys go after."""
    async with running_bot(redis_url=REDIS_URL, redis_prefix=redis_prefix, engine=engine) as h:
        yield h
