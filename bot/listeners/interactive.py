"""Buttons, modals and the message shortcut.

Every interaction is acked, link buttons included (Slack shows a warning otherwise).
Button presses are looked up in ``ACTIONS`` by ``action_id``; modal submissions are
validated in the ack (field errors go back with ``response_action: errors``) and
run after it; the message shortcut opens its modal at once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.container import Container
from bot.handlers import ACTIONS, SHORTCUTS, VIEWS
from bot.interactions import action_from, submission_from
from bot.listeners.payloads import action_origin, shortcut_origin, slack_user, view_origin
from bot.listeners.runner import run_turn
from bot.reply import SlackReply
from bot.router import Turn

log = logging.getLogger(__name__)

_ANY = re.compile(".*")


def register(bolt: AsyncApp, c: Container) -> None:
    """Register the action, view and shortcut listeners."""

    @bolt.action(_ANY)
    async def any_action(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        action = action_from(body)
        if action is None:
            return
        handler = ACTIONS.get(action.action_id)
        if handler is None:
            # Link buttons only need the ack; anything else unknown is logged.
            if not action.action_id.endswith("_link"):
                log.info("no handler for action %s", action.action_id)
            return
        user = slack_user(body)
        reply = SlackReply(client=c.slack, user=user, origin=action_origin(body))
        turn = Turn(c=c, user=user, reply=reply)
        run_turn(
            c,
            kind="action",
            reply=reply,
            work=lambda: handler(turn, action),
            name=f"action-{action.action_id}",
        )

    @bolt.view(_ANY)
    async def any_submission(ack: AsyncAck, body: dict[str, Any]) -> None:
        submission = submission_from(body)
        handler = VIEWS.get(submission.callback_id)
        if handler is None:
            await ack()
            log.info("no handler for view %s", submission.callback_id)
            return
        problems = handler.validate(submission)
        if problems:
            await ack(response_action="errors", errors=problems)
            return
        await ack()
        user = slack_user(body)
        reply = SlackReply(client=c.slack, user=user, origin=view_origin(body))
        turn = Turn(c=c, user=user, reply=reply)
        run_turn(
            c,
            kind="view",
            reply=reply,
            work=lambda: handler.run(turn, submission),
            name=f"view-{submission.callback_id}",
        )

    @bolt.view_closed(_ANY)
    async def any_closed(ack: AsyncAck) -> None:
        await ack()

    @bolt.shortcut(_ANY)
    async def any_shortcut(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        callback_id = str(body.get("callback_id") or "")
        handler = SHORTCUTS.get(callback_id)
        if handler is None:
            log.info("no handler for shortcut %s", callback_id)
            return
        user = slack_user(body)
        reply = SlackReply(client=c.slack, user=user, origin=shortcut_origin(body))
        turn = Turn(c=c, user=user, reply=reply)
        message = body.get("message") if isinstance(body.get("message"), dict) else {}
        assert isinstance(message, dict)
        channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
        assert isinstance(channel, dict)
        run_turn(
            c,
            kind="shortcut",
            reply=reply,
            work=lambda: handler(
                turn,
                text=str(message.get("text") or ""),
                channel_id=str(channel.get("id") or ""),
                message_ts=str(message.get("ts") or ""),
            ),
            name=f"shortcut-{callback_id}",
        )
