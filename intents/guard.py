"""The deterministic guard: what a message must never be acted on as, whatever the model says.

The model sees negation (``intents.negation``) and is trained on every border between a write,
a refusal and a question about a write; this guard is the small, auditable net under it.
From the words of the message it works out which acting intents (the writes, and
``disconnect``) are *blocked*:

- **refused**: a write whose verb (or, for a ticket, its object) sits in a negation's scope:
  "please do NOT close INC…" blocks ``incident.close_request``, "no need for a ticket" blocks
  ``incident.create``, "don't log me out" blocks ``disconnect`` (rule 5);
- **asked about**: every acting intent, when the message is a question about one ("who closed
  INC…?", "has anyone commented on INC…?", "did you close it?", "can I close INC… myself?"):
  a question is a read (rule 6);
- **unknown object**: ``disconnect`` when the message holds a word the training data never
  used: it may name another app ("unlink my <app>"), and the link is never dropped on a
  guess (rule 7).

``intents.engine`` never accepts a blocked intent; a message about another ServiceNow record
and no incident is out of scope (rules 4 and 7), which the engine decides from the entities.
Everything here is set look-ups over a few words: no pattern, nothing that grows with the
message beyond one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from intents import labels
from intents.negation import MAX_SCOPE, SCOPE_ENDS, is_negator, words

_CLOSE: Final = frozenset(
    {
        "close", "closed", "closing", "closes", "resolve", "resolved", "resolving", "cancel",
        "cancelled", "canceled", "cancelling", "canceling", "withdraw", "withdrawn", "fixed",
        "solved", "shut", "kill", "delete",
    }
)
_COMMENT: Final = frozenset(
    {
        "comment", "comments", "commented", "commenting", "note", "notes", "add", "adding",
        "added", "update", "updated", "tell", "mention", "reply", "post", "write", "append",
    }
)
_REOPEN: Final = frozenset({"reopen", "reopened", "reopening", "unclose", "unresolve"})
_DISCONNECT: Final = frozenset(
    {
        "disconnect", "disconnected", "disconnecting", "unlink", "unlinked", "revoke", "revoked",
        "logout", "log", "sign", "signout", "forget", "remove", "deauthorize", "unauthorize",
        "delete",
    }
)
_TICKET: Final = frozenset({"ticket", "tickets", "incident", "incidents", "case"})
_CREATE_VERBS: Final = frozenset(
    {
        "open", "raise", "create", "log", "file", "submit", "make", "need", "needed", "want",
        "bother", "require", "required", "new", "another",
    }
)

#: Words that open a question about the state of things, when a subject follows.
_AUXILIARIES: Final = frozenset(
    {
        "did", "didn't", "didnt", "has", "hasn't", "hasnt", "have", "haven't", "havent", "was",
        "wasn't", "wasnt", "were", "weren't", "is", "isn't", "isnt", "does", "doesn't",
        "doesnt", "am", "had",
    }
)
_MAY: Final = frozenset({"can", "could", "may", "should"})
_WH: Final = frozenset({"who", "whom", "whose", "why", "who's", "whos"})
_WHEN_AUX: Final = frozenset({"was", "were", "did", "will", "is", "does", "has", "do", "would"})
_SUBJECTS: Final = frozenset(
    {
        "incnum", "it", "this", "that", "my", "the", "anyone", "anybody", "someone", "somebody",
        "you", "they", "he", "she", "i", "we", "there", "your", "our", "his", "her", "their",
        "any", "ticket", "incident", "nobody", "no", "u", "a", "an",
    }
)
_OPENERS: Final = frozenset(
    {"hi", "hey", "hello", "so", "ok", "okay", "um", "uh", "btw", "quick", "question", "yo",
     "morning", "and", "but", "also", "just", "wait", "hmm", "sorry", "curious"}
)


def refused(scope: Sequence[str]) -> frozenset[str]:
    """The acting intents one negation scope refuses (its words, in order, unmarked)."""
    words = frozenset(scope)
    out: set[str] = set()
    if words & _CLOSE:
        out.add(labels.CLOSE)
    if words & _COMMENT:
        out.add(labels.COMMENT)
    if words & _REOPEN or {"open", "again"} <= words:
        out.add(labels.REOPEN)
    if words & _DISCONNECT:
        out.add(labels.DISCONNECT)
    if words & _TICKET and (words & _CREATE_VERBS or _TICKET.intersection(scope[:2])):
        out.add(labels.CREATE)
    return frozenset(out)


def refused_by(scopes: Sequence[Sequence[str]]) -> frozenset[str]:
    """Every acting intent refused by one of the scopes."""
    out: frozenset[str] = frozenset()
    for scope in scopes:
        out |= refused(scope)
    return out


_REFUSING: Final = frozenset(
    {
        "don't", "dont", "don\u2019t", "never", "needn't", "neednt", "shouldn't", "shouldnt",
        "mustn't", "mustnt", "refrain", "avoid",
    }
)
_BEFORE_NOT: Final = frozenset({"", "do", "please", "pls", "plz", "should", "must", "better"})
_AFTER_NO: Final = frozenset({"need", "reason", "point", "more"})
_NEED: Final = frozenset({"need", "needs", "have", "has"})


def _asks_not_to(tokens: Sequence[str], at: int) -> bool:
    """Whether the negator at ``at`` asks the bot not to do something ("don't", "do not",
    "no need to", "never", "it doesn't need to"), rather than telling how things are
    ("it's not fixed")."""
    word = tokens[at]
    before = tokens[at - 1] if at else ""
    after = tokens[at + 1] if at + 1 < len(tokens) else ""
    if word in _REFUSING:
        return True
    if word == "not":
        return before in _BEFORE_NOT
    if word == "no":
        return after in _AFTER_NO
    return after in _NEED  # "doesn't need to", "won't have to"


def refused_requests(tokens: Sequence[str]) -> frozenset[str]:
    """The acting intents lower-case word ``tokens`` ask the bot *not* to do.

    "don't close INC…", "please do not resolve it", "no need to open a ticket", "never
    unlink me": a refusing negator whose scope holds the intent's verb. A statement ("it's
    not fixed") is information, not a refusal: it refuses nothing here.
    """
    out: frozenset[str] = frozenset()
    for at, token in enumerate(tokens):
        if not is_negator(token) or not _asks_not_to(tokens, at):
            continue
        scope: list[str] = []
        for word in tokens[at + 1 : at + 1 + MAX_SCOPE]:
            if word in SCOPE_ENDS or is_negator(word):
                break
            scope.append(word)
        out |= refused(scope)
    return out


def asks_about_a_write(text: str) -> bool:
    """Whether a message (lower case, numbers masked) is a question rather than a request.

    "who closed INC…", "why did you close it", "is INC… closed", "has anyone commented on
    INC…", "did the tech add a comment", "when will it be closed": a question word (after
    greetings and fillers), and for "is/has/did …" a subject right after it. "can you close
    INC…?" is a polite request and stays one. Reads the first few words only.
    """
    first = following = ""
    for word in words(text):
        if not first:
            if word not in _OPENERS:
                first = word
            continue
        following = word
        break
    if first in _WH:
        return True
    if first == "when":
        return following in _WHEN_AUX
    if first in _MAY and following == "i":  # "can I close INC… myself?": about their rights
        return "myself" in text or "my own" in text
    if first == "have" and following in ("a", "an"):  # "have a look at INC…" asks for work
        return False
    return first in _AUXILIARIES and following in _SUBJECTS


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the guard makes of a message: the acting intents never accepted for it
    (``blocked``), and whether it is a question about a write (``question``)."""

    blocked: frozenset[str] = frozenset()
    question: bool = False


def judge(*, masked: str, scopes: Sequence[Sequence[str]], unseen: bool) -> Verdict:
    """The guard's verdict on a message.

    ``masked`` is the lower-case text with numbers masked, ``scopes`` its negation scopes,
    ``unseen`` whether it holds a word the training data never used.
    """
    blocked = set(refused_by(scopes))
    question = asks_about_a_write(masked)
    if question:
        blocked |= labels.ACTING_INTENTS
    if unseen:
        # Rule 7, the object decides: a word the engine never saw may name another app
        # ("unlink my <app>"); the link is never dropped on a guess.
        blocked.add(labels.DISCONNECT)
    return Verdict(frozenset(blocked), question)
