"""What happens around people's links during and after setup.

- ``ask_colleague``: the ordinary-user half of the connection test. A colleague without
  admin roles gets a Connect link; ``after_link`` (called by ``bot.connect`` after every
  link, made or refused) reports what their link can do to the admin who asked.
- ``after_link`` also warns the admins when an account with admin roles links.
- ``report_mismatched_link``: a link made despite different emails (the "warn" policy)
  is reported to the ServiceNow account's owner in Slack and to the admins.

Staged credentials that pass their test become the connection in ``bot.setup.flow``
(``switch_to_tested``), which also asks everyone linked to a previous instance to
connect again (``notify_instance_changed``).
"""

from __future__ import annotations

import logging

from bot import errors, texts
from bot.blocks import connect_prompt
from bot.blocks.parts import safe
from bot.blocks.question import notice
from bot.container import Container
from bot.models import SlackUser
from bot.setup.admins import NON_ORDINARY_ROLES, privileged_roles
from bot.setup.flow import checklist, observe, probe_table, table_outcome, tell
from bot.setup.records import SetupRecord
from bot.store.instance_config import InstanceConfig
from bot.store.vault import TokenRecord

log = logging.getLogger(__name__)


async def ask_colleague(
    c: Container, admin: SlackUser, colleague_id: str, *, config: InstanceConfig
) -> str:
    """Send the colleague a Connect link and remember to report their link; what to tell
    the admin (one escaped sentence)."""
    profile = await c.directory.profile(colleague_id)
    if colleague_id == admin.user_id:
        return texts.SETUP_COLLEAGUE_NOT_YOU
    if profile.is_bot or profile.deleted or profile.is_guest:
        return texts.SETUP_COLLEAGUE_ACTIVE
    if profile.team_id and profile.team_id != admin.team_id:
        return texts.SETUP_COLLEAGUE_THIS_WORKSPACE
    if profile.is_admin or profile.is_owner or colleague_id in c.settings.admins:
        return texts.SETUP_COLLEAGUE_NOT_ADMIN
    name = profile.real_name or colleague_id

    def asked(record: SetupRecord) -> SetupRecord:
        cleared = observe(
            record, colleague_link="waiting", colleague_incidents=None, colleague_feedback=None
        )
        return cleared.model_copy(
            update={"colleague_id": colleague_id, "colleague_name": name, "admin_id": admin.user_id}
        )

    await c.setup_records.update(admin.enterprise_id, admin.team_id, asked)
    colleague = SlackUser(
        enterprise_id=admin.enterprise_id, team_id=admin.team_id, user_id=colleague_id
    )
    url = await c.servicenow.connect_url(colleague)
    await tell(
        c, colleague_id, team=admin, message=connect_prompt(url, reason=texts.SETUP_COLLEAGUE_ASKED)
    )
    await c.audit.record("setup_colleague_test", user=admin, colleague=colleague_id)
    return (
        f"I've sent {safe(name, 200)} a Connect link. I'll tell you here what their link "
        "can do once they've used it."
    )


async def after_link(
    c: Container,
    user: SlackUser,
    *,
    record: TokenRecord | None = None,
    error: errors.BotError | None = None,
) -> None:
    """Called by ``bot.connect`` after every link (or refused link): the colleague test's
    report, and the warning when an account with admin roles links."""
    try:
        if record is not None:
            await _warn_if_privileged(c, user, record)
        await _colleague_report(c, user, record=record, error=error)
    except errors.BotError as exc:
        log.warning("after-link setup checks failed: %s", exc.detail)


async def _colleague_report(
    c: Container,
    user: SlackUser,
    *,
    record: TokenRecord | None,
    error: errors.BotError | None,
) -> None:
    store = c.setup_records
    setup = await store.get(user.enterprise_id, user.team_id)
    if setup.colleague_id != user.user_id or setup.observations.colleague_link != "waiting":
        return
    obs: dict[str, object]
    if record is None:
        obs = {"colleague_link": "refused"}
        log.info("the colleague's link was refused: %s", type(error).__name__)
    elif set(record.servicenow_user.roles) & NON_ORDINARY_ROLES:
        obs = {"colleague_link": "privileged"}
    else:
        obs = {"colleague_link": "ok"}
        try:
            client = await c.servicenow.for_user(user)
            obs["colleague_incidents"] = await probe_table(client.incidents, "incident")
            obs["colleague_feedback"] = await probe_table(
                client.incidents, client.config.feedback_table
            )
        except errors.AuthError as exc:
            obs["colleague_incidents"] = table_outcome(exc)
    updated = await store.update(user.enterprise_id, user.team_id, lambda r: observe(r, **obs))
    config = await c.instances.require(user.enterprise_id, user.team_id)
    await tell(c, updated.admin_id, team=user, message=checklist(c, updated, config))


async def _warn_if_privileged(c: Container, user: SlackUser, record: TokenRecord) -> None:
    roles = privileged_roles(record.servicenow_user.roles)
    if not roles:
        return
    await c.audit.record(
        "privileged_link",
        user=user,
        servicenow_user=record.servicenow_user.user_name,
        roles=",".join(roles),
    )
    line = texts.SETUP_PRIVILEGED_LINK.format(user=user.user_id, roles=safe(", ".join(roles), 200))
    await c.admins.tell(user, notice(line), about="a privileged link", skip=user.user_id)


async def report_mismatched_link(c: Container, user: SlackUser, record: TokenRecord) -> None:
    """A link made despite different emails (``SNOWBOT_LINK_EMAIL_POLICY=warn``): a
    forwarded Connect link may have tied someone else's ServiceNow account to ``user``.
    Tell that account's owner, when their email is a Slack member's of this workspace
    (``users.lookupByEmail``), and the admins; the linking user was told already."""
    account = safe(record.servicenow_user.name or record.servicenow_user.user_name, 200)
    await c.audit.record(
        "mismatched_link", user=user, servicenow_user=record.servicenow_user.user_name
    )
    try:
        owner = await c.directory.by_email(record.servicenow_user.email)
    except errors.SlackError as exc:
        log.warning("could not look up the ServiceNow account's owner: %s", exc.detail)
        owner = None
    if (
        owner is not None
        and owner.user_id != user.user_id
        and not owner.deleted
        and owner.team_id in ("", user.team_id)
    ):
        line = texts.LINKED_ACCOUNT_OWNER_WARNING.format(
            servicenow=account, slack_user=user.user_id
        )
        await tell(c, owner.user_id, team=user, message=notice(line))
    line = texts.LINKED_ADMIN_WARNING.format(slack_user=user.user_id, servicenow=account)
    await c.admins.tell(user, notice(line), about="a linked admin account", skip=user.user_id)
