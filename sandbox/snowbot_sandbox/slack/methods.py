"""The Web API methods of the Slack stand-in: Slack's answers and error codes for each.

Each handler takes the sandbox and the decoded arguments and returns the JSON answer.
Supported: auth.test, chat.postMessage, chat.postEphemeral, chat.update, chat.delete,
chat.getPermalink, views.open, views.push, views.update, views.publish,
conversations.open, conversations.info, users.info, users.lookupByEmail. Anything else is
``unknown_method``.
``apply_view_ack``/``close_modal`` keep the modal stacks as Slack does after a submission.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from snowbot_sandbox.slack.directory import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_NAME,
    dm_channel_id,
)
from snowbot_sandbox.slack.limits import check_message, check_view
from snowbot_sandbox.slack.records import Message, View, new_hash, new_id, with_ids

if TYPE_CHECKING:
    from snowbot_sandbox.slack.webapi import SlackSandbox

Answer = dict[str, Any]
MAX_MODAL_STACK = 3


def _error(code: str, details: list[str] | None = None) -> Answer:
    answer: Answer = {"ok": False, "error": code}
    if details:
        answer["response_metadata"] = {"messages": details}
    return answer


def _str(args: dict[str, Any], key: str) -> str | None:
    value = args.get(key)
    if value is None or value == "":
        return None
    return str(value)


def auth_test(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Who the token belongs to."""
    return {"ok": True, "url": f"https://{TEAM_DOMAIN}.slack.com/", "team": TEAM_NAME,
            "user": "snowbot", "team_id": sb.team_id, "user_id": BOT_USER_ID,
            "bot_id": BOT_ID, "is_enterprise_install": False}


def _message_problem(args: dict[str, Any]) -> Answer | None:
    if args.get("text") in (None, "") and not args.get("blocks") and not args.get("attachments"):
        return _error("no_text")
    problem = check_message(text=args.get("text"), blocks=args.get("blocks"))
    return _error(*problem) if problem is not None else None


def chat_post_message(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Post as the bot; a user id as channel posts to the bot's DM with that user."""
    channel = sb.directory.resolve_channel(_str(args, "channel") or "")
    if channel is None:
        return _error("channel_not_found")
    if BOT_USER_ID not in channel.members:
        return _error("not_in_channel")
    problem = _message_problem(args)
    if problem is not None:
        return problem
    message = sb.add_message(Message(
        channel=channel.id, ts=sb.new_ts(), user=BOT_USER_ID, text=_str(args, "text"),
        blocks=list(args.get("blocks") or []), source="chat.postMessage", seq=sb.next_seq(),
        thread_ts=_str(args, "thread_ts")))
    return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.to_api()}


