"""Writes waiting on their confirmation card, one Redis value per card id.

A write that comes from free text (a comment, a close request, a reopen, unlinking)
is shown on a card before anything happens. What the card promises is kept here,
under an unguessable id, for ``PENDING_WRITE_TTL``; the card's buttons carry only
that id, never the text (it is personal data, and may be longer than a button value).
What became of the card (done, cancelled) is not kept here but in the click's
idempotency key (``bot.handlers.confirm``), so a late press can say which.
"""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis

from bot.store.keys import PENDING_WRITE_TTL, Keys
from bot.store.models import UserRecords

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


class ConfirmationStore(UserRecords[PendingWrite]):
    """Pending writes by (user, card id), each with a TTL."""

    def __init__(self, redis: Redis, *, keys: Keys, ttl_s: int = PENDING_WRITE_TTL) -> None:
        super().__init__(
            redis,
            model=PendingWrite,
            key=keys.pending_write,
            what="a write waiting for confirmation",
            ttl_s=ttl_s,
        )
