"""The words a comment (or a reopen) asks the bot to write: ``comment_text``.

A comment request is a *frame* ("add a comment to INC0012345:", "tell the tech on INC… that",
"…, re INC…") around the *body*, the user's own words. The body is found, in order:

1. after a colon or a dash that follows the frame ("add to INC…: it fails", "INC… - it fails");
2. after a marker that follows the frame ("… saying …", "… that …", "… with …");
3. inside quotes ("add "tested on vpn" to INC…");
4. what is left when the leading and trailing frames and the number are cut ("INC… happened
   again", "error code 0x8004 on INC…", "tell the tech i'm out today, INC…").

When the message also refuses a write ("don't close INC…, it's still broken"), the clause that
refuses it is no part of the body: what is left is (``intents.guard``). A reopen's body is its
reason ("reopen INC…, the printer jams again" → "the printer jams again").

Spans are found in the normalised text; ``intents.engine`` hands back the user's own
characters for them (Slack markup included, for the bot to render as plain text). Every
pattern is anchored (``match`` at one position), tried only near the end of the text, or
scans it once without retrying a run, so each runs in time linear in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from intents import labels
from intents.guard import refused_requests
from intents.negation import is_negator, may_negate

_FILLER: Final = (
    r"(?:(?:hey|hi|hello|morning|ok|okay|so|please|pls|plz|kindly|just|quick one|can you"
    r"|could you|would you|can u|could u|will you|i need to|i want to|i'd like to|we need to"
    r"|you can|you could|i have to)[,!]? )*"
)
_NUMBER: Final = r"(?:INC[ -]?\d++|#\s?\d++)"
# An incident reference: a number (exact or a shorter form), "my (latest) ticket (number)",
# or an incident named by a word ("my printer ticket", "the vpn one", "that one").
_REF: Final = (
    r"(?:(?:(?:my|the|this|that) (?:latest |last |most recent |current |open )?)?"
    rf"(?:ticket|incident|case)(?: (?:number|no\.?|nr\.?))?(?: {_NUMBER}| \d++)?|{_NUMBER}"
    # …or one named by a word: "my printer ticket", "the vpn one", "that one".
    r"|(?:my|the|this|that) (?:[a-z0-9]++ )?(?:one|ticket|incident|case|issue))"
)
_PEOPLE: Final = (
    r"(?:the |my |our )?(?:tech|techs|technician|engineer|agent|desk|service desk|helpdesk"
    r"|help desk|assignee|team|support|them|him|her|whoever has it|whoever has|it team)"
)
_THING: Final = (
    r"(?:(?:a|an|this|my|some|more|another|the following|the|these|that|extra) )?"
    r"(?:(?:work )?(?:comment|note|update|info|information|details|message|remark|reply"
    r"|answer|availability|text)s? )?"
)
_COMMENT_VERB: Final = (
    rf"(?:(?:add|put|post|leave|write|include|append|record|send|drop|log) {_THING}"
    r"(?:to|on|in|for|into|under|onto)"
    r"|(?:add|post|leave|put|write) (?:a |an )?(?:work )?(?:comment|note|update)s?"
    r"|comment(?: on| for| in| to)?|update|note(?: on| for| to| in)?"
    r"|(?:reply|respond|answer|answering)(?: to)?(?: the question| the tech| the technician)?"
    r"(?: on| in| for)?"
    rf"|(?:tell|let|inform|ask|remind|notify|pass on to|let know) {_PEOPLE}(?: know)?"
    r"(?: on| for| in| about| of| re| working on)?"
    r"|(?:more |additional |extra |new )?(?:info|information|details|update)"
    r"(?: for| on| to| about)?"
    r"|re|fyi|fyi on|fyi for|for|on|about|regarding|to update|to answer the question on"
    r"|(?:just )?to add(?: on| to)?|adding(?: to)?|note for the technician on)"
)
_REOPEN_VERB: Final = (
    r"(?:re-?open|un-?close|unresolve|undo (?:the )?clos(?:e|ing)(?: of| on)?|open(?: up)?"
    r"|bring back|restore)"
)
# After the frame, what introduces the body.
_INTRO: Final = (
    r"(?: (?:ticket|incident))?(?: know)?"
    r"(?:,? (?:please|pls|plz|too|as well|again|back up|back))*"
    r"(?:\s*+[:\-\u2013\u2014]++\s*+|,\s*+|\s(?:saying|that says|stating|to say|that|with"
    r"|reading|because|since|as|cause|cuz)\s*+:?\s*+|\s++|\s*+\Z)"
)
_LEADS: Final[dict[str, re.Pattern[str]]] = {
    labels.COMMENT: re.compile(
        rf"{_FILLER}(?:{_COMMENT_VERB} )?{_REF}{_INTRO}"
        rf"|{_FILLER}(?:tell|let|inform|remind|notify) {_PEOPLE}(?: know)?"
        r"(?:\s(?:that|saying)\s|:\s*+|,\s*+|\s)"
        rf"|{_FILLER}(?:(?:add|post|leave|put|write) (?:a |an |my )?(?:work )?"
        r"(?:comment|note|update|info)s?|(?:add|note|comment|update)(?: to (?:it|this|that))?"
        r"|(?:reply|respond|answer)(?: to)?(?: the)?"
        r"(?: question| tech| technician| engineer| agent)?)\s*+:\s*+",
        re.IGNORECASE,
    ),
    labels.REOPEN: re.compile(
        rf"{_FILLER}(?:{_REOPEN_VERB} )?(?:{_REF}|it|this|that)(?: again| back up| back)?"
        rf"{_INTRO}|{_FILLER}{_REOPEN_VERB} (?:it|this|that)?{_INTRO}",
        re.IGNORECASE,
    ),
}
# A second frame word right after the first: "INC… - more details: …", "INC… comment: …".
_INNER: Final = re.compile(
    r"(?:(?:more |additional |extra )?(?:details|info|information|update|comment|note"
    r"|add note)|adding(?: info| details| more)?|just fyi|fyi|one more thing"
    r"|(?:please )?(?:add|note|tell them|say|mention))(?: that)?\s*+[:,\-]?\s*+",
    re.IGNORECASE,
)
_POLITE_END: Final = r"(?:,? (?:please|pls|plz|thanks|thx|ty|fyi|just fyi|cheers))?"
# A trailing frame: "…, re INC…", "… for INC…", "…, please add that to my ticket".
_TAILS: Final[dict[str, re.Pattern[str]]] = {
    labels.COMMENT: re.compile(
        r"(?<=[\s,;:.!\-])(?:(?:(?:please |pls |can you |could you )?(?:add|put|note|post)"
        r"(?: this| that| it)?(?: as a (?:comment|note))? (?:to|on|in) |re |for |on |in |to "
        rf"|about )?{_REF}|fyi|just fyi|thanks|thx|please|pls){_POLITE_END}\Z",
        re.IGNORECASE,
    ),
    labels.REOPEN: re.compile(
        r"(?<=[\s,;:.!\-])(?:(?:please |pls |can you |could you |so )?"
        rf"{_REOPEN_VERB}(?: it| this| that| {_REF})?(?: again| back up)?"
        rf"|(?:re |for |on |in |to |about )?{_REF}"
        rf"|thanks|thx|please|pls){_POLITE_END}\Z",
        re.IGNORECASE,
    ),
}
# A body that is only the request itself: "i want to add more details", "can i add a note".
_FRAME_ONLY: Final = re.compile(
    r"(?:i (?:want|need|would like|'d like|have) to |can i |could i |may i |let me )?"
    r"(?:add|reply|respond|attach|post|write|comment|update|put|send|upload|uploading"
    r"|attaching)(?: (?:a|an|the|this|my|some|more|another))?(?: (?:comment|note|details"
    r"|info|information|screenshot|photo|file|log|log file|update|reply|answer|message))?"
    r"(?: to the question| to it| here)?",
    re.IGNORECASE,
)
_INCIDENT: Final = re.compile(r"INC[ -]?\d++", re.IGNORECASE)
_BARE_REF: Final = re.compile(rf"{_REF}\s", re.IGNORECASE)
_COPULAS: Final = frozenset(
    {"is", "was", "has", "had", "isn't", "wasn't", "hasn't", "got", "keeps", "still", "were"}
)
_TAIL_LONGEST: Final = 90
# How a trailing frame can end (or a digit): the tail pattern is only tried then.
_TAIL_ENDINGS: Final[dict[str, tuple[str, ...]]] = {
    labels.COMMENT: ("ticket", "incident", "case", "fyi", "thanks", "thx", "please", "pls"),
    labels.REOPEN: (
        "ticket", "incident", "case", "thanks", "thx", "please", "pls", "it", "this", "that",
        "again", "up", "open", "unclose", "unresolve", "close", "closing", "back", "restore",
    ),
}
_QUOTED: Final = re.compile(r"\"([^\"]++)\"|\u201c([^\u201d]++)\u201d")
_CLAUSE_BREAK: Final = re.compile(
    r"(?<![,;.!?])[,;.!?]++(?=\s|\Z)|\s[\-\u2013\u2014]++(?=\s)"
    r"|\s(?=(?:but|because|cause|cuz|coz|since|so|as)\s)",
    re.IGNORECASE,
)
_WORD: Final = re.compile(r"[^\W_]++(?:['\u2019][^\W_]++)?")
_TOKEN: Final = re.compile(r"[a-z0-9_]++(?:['\u2019][a-z]++)?")
# What may start a clause that still belongs to a refusal ("… until I confirm").
_STILL_REFUSING: Final = frozenset(
    {"until", "unless", "before", "till", "yet", "for", "please", "pls", "thanks", "now", "just"}
)
_OPENING_WORDS: Final = frozenset(
    {"because", "cause", "cuz", "coz", "since", "but"}
)
#: Conjunctions that open a clause of a refusal's rest ("…, as it's still broken").
_CLAUSE_OPENERS: Final = _OPENING_WORDS | {"as", "so", "and", "also"}
_POLITE: Final = frozenset(
    {"please", "pls", "plz", "thanks", "thx", "ty", "thank", "you", "ok", "okay", "cheers"}
)
_INTERJECTIONS: Final = frozenset(
    {"no", "yes", "yeah", "nope", "wait", "hey", "hang", "on", "actually", "seriously", "sorry",
     "hmm", "oh", "ah", "um", "uh", "stop", "hold", "whoa", "again", "and", "or"}
)
#: First words of a clause that is not a statement: thanks, a question, a preposition or
#: subordinator that makes it part of the refusal, or an imperative (another instruction).
_NOT_A_STATEMENT: Final = frozenset(
    {
        "thanks", "thank", "thx", "ty", "cheers", "appreciate", "great",
        "what", "when", "who", "why", "how", "where", "which", "is", "are", "any", "can",
        "could", "will", "would", "did", "does", "has", "have",
        "under", "without", "until", "till", "unless", "before", "for", "with", "in", "at",
        "on", "by", "after", "starting", "whatever", "whichever", "no", "if", "even", "ever",
        "keep", "leave", "let", "wait", "hold", "stop", "hang", "give", "make", "call", "ask",
        "check", "look", "talk", "get", "put", "send", "do", "don't", "dont", "please",
        "just", "actually", "seriously", "ok", "okay", "yes", "whoever", "not",
    }
)
_TRIM: Final = " \t,;:-\u2013\u2014"


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _clauses(text: str) -> list[tuple[int, int]]:
    """The clauses of ``text`` as spans, split at punctuation, dashes and conjunctions."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CLAUSE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _refusal_end(
    clause: str, numbers: list[tuple[int, int]], offset: int
) -> tuple[int, frozenset[str]] | None:
    """Where a clause that refuses a write ends (relative to the clause), and what it
    refuses; None for a clause that refuses nothing.

    The refusal runs to the clause's end, except that words after the incident number it
    refuses something about (after the negator) start the rest ("don't close INC… it's
    still broken"), unless they still belong to it ("… until I confirm").
    """
    lowered = clause.lower()
    refused = refused_requests(_TOKEN.findall(lowered))
    if not refused:
        return None
    negator = next(
        (m.start() for m in _TOKEN.finditer(lowered) if is_negator(m.group(0))), len(clause)
    )
    for start, end in numbers:
        if offset + negator <= start and end <= offset + len(clause):
            after = _words(clause[end - offset :])
            first = after[0].lower() if after else ""
            if len(after) >= 2 and first not in _STILL_REFUSING and not is_negator(first):
                return end - offset, refused
    return len(clause), refused


