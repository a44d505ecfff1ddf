"""Guided setup of the workspace's ServiceNow connection, and admin housekeeping.

Admins only (Slack admins and owners, and ``SNOWBOT_ADMINS``), checked with
``users.info`` on every command, button and submission, so a captured setup
submission replayed by anyone else is refused. ``/snow setup`` (and ``setup.admin``)
shows the four-step guide (``bot.blocks.setup_guide``) with Done and Back; step 2's
modal takes the instance, client id and secret (the secret goes straight to the
encrypted ``InstanceConfigStore``, is never echoed, logged or put in
``private_metadata``, and is shown back only as its last four characters); step 3
runs the connection test (``bot.setup.flow``); step 4 sets incident defaults and
re-checks the feedback table. Finish lists who is linked, with force-disconnect.

Saving credentials over a working connection stages them (the modal's ack has already
checked the instance against the operator's rules, keeping the modal open on a field
error), and the guide moves on to step 3: the connection in use stays until the test
passes with the new credentials, and only then are people linked to an old instance
asked to reconnect (``bot.setup.flow.switch_to_tested``). A first setup, with nothing
to lock out, is stored at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import SecretStr

from bot import errors, texts
from bot.blocks import (
    IncidentDefaults,
    SetupProgress,
    ids,
    linked_users,
    not_admin_message,
    setup_credentials_modal,
    setup_defaults_modal,
    setup_guide,
)
from bot.blocks.parts import Message, escape_mrkdwn
from bot.blocks.question import notice
from bot.blocks.setup import SETUP_STEPS, colleague_modal, setup_note, setup_status_line
from bot.grammar import SnowCommand
from bot.handlers.account import unlink
from bot.handlers.feedback_admin import linked_people
from bot.models import SlackUser, is_slack_user_id
from bot.servicenow.instance import instance_host
from bot.setup.admins import is_setup_admin, who_can_set_up
from bot.setup.credentials import validate_credentials
from bot.setup.flow import (
    checklist,
    config_under_test,
    observe,
    probe_table,
    run_connection_test,
    tell,
)
from bot.setup.links import ask_colleague
from bot.store.instance_config import InstanceConfig
from bot.turn import (
    Action,
    ActionHandler,
    CommandHandler,
    ShortcutHandler,
    Submission,
    Turn,
    ViewHandler,
)

if TYPE_CHECKING:
    from bot.container import Container
    from bot.settings import Settings

log = logging.getLogger(__name__)



# --- who may ----------------------------------------------------------------------------


async def _admin(turn: Turn) -> bool:
    """True for an admin; anyone else gets a polite refusal naming who can do it."""
    if await is_setup_admin(turn.c, turn.user):
        return True
    await turn.c.audit.record("setup_refused", user=turn.user)
    await turn.reply.private(not_admin_message(await who_can_set_up(turn.c)))
    return False


# --- the guide ---------------------------------------------------------------------------


async def progress(turn: Turn) -> SetupProgress:
    """Where this workspace's setup stands, with the credentials under test if some are
    staged (the secret only travels as a SecretStr)."""
    c = turn.c
    config = await c.instances.staged(
        turn.user.enterprise_id, turn.user.team_id
    ) or await c.instances.get(turn.user.enterprise_id, turn.user.team_id)
    record = await c.setup_records.get(turn.user.enterprise_id, turn.user.team_id)
    if config is None:
        return SetupProgress(feedback_table=c.settings.feedback_table)
    fields = IncidentDefaults.model_fields
    defaults = {k: v for k, v in config.incident_defaults.items() if k in fields}
    return SetupProgress(
        instance_host=instance_host(config.instance_url),
        client_id=config.client_id,
        client_secret=config.client_secret,
        connection_ok=record.connection_ok,
        feedback_table=config.feedback_table,
        feedback_table_ok=record.feedback_ok,
        defaults=IncidentDefaults(**defaults),
    )


def _first_open_step(state: SetupProgress) -> int:
    if not state.client_secret:
        return 1
    if state.connection_ok is not True:
        return 3
    return 4


async def show_step(turn: Turn, step: int, *, replace: bool = False, note: str = "") -> None:
    """Show one step of the guide (in place when ``replace``), after an optional note."""
    guide = await _guide(turn, step)
    await turn.reply.private(setup_note(note, extra=guide) if note else guide, replace=replace)


async def handle_setup(turn: Turn, _: SnowCommand) -> None:
    """``/snow setup`` and the ``setup.admin`` intent: the guide, at the first open step."""
    if not await _admin(turn):
        return
    await show_step(turn, _first_open_step(await progress(turn)))


def _step(action: Action) -> int:
    try:
        return min(max(int(action.value), 1), SETUP_STEPS)
    except ValueError:
        return 1


async def action_step(turn: Turn, action: Action) -> None:
    """Done / Back: another step of the guide, in place."""
    if await _admin(turn):
        await show_step(turn, _step(action), replace=True)


# --- step 2: credentials --------------------------------------------------------------------


async def action_open_credentials(turn: Turn, _: Action) -> None:
    """Open the credentials modal (prefilled; the stored secret only as a hint of four)."""
    if not await _admin(turn):
        return
    config = await _typed_before(turn.c, turn.user)
    shown = None
    if config is not None:
        host = instance_host(config.instance_url)
        shown = host if config.instance_url == f"https://{host}" else config.instance_url
    await turn.reply.open_modal(
        setup_credentials_modal(
            instance=shown,
            client_id=config.client_id if config else None,
            stored_secret=config.client_secret if config else None,
        )
    )


async def _typed_before(c: Container, user: SlackUser) -> InstanceConfig | None:
    """What the admin saved last: staged credentials, else the connection in use."""
    return await c.instances.staged(user.enterprise_id, user.team_id) or await c.instances.get(
        user.enterprise_id, user.team_id
    )


async def check_credentials(
    c: Container, user: SlackUser, submission: Submission
) -> dict[str, str]:
    """Field errors only the settings and the store can find, in the ack, so the modal
    stays open with what was typed: the instance under the operator's real rules, and
    an empty secret for a client that has none saved."""
    try:
        instance = c.servicenow.policy.parse(submission.text(ids.INSTANCE_INPUT))
    except errors.InstanceRefusedError as exc:
        return {ids.INSTANCE_BLOCK: exc.detail}
    if submission.text(ids.CLIENT_SECRET_INPUT):
        return {}
    before = await _typed_before(c, user)
    same_client = (
        before is not None
        and before.instance_url == instance.url
        and before.client_id == submission.text(ids.CLIENT_ID_INPUT)
    )
    return {} if same_client else {ids.CLIENT_SECRET_BLOCK: texts.SETUP_NEW_CLIENT_NEEDS_ALL}


async def submit_credentials(turn: Turn, submission: Submission) -> None:
    """Save the credentials: staged over a working connection (it stays in use until
    their test passes), stored at once on a first setup; then step 3 opens."""
    c, user = turn.c, turn.user
    if not await _admin(turn):
        return
    try:
        instance = c.servicenow.policy.parse(submission.text(ids.INSTANCE_INPUT))
    except errors.InstanceRefusedError as exc:
        # The ack checked this already; only a settings change in between gets here.
        await turn.reply.private(setup_note(escape_mrkdwn(exc.detail), extra=await _guide(turn, 2)))
        return
    client_id = submission.text(ids.CLIENT_ID_INPUT)
    secret = submission.text(ids.CLIENT_SECRET_INPUT)
    previous = await c.instances.get(user.enterprise_id, user.team_id)
    before = await _typed_before(c, user)
    same_client = (
        before is not None and before.instance_url == instance.url and before.client_id == client_id
    )
    if not secret:
        if before is None or not same_client:
            await turn.reply.private(
                setup_note(texts.SETUP_NEW_CLIENT_NEEDS_ALL, extra=await _guide(turn, 2))
            )
            return
        secret = before.client_secret.get_secret_value()
    c.redaction.add_secret(secret)
    config = InstanceConfig(
        instance_url=instance.url,
        client_id=client_id,
        client_secret=SecretStr(secret),
        pkce=before.pkce if before is not None and same_client else c.settings.pkce,
        feedback_table=previous.feedback_table if previous else c.settings.feedback_table,
        incident_defaults=dict(previous.incident_defaults) if previous else {},
        configured_by=user.user_id,
        configured_at=c.clock(),
    )
    if previous is None:
        await c.instances.replace(config, enterprise_id=user.enterprise_id, team_id=user.team_id)
        await c.audit.record("setup_changed", user=user, instance=instance.url)
    else:
        await c.instances.stage(config, enterprise_id=user.enterprise_id, team_id=user.team_id)
        await c.audit.record(
            "setup_staged",
            user=user,
            instance=instance.url,
            instance_changed=previous.instance_url != instance.url,
        )
    await c.setup_records.clear(user.enterprise_id, user.team_id)
    await show_step(
        turn, 3, note=texts.SETUP_SAVED if previous is None else texts.SETUP_SAVED_STAGED
    )


async def _guide(turn: Turn, step: int) -> Message:
    state = await progress(turn)
    return setup_guide(step, redirect_uri=turn.c.settings.redirect_uri, progress=state)


# --- step 3: the connection test ------------------------------------------------------------


async def action_run_test(turn: Turn, _: Action) -> None:
    """Run the connection test from the start."""
    if not await _admin(turn):
        return
    try:
        config, _staged = await config_under_test(turn.c, turn.user)
    except errors.NotConfiguredError:
        await turn.reply.private(
            setup_note(texts.SETUP_NO_CREDENTIALS, extra=await _guide(turn, 2))
        )
        return
    await turn.reply.private(await run_connection_test(turn.c, turn.user, config))


async def action_open_colleague(turn: Turn, _: Action) -> None:
    """Open the colleague picker of the ordinary-user test."""
    if await _admin(turn):
        await turn.reply.open_modal(colleague_modal())


def validate_colleague(submission: Submission, settings: Settings) -> dict[str, str]:
    """A colleague must be picked."""
    chosen = submission.text(ids.SETUP_COLLEAGUE_INPUT)
    if not is_slack_user_id(chosen):
        return {ids.SETUP_COLLEAGUE_BLOCK: texts.SETUP_PICK_COLLEAGUE}
    return {}


async def submit_colleague(turn: Turn, submission: Submission) -> None:
    """Send the colleague a Connect link; their result comes back to the admin later."""
    if not await _admin(turn):
        return
    config = await turn.c.servicenow.config(turn.user)
    said = await ask_colleague(
        turn.c, turn.user, submission.text(ids.SETUP_COLLEAGUE_INPUT), config=config
    )
    await turn.reply.private(notice(said))


# --- step 4: defaults and the re-check ------------------------------------------------------


async def action_open_defaults(turn: Turn, _: Action) -> None:
    """Open the incident defaults modal, prefilled."""
    if not await _admin(turn):
        return
    state = await progress(turn)
    await turn.reply.open_modal(setup_defaults_modal(state.defaults))


def validate_defaults(submission: Submission, settings: Settings) -> dict[str, str]:
    """Defaults are optional short texts."""
    problems: dict[str, str] = {}
    for block, action in (
        (ids.CATEGORY_BLOCK, ids.CATEGORY_INPUT),
        (ids.ASSIGNMENT_GROUP_BLOCK, ids.ASSIGNMENT_GROUP_INPUT),
        (ids.CONTACT_TYPE_BLOCK, ids.CONTACT_TYPE_INPUT),
    ):
        value = submission.text(action)
        if len(value) > 100 or any(ord(ch) < 32 for ch in value) or "^" in value:
            problems[block] = texts.SETUP_DEFAULT_INVALID
    return problems


async def submit_defaults(turn: Turn, submission: Submission) -> None:
    """Store the incident defaults with the connection (compare-and-set)."""
    c, user = turn.c, turn.user
    if not await _admin(turn):
        return
    config = await c.servicenow.config(user)
    defaults = {
        "category": submission.text(ids.CATEGORY_INPUT),
        "assignment_group": submission.text(ids.ASSIGNMENT_GROUP_INPUT),
        "contact_type": submission.text(ids.CONTACT_TYPE_INPUT),
    }
    updated = config.model_copy(
        update={"incident_defaults": {k: v for k, v in defaults.items() if v}}
    )
    await c.instances.replace(
        updated,
        enterprise_id=user.enterprise_id,
        team_id=user.team_id,
        expected_version=config.version if config.source == "chat" else 0,
    )
    await c.audit.record("setup_defaults", user=user)
    await show_step(turn, 4)


async def action_recheck(turn: Turn, _: Action) -> None:
    """Check the feedback table (and incidents) again with the admin's own link."""
    c, user = turn.c, turn.user
    if not await _admin(turn):
        return
    try:
        client = await c.servicenow.for_user(user)
    except errors.AuthError:
        await turn.reply.private(
            setup_note(texts.SETUP_RECHECK_NEEDS_TEST, extra=await _guide(turn, 3))
        )
        return
    incidents = await probe_table(client.incidents, "incident")
    feedback = await probe_table(client.incidents, client.config.feedback_table)
    record = await c.setup_records.update(
        user.enterprise_id,
        user.team_id,
        lambda r: observe(r, incidents=incidents, feedback=feedback),
    )
    await turn.reply.private(checklist(c, record, client.config))


