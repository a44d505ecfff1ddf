"""The script syntax of ``snowbot demo`` (``docs/demo/*.txt``): one line, one user step.

- ``/snow …``: the slash command;
- ``[Label]``: press the button labelled ``Label`` in the latest reply (``[Submit]``,
  ``[Cancel]`` or ``[Close]`` act on the open modal);
- ``field Label: value``: fill an input of the open modal; ``submit`` submits it;
- ``(desk) comment INC… <text>``, ``(desk) state INC… resolved|in progress|on hold``,
  ``(desk) assign INC… <user name>``: the service desk acts in the sandbox ServiceNow
  (as Beth Anglin), and its Business Rule tells the bot, so the script shows the
  notification that follows; ``(desk) deny creates``: the instance's admin takes away
  ordinary users' right to create incidents (an ACL), so the next create is refused;
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


@dataclass(frozen=True)
class Desk:
    """The service desk acts: ``action`` (comment, state, assign) on ``number``."""

    action: str
    number: str
    value: str


DemoInput = Slash | Press | Fill | Submit | Say | Desk
DESK_ACTIONS = ("comment", "state", "assign")
DENY_CREATES = ("deny", "CREATES")  # (desk) deny creates
DESK_PREFIX = "(desk)"


def parse_line(line: str) -> DemoInput | None:
    """What ``line`` asks for, or None for a blank line or a ``#`` comment."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if text.casefold().startswith(DESK_PREFIX):
        action, number, value = [*text[len(DESK_PREFIX):].split(maxsplit=2), "", "", ""][:3]
        return Desk(action=action.casefold(), number=number.upper(), value=value.strip())
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
