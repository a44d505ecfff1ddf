"""Block Kit renders as readable text, and buttons are found by label."""

from __future__ import annotations

from typing import Any

from snowbot_sandbox.slack import find_button, render_blocks, render_view
from snowbot_sandbox.slack.interaction import state_values

MESSAGE: list[dict[str, Any]] = [
    {"type": "header", "text": {"type": "plain_text", "text": "INC0010001"}},
    {"type": "section", "text": {"type": "mrkdwn",
                                 "text": "*Email down* &amp; <https://x.example/i|open it>"},
     "fields": [{"type": "mrkdwn", "text": "*State:* In Progress"},
                {"type": "mrkdwn", "text": "*Priority:* 2 - High"}]},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Updated by <@U0BETH>"},
                                     {"type": "image", "image_url": "https://x.example/a.png",
                                      "alt_text": "avatar"}]},
    {"type": "divider"},
    {"type": "image", "image_url": "https://x.example/b.png", "alt_text": "a chart"},
    {"type": "actions", "block_id": "acts", "elements": [
        {"type": "button", "action_id": "comment", "value": "INC0010001",
         "text": {"type": "plain_text", "text": "Add comment"}},
        {"type": "button", "action_id": "close", "style": "danger",
         "text": {"type": "plain_text", "text": "Ask to close"}}]},
]

MODAL: dict[str, Any] = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "New incident"},
    "submit": {"type": "plain_text", "text": "Create"},
    "close": {"type": "plain_text", "text": "Cancel"},
    "blocks": [
        {"type": "input", "label": {"type": "plain_text", "text": "Short description"},
         "element": {"type": "plain_text_input", "action_id": "d",
                     "initial_value": "Laptop won't boot"}},
        {"type": "input", "optional": True, "label": {"type": "plain_text", "text": "Urgency"},
         "element": {"type": "static_select", "action_id": "u",
                     "placeholder": {"type": "plain_text", "text": "Choose"},
                     "options": [{"text": {"type": "plain_text", "text": "High"},
                                  "value": "1"}]}},
    ],
}


def test_message_renders_as_text() -> None:
    """A representative incident card renders header, text, fields, context, image, buttons."""
    assert render_blocks(MESSAGE) == "\n".join([
        "# INC0010001",
        "*Email down* & open it (https://x.example/i)",
        "  *State:* In Progress",
        "  *Priority:* 2 - High",
        "Updated by @U0BETH  ·  [image: avatar]",
        "---",
        "[image: a chart]",
        "[Add comment] [Ask to close]",
    ])


def test_modal_renders_title_fields_and_buttons() -> None:
    """A modal renders its title, inputs as field lines, and Submit/Close."""
    assert render_view(MODAL) == "\n".join([
        "== New incident ==",
        "field Short description: Laptop won't boot",
        "field Urgency (optional): <Choose>",
        "[Create] [Cancel]",
    ])


def test_text_is_the_fallback_without_blocks() -> None:
    """Without blocks, the message text is rendered."""
    assert render_blocks([], text="Hello <!here>") == "Hello @here"


def test_button_accessory_renders_in_brackets() -> None:
    """A section's button accessory renders as [Label] after the text."""
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "Not connected."},
             "accessory": {"type": "button", "action_id": "connect",
                           "text": {"type": "plain_text", "text": "Connect"}}}
    assert render_blocks([block]) == "Not connected.\n[Connect]"


def test_find_button_by_label_ignores_case_and_brackets() -> None:
    """find_button matches '[add COMMENT]' to the Add comment button and gives its ids."""
    found = find_button(MESSAGE, "[add COMMENT]")
    assert found is not None
    assert (found.action_id, found.block_id, found.value) == ("comment", "acts", "INC0010001")


def test_find_button_by_action_id() -> None:
    """find_button also matches an action_id."""
    found = find_button(MESSAGE, "close")
    assert found is not None
    assert found.label == "Ask to close"


def test_state_values_for_radio_and_checkboxes() -> None:
    """Radio buttons take one option by value or label; checkboxes take a list of them."""
    def option(text: str, value: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": text}, "value": value}
    blocks: list[dict[str, Any]] = [
        {"type": "input", "block_id": "rating", "label": {"type": "plain_text", "text": "Rating"},
         "element": {"type": "radio_buttons", "action_id": "r",
                     "options": [option("5 – Excellent", "5"), option("1 – Poor", "1")]}},
        {"type": "input", "block_id": "share", "label": {"type": "plain_text", "text": "Share"},
         "element": {"type": "checkboxes", "action_id": "c",
                     "options": [option("Add as comment", "comment")]}},
    ]
    state = state_values(blocks, {"rating": "5", "Share": ["Add as comment"]})
    assert state["rating"]["r"]["selected_option"]["value"] == "5"
    assert [o["value"] for o in state["share"]["c"]["selected_options"]] == ["comment"]
