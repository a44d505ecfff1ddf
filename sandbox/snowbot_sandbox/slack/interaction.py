"""Interactivity payloads as Slack builds them: block_actions, view_submission, view_closed,
message shortcuts; and ``state.values`` from what a test types into a modal's inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from snowbot_sandbox.slack.directory import TEAM_DOMAIN
from snowbot_sandbox.slack.records import Message, View
from snowbot_sandbox.slack.render import Button

if TYPE_CHECKING:
    from snowbot_sandbox.slack.webapi import SlackSandbox

TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
SINGLE_SELECTS = ("static_select", "external_select", "radio_buttons")
MULTI_SELECTS = ("multi_static_select", "multi_external_select", "checkboxes")


def _user(slack: SlackSandbox, user_id: str) -> dict[str, Any]:
    user = slack.users.get(user_id)
    name = user.name if user is not None else user_id.lower()
    team = user.team_id if user is not None else slack.team_id
    return {"id": user_id, "username": name, "name": name, "team_id": team}


def _common(slack: SlackSandbox, *, kind: str, user_id: str, api_app_id: str) -> dict[str, Any]:
    return {
        "type": kind,
        "team": {"id": slack.team_id, "domain": TEAM_DOMAIN},
        "user": _user(slack, user_id),
        "api_app_id": api_app_id,
        "token": "sandbox-verification-token",
        "enterprise": None,
        "is_enterprise_install": False,
    }


def block_actions_payload(*, slack: SlackSandbox, surface: Message | View, button: Button,
                          user_id: str, trigger_id: str, response_url: str | None,
                          api_app_id: str, action_ts: str) -> dict[str, Any]:
    """A ``block_actions`` payload for pressing ``button`` on ``surface``."""
    payload = _common(slack, kind="block_actions", user_id=user_id, api_app_id=api_app_id)
    action: dict[str, Any] = {
        "type": "button", "action_id": button.action_id, "block_id": button.block_id,
        "text": {"type": "plain_text", "text": button.label, "emoji": True},
        "action_ts": action_ts,
    }
    for key in ("value", "url", "style"):
        if button.element.get(key) is not None:
            action[key] = button.element[key]
    payload["actions"] = [action]
    payload["trigger_id"] = trigger_id
    if isinstance(surface, View):
        payload["container"] = {"type": "view", "view_id": surface.id}
        payload["view"] = surface.to_api(state={"values": state_values(surface.blocks, {})})
        payload["state"] = {"values": {}}
        return payload
    payload["container"] = {"type": "message", "message_ts": surface.ts,
                            "channel_id": surface.channel,
                            "is_ephemeral": surface.ephemeral_to is not None}
    payload["channel"] = {"id": surface.channel, "name": _channel_name(slack, surface.channel)}
    if surface.ephemeral_to is None:
        payload["message"] = surface.to_api()
    payload["state"] = {"values": {}}
    payload["response_url"] = response_url
    return payload


def view_submission_payload(*, slack: SlackSandbox, view: View, state: dict[str, Any],
                            user_id: str, trigger_id: str, api_app_id: str) -> dict[str, Any]:
    """A ``view_submission`` payload carrying the typed ``state.values``."""
    payload = _common(slack, kind="view_submission", user_id=user_id, api_app_id=api_app_id)
    payload["trigger_id"] = trigger_id
    payload["view"] = view.to_api(state={"values": state})
    payload["response_urls"] = []
    return payload


def view_closed_payload(*, slack: SlackSandbox, view: View, user_id: str,
                        api_app_id: str) -> dict[str, Any]:
    """A ``view_closed`` payload (sent only when the view asked with ``notify_on_close``)."""
    payload = _common(slack, kind="view_closed", user_id=user_id, api_app_id=api_app_id)
    payload["view"] = view.to_api()
    payload["is_cleared"] = False
    return payload


def message_shortcut_payload(*, slack: SlackSandbox, message: Message, callback_id: str,
                             user_id: str, trigger_id: str, response_url: str,
                             api_app_id: str, action_ts: str) -> dict[str, Any]:
    """A ``message_action`` (message shortcut) payload on ``message``."""
    payload = _common(slack, kind="message_action", user_id=user_id, api_app_id=api_app_id)
    payload.update({
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "action_ts": action_ts,
        "message_ts": message.ts,
        "channel": {"id": message.channel, "name": _channel_name(slack, message.channel)},
        "message": message.to_api(),
    })
    return payload


def global_shortcut_payload(*, slack: SlackSandbox, callback_id: str, user_id: str,
                            trigger_id: str, api_app_id: str, action_ts: str) -> dict[str, Any]:
    """A global ``shortcut`` payload (no channel, no message, no response_url)."""
    payload = _common(slack, kind="shortcut", user_id=user_id, api_app_id=api_app_id)
    payload.update({"callback_id": callback_id, "trigger_id": trigger_id,
                    "action_ts": action_ts})
    return payload


def _channel_name(slack: SlackSandbox, channel_id: str) -> str:
    channel = slack.directory.resolve_channel(channel_id)
    if channel is None or channel.is_im:
        return "directmessage"
    return channel.name


def _label(block: Mapping[str, Any]) -> str:
    label = block.get("label")
    return str(label.get("text", "")) if isinstance(label, Mapping) else ""


def _option(element: Mapping[str, Any], wanted: Any) -> dict[str, Any]:
    """The option of ``element`` whose value or text is ``wanted`` (external: made up)."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        text = option.get("text", {}).get("text")
        if wanted in (option.get("value"), text):
            return dict(option)
    if element.get("type") in ("external_select", "multi_external_select"):
        return {"text": {"type": "plain_text", "text": str(wanted)}, "value": str(wanted)}
    labels = [o.get("text", {}).get("text") for o in options]
    raise LookupError(f"no option {wanted!r}; options: {labels}")


