"""Writes waiting on their confirmation card, one Redis value per card id.

A write that comes from free text (a comment, a close request, a reopen, unlinking)
is shown on a card before anything happens. What the card promises is kept here,
under an unguessable id, for ``PENDING_WRITE_TTL``; the card's buttons carry only
that id, never the text (it is personal data, and may be longer than a button value).
What became of the card (done, cancelled) is not kept here but in the click's
idempotency key (``bot.handlers.confirm``), so a late press can say which.
"""

from __future__ import annotations

import logging
import secrets
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from redis.asyncio import Redis

from bot.models import SlackUser
from bot.store.guard import redis_errors, text
from bot.store.keys import PENDING_WRITE_TTL, Keys

log = logging.getLogger(__name__)

WriteKind = Literal["comment", "close", "reopen", "disconnect"]


class PendingWrite(BaseModel):
    """One write as its card shows it: what, on which incident, and the exact words."""

    model_config = ConfigDict(frozen=True)

    kind: WriteKind
    number: str = ""
    title: str = ""  # the incident's short description when the card was shown
    text: str = ""  # exactly what will be written (plain text, Slack markup converted)


def new_write_id() -> str:
    """A fresh, unguessable card id (short enough for a button value)."""
    return "w" + secrets.token_urlsafe(12)


class ConfirmationStore:
    """Pending writes by (user, card id), each with a TTL."""

    def __init__(self, redis: Redis, *, keys: Keys, ttl_s: int = PENDING_WRITE_TTL) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_s = ttl_s

    def _key(self, user: SlackUser, write_id: str) -> str:
        return self._keys.pending_write(user.enterprise_id, user.team_id, user.user_id, write_id)

    async def save(self, user: SlackUser, write_id: str, write: PendingWrite) -> None:
        """Keep ``write`` under ``write_id`` for the TTL."""
        with redis_errors("saving a write waiting for confirmation"):
            await self._redis.set(
                self._key(user, write_id), write.model_dump_json(), ex=self._ttl_s
            )

    async def load(self, user: SlackUser, write_id: str) -> PendingWrite | None:
        """The write, or None when it expired, was forgotten or never existed."""
        if not write_id:
            return None
        with redis_errors("reading a write waiting for confirmation"):
            raw = text(await self._redis.get(self._key(user, write_id)))
        if raw is None:
            return None
        try:
            return PendingWrite.model_validate_json(raw)
        except ValidationError:
            log.info("a pending write no longer fits its model: ignored")
            return None

    async def delete(self, user: SlackUser, write_id: str) -> None:
        """Forget the write."""
        with redis_errors("deleting a write waiting for confirmation"):
            await self._redis.delete(self._key(user, write_id))
