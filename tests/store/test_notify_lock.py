"""The notification store's per-(user, incident) lock: one holder, and only it lets go."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.models import SlackUser
from bot.notify.store import NotifyLockedError, NotifyStore
from bot.store.keys import Keys

SYS_ID = "9d385017c611228701d22104cc95c371"


async def test_a_second_holder_waits_and_gives_up(
    redis: Redis, keys: Keys, alice: SlackUser
) -> None:
    """While one replica holds the lock, another is refused after its wait."""
    store = NotifyStore(redis, keys=keys)
    async with store.lock(alice, SYS_ID):
        with pytest.raises(NotifyLockedError):
            async with store.lock(alice, SYS_ID, wait=0.1):
                pass


async def test_a_lock_taken_over_after_expiry_is_not_released_by_the_first_holder(
    redis: Redis, keys: Keys, alice: SlackUser
) -> None:
    """When the lock expired and another replica took it, the first holder leaves it be."""
    store = NotifyStore(redis, keys=keys)
    key = keys.notify_lock(alice.enterprise_id, alice.team_id, alice.user_id, SYS_ID)
    async with store.lock(alice, SYS_ID):
        await redis.set(key, "another-replica")  # ours expired; someone else holds it now
    assert await redis.get(key) == b"another-replica"
