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

A message is classified once (``classify``), in a worker thread so a huge message
never stalls the event loop (health checks included), into one prediction per request
it holds (``IntentEngine.predict_all``); the prediction travels with the turn
(``Turn.prediction``) instead of being made again. Each request is routed on its own,
with its own incident numbers, so a write never lands on another request's number:

- every incident number of a lookup is answered, up to ``MAX_LOOKUPS`` per message
  (the reply says when more were named);
- a write naming several incidents in one request asks which one, never guesses;
- a request about another ServiceNow table's record (``RITM0010001``) and no
  incident (looking it up, commenting, closing or reopening it, or anything the bot
  does not do) gets "I work with incidents only", and nothing is written; a problem
  report that only mentions such a record is still a problem report;
- writes from free text are confirmed on a card (``bot.handlers.confirm``);
- a request about one incident that names none is resolved before its use case runs
  (``_unnamed``): by its words (``reference``: ``bot.handlers.references``), or as the
  incident the conversation is about (``context_reference``/``field`` hints, or any
  write: ``bot.handlers.context``), always saying which incident it took; every use
  case that ran on a number makes it the conversation's incident (``_dispatch``);
- a message only asking for a ticket ("new ticket pls") is a create whatever the
  classifier said, and an out-of-scope reply follows the engine's ``topic``.

Before classifying, ``route_message`` lets a typed "yes", "no" or "2" answer the
question the bot asked (``bot.handlers.clarify.answer_typed``) as its button would.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pydantic import BaseModel

from bot import errors, texts
from bot.blocks import clarify_intent, did_you_mean_number, error_message, fallback_message
from bot.blocks.confirm import other_record_message
from bot.blocks.conversation import clarify_choices
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import notice, question_message
from bot.errors import StoreError
from bot.grammar import SnowCommand, find_other_record, other_record_kind
from bot.handlers import COMMANDS, context, dialogue
from bot.handlers.account import acting_as
from bot.handlers.conversation import handle_out_of_scope
from bot.handlers.dialogue import AskedKind
from bot.handlers.incidents import handle_lookup
from bot.handlers.references import find_referenced
from bot.handlers.updates import ask_which, ask_which_named
from bot.handlers.writes import asks_for_a_ticket
from bot.turn import CommandHandler, Turn, classify
from intents import Prediction, comment_text
from intents.answers import choice, yes_or_no
from intents.entities import describes_no_problem

log = logging.getLogger(__name__)

MAX_LOOKUPS = 5  # incidents looked up for one message
WRITE_KINDS = frozenset({"comment", "close", "reopen"})
# Kinds about one incident: they may name it by words or point at the one in context.
CONTEXT_KINDS = frozenset({"lookup", *WRITE_KINDS})
# Intents about one record: aimed at another table's number, they get "incidents only".
RECORD_INTENTS = frozenset(
    {"incident.lookup", "incident.comment", "incident.close_request", "incident.reopen"}
)
_ASKED_KINDS: dict[str, AskedKind] = {"comment": "comment", "close": "close", "reopen": "reopen"}


async def _fallback(turn: Turn, _: SnowCommand) -> None:
    await turn.reply.private(fallback_message())


async def _other_record(turn: Turn, command: SnowCommand) -> None:
    number = command.number or ""
    await turn.reply.private(other_record_message(number, other_record_kind(number)))


# Intent label → the /snow command kind whose use case serves it.
INTENT_COMMANDS: dict[str, str] = {
    "incident.lookup": "lookup",
    "incident.list_mine": "mine",
    "incident.create": "new",
    "incident.comment": "comment",
    "incident.close_request": "close",
    "incident.reopen": "reopen",
    "feedback.give": "feedback",
    "connect": "connect",
    "disconnect": "disconnect",
    "setup.admin": "setup",
    "troubleshoot.connection": "troubleshoot",
    "help": "help",
    "greeting": "greeting",
}
# The kinds whose request carries words to write, and the intent that reads them.
_KIND_INTENTS: dict[str, str] = {"comment": "incident.comment", "reopen": "incident.reopen"}


