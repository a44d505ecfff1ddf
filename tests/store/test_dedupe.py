"""EventDeduper and IdempotencyKeys: things happen once, and entries expire."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.errors import StoreError
from bot.settings import Settings
from bot.store.connection import open_redis
from bot.store.dedupe import EventDeduper, IdempotencyKeys, idempotency_key
from bot.store.keys import EVENT_DEDUPE_TTL, IDEMPOTENCY_TTL, Keys


async def test_event_passes_once(redis: Redis, keys: Keys) -> None:
    """The first delivery of an event passes and its redeliveries do not."""
    deduper = EventDeduper(redis, keys=keys)
    assert await deduper.first_delivery("T01", "Ev01")
    assert not await deduper.first_delivery("T01", "Ev01")
    assert await deduper.first_delivery("T01", "Ev02")
    assert await deduper.first_delivery("T02", "Ev01")


async def test_parallel_redeliveries_let_one_through(redis: Redis, keys: Keys) -> None:
    """Of twenty simultaneous deliveries of one event exactly one passes."""
    deduper = EventDeduper(redis, keys=keys)
    passed = await asyncio.gather(*(deduper.first_delivery("T01", "Ev9") for _ in range(20)))
    assert passed.count(True) == 1


async def test_event_mark_expires(redis: Redis, keys: Keys) -> None:
    """An event's mark carries the de-duplication TTL."""
    await EventDeduper(redis, keys=keys).first_delivery("T01", "Ev01")
    ttl = await redis.ttl(keys.event_seen("T01", "Ev01"))
    assert 0 < ttl <= EVENT_DEDUPE_TTL


async def test_first_claim_wins_and_later_ones_see_pending(redis: Redis, keys: Keys) -> None:
    """The first claim of a key wins; a second sees the first still pending."""
    idem = IdempotencyKeys(redis, keys=keys, clock=lambda: 500.0)
    first = await idem.claim("create", "k1")
    second = await idem.claim("create", "k1")
    assert first.won
    assert (second.won, second.status, second.since) == (False, "pending", 500.0)


async def test_remembered_result_answers_retries(redis: Redis, keys: Keys) -> None:
    """A retry after the work finished gets the remembered result instead of a claim."""
    idem = IdempotencyKeys(redis, keys=keys)
    await idem.claim("create", "k1")
    await idem.remember("create", "k1", value="sys-id-123")
    again = await idem.claim("create", "k1")
    assert (again.status, again.result) == ("done", "sys-id-123")
    found = await idem.lookup("create", "k1")
    assert found is not None
    assert found.result == "sys-id-123"
    assert 0 < await redis.ttl(keys.idempotency("create", "k1")) <= IDEMPOTENCY_TTL


async def test_released_claim_can_be_claimed_again(redis: Redis, keys: Keys) -> None:
    """A claim released after a failure lets the next attempt run."""
    idem = IdempotencyKeys(redis, keys=keys)
    await idem.claim("comment", "k1")
    await idem.release("comment", "k1")
    assert await idem.lookup("comment", "k1") is None
    assert (await idem.claim("comment", "k1")).won


async def test_parallel_claims_have_one_winner(redis: Redis, keys: Keys) -> None:
    """Of twenty simultaneous claims of one key exactly one wins."""
    idem = IdempotencyKeys(redis, keys=keys)
    claims = await asyncio.gather(*(idem.claim("create", "k2") for _ in range(20)))
    assert sum(c.won for c in claims) == 1


async def test_scopes_do_not_share_keys(redis: Redis, keys: Keys) -> None:
    """The same key in two scopes is two claims."""
    idem = IdempotencyKeys(redis, keys=keys)
    assert (await idem.claim("create", "k")).won
    assert (await idem.claim("comment", "k")).won


def test_idempotency_key_is_stable_hex() -> None:
    """The derived key is the same for the same parts, hex, and differs when a part moves."""
    key = idempotency_key("T01", "U01", "Ev01")
    assert key == idempotency_key("T01", "U01", "Ev01")
    assert key != idempotency_key("T01U01", "", "Ev01")
    assert len(key) == 64
    assert set(key) <= set("0123456789abcdef")


async def test_unreachable_redis_fails_closed() -> None:
    """With Redis down, de-duplication and claims raise StoreError instead of letting work run."""
    down = open_redis(Settings.for_tests(redis_url="redis://127.0.0.1:1/0"))
    try:
        async with asyncio.timeout(5):
            with pytest.raises(StoreError):
                await EventDeduper(down, keys=Keys()).first_delivery("T01", "Ev01")
            with pytest.raises(StoreError):
                await IdempotencyKeys(down, keys=Keys()).claim("create", "k")
    finally:
        await down.aclose()


async def test_one_of_many_takes_a_stale_claim_over(redis: Redis, keys: Keys) -> None:
    """Of ten attempts to take over the same pending claim, exactly one wins."""
    idem = IdempotencyKeys(redis, keys=keys)
    await idem.claim("write", "k1")
    seen = await idem.claim("write", "k1")
    won = await asyncio.gather(*(idem.take_over("write", "k1", seen) for _ in range(10)))
    assert [w is not None for w in won].count(True) == 1


async def test_a_done_claim_cannot_be_taken_over(redis: Redis, keys: Keys) -> None:
    """A claim that finished in between is not taken over with what was read before."""
    idem = IdempotencyKeys(redis, keys=keys)
    await idem.claim("write", "k1")
    seen = await idem.claim("write", "k1")
    await idem.remember("write", "k1", value="done")
    assert await idem.take_over("write", "k1", seen) is None
    found = await idem.lookup("write", "k1")
    assert found is not None
    assert found.status == "done"


async def test_unsettled_claim_is_pending_since_zero(redis: Redis, keys: Keys) -> None:
    """An attempt that does not know whether it wrote leaves a claim stale at once."""
    idem = IdempotencyKeys(redis, keys=keys, clock=lambda: 500.0)
    await idem.claim("write", "k1")
    await idem.unsettle("write", "k1")
    again = await idem.claim("write", "k1")
    assert (again.status, again.since) == ("pending", 0.0)
    assert 0 < await redis.ttl(keys.idempotency("write", "k1")) <= IDEMPOTENCY_TTL
