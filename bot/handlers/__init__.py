"""Use cases: plain async functions over a ``Turn``; and the tables the router and the
listeners dispatch on.

Each use-case module exports up to four tables and this package merges them:
``COMMANDS`` (a command kind of ``bot.grammar`` → its use case; intents map onto the
same kinds), ``ACTIONS`` (a button's ``action_id`` → use case), ``VIEWS`` (a modal's
``callback_id`` → validate-then-run pair) and ``SHORTCUTS`` (a shortcut's
``callback_id`` → use case). Link buttons (``*_link``) need only the ack and are not
listed. A kind or id claimed by two modules is a bug, caught at import. The buttons
that re-route (``bot.clarify``) sit beside the router, which imports these tables;
``bot.dispatch`` adds them for the listeners.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import TypeVar

from bot.handlers import (
    account,
    confirmed,
    conversation,
    dialogue,
    feedback,
    incidents,
    reopen,
    setup,
    troubleshoot,
    updates,
    writes,
)
from bot.turn import ActionHandler, CommandHandler, ShortcutHandler, ViewHandler

MODULES: tuple[ModuleType, ...] = (
    account,
    conversation,
    incidents,
    writes,
    updates,
    reopen,
    confirmed,
    dialogue,
    feedback,
    setup,
    troubleshoot,
)

T = TypeVar("T")


def merged(table: str, modules: tuple[ModuleType, ...]) -> dict[str, T]:
    """The entries of ``table`` in every module of ``modules`` (a key claimed twice raises)."""
    merged: dict[str, T] = {}
    for module in modules:
        entries: Mapping[str, T] = getattr(module, table, {})
        for key, value in entries.items():
            if key in merged:
                msg = f"{table} entry {key!r} is claimed twice (again by {module.__name__})"
                raise RuntimeError(msg)
            merged[key] = value
    return merged


COMMANDS: dict[str, CommandHandler] = merged("COMMANDS", MODULES)
ACTIONS: dict[str, ActionHandler] = merged("ACTIONS", MODULES)
VIEWS: dict[str, ViewHandler] = merged("VIEWS", MODULES)
SHORTCUTS: dict[str, ShortcutHandler] = merged("SHORTCUTS", MODULES)