# --- finish and housekeeping ----------------------------------------------------------------


async def linked_message(turn: Turn) -> Message:
    """Who is linked (Slack user, ServiceNow user, since when) with force-disconnect."""
    people = await linked_people(turn.c, turn.user)
    state = await progress(turn)
    blocks = [notice(setup_status_line(state)).blocks[0], *linked_users(people)]
    return Message(text=f"{texts.LINKED_USERS_TITLE} ({len(people)})", blocks=blocks[:50])


async def action_finish(turn: Turn, _: Action) -> None:
    """Finish: where setup stands and who is linked."""
    if await _admin(turn):
        await turn.reply.private(await linked_message(turn), replace=True)


async def action_open_setup(turn: Turn, _: Action) -> None:
    """App Home's Open setup button."""
    await handle_setup(turn, SnowCommand(kind="setup"))


async def action_force_disconnect(turn: Turn, action: Action) -> None:
    """Disconnect someone's link (revoked at ServiceNow, then deleted); they are told."""
    if not await _admin(turn):
        return
    target_id = action.value
    if not is_slack_user_id(target_id):
        return
    target = SlackUser(
        enterprise_id=turn.user.enterprise_id, team_id=turn.user.team_id, user_id=target_id
    )
    removed = await unlink(turn.c, target, by=turn.user.user_id)
    line = (texts.SETUP_FORCE_DISCONNECTED if removed else texts.SETUP_NOT_LINKED).format(
        user=target_id
    )
    if removed and target_id != turn.user.user_id:
        await tell(
            turn.c, target_id, team=turn.user, message=notice(texts.SETUP_DISCONNECTED_BY_ADMIN)
        )
    # target_id is a Slack user id, so the mention in ``line`` is ours.
    await turn.reply.private(setup_note(line, extra=await linked_message(turn)))


