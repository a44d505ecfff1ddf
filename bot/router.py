"""The conversation router: ``/snow``'s exact grammar first, then the intent engine.

A ``Turn`` is one request of one user: the container, who asked, and how to answer.
``route_command`` maps a parsed ``/snow`` command to its use case; ``route_text``
classifies free text (a DM, a mention, ``/snow <anything else>``) and maps the
intent to the same use cases. ``clarify`` asks with buttons for the top candidates
instead of guessing; ``reject`` and ``out_of_scope`` get a friendly fallback with no
ServiceNow call. ``route_message`` (DMs and mentions) reads the user's conversation
state first: "cancel" drops a pending question, an answer completes the request that
asked it (``bot.handlers.dialogue``), and a clearly new request starts over. Use
cases live in ``bot/handlers``; this module only chooses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel

from bot import texts
from bot.blocks import clarify_intent, did_you_mean_number, fallback_message
from bot.blocks.question import question_message
from bot.container import Container
from bot.errors import StoreError
from bot.grammar import SnowCommand
from bot.models import SlackUser
from bot.reply import SlackReply
from intents import Prediction

log = logging.getLogger(__name__)


@dataclass
class Turn:
    """One request of one user, with everything a use case needs to answer it."""

    c: Container
    user: SlackUser
    reply: SlackReply
    received_at: float = field(default=0.0)

    def __post_init__(self) -> None:
        if not self.received_at:
            self.received_at = self.c.clock()

    @property
    def now(self) -> datetime:
        """The turn's time, for relative times in views."""
        return datetime.fromtimestamp(self.c.clock(), tz=UTC)


Handler = Callable[[Turn, SnowCommand], Awaitable[None]]


def _handlers() -> dict[str, Handler]:
    # Imported here: the handler modules import this module's Turn.
    from bot.handlers import COMMANDS

    return {**COMMANDS, "free_text": route_text_command}


async def _fallback(turn: Turn, _: SnowCommand) -> None:
    await turn.reply.private(fallback_message())


# Intent label → the /snow command kind whose use case serves it.
INTENT_COMMANDS: dict[str, str] = {
    "incident.lookup": "lookup",
    "incident.list_mine": "mine",
    "incident.create": "new",
    "incident.comment": "comment",
    "incident.close_request": "close",
    "feedback.give": "feedback",
    "connect": "connect",
    "disconnect": "disconnect",
    "setup.admin": "setup",
    "troubleshoot.connection": "troubleshoot",
    "help": "help",
    "greeting": "greeting",
}


async def route_command(turn: Turn, command: SnowCommand) -> None:
    """Run the use case for a parsed ``/snow`` command (free text is classified)."""
    handler = _handlers().get(command.kind, _fallback)
    await handler(turn, command)


async def route_text_command(turn: Turn, command: SnowCommand) -> None:
    """Adapter so free text parsed from ``/snow`` goes through ``route_text``."""
    await route_text(turn, command.text)


async def route_text(turn: Turn, text: str, *, intent_hint: str | None = None) -> None:
    """Classify ``text`` and run the matching use case, or ask, or fall back.

    ``intent_hint`` (a clarify button the user pressed) overrides the classifier's
    intent; the entities still come from the text.
    """
    prediction = _predict(turn, text)
    intent = intent_hint or prediction.intent
    decision = "accept" if intent_hint else prediction.decision
    log.info(
        "classified message",
        extra={"intent": intent, "decision": decision, "confidence": prediction.confidence},
    )
    if decision == "clarify" and not intent_hint and _asks_for_a_ticket(intent, text):
        decision = "accept"  # "I want to open a ticket": asking what's wrong is the question
    if decision == "clarify" and not intent_hint:
        candidates = [(c.intent, c.confidence) for c in prediction.candidates]
        await turn.reply.private(clarify_intent(candidates, text))
        return
    if decision == "reject" or intent not in INTENT_COMMANDS:
        await turn.reply.private(fallback_message())
        return
    number = prediction.entities.get("incident_number")
    partial = prediction.hints.get("partial_incident_number")
    kind = INTENT_COMMANDS[intent]
    said = _slot_text(kind, text, number=number)
    if number is None and partial and kind in ("lookup", "comment", "close"):
        await _ask_number(turn, kind=kind, intent=intent, partial=partial, text=said)
        return
    command = SnowCommand.model_validate({"kind": kind, "number": number, "text": said})
    await _handlers().get(kind, _fallback)(turn, command)


def _asks_for_a_ticket(intent: str, text: str) -> bool:
    from bot.handlers.writes import describes_no_problem

    return intent == "incident.create" and describes_no_problem(text)


def _predict(turn: Turn, text: str) -> Prediction:
    prediction = turn.c.engine.predict(text, incident_digits=turn.c.settings.incident_digits)
    turn.c.metrics.intents.labels(
        intent=prediction.intent, decision=prediction.decision
    ).inc()
    return prediction


def _slot_text(kind: str, text: str, *, number: str | None) -> str:
    """What a use case gets as its text: a comment's body, else the whole message."""
    if kind == "comment":
        from bot.handlers.updates import comment_body

        return comment_body(text, number=number)
    return text


async def _ask_number(turn: Turn, *, kind: str, intent: str, partial: str, text: str) -> None:
    """"Did you mean INC…?", remembering what else was said for Yes / No."""
    from bot.handlers import dialogue

    asked = dialogue.KIND_OF.get(intent)
    if asked is not None:
        pending = dialogue.PendingQuestion(kind=asked, waiting_for="number", text=text)
        await _remember(turn, pending)
    await turn.reply.private(did_you_mean_number(partial, intent=intent))


async def _remember(turn: Turn, pending: BaseModel) -> None:
    try:
        await turn.c.conversations.save(turn.user, pending)
    except StoreError:
        log.warning("could not keep a conversation: Redis did not answer")


async def route_message(turn: Turn, text: str) -> None:
    """A DM or a mention: "cancel", the answer to a pending question, or a new request.

    The conversation state is read before classifying: when the bot asked something,
    the message answers it unless it is clearly a new request (then the question is
    dropped and the message routed afresh).
    """
    from bot.handlers import dialogue

    if dialogue.is_cancel(text):
        await dialogue.cancel(turn)
        return
    try:
        pending = await turn.c.conversations.load(turn.user, dialogue.PendingQuestion)
    except StoreError:
        log.warning("conversation state unavailable: Redis did not answer")
        pending = None
    if pending is None:
        await route_text(turn, text)
        return
    prediction = _predict(turn, text)
    if dialogue.starts_over(pending, prediction):
        log.info("a new request replaces a pending question", extra={"intent": prediction.intent})
        await turn.c.conversations.clear(turn.user)
        await route_text(turn, text)
        return
    number = prediction.entities.get("incident_number") or prediction.hints.get(
        "partial_incident_number"
    )
    command = dialogue.command_for_answer(pending, text, number=number)
    if command is None:
        await turn.reply.private(question_message(texts.ASK_NUMBER_AGAIN))
        return
    await turn.c.conversations.clear(turn.user)
    await route_command(turn, command)


async def finish_pending(turn: Turn) -> bool:
    """Run what the user asked before connecting, if anything; True when something ran."""
    pending = await turn.c.conversations.take_pending(turn.user, SnowCommand)
    if pending is None:
        return False
    await route_command(turn, pending)
    return True
