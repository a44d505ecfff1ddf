"""Slack telling the bot that a workspace or a person is gone: purge what is theirs."""

from __future__ import annotations

import logging

from bot.container import Container
from bot.handlers.account import unlink
from bot.models import SlackUser

log = logging.getLogger(__name__)


async def handle_workspace_revoked(
    c: Container, *, enterprise_id: str | None, team_id: str, reason: str
) -> None:
    """``app_uninstalled`` / ``tokens_revoked``: delete every token record of the workspace.

    ServiceNow tokens are not revoked one by one here: the Slack side is gone, and
    each record is deleted so nothing can act for those people any more.
    """
    purged = await c.vault.purge_workspace(enterprise_id, team_id)
    await c.audit.record(
        "workspace_purged",
        user=SlackUser(enterprise_id=enterprise_id, team_id=team_id, user_id="-"),
        reason=reason,
        records=purged,
    )
    log.info("purged %d link(s) of a workspace after %s", purged, reason)


async def handle_user_deactivated(c: Container, user: SlackUser) -> None:
    """``user_change`` with ``deleted``: revoke and forget that person's link."""
    await unlink(c, user, by="slack_user_deactivated")
