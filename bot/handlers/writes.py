"""Opening incidents as the user: from a DM or mention, ``/snow new``, a button, a shortcut.

Messages carry no ``trigger_id``, so a DM or a mention gets what the bot understood
(``create_confirmation``) with Create / Edit / Cancel; the draft waits in Redis under
its id (``DraftStore``). ``/snow new``, Edit, "Report a problem" and the message
shortcut open the create modal at once (a ``trigger_id`` lives 3 seconds), before
any ServiceNow call. The modal is validated in the ack and the incident created after.

Exactly one incident per draft (its Create, or the modal its Edit or the shortcut
opened) or per modal without a draft (its view id), however often Slack redelivers or
the user clicks: ``create_once`` claims a click key (a second click while the first
runs is told so; a done key names the incident it became) and the ServiceNow client's
own idempotency key, written to ``correlation_id``, makes even a lost answer find the
incident instead of opening another. Both are ``IdempotencyKeys``.
Comments, close requests and sharing: ``updates``.

What the user wrote becomes the description as plain text (Slack markup converted,
``confirm.plain_text``), and the short description comes from the message's one
classification (``Turn.prediction``, else it is classified once, off the event loop).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import markup, texts
from bot.blocks import create_confirmation, create_modal, ids, incident_created
from bot.blocks.modal import DESCRIPTION_MAX, SHORT_DESCRIPTION_MAX
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import notice
from bot.grammar import SnowCommand
from bot.handlers import dialogue
from bot.handlers.account import acting_as
from bot.handlers.confirm import STALE_CLICK_S, plain_text
from bot.servicenow.models import IncidentDraft
from bot.services import UserClient
from bot.store.dedupe import idempotency_key
from bot.store.drafts import StoredDraft, new_draft_id
from bot.turn import (
    Action,
    ActionHandler,
    CommandHandler,
    ShortcutHandler,
    Submission,
    Turn,
    ViewHandler,
    prediction_for,
)
from intents.entities import describes_no_problem, guess_urgency

if TYPE_CHECKING:
    from bot.settings import Settings
    from intents import Prediction

log = logging.getLogger(__name__)

CLICK_SCOPE = "create_click"  # the handler's own claim, beside the client's "create" key

def short_description_for(prediction: Prediction, text: str) -> str:
    """The classifier's short description, else the first line of ``text``, clipped."""
    short = markup.plain(prediction.entities.get("short_description") or "")
    if not short.strip():
        short = next((line for line in text.splitlines() if line.strip()), text)
    return _clip(" ".join(short.split()), SHORT_DESCRIPTION_MAX)


async def draft_from_text(turn: Turn, text: str, *, names: bool = True) -> IncidentDraft:
    """What the bot understood from a free-text problem report, as plain text.

    ``names=False`` names nobody (no Slack call): for a modal that must open at once.
    """
    prediction = await prediction_for(turn, text)
    plain = await plain_text(turn, text) if names else markup.plain(text).strip()
    short = short_description_for(prediction, plain) or texts.DEFAULT_SHORT_DESCRIPTION
    return IncidentDraft(
        short_description=short,
        description=_clip(plain, DESCRIPTION_MAX),
        urgency=guess_urgency(plain),
    )


def with_defaults(draft: IncidentDraft, defaults: dict[str, str]) -> IncidentDraft:
    """The draft with the workspace's defaults for fields it leaves empty."""
    changes = {
        name: defaults[name]
        for name in ("category", "assignment_group", "contact_type")
        if defaults.get(name) and not getattr(draft, name)
    }
    return draft.model_copy(update=changes)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _already(number: str) -> str:
    return texts.ALREADY_CREATED.format(number=escape_mrkdwn(number))


def _draft_key(turn: Turn, draft_id: str) -> str:
    return idempotency_key(turn.user.team_id, turn.user.user_id, "draft", draft_id)


async def _created_from(turn: Turn, draft_id: str) -> str | None:
    """The incident a draft already became, if any."""
    claim = await turn.c.idempotency.lookup(CLICK_SCOPE, _draft_key(turn, draft_id))
    return claim.result if claim is not None and claim.status == "done" else None


# --- create ------------------------------------------------------------------------


