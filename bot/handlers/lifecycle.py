"""Slack telling the bot that a workspace or a person is gone: purge what is theirs."""

from __future__ import annotations

import logging

from bot.container import Container
from bot.handlers.account import unlink
from bot.models import SlackUser
from bot.setup.flow import records_of

log = logging.getLogger(__name__)


async def handle_workspace_revoked(
    c: Container, *, enterprise_id: str | None, team_id: str, reason: str
) -> None:
    """``app_uninstalled`` / a bot-token ``tokens_revoked``: forget the workspace.

    Every token record goes, then the instance configuration set up in chat (with its
    encrypted client secret), the one staged by an unfinished setup, and the setup
    progress. ServiceNow tokens are not revoked one by one: the Slack side is gone,
    and once the records are deleted nothing can act for those people any more.
    """
    purged = await c.vault.purge_workspace(enterprise_id, team_id)
    configured = await c.instances.delete(enterprise_id, team_id)
    await records_of(c).clear(enterprise_id, team_id)
    await c.audit.record(
        "workspace_purged",
        user=SlackUser(enterprise_id=enterprise_id, team_id=team_id, user_id="-"),
        reason=reason,
        records=purged,
        instance_configuration=configured,
    )
    log.info(
        "purged %d link(s) and %s of a workspace after %s",
        purged,
        "its instance configuration" if configured else "no stored configuration",
        reason,
    )


async def handle_user_deactivated(c: Container, user: SlackUser) -> None:
    """``user_change`` with ``deleted``: revoke and forget that person's link."""
    await unlink(c, user, by="slack_user_deactivated")
