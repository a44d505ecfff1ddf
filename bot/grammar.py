"""The exact ``/snow`` grammar of DESIGN.md.

``/snow`` · ``/snow help`` · ``/snow INC0012345`` · ``/snow mine`` · ``/snow new <text>`` ·
``/snow comment INC0012345 <text>`` · ``/snow close INC0012345`` ·
``/snow feedback [text]`` · ``/snow connect`` · ``/snow disconnect`` · ``/snow status`` ·
``/snow setup``. Anything else is ``free_text`` and goes through the classifier, like
a DM. Parsing is pure: no I/O, no classifier.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

CommandKind = Literal[
    "help",
    "lookup",
    "mine",
    "new",
    "comment",
    "close",
    "feedback",
    "connect",
    "disconnect",
    "status",
    "setup",
    "troubleshoot",
    "greeting",
    "free_text",
]

_KEYWORDS: dict[str, CommandKind] = {
    "help": "help",
    "mine": "mine",
    "connect": "connect",
    "disconnect": "disconnect",
    "status": "status",
    "setup": "setup",
}


class SnowCommand(BaseModel):
    """One request in the router's terms: a parsed ``/snow`` command, or an intent
    mapped onto one (``troubleshoot`` and ``greeting`` only come from the classifier)."""

    model_config = ConfigDict(frozen=True)

    kind: CommandKind
    number: str | None = None
    text: str = ""


def incident_number_pattern(digits: int = 7) -> re.Pattern[str]:
    """A whole-token incident number: ``INC`` and exactly ``digits`` digits (any case)."""
    return re.compile(rf"INC\d{{{digits}}}", re.IGNORECASE)


def parse_snow(text: str, *, digits: int = 7) -> SnowCommand:
    """Parse the text after ``/snow``; what the grammar does not name is free text."""
    stripped = " ".join(text.split())
    if not stripped:
        return SnowCommand(kind="help")
    head, _, rest = stripped.partition(" ")
    word = head.lower()
    number_re = incident_number_pattern(digits)
    if word in _KEYWORDS and not rest:
        return SnowCommand(kind=_KEYWORDS[word])
    if number_re.fullmatch(head) and not rest:
        return SnowCommand(kind="lookup", number=head.upper())
    if word == "new" and rest:
        return SnowCommand(kind="new", text=rest)
    if word == "new":
        return SnowCommand(kind="new")
    if word == "feedback":
        return SnowCommand(kind="feedback", text=rest)
    if word in ("comment", "close"):
        number, _, remainder = rest.partition(" ")
        if number_re.fullmatch(number):
            if word == "close" and not remainder:
                return SnowCommand(kind="close", number=number.upper())
            if word == "comment":
                return SnowCommand(kind="comment", number=number.upper(), text=remainder)
    return SnowCommand(kind="free_text", text=stripped)