async def handle_new(turn: Turn, command: SnowCommand) -> None:
    """``/snow new [text]``, the create intent, "Report a problem": a modal, or a draft."""
    if turn.reply.origin.trigger_id:
        described = command.text.strip() and not describes_no_problem(command.text)
        draft = await draft_from_text(turn, command.text) if described else None
        await turn.reply.open_modal(create_modal(draft, private_metadata=""))
        return
    await propose_create(turn, command.text)


async def propose_create(turn: Turn, text: str) -> None:
    """Show what the bot understood, with Create / Edit / Cancel (or ask what's wrong)."""
    client = await acting_as(turn, pending=SnowCommand(kind="new", text=text))
    if client is None:
        return
    if describes_no_problem(text):
        await dialogue.ask_text(
            turn, texts.ASK_PROBLEM, dialogue.PendingQuestion(kind="new", waiting_for="problem")
        )
        return
    draft = await draft_from_text(turn, text)
    draft_id = new_draft_id()
    await turn.c.drafts.save(turn.user, draft_id, StoredDraft(draft=draft))
    await dialogue.tell(turn, create_confirmation(draft, draft_id=draft_id))


async def create_once(
    turn: Turn,
    client: UserClient,
    *,
    draft: IncidentDraft,
    key: str,
    source: str,
    replace: bool = False,
) -> str | None:
    """Create the incident for ``key`` once and confirm it; the number, or None if busy."""
    clicks = turn.c.idempotency
    claim = await clicks.claim(CLICK_SCOPE, key)
    busy = claim.status == "pending" and not clicks.is_stale(claim, after=STALE_CLICK_S)
    if busy:
        await turn.reply.private(notice(texts.CREATE_IN_PROGRESS))
        return None
    full = with_defaults(draft, client.config.incident_defaults)
    try:
        incident = await client.incidents.create_incident(
            full, caller_sys_id=client.record.servicenow_user.sys_id, idempotency_key=key
        )
    except Exception as exc:
        if claim.status != "done":
            await clicks.release(CLICK_SCOPE, key)
        await turn.c.audit.record(
            "incident_create", user=turn.user, outcome=type(exc).__name__, source=source
        )
        raise
    if claim.status != "done":
        await clicks.remember(CLICK_SCOPE, key, value=incident.number)
        await turn.c.audit.record(
            "incident_create",
            user=turn.user,
            number=incident.number,
            outcome="created",
            source=source,
        )
    await dialogue.tell(turn, incident_created(incident), replace=replace)
    return incident.number


async def action_create_confirm(turn: Turn, action: Action) -> None:
    """Create on a confirmation: one incident per draft, whatever the clicks."""
    draft_id = action.value
    store = turn.c.drafts
    stored = await store.load(turn.user, draft_id)
    if stored is None or stored.draft is None:
        await turn.reply.private(notice(texts.DRAFT_EXPIRED))
        return
    client = await acting_as(turn, pending=SnowCommand(kind="new", text=stored.draft.description))
    if client is None:
        return
    await create_once(
        turn,
        client,
        draft=stored.draft,
        key=_draft_key(turn, draft_id),
        source="confirmation",
        replace=True,
    )


async def action_create_edit(turn: Turn, action: Action) -> None:
    """Edit on a confirmation: the modal, prefilled from the draft."""
    stored = await turn.c.drafts.load(turn.user, action.value)
    if stored is None:
        await turn.reply.private(notice(texts.DRAFT_EXPIRED))
        return
    created = await _created_from(turn, action.value)
    if created:
        await turn.reply.private(notice(_already(created)))
        return
    await turn.reply.open_modal(create_modal(stored.draft, private_metadata=action.value))


async def action_create_cancel(turn: Turn, action: Action) -> None:
    """Cancel on a confirmation: forget the draft."""
    await turn.c.drafts.delete(turn.user, action.value)
    await turn.reply.private(notice(texts.CREATE_CANCELLED), replace=True)


async def action_new_incident(turn: Turn, _: Action) -> None:
    """"Report a problem" (help, fallback, empty list): the empty modal."""
    await handle_new(turn, SnowCommand(kind="new"))


