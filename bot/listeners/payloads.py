"""Slack payloads → domain models: who asked, and where the answer goes.

Listeners call these once and hand the models to the use cases, which never see a
Slack body.
"""

from __future__ import annotations

from typing import Any

from bot.models import SlackUser
from bot.reply import Origin


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _enterprise(body: dict[str, Any]) -> str | None:
    enterprise = body.get("enterprise")
    if isinstance(enterprise, dict):
        return _str(enterprise.get("id"))
    return _str(body.get("enterprise_id"))


def _team(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body.get("team_id") or "")


def slack_user(body: dict[str, Any]) -> SlackUser:
    """The Slack user who sent a command, an event or an interaction."""
    user = body.get("user")
    if isinstance(user, dict):
        user_id = str(user.get("id") or "")
    elif isinstance(user, str):
        user_id = user
    else:
        user_id = str(body.get("user_id") or "")
    event = body.get("event")
    if not user_id and isinstance(event, dict):
        user_id = str(event.get("user") or "")
    return SlackUser(enterprise_id=_enterprise(body), team_id=_team(body), user_id=user_id)


def command_origin(body: dict[str, Any]) -> Origin:
    """Where a slash command's answers go (its response_url, ephemeral)."""
    channel_name = str(body.get("channel_name") or "")
    return Origin(
        kind="command",
        channel_id=_str(body.get("channel_id")),
        channel_is_dm=channel_name == "directmessage",
        response_url=_str(body.get("response_url")),
        trigger_id=_str(body.get("trigger_id")),
    )


def message_origin(event: dict[str, Any]) -> Origin:
    """Where the answer to a DM or a mention goes."""
    is_dm = event.get("channel_type") == "im"
    return Origin(
        kind="dm" if is_dm else "mention",
        channel_id=_str(event.get("channel")),
        channel_is_dm=is_dm,
        thread_ts=_str(event.get("thread_ts")),
        message_ts=_str(event.get("ts")),
    )


def action_origin(body: dict[str, Any]) -> Origin:
    """Where the answer to a button press goes (message buttons: their response_url)."""
    channel = body.get("channel")
    container = body.get("container")
    view = body.get("view")
    channel_id = _str(channel.get("id")) if isinstance(channel, dict) else None
    channel_is_dm = bool(channel_id and channel_id.startswith("D"))
    if isinstance(container, dict) and container.get("is_ephemeral") is not None:
        channel_id = channel_id or _str(container.get("channel_id"))
    message = body.get("message")
    thread_ts = _str(message.get("thread_ts")) if isinstance(message, dict) else None
    return Origin(
        kind="home" if isinstance(view, dict) and view.get("type") == "home" else "action",
        channel_id=channel_id,
        channel_is_dm=channel_is_dm,
        thread_ts=thread_ts,
        response_url=_str(body.get("response_url")),
        trigger_id=_str(body.get("trigger_id")),
        view_id=_str(view.get("id")) if isinstance(view, dict) else None,
    )


def view_origin(body: dict[str, Any]) -> Origin:
    """Where the answer to a modal submission goes (the user's DM)."""
    view = body.get("view")
    return Origin(
        kind="view",
        trigger_id=_str(body.get("trigger_id")),
        view_id=_str(view.get("id")) if isinstance(view, dict) else None,
    )


def shortcut_origin(body: dict[str, Any]) -> Origin:
    """Where the answer to a message shortcut goes."""
    channel = body.get("channel")
    channel_id = _str(channel.get("id")) if isinstance(channel, dict) else None
    return Origin(
        kind="shortcut",
        channel_id=channel_id,
        channel_is_dm=bool(channel_id and channel_id.startswith("D")),
        response_url=_str(body.get("response_url")),
        trigger_id=_str(body.get("trigger_id")),
    )
