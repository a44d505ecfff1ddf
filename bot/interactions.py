"""Button presses and modal submissions, parsed from Slack's payloads.

Listeners parse a ``block_actions`` or ``view_submission`` payload into ``Action`` or
``Submission`` (``bot.turn``) and look its id up in the tables the handler modules
export (``ACTIONS`` and ``VIEWS``).
"""

from __future__ import annotations

from typing import Any

from bot.turn import Action, Submission


def action_from(body: dict[str, Any]) -> Action | None:
    """The first action of a ``block_actions`` payload."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return None
    first = actions[0]
    value = first.get("value")
    if value is None and isinstance(first.get("selected_option"), dict):
        value = first["selected_option"].get("value")
    message = body.get("message")
    view = body.get("view")
    return Action(
        action_id=str(first.get("action_id") or ""),
        value=str(value or ""),
        block_id=str(first.get("block_id") or ""),
        message_ts=str(message.get("ts")) if isinstance(message, dict) else None,
        view_id=str(view.get("id")) if isinstance(view, dict) else None,
        private_metadata=str(view.get("private_metadata") or "") if isinstance(view, dict) else "",
    )


def _input_value(element: dict[str, Any]) -> str | list[str] | None:
    kind = element.get("type")
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        value = element.get("value")
        return str(value) if value is not None else None
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = element.get("selected_option")
        return str(option.get("value")) if isinstance(option, dict) else None
    if kind in ("checkboxes", "multi_static_select"):
        options = element.get("selected_options") or []
        return [str(o.get("value")) for o in options if isinstance(o, dict)]
    if kind == "users_select":
        return str(element.get("selected_user") or "") or None
    if kind == "conversations_select":
        return str(element.get("selected_conversation") or "") or None
    return None


def submission_from(body: dict[str, Any]) -> Submission:
    """A ``view_submission`` payload's inputs, keyed by their action ids."""
    view = body.get("view") if isinstance(body.get("view"), dict) else {}
    assert isinstance(view, dict)
    state = view.get("state") if isinstance(view.get("state"), dict) else {}
    assert isinstance(state, dict)
    values: dict[str, str | list[str] | None] = {}
    blocks = state.get("values") if isinstance(state.get("values"), dict) else {}
    assert isinstance(blocks, dict)
    for elements in blocks.values():
        if isinstance(elements, dict):
            for action_id, element in elements.items():
                if isinstance(element, dict):
                    values[str(action_id)] = _input_value(element)
    return Submission(
        callback_id=str(view.get("callback_id") or ""),
        view_id=str(view.get("id") or ""),
        private_metadata=str(view.get("private_metadata") or ""),
        values=values,
    )
