"""Shared fixtures: a real Redis under a key prefix of the test's own, the sandboxes, and a
fresh bot on them.

Every test and async fixture runs in one event loop for the whole session (pyproject's
``asyncio_default_*_loop_scope``), so the sandboxes' servers, started once, keep serving
test after test; ``start_bot`` resets them and starts a fresh bot (container) on them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from starlette.types import ASGIApp

from intents import IntentEngine, load_engine
from snowbot_sandbox.harness import BotHarness, Sandboxes, bot_on, running_sandboxes
from snowbot_sandbox.server import SlotPool

REDIS_URL = os.environ.get("SNOWBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

StartBot = Callable[..., AbstractAsyncContextManager[BotHarness]]
Serve = Callable[[ASGIApp], AbstractAsyncContextManager[str]]


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix no other test (or concurrently running suite) shares; its keys are
    deleted after the test, whichever client or process wrote them."""
    prefix = f"snowbot-test-{secrets.token_hex(6)}"
    yield prefix
    client = SyncRedis.from_url(REDIS_URL)
    try:
        for key in client.scan_iter(match=f"{prefix}:*", count=500):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
async def redis(redis_prefix: str) -> AsyncIterator[Redis]:
    """A client of the real Redis; every key under the test's prefix is removed after."""
    client: Redis = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # pragma: no cover - the environment, not the code
        pytest.fail(f"tests need a real Redis at {REDIS_URL}: {exc}")
    yield client
    async for key in client.scan_iter(match=f"{redis_prefix}:*", count=500):
        await client.delete(key)
    await client.aclose()


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


@pytest.fixture(scope="session")
async def sandboxes() -> AsyncIterator[Sandboxes]:
    """The sandbox ServiceNow, the Slack stand-in and the bot's slots, served once per run
    (``start_bot`` resets them before each bot)."""
    async with running_sandboxes() as running:
        yield running


@pytest.fixture
def start_bot(
    sandboxes: Sandboxes, engine: IntentEngine, redis_prefix: str, cleanup: None
) -> StartBot:
    """``async with start_bot(**bot_on options) as bot``: the sandboxes reset, then a fresh
    bot on them under the test's key prefix (options override Redis, prefix and engine)."""

    def start(**options: Any) -> AbstractAsyncContextManager[BotHarness]:
        sandboxes.reset()
        chosen: dict[str, Any] = {
            "redis_url": REDIS_URL, "redis_prefix": redis_prefix, "engine": engine, **options
        }
        return bot_on(sandboxes, **chosen)

    return start


@pytest.fixture(scope="session")
async def slot_pool() -> AsyncIterator[SlotPool]:
    """Loopback servers kept for the whole run, lent to one test's app at a time."""
    pool = SlotPool()
    try:
        yield pool
    finally:
        await pool.aclose()


@pytest.fixture
def serve(slot_pool: SlotPool) -> Serve:
    """``async with serve(app) as url``: ``app`` on loopback for the block, on a server of
    the run's pool instead of one started and stopped for this test."""
    return slot_pool.serve
