"""Shared fixtures: a real Redis under a key prefix of the test's own."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis

REDIS_URL = os.environ.get("SNOWBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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
