"""Thin Bolt registrations: ack, parse the payload into models, hand over one use case."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.container import Container
from bot.listeners import commands, events, interactive
from bot.listeners.middleware import register_middleware


def register_all(bolt: AsyncApp, c: Container) -> None:
    """Install the middleware and every listener on ``bolt``."""
    register_middleware(bolt, c)
    commands.register(bolt, c)
    events.register(bolt, c)
    interactive.register(bolt, c)
