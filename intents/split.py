"""Where one message holds several requests: "close INC0010002 and add a comment to INC0010003: …".

Conservative by design. A message is only cut between two incident numbers, at the last clause
boundary between them (". ", "; ", ", ", " and ", " then ", " but " …), so the words that lead up
to a number stay with it and the words after a number stay with the one before. A part with no
words of its own beyond numbers and fillers ("… and INC0010003 too") belongs to the request
before it (the first part, to the one after it). ``IntentEngine.predict_all`` then classifies
each part and keeps the cut only where neighbouring parts ask different things; parts that ask
the same thing are one request with all their numbers ("status of INC1, INC2 and INC3").

One pass over the text: each gap between two numbers is scanned once.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Final

from intents.entities import incident_number_pattern

_BOUNDARY: Final = re.compile(
    r"(?<![.;!?,])[.;!?,]++(?=\s)|\s(?:and then|and|then|also|plus|but|&|\+)(?=\s)",
    re.IGNORECASE,
)
_WORD: Final = re.compile(r"[^\W_]++")
#: Words that do not make a request of their own ("and INC0010003 too").
FILLERS: Final[frozenset[str]] = frozenset(
    {
        "and", "also", "too", "both", "then", "plus", "as", "well", "please", "pls", "plz",
        "the", "same", "for", "with", "thanks", "thx", "incident", "incidents", "ticket",
        "tickets", "or", "one", "ones", "other", "another", "a", "an", "of", "them", "those",
        "these", "all", "three", "two", "inc",
    }
)


def _has_own_words(text: str, start: int, end: int, digits: int) -> bool:
    without = incident_number_pattern(digits).sub(" ", text[start:end])
    return any(w.lower() not in FILLERS for w in _WORD.findall(without))


def request_spans(text: str, *, digits: int) -> list[tuple[int, int]]:
    """The spans of ``text`` that may be separate requests (one span when there is one)."""
    numbers = [m.span() for m in incident_number_pattern(digits).finditer(text)]
    cuts: list[tuple[int, int]] = []
    for (_, gap_start), (gap_end, _) in pairwise(numbers):
        boundaries = [m.span() for m in _BOUNDARY.finditer(text, gap_start, gap_end)]
        if boundaries:
            cuts.append(boundaries[-1])
    if not cuts:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    start = 0
    for cut_start, cut_end in cuts:
        spans.append((start, cut_start))
        start = cut_end
    spans.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    pending: int | None = None  # start of leading parts with no words of their own
    for start, end in spans:
        if not _has_own_words(text, start, end, digits):
            if merged:
                merged[-1] = (merged[-1][0], end)
            elif pending is None:
                pending = start
            continue
        merged.append((pending if pending is not None else start, end))
        pending = None
    if not merged:
        return [(0, len(text))]
    if pending is not None:
        merged[-1] = (merged[-1][0], len(text))
    return merged
