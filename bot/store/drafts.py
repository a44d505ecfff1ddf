"""Incident drafts waiting for Create / Edit / Cancel, one Redis value per draft id.

A draft is personal data (what the user wrote), so it is kept only ``DRAFT_TTL`` and the
confirmation's buttons carry its id, never its content. Once an incident is created
from it, the draft records the number, so a late second Create says which incident it
already became instead of opening another.
"""

from __future__ import annotations

import logging
import secrets

from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

from bot.models import SlackUser
from bot.servicenow.models import IncidentDraft
from bot.store.guard import redis_errors, text
from bot.store.keys import DRAFT_TTL, Keys

log = logging.getLogger(__name__)


class StoredDraft(BaseModel):
    """A draft and, once created, the incident it became."""

    draft: IncidentDraft | None = None
    permalink: str = ""  # the Slack message a shortcut started from
    created_number: str = ""


def new_draft_id() -> str:
    """A fresh, unguessable draft id (short enough for a button value)."""
    return "d" + secrets.token_urlsafe(12)


class DraftStore:
    """Drafts by (user, draft id), each with a TTL."""

    def __init__(self, redis: Redis, *, keys: Keys, ttl_s: int = DRAFT_TTL) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_s = ttl_s

    def _key(self, user: SlackUser, draft_id: str) -> str:
        return self._keys.draft(user.enterprise_id, user.team_id, user.user_id, draft_id)

    async def save(self, user: SlackUser, draft_id: str, stored: StoredDraft) -> None:
        """Keep ``stored`` under ``draft_id`` (the TTL starts again)."""
        with redis_errors("saving an incident draft"):
            await self._redis.set(
                self._key(user, draft_id), stored.model_dump_json(), ex=self._ttl_s
            )

    async def load(self, user: SlackUser, draft_id: str) -> StoredDraft | None:
        """The draft, or None when it expired, was cancelled or never existed."""
        if not draft_id:
            return None
        with redis_errors("reading an incident draft"):
            raw = text(await self._redis.get(self._key(user, draft_id)))
        if raw is None:
            return None
        try:
            return StoredDraft.model_validate_json(raw)
        except ValidationError:
            log.info("a stored draft no longer fits its model: ignored")
            return None

    async def delete(self, user: SlackUser, draft_id: str) -> None:
        """Forget the draft."""
        with redis_errors("deleting an incident draft"):
            await self._redis.delete(self._key(user, draft_id))
