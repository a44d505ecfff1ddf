"""Slack markup normalisation: what the classifier and the entity extractor read.

Mentions and special mentions are removed; channel references keep their name; links
keep their label (or their address when they have none); emoji shortcodes and Unicode
emoji that carry a judgement or a greeting (stars, thumbs, wave, hearts) become a word
(``star``, ``thumbsup`` …), any other emoji becomes a space; the three HTML entities
Slack escapes are decoded; white space is collapsed.
Case is kept (entities need it for nothing, but ``short_description`` is shown back).

``normalized`` also keeps where each character of the result came from, so a span the
engine finds in the normalised text (the words of a comment) can be handed back as the
user's own characters, Slack markup included (``Normalized.raw_span``).

Every pattern here is linear: each markup pattern stops at the next ``<`` or ``>``
(Slack escapes both in what people type), so no two attempts scan the same text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

_EMOJI_CLASS: Final = (
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats (☀ ✅ ❤ ✨ …)
    "\u2b00-\u2bff"  # arrows and stars (⭐)
    "\ufe0f\u200d"  # variation selector and zero-width joiner
    "\U0001f3fb-\U0001f3ff"  # skin tones
)
# One pass over the message; the first alternative that matches at a position wins.
_MARKUP: Final = re.compile(
    r"(?P<user><@[UW][A-Z0-9]++(?:\|[^<>]*+)?>)"
    r"|(?P<chan><#C[A-Z0-9]++(?:\|(?P<cname>[^<>]*+))?>)"
    r"|(?P<special><!(?:here|channel|everyone)(?:\|[^<>]*+)?>|<!subteam\^[^<>]*+>)"
    r"|(?P<link><(?P<url>(?:https?|mailto):[^|<>]*+)(?:\|(?P<label>[^<>]*+))?>)"
    r"|(?P<code>:[a-z0-9_+\-']++(?:::skin-tone-\d)?:)"
    rf"|(?P<emoji>[{_EMOJI_CLASS}]++)"
    r"|(?P<entity>&(?:lt|gt|amp);)"
    r"|(?P<space>\s++)"
)
# Anything the one pass would change besides white space (a superset: "<" alone counts).
_NEEDS_WORK: Final = re.compile(
    rf"[<&{_EMOJI_CLASS}]|:[a-z0-9_+\-']++(?:::skin-tone-\d)?:"
)
_ENTITIES: Final[dict[str, str]] = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}

#: Emoji that carry meaning for the classifier (ratings, praise, greetings) become words.
_EMOJI_WORDS: Final[dict[str, str]] = {
    "star": "star",
    "star2": "star",
    "stars": "star",
    "+1": "thumbsup",
    "thumbsup": "thumbsup",
    "-1": "thumbsdown",
    "thumbsdown": "thumbsdown",
    "wave": "wave",
    "heart": "heart",
    "heart_eyes": "heart",
    "clap": "clap",
    "tada": "tada",
    "rage": "angry",
    "angry": "angry",
}
_UNICODE_WORDS: Final[dict[str, str]] = {
    "\u2b50": "star",
    "\U0001f31f": "star",
    "\U0001f44d": "thumbsup",
    "\U0001f44e": "thumbsdown",
    "\U0001f44b": "wave",
    "\u2764": "heart",
    "\U0001f60d": "heart",
    "\U0001f44f": "clap",
    "\U0001f389": "tada",
    "\U0001f621": "angry",
    "\U0001f620": "angry",
}


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised message and, piece by piece, where its characters came from.

    Piece ``i`` starts at ``starts[i]`` in ``text`` and came from ``raw[raw_starts[i]:
    raw_ends[i]]``; a copied piece maps character for character, a replaced one (a link's
    label, an emoji's word, a collapsed space) maps to the whole markup it replaced.
    """

    text: str
    raw: str
    starts: tuple[int, ...]
    raw_starts: tuple[int, ...]
    raw_ends: tuple[int, ...]
    copied: tuple[bool, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``raw`` that ``text[start:end]`` came from (``start < end``)."""
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1) - 1
        raw_start = (
            self.raw_starts[first] + (start - self.starts[first])
            if self.copied[first]
            else self.raw_starts[first]
        )
        raw_end = (
            self.raw_starts[last] + (end - self.starts[last])
            if self.copied[last]
            else self.raw_ends[last]
        )
        return raw_start, raw_end

    def raw_words(self, start: int, end: int) -> tuple[int, int]:
        """Like ``raw_span``, widened over markup removed right next to the span: a mention
        ("ask <@U0BETH>") belongs to the words around it. Blanks at the edges may remain."""
        before = start
        while before and self.text[before - 1] == " ":
            before -= 1
        after = end
        while after < len(self.text) and self.text[after] == " ":
            after += 1
        raw_start = self.raw_span(before - 1, before)[1] if before else 0
        raw_end = self.raw_span(after, after + 1)[0] if after < len(self.text) else len(self.raw)
        return raw_start, raw_end


def _replacement(match: re.Match[str]) -> str:
    """The words one piece of markup becomes ("" when it becomes white space)."""
    kind = match.lastgroup
    if kind == "chan":
        return normalize(match.group("cname") or "")
    if kind == "link":
        label = match.group("label")
        return normalize(label) if label else match.group("url").removeprefix("mailto:")
    if kind == "code":
        return _EMOJI_WORDS.get(match.group(0).split("::", 1)[0].strip(":"), "")
    if kind == "emoji":
        return " ".join(_UNICODE_WORDS[ch] for ch in match.group(0) if ch in _UNICODE_WORDS)
    if kind == "entity":
        return _ENTITIES[match.group(0)]
    return ""  # a mention, a special mention, white space


class _Builder:
    """Collects the pieces of a normalised text and where each came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.raw_starts: list[int] = []
        self.raw_ends: list[int] = []
        self.copied: list[bool] = []
        self.size = 0
        self.gap: tuple[int, int] | None = None  # white space not yet written

    def _add(self, piece: str, raw_start: int, raw_end: int, *, copy: bool) -> None:
        self.parts.append(piece)
        self.starts.append(self.size)
        self.raw_starts.append(raw_start)
        self.raw_ends.append(raw_end)
        self.copied.append(copy)
        self.size += len(piece)

    def space(self, raw_start: int, raw_end: int) -> None:
        """White space, or markup that becomes white space, between two pieces."""
        self.gap = (self.gap[0] if self.gap else raw_start, raw_end)

    def piece(self, piece: str, raw_start: int, raw_end: int, *, copy: bool) -> None:
        """A piece of text, with one space before it when white space came first."""
        if self.gap is not None and self.size:
            self._add(" ", self.gap[0], self.gap[1], copy=False)
        self.gap = None
        self._add(piece, raw_start, raw_end, copy=copy)

    def build(self, raw: str) -> Normalized:
        return Normalized(
            "".join(self.parts),
            raw,
            tuple(self.starts),
            tuple(self.raw_starts),
            tuple(self.raw_ends),
            tuple(self.copied),
        )


def normalized(text: str) -> Normalized:
    """``text`` without Slack markup, emoji and entities, white space collapsed, mapped."""
    if _NEEDS_WORK.search(text) is None and " ".join(text.split()) == text:
        # The common case, checked at C speed: nothing to replace, one copied piece.
        return Normalized(text, text, (0,), (0,), (len(text),), (True,))
    out = _Builder()
    position = 0
    for match in _MARKUP.finditer(text):
        start, end = match.span()
        if start > position:
            out.piece(text[position:start], position, start, copy=True)
        words = _replacement(match)
        if not words:
            out.space(start, end)
        elif match.lastgroup == "entity":  # decoded in place: "a&amp;b" stays "a&b"
            out.piece(words, start, end, copy=False)
        else:  # a label, a channel name, an emoji's word: a word of its own
            out.space(start, start)
            out.piece(words, start, end, copy=False)
            out.space(end, end)
        position = end
    if position < len(text):
        out.piece(text[position:], position, len(text), copy=True)
    return out.build(text)


def normalize(text: str) -> str:
    """Return ``text`` without Slack markup, emoji and entities, white space collapsed."""
    return normalized(text).text