async def route_command(turn: Turn, command: SnowCommand) -> None:
    """Run the use case for a parsed ``/snow`` command (free text is classified).

    A write typed with a short number (``/snow close 10003``) gets the lookup's
    "Did you mean INC0010003?" first.
    """
    if command.guess and not command.number and command.kind in WRITE_KINDS:
        intent = next(i for i, k in INTENT_COMMANDS.items() if k == command.kind)
        await _ask_number(turn, intent=intent, partial=command.guess, text=command.text)
        return
    await _dispatch(turn, command)


async def _dispatch(turn: Turn, command: SnowCommand) -> None:
    """Run the command's use case; an incident it was about becomes the conversation's."""
    await _COMMANDS.get(command.kind, _fallback)(turn, command)
    if command.number and command.kind in CONTEXT_KINDS:
        await context.remember(turn, [command.number])


async def route_text_command(turn: Turn, command: SnowCommand) -> None:
    """Adapter so free text parsed from ``/snow`` goes through ``route_text``."""
    await route_text(turn, command.text)


# Every command kind → its use case: the handlers' table and the router's own two.
_COMMANDS: dict[str, CommandHandler] = {
    **COMMANDS,
    "free_text": route_text_command,
    "other_record": _other_record,
}


# --- understanding a message --------------------------------------------------------


def _numbers(prediction: Prediction) -> list[str]:
    if prediction.numbers:
        return list(prediction.numbers)
    number = prediction.entities.get("incident_number")
    return [number] if number else []


def written_text(turn: Turn, kind: str, text: str, prediction: Prediction) -> str:
    """The words a comment (or a reopen's reason) would write, as the user typed them.

    The engine's ``comment_text`` when it read the request as that kind itself; else
    (a clarify button chose the kind) the same reading of the message for that kind.
    """
    intent = _KIND_INTENTS.get(kind)
    if intent is None:
        return text
    if prediction.intent == intent:
        return prediction.entities.get("comment_text") or ""
    digits = turn.c.settings.incident_digits
    return comment_text(text, intent=intent, incident_digits=digits) or ""


@dataclass
class _Budget:
    """How many more incidents one message may still look up."""

    lookups: int = MAX_LOOKUPS
    named: int = 0


async def route_text(
    turn: Turn,
    text: str,
    *,
    intent_hint: str | None = None,
    predictions: list[Prediction] | None = None,
) -> None:
    """Classify ``text`` and run the matching use case for each request, or ask, or fall back.

    ``intent_hint`` (a clarify button the user pressed) overrides the classifier's
    intent for the one request; the entities still come from the text.
    """
    found = predictions or await classify(turn, text)
    if intent_hint:
        found = found[:1]
    budget = _Budget()
    several = len(found) > 1
    for prediction in found:
        try:
            await _route_one(turn, text, prediction, intent_hint=intent_hint, budget=budget,
                             several=several)
        except errors.ServiceNowError as exc:
            if not several:
                raise
            # One request of several failed (say, an incident not found): the others go on.
            log.info("one request of a message failed: %s", type(exc).__name__)
            await turn.reply.private(error_message(exc))
    if budget.named > MAX_LOOKUPS:
        line = texts.LOOKUPS_CAPPED.format(count=budget.named, shown=MAX_LOOKUPS)
        await turn.reply.private(notice(line))


