"""The tables the listeners dispatch on: every use case's, and the re-routing buttons.

``bot.handlers`` merges the use-case modules' tables (the router imports them);
``bot.clarify`` answers the bot's own questions by routing again, so it sits above the
router and its buttons are added here. Views and shortcuts are the handlers' own.
"""

from __future__ import annotations

from bot import clarify
from bot.handlers import MODULES, SHORTCUTS, VIEWS, merged
from bot.turn import ActionHandler

ACTIONS: dict[str, ActionHandler] = merged("ACTIONS", (*MODULES, clarify))

__all__ = ["ACTIONS", "SHORTCUTS", "VIEWS"]
