"""Changing existing incidents as the user: comments, close requests, and sharing a card.

A comment or close request without a number asks which incident (the user's open
ones as buttons, or a typed number); a comment without text asks what it should say
(or, from a button or a command, opens the comment modal at once). From free text
(and answers to those questions) the write is shown on a confirmation card first
(``bot.handlers.confirm``); a typed ``/snow comment``/``/snow close``, the comment
modal and a card's "Ask to close" (Slack asks first) write at once. Both writes are
confirmed by the client reading the record back; a close request that ServiceNow does
not let the user make (an error, or a 200 that changed nothing) becomes a comment
asking for closure, and the reply says honestly which happened.

A close request is written at most once per incident and workspace a day
(``close_once``: an idempotency key per number, ``CLOSE_REQUEST_TTL``): asking again
is answered "I asked the desk to close INC… at 14:02; it isn't closed yet" in the
user's time zone. Comments are written as plain text (``confirm.plain_text``). Every
write is an audit event (numbers and outcomes, never the text).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import errors, texts
from bot.blocks import close_result, comment_added, comment_modal, ids, incident_card
from bot.blocks.confirm import close_already_asked
from bot.blocks.models import CloseOutcome
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import MAX_PICKS, notice, pick_incident
from bot.grammar import SnowCommand
from bot.handlers import confirm, dialogue
from bot.handlers.account import acting_as
from bot.servicenow.client import closure_comment
from bot.servicenow.models import CloseOutcome as ClientCloseOutcome
from bot.servicenow.models import Incident
from bot.services import UserClient
from bot.store.dedupe import Claim, idempotency_key
from bot.turn import Action, ActionHandler, CommandHandler, Submission, Turn, ViewHandler
from intents.entities import find_number

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

# The client's outcome (by value) → what the reply says.
_OUTCOMES: dict[str, CloseOutcome] = {
    "resolved": "resolved",
    "comment_added": "comment_added",
    "closure_requested": "comment_added",
    "already_closed": "already_closed",
}
_LEAD_IN = re.compile(r"^[\s:,;.\-–—>]*(that|saying|with|to say|:)?\s*", re.IGNORECASE)
# A colon that introduces the words (followed by white space or the end), not "9:30".
_INTRO_COLON = re.compile(r":(?:\s|$)")
CLOSE_SCOPE = "close_request"


_QUESTIONS: dict[str, str] = {
    "comment": texts.ASK_WHICH_COMMENT,
    "close": texts.ASK_WHICH_CLOSE,
    "reopen": texts.ASK_WHICH_REOPEN,
}


async def ask_which(turn: Turn, client: UserClient, *, kind: dialogue.AskedKind, text: str) -> None:
    """Ask which incident, offering the user's open ones (resolved ones, to reopen)."""
    me = client.record.servicenow_user.sys_id
    if kind == "reopen":
        page = await client.incidents.list_mine(me, open_only=False, limit=MAX_PICKS * 2)
        offered = [i for i in page.incidents if i.state == 6][:MAX_PICKS]
        none_left = texts.NO_RESOLVED_INCIDENTS
    else:
        page = await client.incidents.list_mine(me, limit=MAX_PICKS)
        offered, none_left = page.incidents, texts.NO_OPEN_INCIDENTS
    if not offered:
        await turn.c.conversations.clear(turn.user)
        await turn.reply.private(notice(none_left))
        return
    await _ask_pick(turn, offered, kind=kind, text=text, question=_QUESTIONS[kind])


async def ask_which_named(
    turn: Turn, client: UserClient, *, kind: dialogue.AskedKind, numbers: list[str], text: str
) -> None:
    """One write request naming several incidents: ask which of them, never guess."""
    named: list[Incident] = []
    for number in numbers[:MAX_PICKS]:
        try:
            named.append(await client.incidents.get_incident(number))
        except (errors.ServiceNowNotFoundError, errors.ServiceNowForbiddenError):
            continue  # not one the user may see: not offered
    if not named:
        raise errors.ServiceNowNotFoundError("none of the named incidents is visible")
    await _ask_pick(turn, named, kind=kind, text=text, question=texts.ASK_WHICH_OF_SEVERAL)


async def _ask_pick(
    turn: Turn, incidents: list[Incident], *, kind: dialogue.AskedKind, text: str, question: str
) -> None:
    await dialogue.ask(
        turn,
        dialogue.PendingQuestion(kind=kind, waiting_for="number", text=text),
        pick_incident(question, incidents, intent=dialogue.INTENT_OF[kind]),
    )


