"""The one compare-and-set helper: WATCH/MULTI, retried on a lost race, never Lua."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.errors import ConcurrencyError
from bot.settings import Settings
from bot.store.connection import open_redis
from bot.store.dedupe import IdempotencyKeys
from bot.store.guard import begin, compare_and_delete, compare_and_set, text, watched_write
from bot.store.keys import Keys


async def test_compare_and_set_replaces_only_the_value_read(redis: Redis, keys: Keys) -> None:
    """A value that is still the one read is replaced; another one is left alone."""
    name = keys.idempotency("t", "k")
    await redis.set(name, "a")
    assert not await compare_and_set(redis, name, "b", "c", action="test")
    assert await compare_and_set(redis, name, "a", "c", action="test", ttl_s=60)
    assert text(await redis.get(name)) == "c"


async def test_compare_and_delete_keeps_what_another_wrote(redis: Redis, keys: Keys) -> None:
    """Deleting "ours" does nothing once another writer replaced it."""
    name = keys.idempotency("t", "k")
    await redis.set(name, "theirs")
    assert not await compare_and_delete(redis, name, "ours", action="test")
    assert text(await redis.get(name)) == "theirs"


async def test_a_lost_race_runs_the_step_again(redis: Redis, keys: Keys) -> None:
    """When another writer changes the key between read and write, the step reruns."""
    name = keys.idempotency("t", "count")
    await redis.set(name, "0")
    runs = 0

    async def step(pipe: Pipeline) -> int:
        nonlocal runs
        runs += 1
        value = int(text(await pipe.get(name)) or 0)
        if runs == 1:
            await redis.set(name, "10")  # another writer, between our read and write
        begin(pipe)
        pipe.set(name, str(value + 1))
        return value + 1

    assert await watched_write(redis, name, step, action="test") == 11
    assert runs == 2


async def test_a_step_that_refuses_is_not_retried(redis: Redis, keys: Keys) -> None:
    """A ConcurrencyError the step raises itself (an unexpected version) goes to the caller."""
    runs = 0

    async def step(pipe: Pipeline) -> None:
        nonlocal runs
        runs += 1
        raise ConcurrencyError("at version 3, expected 2")

    with pytest.raises(ConcurrencyError):
        await watched_write(redis, keys.idempotency("t", "v"), step, action="test")
    assert runs == 1


async def test_take_over_and_release_work_on_the_embedded_store() -> None:
    """The `memory://` store (no Lua) takes a stale claim over and releases an owned one."""
    settings = Settings.for_tests(redis_url="memory://")
    memory = open_redis(settings)
    idem = IdempotencyKeys(memory, keys=Keys(), clock=lambda: 1000.0)
    await idem.unsettle("create", "k")
    stale = await idem.claim("create", "k")
    taken = await idem.take_over("create", "k", stale)
    assert taken is not None
    assert taken.won
    await idem.release("create", "k", taken)
    assert await idem.lookup("create", "k") is None
    await memory.aclose()