@dataclass(frozen=True, slots=True)
class Refusal:
    """A message that asks the bot not to do a write (see ``intents.guard``).

    ``refused``: the acting intents it refuses; ``left``: the span of what else it says,
    when that is information a comment could carry (None: nothing, thanks, or a question).
    """

    refused: frozenset[str]
    left: tuple[int, int] | None


def refusal(text: str, numbers: list[tuple[int, int]]) -> Refusal | None:
    """The refusal in a normalised message, or None when it refuses nothing."""
    if not may_negate(text.lower()):
        return None
    kept: list[tuple[int, int]] = []
    refused: frozenset[str] = frozenset()
    for start, end in _clauses(text):
        cut = _refusal_end(text[start:end], numbers, start)
        if cut is None:
            kept.append((start, end))
            continue
        refused |= cut[1]
        if cut[0] < end - start:
            kept.append((start + cut[0], end))
    if not refused:
        return None
    kept = [(s, e) for s, e in kept if _is_statement(text, s, e)]
    if not kept:
        return Refusal(refused, None)
    return Refusal(refused, _trim(text, kept[0][0], kept[-1][1], openers=_CLAUSE_OPENERS))


def _is_statement(text: str, start: int, end: int) -> bool:
    """Whether a clause tells something (a comment could carry it): "it's still broken",
    "the tech comes back tomorrow"; not thanks, a question, an interjection ("no no no"),
    another instruction ("leave it as is") or a part of the refusal ("without asking me",
    "under any circumstances", "until I confirm")."""
    start, end = _trim(text, start, end, openers=_CLAUSE_OPENERS)
    words = [w.lower() for w in _words(text[start:end])]
    if len(words) < 2 or text[end - 1] == "?" or not set(words) - _POLITE - _INTERJECTIONS:
        return False
    return words[0] not in _NOT_A_STATEMENT


