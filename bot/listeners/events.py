"""Events API listeners: DMs, mentions, App Home, uninstall, revocation, user changes.

Only the events the Slack manifest subscribes to have listeners, and every message
event gets a listener (most are ignored on purpose), so Bolt never answers 404 and
Slack never redelivers for that reason. Events are acked automatically by Bolt
before the listener runs; the work goes to ``start_turn``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.container import Container
from bot.handlers import account, lifecycle
from bot.listeners.payloads import message_origin, slack_user
from bot.listeners.runner import run_guarded, start_turn
from bot.models import SlackUser
from bot.reply import Origin
from bot.router import route_message
from bot.services import profile_from

log = logging.getLogger(__name__)

_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*")

# Message subtypes that are a person writing to the bot; every other subtype
# (edits, deletions, joins, bot messages) is acknowledged and ignored.
_PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}


def _is_person_message(event: dict[str, Any]) -> bool:
    return (
        event.get("subtype") in _PERSON_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def register(bolt: AsyncApp, c: Container) -> None:
    """Register the event listeners."""

    @bolt.event("message")
    async def direct_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or not _is_person_message(event):
            return
        text = str(event.get("text") or "")
        start_turn(
            c,
            user=slack_user(body),
            origin=message_origin(event),
            kind="event",
            name="dm",
            work=lambda turn: route_message(turn, text),
        )

    @bolt.event("app_mention")
    async def mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        if not _is_person_message(event):
            return
        text = _LEADING_MENTION.sub("", str(event.get("text") or ""))
        start_turn(
            c,
            user=slack_user(body),
            origin=message_origin(event),
            kind="event",
            name="mention",
            work=lambda turn: route_message(turn, text),
        )

    @bolt.event("app_home_opened")
    async def home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home"):
            return
        start_turn(
            c,
            user=slack_user(body),
            origin=Origin(kind="home"),
            kind="event",
            name="home",
            work=account.publish_home,
        )

    @bolt.event("app_uninstalled")
    async def uninstalled(body: dict[str, Any]) -> None:
        await _purge_workspace(c, body, reason="app_uninstalled")

    @bolt.event("tokens_revoked")
    async def tokens_revoked(event: dict[str, Any], body: dict[str, Any]) -> None:
        # Only the bot token matters: the app holds no Slack user tokens, so a revocation
        # that lists user tokens only leaves the workspace's links in place.
        tokens = event.get("tokens")
        if isinstance(tokens, dict) and tokens.get("bot"):
            await _purge_workspace(c, body, reason="tokens_revoked")

    @bolt.event("user_change")
    async def user_change(event: dict[str, Any], body: dict[str, Any]) -> None:
        # Every profile change of every member arrives here: the handler reads one
        # token record and returns unless this person has a link that must go.
        changed = event.get("user")
        if not isinstance(changed, dict) or not changed.get("id"):
            return
        profile = profile_from(changed)
        user = SlackUser(
            enterprise_id=slack_user(body).enterprise_id,
            team_id=profile.team_id or str(body.get("team_id") or ""),
            user_id=profile.user_id,
        )
        c.work.spawn(
            run_guarded(
                c,
                kind="event",
                reply=None,
                work=lambda: lifecycle.handle_user_changed(c, user, profile),
            ),
            name="user-changed",
        )


async def _purge_workspace(c: Container, body: dict[str, Any], *, reason: str) -> None:
    user = slack_user(body)
    c.work.spawn(
        run_guarded(
            c,
            kind="event",
            reply=None,
            work=lambda: lifecycle.handle_workspace_revoked(
                c, enterprise_id=user.enterprise_id, team_id=user.team_id, reason=reason
            ),
        ),
        name=reason,
    )
