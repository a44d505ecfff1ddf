"""Negation scope: which words a "don't", "not", "no need to" or "never" governs.

The classic transform for bag-of-words models (Das & Chen 2001; Pang et al. 2002): every
word after a negator, up to the end of its clause, is marked, so the classifier sees
``not_close`` where the user wrote "don't close" and learns what a negated request means
instead of keying on the verb. A scope ends at clause punctuation, at a conjunction that
starts a new clause ("but", "because", "so" …), at a new request word ("please"), at the
next negator, or after ``MAX_SCOPE`` words. Incident and record placeholders are never
marked: the number is the same whether the user wants it closed or not.

``mark`` also returns each scope's words, unmarked, so ``intents.guard`` can tell which
write verbs were negated. One linear pass: a tokenising regex with no nested or
overlapping quantifiers, then a loop over the tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from intents.entities import PLACEHOLDER, RECORD_PLACEHOLDER

PREFIX: Final = "not_"
MAX_SCOPE: Final = 6  # words a negator governs at most

NEGATORS: Final[frozenset[str]] = frozenset(
    {
        "not", "no", "never", "cannot", "nor", "dont", "doesnt", "didnt", "isnt", "wasnt",
        "arent", "werent", "cant", "wont", "shouldnt", "wouldnt", "couldnt", "havent",
        "hasnt", "hadnt", "neednt", "aint", "mustnt", "refrain", "avoid",
    }
)
#: Words that start a new clause (or a new request) and so end a negation's scope.
SCOPE_ENDS: Final[frozenset[str]] = frozenset(
    {
        "but", "and", "or", "because", "cause", "cuz", "coz", "since", "so", "then",
        "however", "though", "although", "yet", "while", "please", "pls", "plz", "instead",
        "otherwise", "just",
    }
)
_UNMARKED: Final = frozenset({PLACEHOLDER, RECORD_PLACEHOLDER})
# A word (with one apostrophe part: "don't", "it's"), or one other non-blank character.
_TOKEN: Final = re.compile(r"[a-z0-9_]++(?:['\u2019][a-z]++)?|[^\sa-z0-9_]")
_CLAUSE_MARKS: Final = frozenset(".,;:!?()[]\u2013\u2014")
# Whether a text may hold a negator at all (a superset of is_negator's words).
_ANY_NEGATOR: Final = re.compile(
    r"\b(?:" + "|".join(sorted(NEGATORS)) + r")\b|n['\u2019]t\b"
)
# "un-close" → "unclose", "re-open" → "reopen": one word, as people also write it.
_PREFIXED: Final = re.compile(r"\b(un|re)-(?=[a-z])")


def is_negator(token: str) -> bool:
    """Whether a lower-case token negates what follows ("not", "don't", "dont", "never")."""
    return token in NEGATORS or token.endswith(("n't", "n\u2019t"))


def may_negate(text: str) -> bool:
    """Whether lower-case ``text`` may hold a negator (a fast check; False is certain)."""
    return _ANY_NEGATOR.search(text) is not None


def words(text: str) -> Iterator[str]:
    """The word tokens of lower-case ``text``, one at a time ("don't" is one word)."""
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token[0].isalnum() or token[0] == "_":
            yield token


def tokens(text: str) -> list[str]:
    """Every token of lower-case ``text``: words ("don't" is one, with a plain apostrophe)
    and single marks ("?", ",", ":")."""
    return _TOKEN.findall(text.replace("\u2019", "'") if "\u2019" in text else text)


def mark(text: str) -> tuple[str, list[list[str]]]:
    """``text`` (lower case) with every word in a negation scope prefixed ``not_``.

    Returns the marked text and the words of each scope (without the prefix), in order.
    """
    text = _PREFIXED.sub(r"\1", text) if "-" in text else text
    if not may_negate(text):  # most messages stop here, at C speed
        return text, []
    scopes: list[list[str]] = []
    marks: list[int] = []  # where to insert the prefix
    scope: list[str] | None = None
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        if is_negator(word):
            scope = []
            scopes.append(scope)
            continue
        if scope is None:
            continue
        if word in _CLAUSE_MARKS or word in SCOPE_ENDS or (
            word == "-" and match.start() and text[match.start() - 1] == " "
        ):
            scope = None
            continue
        if not word[0].isalnum() and word[0] != "_":
            continue
        scope.append(word)
        if word not in _UNMARKED:
            marks.append(match.start())
        if len(scope) >= MAX_SCOPE:
            scope = None
    if not marks:
        return text, scopes
    pieces: list[str] = []
    previous = 0
    for at in marks:
        pieces.append(text[previous:at])
        pieces.append(PREFIX)
        previous = at
    pieces.append(text[previous:])
    return "".join(pieces), scopes
