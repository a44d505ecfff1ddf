"""Slack markup normalisation: what the classifier and the entity extractor read.

Mentions and special mentions are removed; channel references keep their name; links
keep their label (or their address when they have none); emoji shortcodes and Unicode
emoji that carry a judgement or a greeting (stars, thumbs, wave, hearts) become a word
(``star``, ``thumbsup`` …), any other emoji becomes a space; the three HTML entities
Slack escapes are decoded; white space is collapsed.
Case is kept (entities need it for nothing, but ``short_description`` is shown back).
"""

from __future__ import annotations

import re
from typing import Final

_USER: Final = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_CHANNEL: Final = re.compile(r"<#C[A-Z0-9]+(?:\|([^>]*))?>")
_SPECIAL: Final = re.compile(r"<!(?:here|channel|everyone)(?:\|[^>]*)?>|<!subteam\^[^>]*>")
_LINK: Final = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")
_SHORTCODE: Final = re.compile(r":[a-z0-9_+\-']+(?:::skin-tone-\d)?:")
_EMOJI: Final = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats (☀ ✅ ❤ ✨ …)
    "\u2b00-\u2bff"  # arrows and stars (⭐)
    "\ufe0f\u200d"  # variation selector and zero-width joiner
    "\U0001f3fb-\U0001f3ff"  # skin tones
    "]+"
)
_SPACE: Final = re.compile(r"\s+")

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


def _shortcode(match: re.Match[str]) -> str:
    name = match.group(0).split("::", 1)[0].strip(":")
    word = _EMOJI_WORDS.get(name)
    return f" {word} " if word else " "


def _emoji(match: re.Match[str]) -> str:
    words = [_UNICODE_WORDS[ch] for ch in match.group(0) if ch in _UNICODE_WORDS]
    return f" {' '.join(words)} " if words else " "


def _link(match: re.Match[str]) -> str:
    label = match.group(2)
    if label:
        return f" {label} "
    return f" {match.group(1).removeprefix('mailto:')} "


def normalize(text: str) -> str:
    """Return ``text`` without Slack markup, emoji and entities, white space collapsed."""
    out = _USER.sub(" ", text)
    out = _CHANNEL.sub(lambda m: f" {m.group(1) or ''} ", out)
    out = _SPECIAL.sub(" ", out)
    out = _LINK.sub(_link, out)
    out = _SHORTCODE.sub(_shortcode, out)
    out = _EMOJI.sub(_emoji, out)
    out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _SPACE.sub(" ", out).strip()