def chat_post_ephemeral(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Post a message only ``user`` sees; they must be in the channel."""
    channel = sb.directory.resolve_channel(_str(args, "channel") or "")
    if channel is None:
        return _error("channel_not_found")
    user = _str(args, "user")
    if user is None or user not in sb.users:
        return _error("user_not_found")
    if user not in channel.members:
        return _error("user_not_in_channel")
    problem = _message_problem(args)
    if problem is not None:
        return problem
    message = sb.add_message(Message(
        channel=channel.id, ts=sb.new_ts(), user=BOT_USER_ID, text=_str(args, "text"),
        blocks=list(args.get("blocks") or []), source="chat.postEphemeral",
        seq=sb.next_seq(), thread_ts=_str(args, "thread_ts"), ephemeral_to=user))
    return {"ok": True, "message_ts": message.ts}


def _own_message(sb: SlackSandbox, args: dict[str, Any], ts_key: str
                 ) -> tuple[Message | None, Answer | None]:
    channel = sb.directory.resolve_channel(_str(args, "channel") or "")
    if channel is None:
        return None, _error("channel_not_found")
    message = sb.find_message(channel.id, _str(args, ts_key) or "")
    if message is None or message.ephemeral_to is not None:
        return None, _error("message_not_found")
    return message, None


def chat_update(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Replace the text/blocks of one of the bot's messages (ephemerals cannot be updated)."""
    message, problem = _own_message(sb, args, "ts")
    if message is None:
        return problem or _error("message_not_found")
    if message.user != BOT_USER_ID:
        return _error("cant_update_message")
    problem = _message_problem(args)
    if problem is not None:
        return problem
    message.text = _str(args, "text")
    message.blocks = with_ids(list(args.get("blocks") or []))
    message.seq = sb.next_seq()
    return {"ok": True, "channel": message.channel, "ts": message.ts,
            "text": message.text or "", "message": message.to_api()}


def chat_delete(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Delete one of the bot's messages."""
    message, problem = _own_message(sb, args, "ts")
    if message is None:
        return problem or _error("message_not_found")
    if message.user != BOT_USER_ID:
        return _error("cant_delete_message")
    message.deleted = True
    return {"ok": True, "channel": message.channel, "ts": message.ts}


def chat_get_permalink(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """A permalink to a message."""
    message, problem = _own_message(sb, args, "message_ts")
    if message is None:
        return problem or _error("message_not_found")
    link = f"https://{TEAM_DOMAIN}.slack.com/archives/{message.channel}/p" + \
        message.ts.replace(".", "")
    return {"ok": True, "channel": message.channel, "permalink": link}


def _view_arg(args: dict[str, Any]) -> tuple[dict[str, Any] | None, Answer | None]:
    view = args.get("view")
    problem = check_view(view)
    if problem is not None:
        return None, _error(*problem)
    assert isinstance(view, dict)  # check_view refuses anything else
    payload = copy.deepcopy(view)
    payload["blocks"] = with_ids(payload.get("blocks") or [])
    return payload, None


def views_open(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Open a modal for the user the trigger_id belongs to (a new stack)."""
    user = sb.check_trigger(args.get("trigger_id"))
    if user is None:
        return _error("expired_trigger_id")
    payload, problem = _view_arg(args)
    if payload is None:
        return problem or _error("invalid_arguments")
    if payload.get("type") != "modal":
        return _error("invalid_arguments", ["[ERROR] must be modal [json-pointer:/view/type]"])
    for view_id in sb.modal_stacks.get(user, []):
        sb.views[view_id].closed = True
    view = View(id=new_id("V"), user=user, team_id=sb.team_id, payload=payload,
                seq=sb.next_seq())
    sb.views[view.id] = view
    sb.modal_stacks[user] = [view.id]
    return {"ok": True, "view": view.to_api()}


def views_push(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Push a modal onto the user's open stack (at most three views)."""
    user = sb.check_trigger(args.get("trigger_id"))
    if user is None:
        return _error("expired_trigger_id")
    stack = sb.modal_stacks.get(user, [])
    if len(stack) >= MAX_MODAL_STACK:
        return _error("push_limit_reached")
    payload, problem = _view_arg(args)
    if payload is None:
        return problem or _error("invalid_arguments")
    root = stack[0] if stack else None
    view = View(id=new_id("V"), user=user, team_id=sb.team_id, payload=payload,
                seq=sb.next_seq(), root_view_id=root,
                previous_view_id=stack[-1] if stack else None)
    sb.views[view.id] = view
    sb.modal_stacks[user] = [*stack, view.id]
    return {"ok": True, "view": view.to_api()}


def views_update(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Replace an open view by ``view_id`` or ``external_id``; a stale ``hash`` conflicts."""
    view_id, external_id = _str(args, "view_id"), _str(args, "external_id")
    view = sb.views.get(view_id or "")
    if view is None and external_id is not None:
        view = next((v for v in sb.views.values()
                     if v.payload.get("external_id") == external_id), None)
    if view is None or view.closed:
        return _error("not_found")
    wanted_hash = _str(args, "hash")
    if wanted_hash is not None and wanted_hash != view.hash:
        return _error("hash_conflict")
    payload, problem = _view_arg(args)
    if payload is None:
        return problem or _error("invalid_arguments")
    view.payload, view.hash, view.seq, view.errors = payload, new_hash(), sb.next_seq(), {}
    return {"ok": True, "view": view.to_api()}


def views_publish(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Publish a user's Home tab."""
    user = _str(args, "user_id")
    if user is None or user not in sb.users:
        return _error("user_not_found")
    payload, problem = _view_arg(args)
    if payload is None:
        return problem or _error("invalid_arguments")
    if payload.get("type") != "home":
        return _error("invalid_arguments", ["[ERROR] must be home [json-pointer:/view/type]"])
    current = sb.views.get(sb.home_views.get(user, ""))
    wanted_hash = _str(args, "hash")
    if current is not None and wanted_hash is not None and wanted_hash != current.hash:
        return _error("hash_conflict")
    if current is None:
        current = View(id=new_id("V"), user=user, team_id=sb.team_id, payload=payload,
                       seq=sb.next_seq())
        sb.views[current.id] = current
        sb.home_views[user] = current.id
    else:
        current.payload, current.hash, current.seq = payload, new_hash(), sb.next_seq()
    return {"ok": True, "view": current.to_api()}


def conversations_open(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """Open (or find) the bot's DM with one user."""
    users = [u for u in (_str(args, "users") or "").split(",") if u]
    if not users:
        channel = sb.directory.resolve_channel(_str(args, "channel") or "")
        if channel is None:
            return _error("channel_not_found")
        return {"ok": True, "channel": {"id": channel.id}}
    if len(users) > 1:
        return _error("not_supported_in_sandbox")
    user = sb.users.get(users[0])
    if user is None:
        return _error("user_not_found")
    if user.deleted:
        return _error("user_disabled")
    return {"ok": True, "channel": {"id": dm_channel_id(user.id)}}


def conversations_info(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """A conversation's id and name (public channels and the bot's DMs)."""
    channel = sb.directory.channels.get(_str(args, "channel") or "")
    if channel is None:
        return _error("channel_not_found")
    return {"ok": True, "channel": {"id": channel.id, "name": channel.name,
                                    "is_channel": not channel.is_im, "is_im": channel.is_im}}


def users_info(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """A user's profile, flags and team."""
    user = sb.users.get(_str(args, "user") or "")
    if user is None:
        return _error("user_not_found")
    return {"ok": True, "user": user.to_api()}


def users_lookup_by_email(sb: SlackSandbox, args: dict[str, Any]) -> Answer:
    """The user with this profile email."""
    user = sb.directory.by_email(_str(args, "email") or "")
    if user is None:
        return _error("users_not_found")
    return {"ok": True, "user": user.to_api()}


def apply_view_ack(sb: SlackSandbox, *, user_id: str, view: View, ack: dict[str, Any]) -> None:
    """Do what Slack does with a ``view_submission`` ack's ``response_action``.

    A view the stand-in would refuse is not applied; the reason goes to ``ack_problems``.
    """
    action = ack.get("response_action")
    if action == "errors":
        errors = ack.get("errors")
        view.errors = dict(errors) if isinstance(errors, dict) else {}
        view.seq = sb.next_seq()
        return
    if action in ("update", "push"):
        problem = check_view(ack.get("view"))
        if problem is not None:
            sb.ack_problems.append(f"{action}: {problem[0]} {problem[1]}")
            return
        payload = dict(ack["view"])
        payload["blocks"] = with_ids(payload.get("blocks") or [])
        if action == "update":
            view.payload, view.hash, view.seq, view.errors = payload, new_hash(), \
                sb.next_seq(), {}
            return
        stack = sb.modal_stacks.setdefault(user_id, [])
        pushed = View(id=new_id("V"), user=user_id, team_id=sb.team_id, payload=payload,
                      seq=sb.next_seq(), root_view_id=stack[0] if stack else None,
                      previous_view_id=view.id)
        sb.views[pushed.id] = pushed
        stack.append(pushed.id)
        return
    if action == "clear":
        for view_id in sb.modal_stacks.pop(user_id, []):
            sb.views[view_id].closed = True
        return
    close_modal(sb, user_id=user_id, view=view)


def close_modal(sb: SlackSandbox, *, user_id: str, view: View) -> None:
    """Close ``view`` (and anything pushed above it) in the user's stack."""
    stack = sb.modal_stacks.get(user_id, [])
    if view.id in stack:
        for view_id in stack[stack.index(view.id):]:
            sb.views[view_id].closed = True
        del stack[stack.index(view.id):]
    view.closed = True
    if not stack:
        sb.modal_stacks.pop(user_id, None)


HANDLERS: dict[str, Callable[[SlackSandbox, dict[str, Any]], Answer]] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
}
