"""Writes waiting on their confirmation card: kept under an id, with a TTL."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.models import SlackUser
from bot.store.confirmations import ConfirmationStore, PendingWrite, new_write_id
from bot.store.keys import PENDING_WRITE_TTL, Keys

ABEL = SlackUser(enterprise_id=None, team_id="T01", user_id="U0ABEL")
BETH = SlackUser(enterprise_id=None, team_id="T01", user_id="U0BETH")
WRITE = PendingWrite(kind="comment", number="INC0010003", title="Outlook", text="words")


async def test_a_pending_write_reads_back_with_a_ttl(redis: Redis, keys: Keys) -> None:
    """What the card promised reads back whole, and expires with the TTL."""
    store = ConfirmationStore(redis, keys=keys)
    write_id = new_write_id()
    await store.save(ABEL, write_id, WRITE)
    assert await store.load(ABEL, write_id) == WRITE
    ttl = await redis.ttl(keys.pending_write(None, "T01", "U0ABEL", write_id))
    assert 0 < ttl <= PENDING_WRITE_TTL


async def test_a_pending_write_is_the_users_own(redis: Redis, keys: Keys) -> None:
    """Another user pressing with the same id finds nothing."""
    store = ConfirmationStore(redis, keys=keys)
    write_id = new_write_id()
    await store.save(ABEL, write_id, WRITE)
    assert await store.load(BETH, write_id) is None


async def test_a_deleted_or_unknown_write_is_none(redis: Redis, keys: Keys) -> None:
    """Forgotten, unknown and empty ids read as no write."""
    store = ConfirmationStore(redis, keys=keys)
    write_id = new_write_id()
    await store.save(ABEL, write_id, WRITE)
    await store.delete(ABEL, write_id)
    assert await store.load(ABEL, write_id) is None
    assert await store.load(ABEL, "") is None
    assert await store.load(ABEL, new_write_id()) is None
