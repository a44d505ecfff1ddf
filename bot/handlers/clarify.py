"""Answers to the bot's own questions given with buttons.

- ``clarify_intent``'s buttons (one action id per button, ``CLARIFY_CHOICE_<n>``): run
  the chosen intent on the original text; "Something else" gets the fallback.
- ``did_you_mean_number``'s Yes / No: carry on with the confirmed number, or ask for
  the right one (the next message answers it, see ``bot.router.route_message``).
- "Which incident?" buttons (``PICK_INCIDENT_<n>``): carry on with the picked number.
- The same answers typed (``answer_typed``): "yes"/"yep"/"sure" or "no"/"nope" to a
  did-you-mean, "2"/"the second" to a "which incident?" or to a clarify's choices,
  exactly as the button would.

What the user already said (say, a comment's text) waits in the conversation state;
button values carry only an intent, a number or the original text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import errors, texts
from bot.blocks import fallback_message, ids
from bot.blocks.conversation import MAX_CLARIFY_CHOICES
from bot.blocks.question import MAX_PICKS, question_message
from bot.grammar import SnowCommand
from bot.handlers import dialogue
from bot.interactions import Action, ActionHandler
from intents.answers import choice, yes_or_no
from intents.entities import find_number

if TYPE_CHECKING:
    from bot.router import Turn


async def carry_on(turn: Turn, *, kind: dialogue.AskedKind, number: str) -> None:
    """Run ``kind`` with ``number`` and whatever the pending question had gathered."""
    from bot.router import route_command

    pending = await turn.c.conversations.load(turn.user, dialogue.PendingQuestion)
    text = pending.text if pending is not None and pending.kind == kind else ""
    await turn.c.conversations.clear(turn.user)
    await route_command(turn, SnowCommand(kind=kind, number=number, text=text))


def _kind_and_number(value: str, *, digits: int) -> tuple[dialogue.AskedKind, str | None]:
    fields = ids.decode_value(value)
    kind = dialogue.KIND_OF.get(fields.get("intent", ""))
    if kind is None:
        raise errors.UserInputError("a button without a usable intent")
    return kind, find_number(fields.get("number", ""), digits=digits)


async def action_clarify(turn: Turn, action: Action) -> None:
    """A clarify button: the chosen intent, run on the original text."""
    from bot.router import route_text

    fields = ids.decode_value(action.value)
    intent = fields.get("intent", "")
    pending = await turn.c.conversations.load(turn.user, dialogue.PendingQuestion)
    if pending is not None and pending.waiting_for == "choice":
        await turn.c.conversations.clear(turn.user)  # answered by its button
    if not intent:
        await turn.reply.private(fallback_message())
        return
    await route_text(turn, fields.get("text", ""), intent_hint=intent)


async def action_clarify_none(turn: Turn, _: Action) -> None:
    """"Something else": what the bot can do."""
    await turn.reply.private(fallback_message())


async def action_number_yes(turn: Turn, action: Action) -> None:
    """"Did you mean INC…?" Yes: carry on with that number."""
    kind, number = _kind_and_number(action.value, digits=turn.c.settings.incident_digits)
    if number is None:
        raise errors.UserInputError("a Yes button without a number")
    await carry_on(turn, kind=kind, number=number)


async def action_number_no(turn: Turn, action: Action) -> None:
    """"Did you mean INC…?" No: ask for the right number, keeping what was said."""
    kind, _ = _kind_and_number(action.value, digits=turn.c.settings.incident_digits)
    await ask_right_number(turn, kind=kind)


async def answer_typed(turn: Turn, pending: dialogue.PendingQuestion, text: str) -> bool:
    """A typed yes / no / choice answering ``pending`` as its button would; False if not one."""
    if pending.suggested is not None:
        said = yes_or_no(text)
        if said is True:
            await carry_on(turn, kind=pending.kind, number=pending.suggested)
            return True
        if said is False:
            await ask_right_number(turn, kind=pending.kind)
            return True
    if pending.options:
        index = choice(text, len(pending.options))
        if index is not None:
            await carry_on(turn, kind=pending.kind, number=pending.options[index])
            return True
    if pending.intents:
        index = choice(text, len(pending.intents))
        if index is not None:
            from bot.router import route_text

            await turn.c.conversations.clear(turn.user)
            await route_text(turn, pending.text, intent_hint=pending.intents[index])
            return True
    return False


async def ask_right_number(turn: Turn, *, kind: dialogue.AskedKind) -> None:
    """Ask for the right incident number, keeping what the user already said."""
    pending = await turn.c.conversations.load(turn.user, dialogue.PendingQuestion)
    text = pending.text if pending is not None and pending.kind == kind else ""
    await dialogue.ask(
        turn,
        dialogue.PendingQuestion(kind=kind, waiting_for="number", text=text),
        question_message(texts.ASK_RIGHT_NUMBER),
    )


async def action_pick(turn: Turn, action: Action) -> None:
    """One of the offered incidents."""
    kind, number = _kind_and_number(action.value, digits=turn.c.settings.incident_digits)
    if number is None:
        raise errors.UserInputError("a pick button without a number")
    await carry_on(turn, kind=kind, number=number)


ACTIONS: dict[str, ActionHandler] = {
    **{f"{ids.CLARIFY_CHOICE}_{n}": action_clarify for n in range(MAX_CLARIFY_CHOICES)},
    ids.CLARIFY_NONE: action_clarify_none,
    ids.NUMBER_CONFIRM_YES: action_number_yes,
    ids.NUMBER_CONFIRM_NO: action_number_no,
    **{f"{ids.PICK_INCIDENT}_{n}": action_pick for n in range(MAX_PICKS)},
}
