"""The script syntax of ``snowbot demo`` (``docs/demo/*.txt``): one line, one user step.

- ``/snow …``: the slash command;
- ``[Label]``: press the button labelled ``Label`` in the latest reply (``[Submit]``,
  ``[Cancel]`` or ``[Close]`` act on the open modal);
- ``field Label: value``: fill an input of the open modal; ``submit`` submits it;
- a blank line or one starting with ``#`` is a comment;
- any other line is a direct message to the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BUTTON = re.compile(r"^\[(?P<label>[^\[\]]+)\]$")
_FIELD = re.compile(r"^field\s+(?P<label>[^:]+?)\s*:\s?(?P<value>.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Slash:
    """A slash command: ``/snow mine`` is command ``/snow`` with text ``mine``."""

    command: str
    text: str


@dataclass(frozen=True)
class Press:
    """Press the button with this label."""

    label: str


@dataclass(frozen=True)
class Fill:
    """Fill the input labelled ``label`` of the open modal with ``value``."""

    label: str
    value: str


@dataclass(frozen=True)
class Submit:
    """Submit the open modal."""


@dataclass(frozen=True)
class Say:
    """A direct message to the bot."""

    text: str


DemoInput = Slash | Press | Fill | Submit | Say


def parse_line(line: str) -> DemoInput | None:
    """What ``line`` asks for, or None for a blank line or a ``#`` comment."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if text.startswith("/"):
        command, _, rest = text.partition(" ")
        return Slash(command=command, text=rest.strip())
    button = _BUTTON.match(text)
    if button is not None:
        return Press(label=button.group("label").strip())
    field = _FIELD.match(text)
    if field is not None:
        return Fill(label=field.group("label").strip(), value=field.group("value").strip())
    if text.casefold() == "submit":
        return Submit()
    return Say(text=text)
