"""Answers to the bot's own questions given with buttons: re-routing, beside the router.

- ``clarify_intent``'s buttons (one action id per button, ``CLARIFY_CHOICE_<n>``): run
  the chosen intent on the original text; "Something else" gets the fallback.
- ``did_you_mean_number``'s Yes / No: carry on with the confirmed number, or ask for
  the right one (the next message answers it, see ``bot.router.route_message``).
- "Which incident?" buttons (``PICK_INCIDENT_<n>``): carry on with the picked number.
- The same answers typed are read by ``bot.router.route_message`` (``answer_typed``).

What the user already said (say, a comment's text) waits in the conversation state;
button values carry only an intent, a number or the original text.
"""

from __future__ import annotations

from bot import errors
from bot.blocks import fallback_message, ids
from bot.blocks.conversation import MAX_CLARIFY_CHOICES
from bot.blocks.question import MAX_PICKS
from bot.grammar import SnowCommand
from bot.handlers import dialogue
from bot.router import route_command, route_text
from bot.turn import Action, ActionHandler, Turn
from intents.entities import find_number


async def carry_on(turn: Turn, *, kind: dialogue.AskedKind, number: str) -> None:
    """Run ``kind`` with ``number`` and whatever the pending question had gathered."""
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
    await dialogue.ask_right_number(turn, kind=kind)


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
