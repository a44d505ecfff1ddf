"""Telling admins when many people's ServiceNow links fail together.

One refused refresh is that person's business (they are asked to reconnect). Many
refused in a short window mean the bot's OAuth client itself is no longer accepted
(secret rotated, Application Registry entry removed): the workspace's admins get one
DM per window saying so. The refresher counts the
refusals (``TokenRefresher.recent_refresh_failures``); this module decides and tells.
Recipients are those of the container's ``AdminNotifier``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import errors
from bot.blocks.account import refresh_failures_alert
from bot.models import SlackUser
from bot.servicenow.instance import instance_host

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)

REFRESH_FAILURE_WINDOW = 600.0  # seconds
REFRESH_FAILURE_THRESHOLD = 3  # distinct people refused within the window
ALERT_REASON = "refresh_failures"


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
        if not await c.admins.first_in_window(
            user, ALERT_REASON, window_s=int(REFRESH_FAILURE_WINDOW)
        ):
            return 0
        config = await c.instances.get(user.enterprise_id, user.team_id)
    except errors.StoreError as exc:
        log.warning("refresh-failure alert skipped: %s", exc.detail)
        return 0
    except OSError as exc:
        log.warning("refresh-failure alert skipped: %s", type(exc).__name__)
        return 0
    host = instance_host(config.instance_url) if config is not None else "?"
    message = refresh_failures_alert(
        count=len(failed), minutes=int(REFRESH_FAILURE_WINDOW // 60), host=host
    )
    told = await c.admins.tell(user, message, about="refused refreshes", linked_admins=True)
    try:
        await c.audit.record(
            "alert.refresh_failures", user=user, people=len(failed), admins_told=told
        )
    except errors.StoreError:
        log.warning("refresh-failure alert not audited: Redis failed")
    log.warning("told %d admin(s) that %d refreshes were refused", told, len(failed))
    return told
