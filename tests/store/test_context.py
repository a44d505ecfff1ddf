"""ContextStore: the incidents a user's conversation is about, per conversation, with a TTL."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.models import SlackUser
from bot.store.context import MAX_REMEMBERED, ContextStore
from bot.store.keys import CONTEXT_TTL, Keys


async def test_remembered_numbers_read_back_newest_first(
    redis: Redis, keys: Keys, alice: SlackUser
) -> None:
    """What a conversation was last about reads back in order, without repeats."""
    store = ContextStore(redis, keys=keys)
    await store.remember(alice, "D01", ["INC0010002", "INC0010001", "INC0010002"])
    assert await store.recall(alice, "D01") == ["INC0010002", "INC0010001"]


async def test_context_is_per_conversation_and_per_user(
    redis: Redis, keys: Keys, alice: SlackUser, bob: SlackUser
) -> None:
    """Another conversation of the same user, or another user, has its own context."""
    store = ContextStore(redis, keys=keys)
    await store.remember(alice, "D01", ["INC0010002"])
    assert await store.recall(alice, "C01:1712.0001") == []
    assert await store.recall(bob, "D01") == []


async def test_context_keeps_a_few_numbers_with_a_ttl(
    redis: Redis, keys: Keys, alice: SlackUser
) -> None:
    """At most MAX_REMEMBERED numbers are kept, under the context TTL."""
    store = ContextStore(redis, keys=keys)
    await store.remember(alice, "D01", [f"INC00100{n:02d}" for n in range(10)])
    assert len(await store.recall(alice, "D01")) == MAX_REMEMBERED
    ttl = await redis.ttl(keys.context(alice.enterprise_id, alice.team_id, alice.user_id, "D01"))
    assert 0 < ttl <= CONTEXT_TTL


async def test_context_expires(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """A conversation left alone past its TTL is about nothing."""
    store = ContextStore(redis, keys=keys, ttl_s=0.2)
    await store.remember(alice, "D01", ["INC0010002"])
    await asyncio.sleep(0.4)
    assert await store.recall(alice, "D01") == []


async def test_conversation_name_is_not_in_the_key_in_clear(keys: Keys, alice: SlackUser) -> None:
    """The key carries a digest of the conversation id, not the id itself."""
    key = keys.context(alice.enterprise_id, alice.team_id, alice.user_id, "C01:1712.0001")
    assert "1712.0001" not in key
