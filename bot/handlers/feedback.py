"""Feedback on the bot and the IT service: the modal, ServiceNow's table, the admin summary."""

from __future__ import annotations

from bot.interactions import ActionHandler, CommandHandler, ShortcutHandler, ViewHandler

COMMANDS: dict[str, CommandHandler] = {}
ACTIONS: dict[str, ActionHandler] = {}
VIEWS: dict[str, ViewHandler] = {}
SHORTCUTS: dict[str, ShortcutHandler] = {}
