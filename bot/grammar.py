"""The exact ``/snow`` grammar (the README lists it).

``/snow`` · ``/snow help`` · ``/snow INC0012345`` · ``/snow mine`` · ``/snow new <text>`` ·
``/snow comment INC0012345 <text>`` · ``/snow close INC0012345`` ·
``/snow reopen INC0012345 [reason]`` · ``/snow feedback [text]`` ·
``/snow watch INC0012345`` · ``/snow unwatch INC0012345`` · ``/snow notifications on|off`` ·
``/snow connect`` ·
``/snow disconnect`` · ``/snow status`` · ``/snow setup``. Anything else is ``free_text``
and goes through the classifier, like a DM. Parsing is pure: no I/O, no classifier.

A write command whose number is typed short (``/snow close 10003``) carries the
``guess`` (``INC0010003``) and no number: the bot asks "Did you mean …?" as it does for
a lookup, and the request it then completes shows its confirmation card.

Typing one of the exact write commands is the user's confirmation, so those commands
come back ``confirmed``; a write that comes from free text is not, and is shown on a
confirmation card first. A number of another ServiceNow table (``RITM0010001``) where
the grammar expects an incident is ``other_record``: the bot works with incidents only.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from intents.entities import canonical_number, find_partial_number

CommandKind = Literal[
    "help",
    "lookup",
    "mine",
    "new",
    "comment",
    "close",
    "reopen",
    "feedback",
    "watch",
    "unwatch",
    "notifications",
    "connect",
    "disconnect",
    "status",
    "setup",
    "troubleshoot",
    "greeting",
    "other_record",
    "free_text",
]

# Other ServiceNow tables' number prefixes → what people call their records.
OTHER_RECORD_KINDS: dict[str, str] = {
    "SCTASK": "catalog task",
    "RITM": "requested item",
    "REQ": "request",
    "CHG": "change request",
    "PRB": "problem",
    "TASK": "task",
}
# A whole word: a prefix (longest first, so SCTASK is not read as TASK) and 5-10 digits.
_OTHER_RECORD = re.compile(r"\b(?:SCTASK|RITM|REQ|CHG|PRB|TASK)\d{5,10}\b", re.IGNORECASE)

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
    confirmed: bool = False  # typed as an exact command (or confirmed in Slack): no card
    guess: str | None = None  # a number typed short ("10003"): ask "Did you mean INC…?"


def find_other_record(text: str) -> str | None:
    """The first number of another ServiceNow table in ``text`` (upper case), if any."""
    match = _OTHER_RECORD.search(text)
    return match.group(0).upper() if match else None


def other_record_kind(number: str) -> str:
    """What people call the record ``number`` belongs to ("requested item")."""
    upper = number.upper()
    for prefix, kind in OTHER_RECORD_KINDS.items():
        if upper.startswith(prefix):
            return kind
    return "record"


_WRITE_KINDS: dict[str, CommandKind] = {"comment": "comment", "close": "close", "reopen": "reopen"}


def parse_snow(text: str, *, digits: int = 7) -> SnowCommand:
    """Parse the text after ``/snow``; what the grammar does not name is free text.

    ``text`` is taken as typed: a comment or a reopen reason keeps its own line breaks.
    """
    stripped = text.strip()
    if not stripped:
        return SnowCommand(kind="help")
    head, _, rest = _split(stripped)
    word = head.lower()
    if word in _KEYWORDS and not rest:
        return SnowCommand(kind=_KEYWORDS[word], confirmed=True)
    if canonical_number(head, digits=digits) and not rest:
        return SnowCommand(kind="lookup", number=head.upper())
    if _OTHER_RECORD.fullmatch(head) and not rest:
        return SnowCommand(kind="other_record", number=head.upper())
    if word == "new":
        return SnowCommand(kind="new", text=rest)
    if word == "feedback":
        return SnowCommand(kind="feedback", text=rest)
    watching = _parse_watching(word, rest, digits)
    if watching is not None:
        return watching
    if word in _WRITE_KINDS:
        return _write(head, rest, digits=digits)
    return SnowCommand(kind="free_text", text=" ".join(stripped.split()))


def _write(head: str, rest: str, *, digits: int) -> SnowCommand:
    """``comment``/``close``/``reopen`` and what follows (free text when it is none of them)."""
    kind = _WRITE_KINDS[head.lower()]
    number, _, remainder = _split(rest)
    if _OTHER_RECORD.fullmatch(number):
        return SnowCommand(kind="other_record", number=number.upper())
    if canonical_number(number, digits=digits):
        if kind == "close" and not remainder:
            return SnowCommand(kind="close", number=number.upper(), confirmed=True)
        if kind != "close":
            return SnowCommand(kind=kind, number=number.upper(), text=remainder, confirmed=True)
    guess = find_partial_number(number, digits=digits) if number else None
    if guess and (kind != "close" or not remainder):
        return SnowCommand(kind=kind, text=remainder, guess=guess)
    return SnowCommand(kind="free_text", text=" ".join(f"{head} {rest}".split()))


def _parse_watching(word: str, rest: str, digits: int) -> SnowCommand | None:
    """``watch INC…``, ``unwatch INC…`` and ``notifications on|off``, else None."""
    if word in ("watch", "unwatch"):
        number, _, remainder = _split(rest)
        if _OTHER_RECORD.fullmatch(number) and not remainder:
            return SnowCommand(kind="other_record", number=number.upper())
        if canonical_number(number, digits=digits) and not remainder:
            kind: CommandKind = "watch" if word == "watch" else "unwatch"
            return SnowCommand(kind=kind, number=number.upper(), confirmed=True)
    if word == "notifications" and rest.lower() in ("on", "off", ""):
        return SnowCommand(kind="notifications", text=rest.lower(), confirmed=True)
    return None


def _split(text: str) -> tuple[str, str, str]:
    """The first word, the separator, and the rest (its own white space kept inside)."""
    parts = text.split(maxsplit=1)
    if not parts:
        return "", "", ""
    return parts[0], " ", parts[1].strip() if len(parts) > 1 else ""
