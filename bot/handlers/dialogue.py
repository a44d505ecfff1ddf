"""Multi-turn conversations: the question the bot is waiting on, and reading the answer.

When a request lacks something (which incident? what should the comment say? what's
wrong?), the handler asks and keeps a ``PendingQuestion`` in the user's Redis
conversation state (``ConversationStore``, TTL ``CONVERSATION_TTL``). The user's next
message is read by ``bot.router.route_message``: "cancel" (and friends) drops the
question; an answer fills the slot (``command_for_answer``); a message that is
clearly a new request (``starts_over``: its own intent, confidently, or an incident
number the question was not about) starts afresh, so a question never swallows a new
request. An answer never writes by itself: the request it completes is not
``confirmed``, so a write shows its confirmation card, quoting the captured text,
before anything is written. Nothing here calls ServiceNow.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from bot import errors, texts
from bot.blocks import Message, ids, lookup_posted_privately_note
from bot.blocks.question import notice, question_message
from bot.grammar import SnowCommand
from bot.turn import Action, ActionHandler, Turn
from intents.entities import find_number
from intents.labels import WRITE_INTENTS

if TYPE_CHECKING:
    from intents import Prediction

log = logging.getLogger(__name__)

AskedKind = Literal["new", "comment", "close", "reopen", "lookup"]
Slot = Literal["number", "text", "problem", "choice"]

INTENT_OF: dict[AskedKind, str] = {
    "new": "incident.create",
    "comment": "incident.comment",
    "close": "incident.close_request",
    "reopen": "incident.reopen",
    "lookup": "incident.lookup",
}
KIND_OF: dict[str, AskedKind] = {intent: kind for kind, intent in INTENT_OF.items()}
ASKED_KINDS: dict[str, AskedKind] = {
    "new": "new", "comment": "comment", "close": "close", "reopen": "reopen", "lookup": "lookup"
}

# A message that is one of these, and nothing else, drops the question.
CANCEL_PHRASES = frozenset(
    {
        "cancel",
        "cancel that",
        "cancel it",
        "never mind",
        "nevermind",
        "nvm",
        "stop",
        "forget it",
        "forget that",
        "abort",
        "quit",
        "no thanks",
        "no thank you",
    }
)
_NOT_WORDS = re.compile(r"[^\w\s']+")

# How sure the classifier must be that an answer is really a new request.
NEW_REQUEST_CONFIDENCE = 0.85
# Intents an answer to each slot may look like (so they do not start over).
ANSWER_LIKE: dict[Slot, frozenset[str]] = {
    "text": frozenset({"incident.create", "incident.comment", "feedback.give", "out_of_scope"}),
    "problem": frozenset(
        {"incident.create", "incident.comment", "feedback.give", "out_of_scope"}
    ),
    "choice": frozenset(),
    "number": frozenset(
        {
            "incident.lookup",
            "incident.comment",
            "incident.close_request",
            "incident.reopen",
            "out_of_scope",
        }
    ),
}


class PendingQuestion(BaseModel):
    """What the bot asked and what it already knows."""

    kind: AskedKind
    waiting_for: Slot
    number: str | None = None
    text: str = ""
    suggested: str | None = None  # "Did you mean INC…?": the number a typed "yes" takes
    options: list[str] = []  # "Which incident?": the numbers offered, in button order
    intents: list[str] = []  # "Did you mean one of these?" (waiting for a choice): in order


def is_cancel(text: str) -> bool:
    """Whether the whole message says "cancel", "never mind", "stop" or the like."""
    words = " ".join(_NOT_WORDS.sub(" ", text.lower()).split())
    return words in CANCEL_PHRASES


def starts_over(pending: PendingQuestion, prediction: Prediction) -> bool:
    """Whether a message sent while ``pending`` waits is clearly a new request instead.

    It is when it names an incident the question was not about (asked for text, any
    number but the one asked about), or when it is confidently its own request: an
    intent the answer would not have, or (asked which incident) another write.
    """
    numbers = set(prediction.numbers) or (
        {prediction.entities["incident_number"]} if "incident_number" in prediction.entities
        else set()
    )
    if pending.waiting_for != "number" and numbers - {pending.number}:
        return True
    if prediction.decision != "accept" or prediction.confidence < NEW_REQUEST_CONFIDENCE:
        return False
    if prediction.intent not in ANSWER_LIKE[pending.waiting_for]:
        return True
    # Asked "which incident?" for one write, a message that is another write is new.
    return (
        pending.waiting_for == "number"
        and prediction.intent in WRITE_INTENTS
        and prediction.intent != INTENT_OF[pending.kind]
    )


def command_for_answer(
    pending: PendingQuestion, text: str, *, number: str | None, digits: int
) -> SnowCommand | None:
    """The request ``text`` completes; None when the number asked for is not in it."""
    if pending.waiting_for == "number":
        found = number or find_number(text, digits=digits)
        if not found:
            return None
        return SnowCommand(kind=pending.kind, number=found, text=pending.text)
    return SnowCommand(kind=pending.kind, number=pending.number, text=text.strip())


async def tell(turn: Turn, message: Message, *, replace: bool = False) -> None:
    """Answer the asker privately; a channel thread they asked in gets only a neutral note."""
    await turn.reply.private(message, replace=replace)
    if turn.reply.origin.kind == "mention":
        await turn.reply.public_note(lookup_posted_privately_note().text)


async def ask(turn: Turn, question: PendingQuestion, message: Message) -> None:
    """Remember ``question`` (with the conversation TTL) and ask it."""
    await turn.c.conversations.save(turn.user, question)
    await turn.reply.private(message)


async def ask_text(turn: Turn, sentence: str, question: PendingQuestion) -> None:
    """Ask one plain question with a Cancel button."""
    await ask(turn, question, question_message(sentence))


async def ask_right_number(turn: Turn, *, kind: AskedKind) -> None:
    """Ask for the right incident number, keeping what the user already said."""
    pending = await turn.c.conversations.load(turn.user, PendingQuestion)
    text = pending.text if pending is not None and pending.kind == kind else ""
    await ask(
        turn,
        PendingQuestion(kind=kind, waiting_for="number", text=text),
        question_message(texts.ASK_RIGHT_NUMBER),
    )


async def cancel(turn: Turn) -> None:
    """Drop the pending question (if any) and say so."""
    try:
        pending = await turn.c.conversations.load(turn.user, PendingQuestion)
        await turn.c.conversations.clear(turn.user)
    except errors.StoreError:
        log.warning("could not clear a conversation: Redis did not answer")
        pending = None
    sentence = texts.CONVERSATION_CANCELLED if pending is not None else texts.NOTHING_TO_CANCEL
    await turn.reply.private(notice(sentence))


async def action_cancel(turn: Turn, _: Action) -> None:
    """The Cancel button under a question."""
    await turn.c.conversations.clear(turn.user)
    await turn.reply.private(notice(texts.CONVERSATION_CANCELLED), replace=True)


ACTIONS: dict[str, ActionHandler] = {
    ids.CONVERSATION_CANCEL: action_cancel,
}
