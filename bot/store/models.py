"""Pydantic models kept in Redis as JSON, one per user and id, each with a TTL.

What a card promised (an incident draft, a write waiting for its button) is personal
data kept only for a while: ``UserRecords`` stores it under the key ``key`` builds
from the user and the card's id (names come from ``bot.store.keys``), reads it back
as the model, and reads a value that no longer fits the model (the bot was upgraded
meanwhile) as nothing. Redis failures are ``StoreError``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

from bot.models import SlackUser
from bot.store.guard import redis_errors, text

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
KeyFor = Callable[[str | None, str, str, str], str]  # (enterprise, team, user, id) -> key


class UserRecords(Generic[M]):
    """Values of one model by (user, id), each kept ``ttl_s`` seconds."""

    def __init__(
        self, redis: Redis, *, model: type[M], key: KeyFor, what: str, ttl_s: int
    ) -> None:
        self._redis = redis
        self._model = model
        self._key_for = key
        self._what = what
        self._ttl_s = ttl_s

    def _key(self, user: SlackUser, record_id: str) -> str:
        return self._key_for(user.enterprise_id, user.team_id, user.user_id, record_id)

    async def save(self, user: SlackUser, record_id: str, value: M) -> None:
        """Keep ``value`` under ``record_id`` (the TTL starts again)."""
        with redis_errors(f"saving {self._what}"):
            await self._redis.set(
                self._key(user, record_id), value.model_dump_json(), ex=self._ttl_s
            )

    async def load(self, user: SlackUser, record_id: str) -> M | None:
        """The value, or None when it expired, was deleted, never existed or no longer fits."""
        if not record_id:
            return None
        with redis_errors(f"reading {self._what}"):
            raw = text(await self._redis.get(self._key(user, record_id)))
        return self._parse(raw)

    def _parse(self, raw: str | None) -> M | None:
        if raw is None:
            return None
        try:
            return self._model.model_validate_json(raw)
        except ValidationError:
            log.info("stored %s no longer fits its model: ignored", self._what)
            return None

    async def take(self, user: SlackUser, record_id: str) -> M | None:
        """The value, read and forgotten at once (None as for ``load``)."""
        with redis_errors(f"taking {self._what}"):
            raw = text(await self._redis.getdel(self._key(user, record_id)))
        return self._parse(raw)

    async def delete(self, user: SlackUser, record_id: str) -> None:
        """Forget the value."""
        with redis_errors(f"deleting {self._what}"):
            await self._redis.delete(self._key(user, record_id))
