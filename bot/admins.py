"""Telling a workspace's admins: one notifier, owned by the container.

Refused refreshes, refused feedback and links that need an admin's eye all go through
``AdminNotifier.tell``: one DM per admin (a Slack failure is logged and the others
still hear), and how many were told. The recipients are whoever set up the
connection in chat, then ``SNOWBOT_ADMINS``, each once and at most
``MAX_ALERTED_ADMINS``; for workspace-wide problems (``linked_admins``) also linked
people whose Slack profile says admin or owner. Slack has no cheap "list the admins"
call the bot's scopes allow, so each link keeps that flag (``TokenRecord.slack_admin``,
set when linking and kept current by ``user_change``); only links made before the flag
was kept are asked about with ``users.info``. ``is_admin`` is the one admin rule
(``SNOWBOT_ADMINS``, or a Slack admin or owner of the user's own workspace).
``first_in_window`` keeps an alert to once per window and reason (a Redis marker,
``SET NX EX``; ``StoreError`` when Redis fails, so the caller decides).
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import Message
from bot.errors import SlackError, StoreError
from bot.models import SlackUser, is_slack_user_id
from bot.reply import tell
from bot.services import SlackDirectory
from bot.settings import Settings
from bot.store.guard import redis_errors
from bot.store.instance_config import InstanceConfigStore
from bot.store.keys import Keys
from bot.store.vault import RedisTokenVault

log = logging.getLogger(__name__)

MAX_ALERTED_ADMINS = 20


class AdminNotifier:
    """DMs a workspace's admins."""

    def __init__(
        self,
        *,
        settings: Settings,
        instances: InstanceConfigStore,
        vault: RedisTokenVault,
        directory: SlackDirectory,
        slack: AsyncWebClient,
        redis: Redis,
        keys: Keys,
    ) -> None:
        self._settings = settings
        self._instances = instances
        self._vault = vault
        self._directory = directory
        self._slack = slack
        self._redis = redis
        self._keys = keys

    async def is_admin(self, user: SlackUser) -> bool:
        """``SNOWBOT_ADMINS``, or a Slack admin or owner of the user's own workspace
        (``users.info`` asked every time)."""
        if user.user_id in self._settings.admins:
            return True
        try:
            profile = await self._directory.profile(user.user_id)
        except SlackError as exc:
            log.warning("could not check admin status: %s", exc.detail)
            return False
        if profile.deleted or profile.is_guest or profile.is_bot:
            return False
        if profile.team_id and profile.team_id != user.team_id:
            return False
        return profile.is_admin or profile.is_owner

    async def recipients(self, team: SlackUser, *, linked_admins: bool = False) -> list[str]:
        """The Slack ids of ``team``'s workspace admins to tell."""
        found: list[str] = []
        config = await self._instances.get(team.enterprise_id, team.team_id)
        if config is not None and is_slack_user_id(config.configured_by):
            found.append(config.configured_by)
        found = list(dict.fromkeys([*found, *self._settings.admins]))
        if linked_admins:
            try:
                linked = await self._vault.list_linked(team.enterprise_id, team.team_id)
            except StoreError:
                linked = []
            for entry in linked:
                if entry.slack_user_id in found or len(found) >= MAX_ALERTED_ADMINS:
                    continue
                other = SlackUser(
                    enterprise_id=team.enterprise_id,
                    team_id=team.team_id,
                    user_id=entry.slack_user_id,
                )
                # The link keeps the profile's admin flag (set when linking, kept by
                # user_change); only links older than the flag need users.info.
                admin = entry.slack_admin
                if admin is None:
                    admin = await self.is_admin(other)
                if admin:
                    found.append(entry.slack_user_id)
        return found[:MAX_ALERTED_ADMINS]

    async def first_in_window(self, team: SlackUser, reason: str, *, window_s: int) -> bool:
        """True for the first alert about ``reason`` in ``team``'s workspace per window."""
        key = self._keys.admin_alert(team.enterprise_id, team.team_id, reason)
        with redis_errors("marking an admin alert"):
            return bool(await self._redis.set(key, b"1", nx=True, ex=window_s))

    async def tell(
        self,
        team: SlackUser,
        message: Message,
        *,
        about: str,
        skip: str = "",
        linked_admins: bool = False,
    ) -> int:
        """DM ``message`` to each admin of ``team``'s workspace but ``skip``; how many heard."""
        told = 0
        for admin_id in await self.recipients(team, linked_admins=linked_admins):
            if admin_id == skip:
                continue
            admin = SlackUser(
                enterprise_id=team.enterprise_id, team_id=team.team_id, user_id=admin_id
            )
            told += await tell(self._slack, admin, message, about=about)
        log.info("told %d admin(s) about %s", told, about)
        return told