async def _route_one(
    turn: Turn,
    text: str,
    prediction: Prediction,
    *,
    intent_hint: str | None,
    budget: _Budget,
    several: bool,
) -> None:
    intent = intent_hint or prediction.intent
    decision = "accept" if intent_hint else prediction.decision
    log.info(
        "classified message",
        extra={"intent": intent, "decision": decision, "confidence": prediction.confidence},
    )
    numbers = _numbers(prediction)
    other = prediction.entities.get("other_record") or (
        None if several else find_other_record(text)
    )
    about_a_record = intent in RECORD_INTENTS or decision != "accept" or (
        intent not in INTENT_COMMANDS
    )
    if other and not numbers and about_a_record:
        await turn.reply.private(other_record_message(other, other_record_kind(other)))
        return
    if decision == "clarify" and not intent_hint and _asks_for_a_ticket(intent, text):
        decision = "accept"  # "I want to open a ticket": asking what's wrong is the question
    if decision != "accept" and not intent_hint and asks_for_a_ticket(prediction.text):
        intent, decision = "incident.create", "accept"  # "new ticket pls": always a create
    if decision == "clarify" and not intent_hint:
        await _clarify(turn, prediction, prediction.text if several else text, keep=not several)
        return
    if decision == "reject" or intent not in INTENT_COMMANDS:
        turn.prediction = prediction
        await handle_out_of_scope(turn, prediction.hints.get("topic"))
        return
    kind = INTENT_COMMANDS[intent]
    turn.prediction = prediction
    if kind == "lookup" and len(numbers) > 1:
        await _lookups(turn, numbers, budget=budget)
        return
    number = numbers[0] if numbers else None
    said = written_text(turn, kind, text, prediction)
    if kind in WRITE_KINDS and len(numbers) > 1:
        await _ask_which_named(turn, kind=kind, numbers=numbers, text=said)
        return
    partial = prediction.hints.get("partial_incident_number")
    if number is None and partial and kind in ("lookup", *WRITE_KINDS):
        await _ask_number(turn, intent=intent, partial=partial, text=said)
        return
    if number is None and kind in CONTEXT_KINDS:
        found = await _unnamed(turn, kind, prediction, said)
        if found is None:  # the user was answered already
            return
        number = found or None
    if kind == "lookup" and number is not None:
        budget.named += 1
        if budget.lookups <= 0:
            return
        budget.lookups -= 1
    command = SnowCommand.model_validate({"kind": kind, "number": number, "text": said})
    await _dispatch(turn, command)


async def _clarify(turn: Turn, prediction: Prediction, asked: str, *, keep: bool) -> None:
    """"Did you mean one of these?"; kept (``keep``) so that a typed "2" picks the second."""
    candidates = [(c.intent, c.confidence) for c in prediction.candidates]
    await turn.reply.private(clarify_intent(candidates, asked))
    if keep:
        choices = clarify_choices(candidates)
        pending = dialogue.PendingQuestion(
            kind="lookup", waiting_for="choice", text=asked, intents=choices
        )
        await _remember(turn, pending)


async def _unnamed(turn: Turn, kind: str, prediction: Prediction, said: str) -> str | None:
    """The incident a request names without a number: found by its words, or in context.

    A number; "" when nothing points anywhere (the use case does what it does without a
    number: asks which, or for a lookup shows the latest); None when the user was
    already answered (a question which one, or "none of yours is about that").
    """
    reference = prediction.entities.get("reference")
    if reference:
        return await find_referenced(
            turn, kind=kind, words=reference, text=said,
            period=prediction.entities.get("reference_period"),
        )
    hints = prediction.hints
    points_back = hints.get("context_reference") == "1" or "field" in hints
    if points_back or kind in WRITE_KINDS:  # a write's card names the incident before it runs
        number = await context.in_context(turn)
        if number:
            return number
        if points_back and kind == "lookup":  # "what's the priority?" of nothing known: ask
            client = await acting_as(turn)
            if client is not None:
                await ask_which(turn, client, kind="lookup", text="")
            return None
    return ""


