"""The rules fast path: messages whose intent is unambiguous skip the model.

A message that is only an incident number (exact or a shorter form) is a lookup; a
message that is only a command word (``help``, ``connect``, ``mine`` …, optionally after
``/snow``) is that command. Everything else goes to the model.
"""

from __future__ import annotations

import re
from typing import Final

from intents import labels
from intents.entities import find_partial_number

_COMMANDS: Final[dict[str, str]] = {
    "help": labels.HELP,
    "commands": labels.HELP,
    "connect": labels.CONNECT,
    "login": labels.CONNECT,
    "log in": labels.CONNECT,
    "disconnect": labels.DISCONNECT,
    "logout": labels.DISCONNECT,
    "log out": labels.DISCONNECT,
    "mine": labels.LIST_MINE,
    "setup": labels.SETUP,
    "set up": labels.SETUP,
    "feedback": labels.FEEDBACK,
}
_CLEAN: Final = re.compile(r"^\s*(?:/snow\s+)?(.*?)[\s?!.]*$", re.IGNORECASE | re.DOTALL)
_BARE_NUMBER: Final = re.compile(r"\s*(?:INC[ -]?|#)?\s*\d+\s*[?.!]*\s*", re.IGNORECASE)


def fast_path(text: str, *, digits: int) -> str | None:
    """The intent of an unambiguous normalised message, or None when the model decides."""
    if _BARE_NUMBER.fullmatch(text) and (
        re.search(rf"(?i)INC[ -]?\d{{{digits}}}(?!\d)", text)
        or find_partial_number(text, digits=digits)
    ):
        return labels.LOOKUP
    match = _CLEAN.match(text)
    word = match.group(1).lower() if match else ""
    return _COMMANDS.get(word)