def _entry(element: Mapping[str, Any], value: Any, given: bool) -> dict[str, Any]:
    kind = str(element.get("type"))
    entry: dict[str, Any] = {"type": kind}
    if kind in TEXT_INPUTS:
        entry["value"] = str(value) if given else element.get("initial_value")
    elif kind in SINGLE_SELECTS:
        entry["selected_option"] = _option(element, value) if given and value is not None \
            else element.get("initial_option")
    elif kind in MULTI_SELECTS:
        wanted = value if isinstance(value, list | tuple) else [value]
        entry["selected_options"] = [_option(element, w) for w in wanted] if given \
            else list(element.get("initial_options") or [])
    elif kind == "datepicker":
        entry["selected_date"] = value if given else element.get("initial_date")
    elif kind == "timepicker":
        entry["selected_time"] = value if given else element.get("initial_time")
    elif kind in ("users_select", "conversations_select", "channels_select"):
        key = {"users_select": "user", "conversations_select": "conversation",
               "channels_select": "channel"}[kind]
        entry[f"selected_{key}"] = value if given else element.get(f"initial_{key}")
    else:
        entry["value"] = value if given else None
    return entry


def state_values(blocks: list[dict[str, Any]], values: Mapping[str, Any]) -> dict[str, Any]:
    """``view.state.values`` for ``blocks``: each input gets the value given under its label,
    action_id or block_id (case-insensitive for labels), else its initial value.

    Raises ``LookupError`` when a key names no input, so a typo fails loudly.
    """
    remaining = {str(k).casefold(): v for k, v in values.items()}
    state: dict[str, Any] = {}
    for block in blocks:
        if block.get("type") != "input" or not isinstance(block.get("element"), Mapping):
            continue
        element = block["element"]
        block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
        keys = [_label(block).casefold(), action_id.casefold(), block_id.casefold()]
        key = next((k for k in keys if k in remaining), None)
        value = remaining.pop(key) if key is not None else None
        state.setdefault(block_id, {})[action_id] = _entry(element, value, key is not None)
    if remaining:
        labels = [_label(b) for b in blocks if b.get("type") == "input"]
        raise LookupError(f"no input named {sorted(remaining)}; inputs: {labels}")
    return state