# --- comments --------------------------------------------------------------------------


async def handle_comment(turn: Turn, command: SnowCommand) -> None:
    """``/snow comment INC… <text>``, the comment intent, and answers to its questions."""
    text = command.text.strip()
    if command.number and not text and turn.reply.origin.trigger_id:
        await turn.reply.open_modal(comment_modal(command.number))
        return
    client = await acting_as(turn, pending=command)
    if client is None:
        return
    if not command.number:
        await ask_which(turn, client, kind="comment", text=text)
        return
    words = await confirm.plain_text(turn, text) if text else ""
    if not words:
        await dialogue.ask_text(
            turn,
            texts.ASK_COMMENT_TEXT.format(number=escape_mrkdwn(command.number)),
            dialogue.PendingQuestion(kind="comment", waiting_for="text", number=command.number),
        )
        return
    if command.confirmed:
        await write_comment(turn, client, number=command.number, text=words)
        return
    incident = await client.incidents.get_incident(command.number)
    await confirm.propose_on(turn, incident, kind="comment", text=words)


async def write_comment(
    turn: Turn,
    client: UserClient,
    *,
    number: str,
    text: str,
    recovering: bool = False,
    replace: bool = False,
) -> None:
    """Add the comment (plain text), confirmed by reading back, and quote it to the user."""
    try:
        incident = await client.incidents.add_comment(number, text, recovering=recovering)
    except errors.BotError as exc:
        await turn.c.audit.record(
            "incident_comment", user=turn.user, number=number, outcome=type(exc).__name__
        )
        raise
    await turn.c.audit.record(
        "incident_comment", user=turn.user, number=incident.number, outcome="added"
    )
    await dialogue.tell(turn, comment_added(incident.number, text), replace=replace)


async def action_add_comment(turn: Turn, action: Action) -> None:
    """A card's Add comment: the comment modal at once."""
    await turn.reply.open_modal(comment_modal(action.value or None))


def validate_comment(submission: Submission, settings: Settings) -> dict[str, str]:
    """Field errors of the comment modal (shown in the ack)."""
    problems: dict[str, str] = {}
    if not submission.private_metadata:
        typed = submission.text(ids.COMMENT_INCIDENT_INPUT)
        if find_number(typed, digits=settings.incident_digits) is None:
            problems[ids.COMMENT_INCIDENT_BLOCK] = texts.NUMBER_INVALID
    if not submission.text(ids.COMMENT_TEXT_INPUT):
        problems[ids.COMMENT_TEXT_BLOCK] = texts.COMMENT_REQUIRED
    return problems


async def run_comment(turn: Turn, submission: Submission) -> None:
    """The comment modal, submitted."""
    number = submission.private_metadata or find_number(
        submission.text(ids.COMMENT_INCIDENT_INPUT), digits=turn.c.settings.incident_digits
    )
    text = submission.text(ids.COMMENT_TEXT_INPUT)
    command = SnowCommand(kind="comment", number=number, text=text, confirmed=True)
    client = await acting_as(turn, pending=command)
    if client is None or not number:
        return
    await write_comment(turn, client, number=number, text=text)


# --- close requests ----------------------------------------------------------------------


async def handle_close(turn: Turn, command: SnowCommand) -> None:
    """``/snow close INC…``, the close intent, a card's Ask to close."""
    client = await acting_as(turn, pending=command)
    if client is None:
        return
    if not command.number:
        await ask_which(turn, client, kind="close", text="")
        return
    if command.confirmed:
        await close_once(turn, client, number=command.number)
        return
    incident = await client.incidents.get_incident(command.number)
    if not incident.is_open:
        await dialogue.tell(turn, close_result(incident.number, "already_closed"))
        return
    asked = await turn.c.idempotency.lookup(CLOSE_SCOPE, _close_key(turn, incident.number))
    if asked is not None and await _told_already_asked(turn, asked, number=incident.number):
        return
    await confirm.propose_on(turn, incident, kind="close", text=closure_comment())


def _close_key(turn: Turn, number: str) -> str:
    """One close request per incident and workspace (whoever asks)."""
    return idempotency_key(turn.user.enterprise_id or "", turn.user.team_id, "close", number)


async def _told_already_asked(
    turn: Turn, asked: Claim, *, number: str, replace: bool = False
) -> bool:
    """Say that a close request is already written (or being written); False if not."""
    if asked.status == "done":
        when = await _asked_when(turn, asked.since or turn.c.clock())
        await dialogue.tell(turn, close_already_asked(number, when=when), replace=replace)
        return True
    if asked.status == "pending" and not confirm.is_stale(turn, asked):
        sentence = texts.CLOSE_ASKING.format(number=escape_mrkdwn(number))
        await dialogue.tell(turn, notice(sentence), replace=replace)
        return True
    return False


