"""Guided setup of the workspace's ServiceNow connection (admins only)."""

from __future__ import annotations

from bot.interactions import ActionHandler, CommandHandler, ShortcutHandler, ViewHandler

COMMANDS: dict[str, CommandHandler] = {}
ACTIONS: dict[str, ActionHandler] = {}
VIEWS: dict[str, ViewHandler] = {}
SHORTCUTS: dict[str, ShortcutHandler] = {}
