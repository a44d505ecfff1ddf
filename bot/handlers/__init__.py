"""Use cases: plain async functions over a ``Turn``; and the tables the router and the
listeners dispatch on.

Each use-case module exports up to four tables and this package merges them:
``COMMANDS`` (a command kind of ``bot.grammar`` → its use case; intents map onto the
same kinds), ``ACTIONS`` (a button's ``action_id`` → use case), ``VIEWS`` (a modal's
``callback_id`` → validate-then-run pair) and ``SHORTCUTS`` (a shortcut's
``callback_id`` → use case). Link buttons (``*_link``) need only the ack and are not
listed. A kind or id claimed by two modules is a bug, caught at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import TypeVar

from bot.handlers import (
    account,
    clarify,
    confirm,
    conversation,
    dialogue,
    feedback,
    incidents,
    notify,
    notify_setup,
    reopen,
    setup,
    troubleshoot,
    updates,
    writes,
)
from bot.interactions import ActionHandler, CommandHandler, ShortcutHandler, ViewHandler

_MODULES: tuple[ModuleType, ...] = (
    account,
    conversation,
    incidents,
    writes,
    updates,
    reopen,
    confirm,
    dialogue,
    clarify,
    feedback,
    setup,
    troubleshoot,
    notify,
    notify_setup,
)

T = TypeVar("T")


def _merge(table: str) -> dict[str, T]:
    merged: dict[str, T] = {}
    for module in _MODULES:
        entries: Mapping[str, T] = getattr(module, table, {})
        for key, value in entries.items():
            if key in merged:
                msg = f"{table} entry {key!r} is claimed twice (again by {module.__name__})"
                raise RuntimeError(msg)
            merged[key] = value
    return merged


COMMANDS: dict[str, CommandHandler] = _merge("COMMANDS")
ACTIONS: dict[str, ActionHandler] = _merge("ACTIONS")
VIEWS: dict[str, ViewHandler] = _merge("VIEWS")
SHORTCUTS: dict[str, ShortcutHandler] = _merge("SHORTCUTS")
