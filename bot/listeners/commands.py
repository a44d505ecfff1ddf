"""``/snow``: ack at once (help inline, modals opened straight away), then route.

The help message is the same for everyone, so it is built once, at registration
(building its Block Kit per request cost as much CPU as the rest of the ack path), and
so is the counter it ticks.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.blocks import help_message
from bot.container import Container
from bot.grammar import parse_snow
from bot.listeners.payloads import command_origin, slack_user
from bot.listeners.runner import start_turn
from bot.router import route_command


def register(bolt: AsyncApp, c: Container) -> None:
    """Register the ``/snow`` slash command."""
    help_ack = help_message()
    help_answered = c.metrics.requests.labels(kind="command", outcome="ok")

    @bolt.command("/snow")
    async def snow(ack: AsyncAck, body: dict[str, Any]) -> None:
        command = parse_snow(str(body.get("text") or ""), digits=c.settings.incident_digits)
        if command.kind == "help":
            await ack(text=help_ack.text, blocks=help_ack.blocks)
            help_answered.inc()
            return
        await ack()
        start_turn(
            c,
            user=slack_user(body),
            origin=command_origin(body),
            kind="command",
            name=f"snow-{command.kind}",
            work=lambda turn: route_command(turn, command),
        )
