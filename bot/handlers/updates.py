"""Changing existing incidents as the user: comments, close requests, and sharing a card.

A comment or close request without a number asks which incident (the user's open
ones as buttons, or a typed number); a comment without text asks what it should say
(or, from a button or a command, opens the comment modal at once). Both writes are
confirmed by the client reading the record back; a close request that ServiceNow does
not let the user make (an error, or a 200 that changed nothing) becomes a comment
asking for closure, and the reply says honestly which happened. Every write is an
audit event (numbers and outcomes, never the text).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import errors, texts
from bot.blocks import close_result, comment_added, comment_modal, ids, incident_card
from bot.blocks.models import CloseOutcome
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import MAX_PICKS, notice, pick_incident
from bot.grammar import SnowCommand, incident_number_pattern
from bot.handlers import dialogue
from bot.handlers.account import acting_as
from bot.interactions import Action, ActionHandler, CommandHandler, Submission, ViewHandler
from bot.services import UserClient

if TYPE_CHECKING:
    from bot.router import Turn

log = logging.getLogger(__name__)

# The client's outcome (by value) → what the reply says.
_OUTCOMES: dict[str, CloseOutcome] = {
    "resolved": "resolved",
    "comment_added": "comment_added",
    "closure_requested": "comment_added",
    "already_closed": "already_closed",
}
_LEAD_IN = re.compile(r"^[\s:,;.\-–—>]*(that|saying|with|to say|:)?\s*", re.IGNORECASE)


def comment_body(text: str, *, number: str | None, digits: int = 7) -> str:
    """The comment inside a request like "add to INC0012345: it fails after restart"."""
    if ":" in text:
        after_colon = text.split(":", 1)[1].strip()
        if after_colon:
            return after_colon
    if not number:
        return ""
    match = incident_number_pattern(digits).search(text)
    if match is None:
        return ""
    rest = _LEAD_IN.sub("", text[match.end():], count=1).strip()
    return rest if len(rest.split()) >= 2 else ""


async def ask_which(turn: Turn, client: UserClient, *, kind: dialogue.AskedKind, text: str) -> None:
    """Ask which incident, offering the user's open ones; remember what we have so far."""
    page = await client.incidents.list_mine(
        client.record.servicenow_user.sys_id, limit=MAX_PICKS
    )
    if not page.incidents:
        await turn.c.conversations.clear(turn.user)
        await turn.reply.private(notice(texts.NO_OPEN_INCIDENTS))
        return
    question = texts.ASK_WHICH_COMMENT if kind == "comment" else texts.ASK_WHICH_CLOSE
    await dialogue.ask(
        turn,
        dialogue.PendingQuestion(kind=kind, waiting_for="number", text=text),
        pick_incident(question, page.incidents, intent=dialogue.INTENT_OF[kind]),
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
    if not text:
        await dialogue.ask_text(
            turn,
            texts.ASK_COMMENT_TEXT.format(number=escape_mrkdwn(command.number)),
            dialogue.PendingQuestion(kind="comment", waiting_for="text", number=command.number),
        )
        return
    await add_comment(turn, client, number=command.number, text=text)


async def add_comment(turn: Turn, client: UserClient, *, number: str, text: str) -> None:
    """Add the comment, confirmed by reading back, and quote it to the user."""
    try:
        incident = await client.incidents.add_comment(number, text)
    except errors.BotError as exc:
        await turn.c.audit.record(
            "incident_comment", user=turn.user, number=number, outcome=type(exc).__name__
        )
        raise
    await turn.c.audit.record(
        "incident_comment", user=turn.user, number=incident.number, outcome="added"
    )
    await dialogue.tell(turn, comment_added(incident.number, text))


async def action_add_comment(turn: Turn, action: Action) -> None:
    """A card's Add comment: the comment modal at once."""
    await turn.reply.open_modal(comment_modal(action.value or None))


def validate_comment(submission: Submission) -> dict[str, str]:
    """Field errors of the comment modal (shown in the ack)."""
    problems: dict[str, str] = {}
    if not submission.private_metadata:
        typed = submission.text(ids.COMMENT_INCIDENT_INPUT)
        if dialogue.find_number(typed) is None:
            problems[ids.COMMENT_INCIDENT_BLOCK] = texts.NUMBER_INVALID
    if not submission.text(ids.COMMENT_TEXT_INPUT):
        problems[ids.COMMENT_TEXT_BLOCK] = texts.COMMENT_REQUIRED
    return problems


async def run_comment(turn: Turn, submission: Submission) -> None:
    """The comment modal, submitted."""
    number = submission.private_metadata or dialogue.find_number(
        submission.text(ids.COMMENT_INCIDENT_INPUT)
    )
    text = submission.text(ids.COMMENT_TEXT_INPUT)
    command = SnowCommand(kind="comment", number=number, text=text)
    client = await acting_as(turn, pending=command)
    if client is None or not number:
        return
    await add_comment(turn, client, number=number, text=text)


# --- close requests ----------------------------------------------------------------------


async def handle_close(turn: Turn, command: SnowCommand) -> None:
    """``/snow close INC…``, the close intent, a card's Ask to close."""
    client = await acting_as(turn, pending=command)
    if client is None:
        return
    if not command.number:
        await ask_which(turn, client, kind="close", text="")
        return
    try:
        result = await client.incidents.request_close(command.number)
    except errors.BotError as exc:
        await turn.c.audit.record(
            "incident_close_request",
            user=turn.user,
            number=command.number,
            outcome=type(exc).__name__,
        )
        raise
    await turn.c.audit.record(
        "incident_close_request",
        user=turn.user,
        number=result.incident.number,
        outcome=result.outcome.value,
        reason=result.reason,
    )
    await dialogue.tell(turn, close_result(
        result.incident.number, _OUTCOMES.get(str(result.outcome.value), "comment_added")
    ))


async def action_ask_close(turn: Turn, action: Action) -> None:
    """A card's Ask to close (Slack already asked the user to confirm)."""
    await handle_close(turn, SnowCommand(kind="close", number=action.value or None))


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
    try:
        await turn.c.slack.chat_postMessage(
            channel=origin.channel_id, thread_ts=origin.thread_ts, **card.to_kwargs()
        )
    except (SlackApiError, SlackClientError, ClientError, TimeoutError) as exc:
        raise errors.SlackError(f"could not share a card: {type(exc).__name__}") from exc
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
