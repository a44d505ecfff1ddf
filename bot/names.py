"""Names of Slack users and channels, for the plain text the bot writes into ServiceNow.

``SlackNames.plain(text)`` is ``bot.markup`` with its look-ups done: every mentioned
user's display name (``users.info``; their real name when they have no display name)
and the name of every channel referenced without one (``conversations.info``). Each
name is cached in Redis for ``SLACK_NAME_TTL`` under the workspace, so a comment that
mentions the same people again costs no Slack call. A look-up that fails leaves the
id unnamed ("a Slack user", "#channel"): a missing name never stops a write. A cache
that Redis cannot serve is skipped, not fatal.

``time_zone(user_id)`` is the user's IANA time zone from ``users.info`` (cached the
same way), or "" when Slack does not say.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from redis.asyncio import Redis
from slack_sdk.web.async_client import AsyncWebClient

from bot import markup
from bot.errors import SlackError, StoreError
from bot.models import SlackUser
from bot.reply import slack_errors
from bot.services import SlackDirectory, SlackProfile
from bot.store.guard import redis_errors, text
from bot.store.keys import SLACK_NAME_TTL, Keys

log = logging.getLogger(__name__)

_MAX_LOOKUPS = 20  # names looked up for one text; any more read "a Slack user"


class SlackNames:
    """Looks up (and caches) the names behind Slack ids, for one workspace."""

    def __init__(
        self,
        *,
        slack: AsyncWebClient,
        redis: Redis,
        keys: Keys,
        user: SlackUser,
        ttl_s: int = SLACK_NAME_TTL,
    ) -> None:
        self._slack = slack
        self._directory = SlackDirectory(slack)
        self._redis = redis
        self._keys = keys
        self._workspace = (user.enterprise_id, user.team_id)
        self._ttl_s = ttl_s

    async def plain(self, message: str) -> str:
        """``message`` as plain text: markup converted, mentioned people and channels named."""
        pieces = markup.parse(message)
        user_ids, channel_ids = markup.references(pieces)
        users = await self._names("user", sorted(user_ids)[:_MAX_LOOKUPS], self._user_name)
        channels = await self._names(
            "channel", sorted(channel_ids)[:_MAX_LOOKUPS], self._channel_name
        )
        return markup.render(pieces, users=users, channels=channels)

    async def time_zone(self, user_id: str) -> str:
        """The user's IANA time zone name, or "" when Slack cannot say."""
        found = await self._names("tz", [user_id], self._user_tz)
        return found.get(user_id, "")

    async def _names(
        self, kind: str, ids: Iterable[str], fetch: Callable[[str], Awaitable[str]]
    ) -> dict[str, str]:
        wanted = [i for i in ids if _is_slack_id(i)]
        found: dict[str, str] = {}
        for slack_id, name in zip(
            wanted, await asyncio.gather(*(self._cached(kind, i, fetch) for i in wanted)),
            strict=True,
        ):
            if name:
                found[slack_id] = name
        return found

    async def _cached(
        self, kind: str, slack_id: str, fetch: Callable[[str], Awaitable[str]]
    ) -> str:
        key = self._keys.slack_name(*self._workspace, kind, slack_id)
        try:
            with redis_errors("reading a cached Slack name"):
                cached = text(await self._redis.get(key))
        except StoreError:
            cached = None
        if cached is not None:
            return cached
        name = await fetch(slack_id)
        if name:
            try:
                with redis_errors("caching a Slack name"):
                    await self._redis.set(key, name, ex=self._ttl_s)
            except StoreError:
                log.info("a Slack name could not be cached: Redis did not answer")
        return name

    async def _profile(self, user_id: str) -> SlackProfile | None:
        try:
            return await self._directory.profile(user_id)
        except SlackError as exc:
            log.info("users.info gave no name: %s", exc.detail)
            return None

    async def _user_name(self, user_id: str) -> str:
        profile = await self._profile(user_id)
        if profile is None:
            return ""
        return profile.display_name or profile.real_name

    async def _user_tz(self, user_id: str) -> str:
        profile = await self._profile(user_id)
        return profile.tz if profile is not None else ""

    async def _channel_name(self, channel_id: str) -> str:
        try:
            with slack_errors("conversations.info failed"):
                response = await self._slack.conversations_info(channel=channel_id)
        except SlackError as exc:
            log.info("conversations.info gave no name: %s", exc.detail)
            return ""
        data: Any = response.data
        channel = data.get("channel") if isinstance(data, dict) else None
        name = channel.get("name") if isinstance(channel, dict) else None
        return str(name) if isinstance(name, str) else ""


def _is_slack_id(value: str) -> bool:
    """A Slack id: letters and digits only (safe in a Redis key and a Slack call)."""
    return 2 <= len(value) <= 40 and value.isascii() and value.isalnum()
