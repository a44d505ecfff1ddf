"""Slack markup as plain text, for what the bot writes into ServiceNow.

Slack sends message text with markup: user mentions ``<@U123>`` (older clients add
``|name``), channel references ``<#C123|general>`` (sometimes without the name),
special mentions ``<!here>``, ``<!subteam^S1|@team>`` and ``<!date^…|fallback>``, links
``<https://…|label>`` and ``<mailto:…|label>``, and the three characters it escapes
(``&amp; &lt; &gt;``). ServiceNow shows comments and descriptions as plain text, so
none of that may be stored raw:

- a user mention becomes ``@`` + their display name (``users`` maps ids to names; an
  unknown id reads "a Slack user");
- a channel reference becomes ``#name`` (a missing name is looked up in ``channels``,
  else "#channel");
- ``<!here>``/``<!channel>``/``<!everyone>`` become ``@here``/``@channel``/``@everyone``;
- a link with a label becomes "label (url)", a bare link its URL, a mail link its address;
- the three entities are unescaped, in labels and URLs too.

``parse`` reads the text once, left to right, finding each ``<`` and the ``>`` after
it with ``str.find`` (no regular expression, so no backtracking: linear time);
``references`` lists the ids to look up; ``render`` writes the plain text. The
look-ups themselves (Slack calls and their cache) are ``bot.names``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

UNKNOWN_USER = "a Slack user"
UNKNOWN_CHANNEL = "#channel"
_SPECIAL = frozenset({"here", "channel", "everyone"})

PieceKind = Literal["text", "user", "channel", "special", "link"]


@dataclass(frozen=True)
class Piece:
    """One run of the text: plain text, or one piece of markup (its id or URL, its label)."""

    kind: PieceKind
    value: str
    label: str = ""


def unescape(text: str) -> str:
    """Slack's three entities decoded (``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _markup(inner: str) -> Piece:
    if inner.startswith("@"):
        user_id, _, label = inner[1:].partition("|")
        return Piece("user", user_id.strip(), unescape(label.strip()))
    if inner.startswith("#"):
        channel_id, _, label = inner[1:].partition("|")
        return Piece("channel", channel_id.strip(), unescape(label.strip()))
    if inner.startswith("!"):
        name, _, label = inner[1:].partition("|")
        return Piece("special", name.strip(), unescape(label.strip()))
    target, _, label = inner.partition("|")
    return Piece("link", unescape(target.strip()), unescape(label.strip()))


def parse(text: str) -> list[Piece]:
    """``text`` as plain runs and markup, in order (linear time)."""
    pieces: list[Piece] = []
    at = 0
    while at < len(text):
        start = text.find("<", at)
        end = text.find(">", start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            pieces.append(Piece("text", unescape(text[at:])))
            break
        # A stray "<" before the real opening one is plain text (Slack escapes its own).
        start = text.rfind("<", start, end)
        if start > at:
            pieces.append(Piece("text", unescape(text[at:start])))
        pieces.append(_markup(text[start + 1 : end]))
        at = end + 1
    return pieces


def references(pieces: Sequence[Piece]) -> tuple[set[str], set[str]]:
    """The user ids to name, and the channel ids that came without a name."""
    users = {p.value for p in pieces if p.kind == "user" and p.value}
    channels = {p.value for p in pieces if p.kind == "channel" and p.value and not p.label}
    return users, channels


def _special(piece: Piece) -> str:
    if piece.value in _SPECIAL:
        return f"@{piece.value}"
    if piece.label:
        return piece.label  # "@team" of a user group, a date's fallback text
    if piece.value.startswith("subteam^"):
        return "@group"
    return ""


def _link(piece: Piece) -> str:
    target = piece.value
    shown = target.removeprefix("mailto:")
    if not piece.label or piece.label in (target, shown):
        return shown
    return f"{piece.label} ({shown})"


def _render_one(
    piece: Piece, *, users: Mapping[str, str], channels: Mapping[str, str]
) -> str:
    if piece.kind == "text":
        return piece.value
    if piece.kind == "user":
        name = users.get(piece.value) or piece.label.lstrip("@")
        return f"@{name}" if name else UNKNOWN_USER
    if piece.kind == "channel":
        name = piece.label or channels.get(piece.value, "")
        return f"#{name.lstrip('#')}" if name else UNKNOWN_CHANNEL
    if piece.kind == "special":
        return _special(piece)
    return _link(piece)


def render(
    pieces: Sequence[Piece],
    *,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
) -> str:
    """The plain text of ``pieces``, with the names looked up for ids."""
    known_users = users or {}
    known_channels = channels or {}
    return "".join(
        _render_one(piece, users=known_users, channels=known_channels) for piece in pieces
    )


def plain(text: str) -> str:
    """``text`` as plain text with no look-ups (unknown users read "a Slack user")."""
    return render(parse(text))
