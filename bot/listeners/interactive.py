"""Buttons, modals and the message shortcut.

Every interaction is acked, link buttons included (Slack shows a warning otherwise).
Button presses are looked up in ``ACTIONS`` by ``action_id``; modal submissions are
validated in the ack (field errors go back with ``response_action: errors``: the
pure ``validate``, then the handler's ``check`` if it has one) and run after it; the
message shortcut opens its modal at once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import errors
from bot.container import Container
from bot.dispatch import ACTIONS, SHORTCUTS, VIEWS
from bot.interactions import action_from, submission_from
from bot.listeners.payloads import action_origin, shortcut_origin, slack_user, view_origin
from bot.listeners.runner import start_turn

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
        start_turn(
            c,
            user=slack_user(body),
            origin=action_origin(body),
            kind="action",
            name=f"action-{action.action_id}",
            work=lambda turn: handler(turn, action),
        )

    @bolt.view(_ANY)
    async def any_submission(ack: AsyncAck, body: dict[str, Any]) -> None:
        submission = submission_from(body)
        handler = VIEWS.get(submission.callback_id)
        if handler is None:
            await ack()
            log.info("no handler for view %s", submission.callback_id)
            return
        problems = handler.validate(submission, c.settings)
        if not problems and handler.check is not None:
            try:
                problems = await handler.check(c, slack_user(body), submission)
            except errors.BotError as exc:
                # The run step meets the same failure and tells the user in a sentence.
                log.warning("a modal's check failed in the ack: %s", exc.__class__.__name__)
        if problems:
            await ack(response_action="errors", errors=problems)
            return
        await ack()
        start_turn(
            c,
            user=slack_user(body),
            origin=view_origin(body),
            kind="view",
            name=f"view-{submission.callback_id}",
            work=lambda turn: handler.run(turn, submission),
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
        message = body.get("message") if isinstance(body.get("message"), dict) else {}
        assert isinstance(message, dict)
        channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
        assert isinstance(channel, dict)
        start_turn(
            c,
            user=slack_user(body),
            origin=shortcut_origin(body),
            kind="shortcut",
            name=f"shortcut-{callback_id}",
            work=lambda turn: handler(
                turn,
                text=str(message.get("text") or ""),
                channel_id=str(channel.get("id") or ""),
                message_ts=str(message.get("ts") or ""),
            ),
        )
