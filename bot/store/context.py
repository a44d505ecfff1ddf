"""What a conversation is about: the incidents last shown or acted on, per user and place.

"close it", "that one", "what's the priority?" name no incident: they mean the one the
user and the bot were just talking about. That is kept per user and per conversation
(the DM, or one channel thread; ``Origin.conversation``) as a short list of incident
numbers, newest first, with ``CONTEXT_TTL`` (half an hour, renewed by every remember).
Only numbers are kept: the incident itself is read again, as the user, when used.
"""

from __future__ import annotations

import json

from redis.asyncio import Redis

from bot.models import SlackUser
from bot.store.guard import redis_errors, text
from bot.store.keys import CONTEXT_TTL, Keys

MAX_REMEMBERED = 5


class ContextStore:
    """The incidents each user's conversations are about, newest first, with a TTL."""

    def __init__(self, redis: Redis, *, keys: Keys, ttl_s: float = CONTEXT_TTL) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_ms = int(ttl_s * 1000)

    def _key(self, user: SlackUser, conversation: str) -> str:
        return self._keys.context(user.enterprise_id, user.team_id, user.user_id, conversation)

    async def remember(self, user: SlackUser, conversation: str, numbers: list[str]) -> None:
        """Make ``numbers`` (in order) what the conversation is about; the TTL starts again."""
        kept = list(dict.fromkeys(numbers))[:MAX_REMEMBERED]
        if not kept:
            return
        with redis_errors("saving conversation context"):
            await self._redis.set(self._key(user, conversation), json.dumps(kept), px=self._ttl_ms)

    async def recall(self, user: SlackUser, conversation: str) -> list[str]:
        """The incidents the conversation is about, newest first ([] when none or expired)."""
        with redis_errors("reading conversation context"):
            raw = text(await self._redis.get(self._key(user, conversation)))
        if raw is None:
            return []
        try:
            numbers = json.loads(raw)
        except ValueError:
            return []
        if not isinstance(numbers, list):
            return []
        return [n for n in numbers if isinstance(n, str)][:MAX_REMEMBERED]

    async def forget(self, user: SlackUser, conversation: str) -> None:
        """The conversation is about nothing in particular any more."""
        with redis_errors("clearing conversation context"):
            await self._redis.delete(self._key(user, conversation))
