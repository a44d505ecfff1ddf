"""ConversationStore: per-user state with a TTL, and the pending request taken once."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from redis.asyncio import Redis

from bot.models import SlackUser
from bot.store.conversation import ConversationStore
from bot.store.keys import CONVERSATION_TTL, PENDING_REQUEST_TTL, Keys


class CreateSlots(BaseModel):
    """A create flow waiting for its description."""

    step: str
    short_description: str = ""
    urgency: int = 3


class PendingLookup(BaseModel):
    """A lookup asked before connecting."""

    intent: str
    incident_number: str


class Renamed(BaseModel):
    """A later version of the slots with a required field the stored value lacks."""

    phase: str


async def test_state_reads_back_as_its_model(
    redis: Redis, keys: Keys, alice: SlackUser, bob: SlackUser
) -> None:
    """Saved state reads back as the same model, for its user only."""
    store = ConversationStore(redis, keys=keys)
    slots = CreateSlots(step="describe", short_description="VPN down", urgency=2)
    await store.save(alice, slots)
    assert await store.load(alice, CreateSlots) == slots
    assert await store.load(bob, CreateSlots) is None


async def test_state_has_a_ttl(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """Saved state carries the conversation TTL."""
    await ConversationStore(redis, keys=keys).save(alice, CreateSlots(step="x"))
    ttl = await redis.ttl(keys.conversation(alice.enterprise_id, alice.team_id, alice.user_id))
    assert 0 < ttl <= CONVERSATION_TTL


async def test_state_expires(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """A conversation left alone past its TTL is gone."""
    store = ConversationStore(redis, keys=keys, ttl_s=0.2)
    await store.save(alice, CreateSlots(step="x"))
    await asyncio.sleep(0.4)
    assert await store.load(alice, CreateSlots) is None


async def test_cleared_state_is_gone(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """A cleared conversation reads as none."""
    store = ConversationStore(redis, keys=keys)
    await store.save(alice, CreateSlots(step="x"))
    await store.clear(alice)
    assert await store.load(alice, CreateSlots) is None


async def test_state_that_no_longer_fits_reads_as_none(
    redis: Redis, keys: Keys, alice: SlackUser
) -> None:
    """Stored state that does not fit the model asked for reads as no conversation."""
    store = ConversationStore(redis, keys=keys)
    await store.save(alice, CreateSlots(step="x"))
    assert await store.load(alice, Renamed) is None


async def test_pending_request_is_taken_once(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """A pending request is returned once and then gone."""
    store = ConversationStore(redis, keys=keys)
    asked = PendingLookup(intent="incident.lookup", incident_number="INC0012345")
    await store.save_pending(alice, asked)
    ttl = await redis.ttl(keys.pending_request(alice.enterprise_id, alice.team_id, alice.user_id))
    assert 0 < ttl <= PENDING_REQUEST_TTL
    assert await store.take_pending(alice, PendingLookup) == asked
    assert await store.take_pending(alice, PendingLookup) is None