def validate_create(submission: Submission, settings: Settings) -> dict[str, str]:
    """Field errors of the create modal (shown in the ack)."""
    short = submission.text(ids.SHORT_DESCRIPTION_INPUT)
    if not short:
        return {ids.SHORT_DESCRIPTION_BLOCK: texts.SHORT_DESCRIPTION_REQUIRED}
    if len(short) > SHORT_DESCRIPTION_MAX:
        return {
            ids.SHORT_DESCRIPTION_BLOCK: texts.SHORT_DESCRIPTION_TOO_LONG.format(
                limit=SHORT_DESCRIPTION_MAX
            )
        }
    if len(submission.text(ids.DESCRIPTION_INPUT)) > DESCRIPTION_MAX:
        return {ids.DESCRIPTION_BLOCK: texts.SHORT_DESCRIPTION_TOO_LONG.format(
            limit=DESCRIPTION_MAX
        )}
    return {}


def _urgency(submission: Submission) -> int:
    value = submission.text(ids.URGENCY_INPUT)
    return int(value) if value in ("1", "2", "3") else 3


async def run_create(turn: Turn, submission: Submission) -> None:
    """The create modal, submitted: one incident per modal (its view id)."""
    draft_id = submission.private_metadata
    created = await _created_from(turn, draft_id) if draft_id else None
    if created:
        # Create was pressed on the same draft while this modal was open.
        await turn.reply.private(notice(_already(created)))
        return
    stored = await turn.c.drafts.load(turn.user, draft_id) if draft_id else None
    description = submission.text(ids.DESCRIPTION_INPUT)
    if stored is not None and stored.permalink and stored.permalink not in description:
        link = texts.FROM_SLACK_MESSAGE.format(link=stored.permalink)
        description = f"{_clip(description, DESCRIPTION_MAX - len(link) - 2)}\n\n{link}".strip()
    draft = IncidentDraft(
        short_description=submission.text(ids.SHORT_DESCRIPTION_INPUT),
        description=description,
        urgency=_urgency(submission),
    )
    client = await acting_as(
        turn, pending=SnowCommand(kind="new", text=description or draft.short_description)
    )
    if client is None:
        return
    key = (
        _draft_key(turn, draft_id)
        if draft_id
        else idempotency_key(turn.user.team_id, turn.user.user_id, "view", submission.view_id)
    )
    await create_once(turn, client, draft=draft, key=key, source="modal")


# --- the message shortcut --------------------------------------------------------------


async def shortcut_create(turn: Turn, *, text: str, channel_id: str, message_ts: str) -> None:
    """"Create incident from this message": the modal at once, then the message's link."""
    draft_id = new_draft_id()
    # The modal opens at once (its trigger lives 3 s): people are named after it.
    quick = await draft_from_text(turn, text, names=False) if text.strip() else None
    view_id = await turn.reply.open_modal(create_modal(quick, private_metadata=draft_id))
    draft = await draft_from_text(turn, text) if quick is not None else None
    permalink = await turn.reply.permalink(channel_id=channel_id, message_ts=message_ts)
    if draft is not None and permalink:
        link = texts.FROM_SLACK_MESSAGE.format(link=permalink)
        body = _clip(draft.description, DESCRIPTION_MAX - len(link) - 2)
        draft = draft.model_copy(update={"description": f"{body}\n\n{link}"})
    await turn.c.drafts.save(turn.user, draft_id, StoredDraft(draft=draft, permalink=permalink))
    if view_id and draft is not None and draft != quick:
        await turn.reply.update_modal(view_id, create_modal(draft, private_metadata=draft_id))


COMMANDS: dict[str, CommandHandler] = {
    "new": handle_new,
}
ACTIONS: dict[str, ActionHandler] = {
    ids.CREATE_CONFIRM: action_create_confirm,
    ids.CREATE_EDIT: action_create_edit,
    ids.CREATE_CANCEL: action_create_cancel,
    ids.NEW_INCIDENT: action_new_incident,
}
VIEWS: dict[str, ViewHandler] = {
    ids.CREATE_MODAL: ViewHandler(validate=validate_create, run=run_create),
}
SHORTCUTS: dict[str, ShortcutHandler] = {
    ids.CREATE_FROM_MESSAGE_SHORTCUT: shortcut_create,
}