def _trim(
    text: str, start: int, end: int, *, openers: frozenset[str] = _OPENING_WORDS
) -> tuple[int, int]:
    """``start:end`` without blanks, separators and opening conjunctions at its edges."""
    while True:
        while start < end and text[start] in _TRIM:
            start += 1
        while end > start and text[end - 1] in _TRIM:
            end -= 1
        first = _WORD.match(text, start)
        if first and first.group(0).lower() in openers and first.end() < end:
            start = first.end()
            continue
        return start, end


def _before(text: str, end: int, characters: str) -> int:
    while end and text[end - 1] in characters:
        end -= 1
    return end


def _unquote(text: str, start: int, end: int) -> tuple[int, int]:
    pairs = {'"': '"', "\u201c": "\u201d", "'": "'"}
    if end - start >= 2 and pairs.get(text[start]) == text[end - 1]:
        return start + 1, end - 1
    return start, end


def _names_another(text: str, span: tuple[int, int], target: str | None) -> bool:
    """Whether ``text[span]`` names an incident other than ``target`` ("same as INC…")."""
    return any(
        _digits(m.group(0)) != target for m in _INCIDENT.finditer(text, span[0], span[1])
    )


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def _body(
    text: str, start: int, end: int, intent: str, target: str | None
) -> tuple[int, int] | None:
    """The body inside ``text[start:end]`` for ``intent``, by the rules of the docstring."""
    lead = _LEADS[intent].match(text, start, end)
    if lead and _BARE_REF.fullmatch(text, start, lead.end()):
        after = _WORD.match(text, lead.end())
        if after and after.group(0).lower() in _COPULAS:
            lead = None  # "INC… was closed by mistake" is a sentence about INC…: keep it whole
    if lead and lead.end() > start:
        inner = _INNER.match(text, lead.end(), end)
        start = inner.end() if inner and inner.end() < end else lead.end()
    else:
        quoted = _QUOTED.search(text, start, end)
        if quoted and intent == labels.COMMENT:
            group = 1 if quoted.group(1) is not None else 2
            return quoted.span(group)
    start, end = _trim(text, start, end)
    bare = end
    while bare > start and text[bare - 1] in " ?!.":
        bare -= 1
    ending = text[max(start, bare - 12) : bare].lower()
    tail = (
        _TAILS[intent].search(text, max(start, bare - _TAIL_LONGEST), bare)
        if ending.endswith(_TAIL_ENDINGS[intent]) or ending[-1:].isdigit()
        else None
    )
    if tail and tail.start() > start and not _names_another(text, tail.span(), target):
        end = tail.start()
    start, end = _trim(text, start, end)
    start, end = _unquote(text, start, end)
    words = _words(text[start:end])
    # One word is enough after a colon or dash that introduces it ("add to INC…: rebooted").
    introduced = text[:start].rstrip().endswith((":", "-"))
    if len(words) < (1 if introduced else 2) or not {w.lower() for w in words} - _POLITE:
        return None
    if _FRAME_ONLY.fullmatch(text, start, _before(text, end, " ?!.")):
        return None
    return start, end