async def _asked_when(turn: Turn, since: float) -> str:
    """When a close request was written, in the user's time zone (else UTC), saying which."""
    zone_name = await turn.c.names(turn.user).time_zone(turn.user.user_id)
    zone: tzinfo = UTC
    try:
        zone = ZoneInfo(zone_name) if zone_name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone_name = ""
    label = zone_name if zone is not UTC else "UTC"
    then = datetime.fromtimestamp(since, tz=zone)
    today = datetime.fromtimestamp(turn.c.clock(), tz=zone).date()
    clock = then.strftime("%H:%M")
    if then.date() == today:
        return texts.ASKED_AT.format(time=clock, zone=label)
    if (today - then.date()).days == 1:
        return texts.ASKED_YESTERDAY_AT.format(time=clock, zone=label)
    return texts.ASKED_ON.format(date=f"{then.day} {then:%b}", time=clock, zone=label)


async def close_once(
    turn: Turn,
    client: UserClient,
    *,
    number: str,
    recovering: bool = False,
    replace: bool = False,
) -> None:
    """Ask to close ``number`` unless a close request was written in the last day."""
    clicks = turn.c.idempotency
    key = _close_key(turn, number)
    owned = await confirm.own(turn, clicks, CLOSE_SCOPE, key)
    if owned is None:  # another close request for it is being written right now
        sentence = texts.CLOSE_ASKING.format(number=escape_mrkdwn(number))
        await dialogue.tell(turn, notice(sentence), replace=replace)
        return
    if owned[0].status == "done":
        incident = await client.incidents.get_incident(number)
        if not incident.is_open:
            closed = close_result(incident.number, "already_closed")
            await dialogue.tell(turn, closed, replace=replace)
        else:
            await _told_already_asked(turn, owned[0], number=incident.number, replace=replace)
        return
    _, took_over = owned
    try:
        result = await client.incidents.request_close(number, recovering=recovering or took_over)
    except BaseException as exc:
        await confirm.settle_failure(clicks, CLOSE_SCOPE, key, exc)
        await turn.c.audit.record(
            "incident_close_request", user=turn.user, number=number, outcome=type(exc).__name__
        )
        raise
    if result.outcome == ClientCloseOutcome.COMMENT_ADDED:
        await clicks.remember(CLOSE_SCOPE, key, value=result.incident.number)
    else:
        await clicks.release(CLOSE_SCOPE, key)
    await turn.c.audit.record(
        "incident_close_request",
        user=turn.user,
        number=result.incident.number,
        outcome=result.outcome.value,
        reason=result.reason,
    )
    shown = _OUTCOMES.get(str(result.outcome.value), "comment_added")
    await dialogue.tell(turn, close_result(result.incident.number, shown), replace=replace)


async def action_ask_close(turn: Turn, action: Action) -> None:
    """A card's Ask to close (Slack already asked the user to confirm)."""
    await handle_close(
        turn, SnowCommand(kind="close", number=action.value or None, confirmed=True)
    )


# --- sharing ----------------------------------------------------------------------------


async def action_share(turn: Turn, action: Action) -> None:
    """Share in channel: the card, without buttons for others, posted where it was shown."""
    origin = turn.reply.origin
    if not origin.channel_id or origin.channel_is_dm:
        await turn.reply.private(notice(texts.SHARED_IN_DM))
        return
    client = await acting_as(turn)
    if client is None or not action.value:
        return
    incident = await client.incidents.get_incident(action.value)
    card = incident_card(incident, now=turn.now, shared=True)
    await turn.reply.share(card)
    await turn.c.audit.record(
        "incident_share", user=turn.user, number=incident.number, channel=origin.channel_id
    )
    await turn.reply.private(
        notice(texts.SHARED.format(number=escape_mrkdwn(incident.number)))
    )


COMMANDS: dict[str, CommandHandler] = {
    "comment": handle_comment,
    "close": handle_close,
}
ACTIONS: dict[str, ActionHandler] = {
    ids.INCIDENT_ADD_COMMENT: action_add_comment,
    ids.INCIDENT_ASK_CLOSE: action_ask_close,
    ids.INCIDENT_SHARE: action_share,
}
VIEWS: dict[str, ViewHandler] = {
    ids.COMMENT_MODAL: ViewHandler(validate=validate_comment, run=run_comment),
}
