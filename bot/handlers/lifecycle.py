"""Slack telling the bot that a workspace or a person is gone or changed: purge what is
theirs."""

from __future__ import annotations

import logging

from bot.blocks.account import link_dropped_message
from bot.container import Container
from bot.errors import ConcurrencyError
from bot.handlers.account import unlink
from bot.models import SlackUser
from bot.services import SlackProfile
from bot.setup.flow import tell
from bot.store.vault import TokenRecord

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
    await c.setup_records.clear(enterprise_id, team_id)
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


def unlink_reason(profile: SlackProfile, record: TokenRecord) -> str | None:
    """Why a Slack profile change ends a link: ``deactivated``, ``guest`` (restricted or
    ultra-restricted) or ``email_changed``; None when the link may stay."""
    if profile.deleted:
        return "deactivated"
    if profile.is_guest:
        return "guest"
    if profile.email.strip().lower() != record.linked_email:
        return "email_changed"
    return None


async def handle_user_changed(c: Container, user: SlackUser, profile: SlackProfile) -> None:
    """``user_change``: a deactivation, a conversion to guest or a new email drops the
    person's link (revoked at ServiceNow, then deleted) and tells them, unless they were
    deactivated (Slack refuses DMs to them). A change of admin or owner status is kept on
    the link, for the admin notifier. Anything else changes nothing."""
    record = await c.vault.get(user)
    if record is None:
        return
    reason = unlink_reason(profile, record)
    if reason is None:
        await _keep_admin_flag(c, user, record, admin=profile.is_admin or profile.is_owner)
        return
    await unlink(c, user, by=f"slack_user_{reason}")
    log.info("dropped a link after a Slack profile change (%s)", reason)
    if reason != "deactivated":
        await tell(c, user.user_id, team=user, message=link_dropped_message(reason))


async def _keep_admin_flag(
    c: Container, user: SlackUser, record: TokenRecord, *, admin: bool
) -> None:
    if record.slack_admin == admin:
        return
    try:
        await c.vault.put(
            user, record.model_copy(update={"slack_admin": admin}), expected_version=record.version
        )
    except ConcurrencyError:
        # Another replica wrote the record first (a refresh); the next user_change or a
        # new link sets the flag, and until then the notifier reads the older one.
        log.info("admin flag not kept: the link changed meanwhile")