class Slots:
    """The slots of one normalised message, each worked out once, when first asked for.

    ``numbers`` are the spans of the incident numbers in ``text``.
    """

    def __init__(self, text: str, numbers: list[tuple[int, int]]) -> None:
        self.text = text
        self.numbers = numbers
        self._refusals: list[Refusal | None] = []  # empty until worked out
        self._comments: dict[str, tuple[int, int] | None] = {}

    def refusal(self) -> Refusal | None:
        """The refusal in the message (rule 5), or None when it refuses nothing."""
        if not self._refusals:
            self._refusals.append(refusal(self.text, self.numbers))
        return self._refusals[0]

    def comment(self, intent: str) -> tuple[int, int] | None:
        """Where the words to write are, for a comment or reopen ``intent``, or None."""
        if intent not in self._comments:
            self._comments[intent] = self._find_comment(intent)
        return self._comments[intent]

    def _find_comment(self, intent: str) -> tuple[int, int] | None:
        if intent not in _LEADS:
            return None
        start, end = 0, len(self.text)
        refused = self.refusal()
        if refused is not None:
            if refused.left is None:
                return None
            start, end = refused.left
        first = self.numbers[0] if self.numbers else None
        target = _digits(self.text[first[0] : first[1]]) if first else None
        return _body(self.text, start, end, intent, target)


def comment_span(
    text: str, *, intent: str, numbers: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """Where the words to write are in a normalised comment or reopen request, or None.

    ``numbers`` are the spans of the incident numbers in ``text``.
    """
    return Slots(text, numbers).comment(intent)