async def _lookups(turn: Turn, numbers: list[str], *, budget: _Budget) -> None:
    """A card for each named incident, within the message's budget."""
    shown: list[str] = []
    for number in numbers:
        budget.named += 1
        if budget.lookups <= 0:
            continue
        budget.lookups -= 1
        try:
            await handle_lookup(turn, SnowCommand(kind="lookup", number=number))
            shown.append(number)
        except (errors.ServiceNowNotFoundError, errors.ServiceNowForbiddenError) as exc:
            line = f"*{escape_mrkdwn(number)}*: {texts.error_sentence(exc)}"
            await turn.reply.private(notice(line))
    await context.remember(turn, shown)


async def _ask_which_named(turn: Turn, *, kind: str, numbers: list[str], text: str) -> None:
    """One write naming several incidents: which one? (never a guess)."""
    asked = _ASKED_KINDS.get(kind)
    client = await acting_as(turn)
    if client is None or asked is None:
        return
    await ask_which_named(turn, client, kind=asked, numbers=numbers, text=text)


def _asks_for_a_ticket(intent: str, text: str) -> bool:
    return intent == "incident.create" and describes_no_problem(text)


async def _ask_number(turn: Turn, *, intent: str, partial: str, text: str) -> None:
    """"Did you mean INC…?", remembering what else was said for Yes / No."""
    asked = dialogue.KIND_OF.get(intent)
    if asked is not None:
        pending = dialogue.PendingQuestion(
            kind=asked, waiting_for="number", text=text, suggested=partial
        )
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
    dropped and the message routed afresh). An answer is never written at once: the
    request it completes shows its confirmation card first.
    """
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
    if await answer_typed(turn, pending, text):
        return
    if pending.waiting_for == "choice":  # not one of the offered choices: a new request
        await turn.c.conversations.clear(turn.user)
        await route_text(turn, text)
        return
    predictions = await classify(turn, text)
    prediction = predictions[0]
    if len(predictions) > 1 or dialogue.starts_over(pending, prediction):
        log.info("a new request replaces a pending question", extra={"intent": prediction.intent})
        await turn.c.conversations.clear(turn.user)
        await route_text(turn, text, predictions=predictions)
        return
    number = prediction.entities.get("incident_number") or prediction.hints.get(
        "partial_incident_number"
    )
    command = dialogue.command_for_answer(
        pending, text, number=number, digits=turn.c.settings.incident_digits
    )
    if command is None:
        await turn.reply.private(question_message(texts.ASK_NUMBER_AGAIN))
        return
    await turn.c.conversations.clear(turn.user)
    turn.prediction = prediction
    await route_command(turn, command)


async def answer_typed(turn: Turn, pending: dialogue.PendingQuestion, text: str) -> bool:
    """A typed yes / no / choice answering ``pending`` as its button would; False if not one.

    "yes"/"yep"/"sure" or "no"/"nope" to a did-you-mean; "2"/"the second" to a "which
    incident?" or to a clarify's choices (``intents.answers``).
    """
    if pending.suggested is not None:
        said = yes_or_no(text)
        if said is True:
            await _carry_on(turn, pending, number=pending.suggested)
            return True
        if said is False:
            await dialogue.ask_right_number(turn, kind=pending.kind)
            return True
    if pending.options:
        index = choice(text, len(pending.options))
        if index is not None:
            await _carry_on(turn, pending, number=pending.options[index])
            return True
    if pending.intents:
        index = choice(text, len(pending.intents))
        if index is not None:
            await turn.c.conversations.clear(turn.user)
            await route_text(turn, pending.text, intent_hint=pending.intents[index])
            return True
    return False


async def _carry_on(turn: Turn, pending: dialogue.PendingQuestion, *, number: str) -> None:
    await turn.c.conversations.clear(turn.user)
    await route_command(turn, SnowCommand(kind=pending.kind, number=number, text=pending.text))


async def finish_pending(turn: Turn) -> bool:
    """Run what the user asked before connecting, if anything; True when something ran."""
    pending = await turn.c.conversations.take_pending(turn.user, SnowCommand)
    if pending is None:
        return False
    await route_command(turn, pending)
    return True
