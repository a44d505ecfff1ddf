"""Troubleshooting a user's own link to ServiceNow."""

from __future__ import annotations

from bot.interactions import ActionHandler, CommandHandler, ShortcutHandler, ViewHandler

COMMANDS: dict[str, CommandHandler] = {}
ACTIONS: dict[str, ActionHandler] = {}
VIEWS: dict[str, ViewHandler] = {}
SHORTCUTS: dict[str, ShortcutHandler] = {}
