"""Per-user conversation state, and the request a not-yet-connected user made.

Multi-turn flows (a create that still needs a description, a clarifying question
with buttons) keep their slots in one JSON value per user with ``CONVERSATION_TTL``:
a conversation left alone simply expires. Callers own the shape: they pass a pydantic
model in and name the model class when reading back. A value that no longer fits the
model (the bot was upgraded mid-conversation) reads as no conversation.

A user who asks for something before linking their ServiceNow account gets the
Connect button; what they asked is kept (``PENDING_REQUEST_TTL``) and taken exactly
once (GETDEL) after the link, so it can be finished without asking again.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

from bot.models import SlackUser
from bot.store.guard import redis_errors, text
from bot.store.keys import CONVERSATION_TTL, PENDING_REQUEST_TTL, Keys

logger = logging.getLogger("snowbot.store.conversation")

M = TypeVar("M", bound=BaseModel)


def _parse(raw: bytes | str | None, model: type[M], *, what: str, user: SlackUser) -> M | None:
    value = text(raw)
    if value is None:
        return None
    try:
        return model.model_validate_json(value)
    except ValidationError:
        logger.info(
            "stored %s no longer fits its model: ignored",
            what,
            extra={"slack_user": user.user_id, "team": user.team_id},
        )
        return None


class ConversationStore:
    """Conversation state and pending requests, one of each per user, with TTLs."""

    def __init__(
        self,
        redis: Redis,
        *,
        keys: Keys,
        ttl_s: float = CONVERSATION_TTL,
        pending_ttl_s: float = PENDING_REQUEST_TTL,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_ms = int(ttl_s * 1000)
        self._pending_ttl_ms = int(pending_ttl_s * 1000)

    def _key(self, user: SlackUser) -> str:
        return self._keys.conversation(user.enterprise_id, user.team_id, user.user_id)

    def _pending_key(self, user: SlackUser) -> str:
        return self._keys.pending_request(user.enterprise_id, user.team_id, user.user_id)

    async def load(self, user: SlackUser, model: type[M]) -> M | None:
        """The user's conversation state, or None when there is none (or it expired)."""
        with redis_errors("reading conversation state"):
            raw = await self._redis.get(self._key(user))
        return _parse(raw, model, what="conversation", user=user)

    async def save(self, user: SlackUser, state: BaseModel) -> None:
        """Replace the user's conversation state; its TTL starts again."""
        with redis_errors("saving conversation state"):
            await self._redis.set(self._key(user), state.model_dump_json(), px=self._ttl_ms)

    async def clear(self, user: SlackUser) -> None:
        """End the user's conversation."""
        with redis_errors("clearing conversation state"):
            await self._redis.delete(self._key(user))

    async def save_pending(self, user: SlackUser, request: BaseModel) -> None:
        """Keep what a not-yet-connected user asked, to finish it after they connect."""
        with redis_errors("saving a pending request"):
            await self._redis.set(
                self._pending_key(user), request.model_dump_json(), px=self._pending_ttl_ms
            )

    async def take_pending(self, user: SlackUser, model: type[M]) -> M | None:
        """The pending request, removed as it is read (so it runs once), or None."""
        with redis_errors("taking a pending request"):
            raw = await self._redis.getdel(self._pending_key(user))
        return _parse(raw, model, what="pending request", user=user)
