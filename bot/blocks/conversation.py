"""Views for talking with the user: help, welcome, fallback and the clarifying questions."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, DividerBlock

from bot import texts
from bot.blocks import ids
from bot.blocks.parts import (
    Message,
    actions,
    button,
    clip,
    context,
    escape_mrkdwn,
    header,
    message,
    one_line,
    safe,
    section,
)

MAX_CLARIFY_CHOICES = 3
_QUOTE_CHARS = 500
# Slack's button value is 2000 characters; the JSON wrapper needs a little room.
CLARIFY_TEXT_CHARS = 1500


def help_blocks() -> list[Block]:
    """The help content (intro, examples, `/snow` grammar, privacy) for a message or home."""
    examples = "\n".join(f"• {e}" for e in texts.HELP_EXAMPLES)
    commands = "\n".join(
        f"• `{escape_mrkdwn(cmd)}`: {desc}" for cmd, desc in texts.HELP_COMMANDS
    )
    return [
        section(texts.HELP_INTRO),
        section(f"*{texts.HELP_EXAMPLES_TITLE}*\n{examples}"),
        section(f"*{texts.HELP_COMMANDS_TITLE}*\n{commands}"),
        context(texts.HELP_PRIVACY),
    ]


def help_message() -> Message:
    """Ephemeral answer to `/snow help` and the "help" intent (also fine as a DM)."""
    quick = actions(
        button(texts.SHOW_MINE_BUTTON, action_id=ids.LIST_MINE),
        button(texts.NEW_INCIDENT_BUTTON, action_id=ids.NEW_INCIDENT),
        button(texts.FEEDBACK_BUTTON, action_id=ids.GIVE_FEEDBACK),
    )
    return message(texts.HELP_FALLBACK, [header(texts.BOT_NAME), *help_blocks(), quick])


def starting_points() -> ActionsBlock | None:
    """The three ways on from a greeting or a message the bot can't place: my incidents,
    a new incident, and what the bot can do."""
    return actions(
        button(texts.SHOW_MINE_BUTTON, action_id=ids.LIST_MINE),
        button(texts.NEW_INCIDENT_BUTTON, action_id=ids.NEW_INCIDENT),
        button(texts.INTENT_LABELS["help"], action_id=ids.SHOW_HELP),
    )


def welcome_message() -> Message:
    """DM the first time someone opens the bot's Messages tab, or says hello."""
    return message(
        texts.WELCOME,
        [
            section(texts.WELCOME),
            starting_points(),
        ],
    )


_GREETINGS: dict[str, str] = {
    "hello": texts.GREETING,
    "thanks": texts.GREETING_THANKS,
    "bye": texts.GREETING_BYE,
}


def greeting_message(kind: str = "hello") -> Message:
    """Ephemeral or DM reply to a pure greeting: ``hello``, ``thanks`` or ``bye``."""
    line = _GREETINGS.get(kind, texts.GREETING)
    return message(line, [section(line)])


def fallback_message() -> Message:
    """Ephemeral or DM reply to an out-of-scope message: friendly, says what the bot can do."""
    return message(
        texts.FALLBACK,
        [
            section(texts.FALLBACK),
            context(texts.FALLBACK_NEXT),
            starting_points(),
        ],
    )


def did_you_mean_number(guess: str, *, intent: str = "incident.lookup") -> Message:
    """Ephemeral or DM: "Did you mean INC0004521?" with Yes / No.

    Yes carries ``encode_value(number=guess, intent=intent)`` so the handler can carry on
    with what the user asked (lookup, comment, close); No carries the intent only.
    ``guess`` is the bot's canonical guess but is escaped like any data.
    """
    number = safe(one_line(guess), 40)
    line = texts.DID_YOU_MEAN.format(number=number)
    yes_value = ids.encode_value(number=clip(guess, 40), intent=clip(intent, 60))
    return message(
        line,
        [
            section(line),
            context(texts.DID_YOU_MEAN_WHY),
            actions(
                button(texts.YES, action_id=ids.NUMBER_CONFIRM_YES, value=yes_value,
                       style="primary"),
                button(texts.NO, action_id=ids.NUMBER_CONFIRM_NO,
                       value=ids.encode_value(intent=clip(intent, 60))),
            ),
        ],
    )


def clarify_choices(candidates: list[tuple[str, float]]) -> list[str]:
    """The intents a clarify offers, in button order (out of scope and unknown ones left out)."""
    ranked = sorted(candidates, key=lambda c: c[1], reverse=True)
    chosen: list[str] = []
    for intent, _score in ranked:
        if intent == "out_of_scope" or intent in chosen or intent not in texts.INTENT_LABELS:
            continue
        chosen.append(intent)
        if len(chosen) == MAX_CLARIFY_CHOICES:
            break
    return chosen


def clarify_intent(
    candidates: list[tuple[str, float]],
    original_text: str,
    *,
    conversation_id: str | None = None,
) -> Message:
    """Ephemeral or DM: "Did you mean one of these?" with the top 2-3 intents as buttons.

    Each button's value is ``encode_value(intent=…, text=…)``: the original text rides
    along (clipped to 1500 characters) so the chosen handler can act on it without
    state. When ``conversation_id`` is given (text kept in Redis by the handler), the
    value carries ``conversation=`` instead of the text. "Something else" and
    ``out_of_scope`` candidates become the last button ``ids.CLARIFY_NONE``.
    """
    chosen = clarify_choices(candidates)
    carried = (
        {"conversation": clip(conversation_id, 200)}
        if conversation_id
        else {"text": clip(original_text, CLARIFY_TEXT_CHARS)}
    )
    buttons = [
        button(
            texts.intent_label(intent),
            action_id=f"{ids.CLARIFY_CHOICE}_{n}",
            value=ids.encode_value(intent=intent, **carried),
        )
        for n, intent in enumerate(chosen)
    ]
    buttons.append(button(texts.CLARIFY_SOMETHING_ELSE, action_id=ids.CLARIFY_NONE))
    quoted = safe(one_line(original_text), _QUOTE_CHARS)
    blocks: list[Block | None] = [
        section(texts.CLARIFY_QUESTION),
        context(f"{texts.CLARIFY_YOU_SAID} “{quoted}”"),
        DividerBlock(),
        actions(*buttons),
    ]
    return message(texts.CLARIFY_QUESTION, blocks)
