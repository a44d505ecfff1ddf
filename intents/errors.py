"""Errors of the intent engine.

``intents`` imports nothing from ``bot``; the bot's composition root translates these
into its own tree (``bot.errors.IntentModelError``) at the edge.

    IntentError
    ├── IntentModelError     the model file is missing, unreadable, or stale
    │                        (scikit-learn version or training-data hash differ)
    └── IntentDataError      a training or evaluation file that cannot be used
"""

from __future__ import annotations


class IntentError(Exception):
    """Root of the intent engine's operational errors."""


class IntentModelError(IntentError):
    """The intent model is missing, unreadable, or does not match its data or library."""


class IntentDataError(IntentError):
    """A JSON Lines file of utterances that cannot be used (bad line, missing field)."""
