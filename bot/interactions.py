"""Button presses and modal submissions, as the use cases see them.

Listeners parse a ``block_actions`` or ``view_submission`` payload into ``Action`` or
``Submission`` and look its id up in the tables the handler modules export
(``ACTIONS`` and ``VIEWS``). A view handler is two steps because Slack wants
validation errors in the ack (within 3 seconds), before any slow work:
``validate`` is pure (given the settings) and returns the field errors (block id →
sentence) or nothing;
``run`` does the work after the ack.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from bot.container import Container
    from bot.grammar import SnowCommand
    from bot.models import SlackUser
    from bot.router import Turn
    from bot.settings import Settings


class Action(BaseModel):
    """One button press (or select) of one user."""

    model_config = ConfigDict(frozen=True)

    action_id: str
    value: str = ""
    block_id: str = ""
    message_ts: str | None = None
    view_id: str | None = None
    private_metadata: str = ""


class Submission(BaseModel):
    """One modal submission: its inputs flattened to ``action_id → value``."""

    model_config = ConfigDict(frozen=True)

    callback_id: str
    view_id: str = ""
    private_metadata: str = ""
    values: dict[str, str | list[str] | None] = {}

    def text(self, action_id: str) -> str:
        """The input's text, stripped ('' when empty or not a text)."""
        value = self.values.get(action_id)
        return value.strip() if isinstance(value, str) else ""

    def choices(self, action_id: str) -> list[str]:
        """The selected values of a multi-choice input (checkboxes)."""
        value = self.values.get(action_id)
        if isinstance(value, list):
            return value
        return [value] if isinstance(value, str) and value else []


ActionHandler = Callable[["Turn", Action], Awaitable[None]]
CommandHandler = Callable[["Turn", "SnowCommand"], Awaitable[None]]


ViewCheck = Callable[["Container", "SlackUser", Submission], Awaitable[dict[str, str]]]


@dataclass(frozen=True)
class ViewHandler:
    """Validate in the ack, then run after it.

    ``check``, when given, also runs in the ack, after ``validate`` found nothing: it may
    read settings and the store (a quick Redis read, never ServiceNow), for field errors
    that keep the modal open with what was typed.
    """

    validate: Callable[[Submission, Settings], dict[str, str]]
    run: Callable[[Turn, Submission], Awaitable[None]]
    check: ViewCheck | None = None


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


class ShortcutHandler(Protocol):
    """A message shortcut's use case: the message's text and where it was."""

    def __call__(
        self, turn: Turn, *, text: str, channel_id: str, message_ts: str
    ) -> Awaitable[None]: ...
