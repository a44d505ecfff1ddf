"""Reopening incidents as the user: ``/snow reopen INC… [reason]`` and the reopen intent.

What happens depends on the incident's state, read as the user first:

- Resolved (6): set back to In Progress (2) with a comment that carries the user's
  reason, where ServiceNow lets the user. When it does not (an ACL error, or a 200
  that kept the state: writes are confirmed by reading back), the comment asks the
  desk to reopen it instead, and the reply says so. From free text this is shown on a
  confirmation card first (``bot.handlers.confirm``); the typed command is its own
  confirmation.
- Closed (7) or Canceled (8): final, nothing is written; the bot offers a new
  incident that names the old one (a create draft, confirmed like any other).
- New, In Progress, On Hold: still open, nothing to reopen, nothing written.

The reason is written as plain text (Slack markup converted). Every attempt is an
audit event (numbers and outcomes, never the text).
"""

from __future__ import annotations

import logging

from bot import texts
from bot.blocks import create_confirmation
from bot.blocks.confirm import ReopenShown, reopen_result
from bot.blocks.modal import DESCRIPTION_MAX, SHORT_DESCRIPTION_MAX
from bot.blocks.parts import clip, one_line, state_label
from bot.grammar import SnowCommand
from bot.handlers import confirm, dialogue
from bot.handlers.account import acting_as
from bot.handlers.updates import ask_which
from bot.servicenow.client import reopen_comment
from bot.servicenow.models import Incident, IncidentDraft, IncidentState, ReopenOutcome
from bot.services import UserClient
from bot.store.drafts import StoredDraft, new_draft_id
from bot.turn import CommandHandler, Turn

log = logging.getLogger(__name__)

_FINAL = (IncidentState.CLOSED, IncidentState.CANCELED)
_SHOWN: dict[ReopenOutcome, ReopenShown] = {
    ReopenOutcome.REOPENED: "reopened",
    ReopenOutcome.COMMENT_ADDED: "comment_added",
    ReopenOutcome.STILL_OPEN: "still_open",
    ReopenOutcome.FINAL: "final",
}


def _state(incident: Incident) -> str:
    return state_label(state=incident.state, label=incident.state_label)


async def handle_reopen(turn: Turn, command: SnowCommand) -> None:
    """``/snow reopen INC… [reason]``, the reopen intent, and answers to "which one?"."""
    client = await acting_as(turn, pending=command)
    if client is None:
        return
    if not command.number:
        await ask_which(turn, client, kind="reopen", text=command.text)
        return
    reason = await confirm.plain_text(turn, command.text) if command.text.strip() else ""
    comment = reopen_comment(reason)
    if command.confirmed:
        await reopen_once(turn, client, number=command.number, comment=comment, reason=reason)
        return
    incident = await client.incidents.get_incident(command.number)
    if incident.state in _FINAL:
        await offer_follow_up(turn, incident, reason=reason)
        return
    if incident.state != IncidentState.RESOLVED:
        await dialogue.tell(
            turn, reopen_result(incident.number, "still_open", state=_state(incident))
        )
        return
    await confirm.propose_on(turn, incident, kind="reopen", text=comment)


async def reopen_once(
    turn: Turn,
    client: UserClient,
    *,
    number: str,
    comment: str,
    reason: str = "",
    recovering: bool = False,
    replace: bool = False,
) -> None:
    """Reopen ``number`` with ``comment`` (or ask the desk to), and say what happened."""
    try:
        result = await client.incidents.reopen(number, comment, recovering=recovering)
    except Exception as exc:
        await turn.c.audit.record(
            "incident_reopen", user=turn.user, number=number, outcome=type(exc).__name__
        )
        raise
    await turn.c.audit.record(
        "incident_reopen",
        user=turn.user,
        number=result.incident.number,
        outcome=result.outcome.value,
        reason=result.reason,
    )
    incident = result.incident
    if result.outcome == ReopenOutcome.FINAL:
        await offer_follow_up(turn, incident, reason=reason, replace=replace)
        return
    shown = _SHOWN[result.outcome]
    await dialogue.tell(
        turn, reopen_result(incident.number, shown, state=_state(incident)), replace=replace
    )


def follow_up_draft(incident: Incident, *, reason: str) -> IncidentDraft:
    """A new incident that names a closed one: its title, the old number, the reason."""
    short = texts.FOLLOW_UP_SHORT.format(
        number=incident.number, title=one_line(incident.short_description)
    )
    description = texts.FOLLOW_UP_DESCRIPTION.format(
        number=incident.number, state=_state(incident)
    )
    if reason.strip():
        description = f"{description}\n\n{reason.strip()}"
    return IncidentDraft(
        short_description=clip(short, SHORT_DESCRIPTION_MAX),
        description=clip(description, DESCRIPTION_MAX),
        urgency=incident.urgency if incident.urgency in (1, 2, 3) else 3,
    )


async def offer_follow_up(
    turn: Turn, incident: Incident, *, reason: str, replace: bool = False
) -> None:
    """Closed or canceled: say it can't be reopened and offer a new incident naming it."""
    await dialogue.tell(
        turn, reopen_result(incident.number, "final", state=_state(incident)), replace=replace
    )
    draft = follow_up_draft(incident, reason=reason)
    draft_id = new_draft_id()
    await turn.c.drafts.save(turn.user, draft_id, StoredDraft(draft=draft))
    await dialogue.tell(turn, create_confirmation(draft, draft_id=draft_id))


COMMANDS: dict[str, CommandHandler] = {
    "reopen": handle_reopen,
}
