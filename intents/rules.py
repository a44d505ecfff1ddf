"""The rules fast path: messages whose intent is unambiguous skip the model.

A message that is only an incident number (exact or a shorter form) is a lookup; a
message that is only a command word (``help``, ``connect``, ``mine`` …, optionally after
``/snow``) is that command; a short question about who the bot is ("who are you", "are
you a bot?") is ``help`` (``intents.hints`` gives it the topic ``identity``). Everything
else goes to the model.
"""

from __future__ import annotations

import re
from typing import Final

from intents import labels
from intents.entities import find_incident_numbers, find_partial_number
from intents.hints import asks_who_the_bot_is, is_small_talk
from intents.negation import tokens

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
_SNOW: Final = re.compile(r"/snow\s++", re.IGNORECASE)
# Possessive runs: nothing is read twice, so a long run of blanks or marks stays linear.
_IDENTITY_WORDS: Final = 8  # tokens an identity question has at most
_IDENTITY_CHARS: Final = 80  # and characters
_BARE_NUMBER: Final = re.compile(r"\s*+(?:(?:INC-?|#)\s*+)?\d++[\s?.!]*+", re.IGNORECASE)


def _command_word(text: str) -> str:
    """The message without ``/snow``, surrounding blanks and trailing ``?!.``, lower case."""
    word = text.strip()
    snow = _SNOW.match(word)
    if snow:
        word = word[snow.end() :]
    return word.rstrip(" \t\n\r\f\v?!.").lower()


def fast_path(text: str, *, digits: int) -> str | None:
    """The intent of an unambiguous normalised message, or None when the model decides."""
    if _BARE_NUMBER.fullmatch(text) and (
        find_incident_numbers(text, digits=digits)
        or find_partial_number(text, digits=digits)
    ):
        return labels.LOOKUP
    command = _COMMANDS.get(_command_word(text))
    lowered = text.lower()
    if command is None and len(text) < _IDENTITY_CHARS and (
        "you" in lowered or "talking" in lowered or " u " in f" {lowered} "
    ):
        toks = tokens(lowered)
        if len(toks) <= _IDENTITY_WORDS and asks_who_the_bot_is(toks):
            return labels.HELP
    if command is None and len(text) < _IDENTITY_CHARS and ("how" in lowered or "up" in lowered):
        toks = tokens(lowered)
        if len(toks) <= _IDENTITY_WORDS and is_small_talk(toks):
            return labels.GREETING
    return command