COMMANDS: dict[str, CommandHandler] = {"setup": handle_setup}
ACTIONS: dict[str, ActionHandler] = {
    ids.SETUP_NEXT: action_step,
    ids.SETUP_BACK: action_step,
    ids.SETUP_OPEN_CREDENTIALS: action_open_credentials,
    ids.SETUP_RUN_TEST: action_run_test,
    ids.SETUP_OPEN_DEFAULTS: action_open_defaults,
    ids.SETUP_RECHECK: action_recheck,
    ids.SETUP_FINISH: action_finish,
    ids.ADMIN_OPEN_SETUP: action_open_setup,
    ids.ADMIN_FORCE_DISCONNECT: action_force_disconnect,
    ids.SETUP_COLLEAGUE_OPEN: action_open_colleague,
}
VIEWS: dict[str, ViewHandler] = {
    ids.SETUP_CREDENTIALS_MODAL: ViewHandler(
        validate=validate_credentials, run=submit_credentials, check=check_credentials
    ),
    ids.SETUP_DEFAULTS_MODAL: ViewHandler(validate=validate_defaults, run=submit_defaults),
    ids.SETUP_COLLEAGUE_MODAL: ViewHandler(validate=validate_colleague, run=submit_colleague),
}
SHORTCUTS: dict[str, ShortcutHandler] = {}
