"""The conversation router: ``/snow``'s exact grammar first, then the intent engine.

A ``Turn`` is one request of one user: the container, who asked, and how to answer.
``route_command`` maps a parsed ``/snow`` command to its use case; ``route_text``
classifies free text (a DM, a mention, ``/snow <anything else>``) and maps the
intent to the same use cases. ``clarify`` asks with buttons for the top candidates
instead of guessing; ``reject`` and ``out_of_scope`` get a friendly fallback with no
ServiceNow call. Use cases live in ``bot/handlers``; this module only chooses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.blocks import clarify_intent, did_you_mean_number, fallback_message
from bot.container import Container
from bot.grammar import SnowCommand
from bot.models import SlackUser
from bot.reply import SlackReply

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
    """Classify ``text`` and run the matching use case, or ask, or fall back."""
    engine = turn.c.engine
    prediction = engine.predict(text, incident_digits=turn.c.settings.incident_digits)
    turn.c.metrics.intents.labels(intent=prediction.intent, decision=prediction.decision).inc()
    intent = intent_hint or prediction.intent
    decision = "accept" if intent_hint else prediction.decision
    log.info(
        "classified message",
        extra={"intent": intent, "decision": decision, "confidence": prediction.confidence},
    )
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
    if (
        number is None
        and partial
        and kind in ("lookup", "comment", "close")
    ):
        await turn.reply.private(did_you_mean_number(partial, intent=intent))
        return
    command = SnowCommand.model_validate(
        {
            "kind": kind,
            "number": number,
            "text": prediction.entities.get("short_description") or text,
        }
    )
    await _handlers().get(kind, _fallback)(turn, command)


async def route_message(turn: Turn, text: str) -> None:
    """A DM or a mention: free text through the classifier."""
    await route_text(turn, text)


async def finish_pending(turn: Turn) -> bool:
    """Run what the user asked before connecting, if anything; True when something ran."""
    pending = await turn.c.conversations.take_pending(turn.user, SnowCommand)
    if pending is None:
        return False
    await route_command(turn, pending)
    return True
