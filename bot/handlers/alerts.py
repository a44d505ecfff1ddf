"""Telling admins when many people's ServiceNow links fail together.

One refused refresh is that person's business (they are asked to reconnect). Many
refused in a short window mean the bot's OAuth client itself is no longer accepted
(secret rotated, Application Registry entry removed): the workspace's admins get one
DM per window saying so. The refresher counts the
refusals (``TokenRefresher.recent_refresh_failures``); this module decides and tells.
Recipients are those of ``feedback_admin.admin_recipients``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import errors, texts
from bot.blocks import Message
from bot.blocks.parts import escape_mrkdwn
from bot.handlers.feedback_admin import admin_recipients
from bot.models import SlackUser
from bot.reply import Origin, SlackReply
from bot.servicenow.instance import instance_host

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)

REFRESH_FAILURE_WINDOW = 600.0  # seconds
REFRESH_FAILURE_THRESHOLD = 3  # distinct people refused within the window
ALERT_REASON = "refresh_failures"


def refresh_failures_alert(*, count: int, host: str) -> Message:
    """The admin DM: how many failed, and the probable cause."""
    line = texts.REFRESH_FAILURES_ALERT.format(
        count=count, minutes=int(REFRESH_FAILURE_WINDOW // 60), host=escape_mrkdwn(host)
    )
    block = {"type": "section", "text": {"type": "mrkdwn", "text": line}}
    return Message(text=line, blocks=[block])


async def check_refresh_failures(c: Container, user: SlackUser) -> int:
    """After ``user`` was asked to reconnect: alert admins if many failed together.

    Returns how many admins were told (0: below the threshold, or already told in
    this window). Never raises for Redis or Slack trouble: the user's reply matters more.
    """
    try:
        failed = await c.refresher.recent_refresh_failures(
            user.enterprise_id, user.team_id, window_s=REFRESH_FAILURE_WINDOW
        )
        if len(failed) < REFRESH_FAILURE_THRESHOLD:
            return 0
        key = c.keys.admin_alert(user.enterprise_id, user.team_id, ALERT_REASON)
        if not await c.redis.set(key, b"1", nx=True, ex=int(REFRESH_FAILURE_WINDOW)):
            return 0
        config = await c.instances.get(user.enterprise_id, user.team_id)
    except errors.StoreError as exc:
        log.warning("refresh-failure alert skipped: %s", exc.detail)
        return 0
    except OSError as exc:
        log.warning("refresh-failure alert skipped: %s", type(exc).__name__)
        return 0
    host = instance_host(config.instance_url) if config is not None else "?"
    message = refresh_failures_alert(count=len(failed), host=host)
    told = 0
    for admin_id in await admin_recipients(c, user):
        admin = SlackUser(enterprise_id=user.enterprise_id, team_id=user.team_id, user_id=admin_id)
        try:
            await SlackReply(client=c.slack, user=admin, origin=Origin(kind="home")).direct(message)
            told += 1
        except errors.SlackError as exc:
            log.warning("could not tell an admin about refused refreshes: %s", exc.detail)
    try:
        await c.audit.record(
            "alert.refresh_failures", user=user, people=len(failed), admins_told=told
        )
    except errors.StoreError:
        log.warning("refresh-failure alert not audited: Redis failed")
    log.warning("told %d admin(s) that %d refreshes were refused", told, len(failed))
    return told
