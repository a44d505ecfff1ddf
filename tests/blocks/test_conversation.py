"""Help, fallback and the clarifying questions."""

from __future__ import annotations

import json

from bot import texts
from bot.blocks import (
    clarify_intent,
    did_you_mean_number,
    fallback_message,
    help_message,
    ids,
)
from bot.blocks.ids import decode_value
from tests.blocks.scan import mrkdwn_texts, walk


def _buttons(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    return [d for d in walk(blocks) if d.get("type") == "button"]


def test_help_lists_the_whole_snow_grammar() -> None:
    """Help shows every `/snow` form of the grammar, with placeholders escaped."""
    shown = "\n".join(mrkdwn_texts(help_message()))
    for command in (
        "/snow INC0012345", "/snow mine", "/snow new &lt;what's wrong&gt;",
        "/snow comment INC0012345 &lt;text&gt;", "/snow close INC0012345",
        "/snow reopen INC0012345 [reason]", "/snow feedback",
        "/snow connect", "/snow disconnect", "/snow status", "/snow setup", "/snow help",
    ):
        assert command in shown


def test_help_offers_quick_actions() -> None:
    """Help ends with buttons for the most common things."""
    actions = {b["action_id"] for b in _buttons(help_message().blocks)}
    assert {ids.LIST_MINE, ids.NEW_INCIDENT} <= actions


def test_fallback_says_what_the_bot_can_do() -> None:
    """An out-of-scope reply is friendly and names the bot's abilities."""
    msg = fallback_message()
    assert "incidents" in msg.text
    assert "Sorry" in msg.text


def test_did_you_mean_offers_yes_with_number_and_intent() -> None:
    """Yes carries the guessed number and what the user wanted; No the intent only."""
    msg = did_you_mean_number("INC0004521", intent="incident.comment")
    assert "INC0004521" in msg.text
    values = {b["action_id"]: decode_value(str(b["value"])) for b in _buttons(msg.blocks)}
    assert values[ids.NUMBER_CONFIRM_YES] == {"number": "INC0004521", "intent": "incident.comment"}
    assert values[ids.NUMBER_CONFIRM_NO] == {"intent": "incident.comment"}


def test_clarify_offers_top_three_with_human_labels_and_something_else() -> None:
    """The top three become labelled buttons; out_of_scope folds into "Something else"."""
    candidates = [
        ("incident.create", 0.41), ("out_of_scope", 0.3), ("incident.comment", 0.38),
        ("incident.lookup", 0.2), ("help", 0.1),
    ]
    msg = clarify_intent(candidates, "the printer again")
    buttons = _buttons(msg.blocks)
    labels = [b["text"]["text"] for b in buttons]  # type: ignore[index]
    assert labels == [
        texts.INTENT_LABELS["incident.create"],
        texts.INTENT_LABELS["incident.comment"],
        texts.INTENT_LABELS["incident.lookup"],
        texts.CLARIFY_SOMETHING_ELSE,
    ]
    chosen = [b for b in buttons if ids.CLARIFY_CHOICE_PATTERN.match(str(b["action_id"]))]
    assert decode_value(str(chosen[0]["value"])) == {
        "intent": "incident.create", "text": "the printer again"
    }
    assert len({b["action_id"] for b in buttons}) == len(buttons)


def test_clarify_carries_a_conversation_id_instead_of_text_when_given() -> None:
    """With a conversation id, the buttons carry it and not the user's words."""
    msg = clarify_intent([("incident.create", 0.4)], "secret-ish words", conversation_id="c-9")
    dumped = json.dumps([b.get("value") for b in _buttons(msg.blocks)])
    assert "c-9" in dumped
    assert "secret-ish words" not in dumped


def test_clarify_keeps_long_text_within_the_button_value_limit() -> None:
    """A very long message still fits Slack's 2000-character button value."""
    msg = clarify_intent([("incident.create", 0.4)], "x" * 10_000)
    assert all(len(str(b.get("value", ""))) <= 2000 for b in _buttons(msg.blocks))
