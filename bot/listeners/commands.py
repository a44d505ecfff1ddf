"""``/snow``: ack at once (help inline, modals opened straight away), then route."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.blocks import help_message
from bot.container import Container
from bot.grammar import parse_snow
from bot.listeners.payloads import command_origin, slack_user
from bot.listeners.runner import run_turn
from bot.reply import SlackReply
from bot.router import Turn, route_command


def register(bolt: AsyncApp, c: Container) -> None:
    """Register the ``/snow`` slash command."""

    @bolt.command("/snow")
    async def snow(ack: AsyncAck, body: dict[str, Any]) -> None:
        command = parse_snow(str(body.get("text") or ""), digits=c.settings.incident_digits)
        if command.kind == "help":
            message = help_message()
            await ack(text=message.text, blocks=message.blocks)
            c.metrics.requests.labels(kind="command", outcome="ok").inc()
            return
        await ack()
        user = slack_user(body)
        reply = SlackReply(client=c.slack, user=user, origin=command_origin(body))
        turn = Turn(c=c, user=user, reply=reply)
        run_turn(
            c,
            kind="command",
            reply=reply,
            work=lambda: route_command(turn, command),
            name=f"snow-{command.kind}",
        )
