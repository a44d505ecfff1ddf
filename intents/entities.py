"""Entities: incident numbers (exact, by the rule below), hints, short descriptions, and
what a problem report says beyond its intent (``guess_urgency``, ``describes_no_problem``).

``incident_number`` is recorded if and only if the text holds ``INC`` (any case), an
optional single space or hyphen, then exactly ``digits`` digits not followed by another
digit; its canonical form is ``INC`` + the digits. Shorter or longer forms (``inc4521``,
"ticket 4521", ``#4521``, a message that is only digits) are never numbers: they become
a *hint*, ``partial_incident_number``, a zero-padded guess the bot must confirm. A bare
run of four or more digits counts as a shorter form only right after a word that asks
about one incident ("status of 10002?", "close 10003").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

DEFAULT_DIGITS: Final = 7
PLACEHOLDER: Final = "incnum"
RECORD_PLACEHOLDER: Final = "recnum"
#: Other ServiceNow tables' number prefixes (longest first: SCTASK before TASK).
OTHER_RECORD_PREFIXES: Final[tuple[str, ...]] = ("SCTASK", "RITM", "TASK", "REQ", "CHG", "PRB")

_REF_WORD: Final = r"(?:inc(?:ident)?s?|tickets?|tkt|case)"
_NUM_WORD: Final = r"(?:no\.?|nr\.?|num(?:ber)?\.?)"
# "status of 10002", "any update on 10002?", "close 10003": a bare run of four or more
# digits right after a word that asks about (or acts on) one incident is a shorter form.
_ASKED_WORD: Final = (
    r"(?:status|state|update|updates|news|progress|details|eta|check|show|find|look up"
    r"|lookup|look at|close|cancel|resolve|reopen)"
)
_ASKED_PREPOSITION: Final = r"(?:of|on|for|about|re|to|with)"


@lru_cache(maxsize=16)
def _canonical(digits: int) -> re.Pattern[str]:
    return re.compile(rf"INC[ -]?(\d{{{digits}}})(?!\d)", re.IGNORECASE)


def incident_number_pattern(digits: int = DEFAULT_DIGITS) -> re.Pattern[str]:
    """The compiled exact rule: ``INC``, an optional space or hyphen, ``digits`` digits."""
    return _canonical(digits)


@lru_cache(maxsize=16)
def _partial(digits: int) -> re.Pattern[str]:
    most = digits + 3
    # Possessive runs of blanks: each blank is read once, whatever follows fails.
    return re.compile(
        rf"(?:\b{_REF_WORD}[ \t]*+(?:[#:\-][ \t]*+)?(?:{_NUM_WORD}[ \t]*+)?(?:[#:\-][ \t]*+)?"
        rf"|(?<![\w&])#[ \t]*+)"
        rf"(\d{{1,{most}}})(?!\d)",
        re.IGNORECASE,
    )


@lru_cache(maxsize=16)
def _asked(digits: int) -> re.Pattern[str]:
    """A bare run of four or more digits after a word that asks about one incident."""
    return re.compile(
        rf"\b{_ASKED_WORD}(?: {_ASKED_PREPOSITION})? #?(\d{{4,{digits + 3}}})(?!\d)",
        re.IGNORECASE,
    )


_FOUR_DIGITS: Final = re.compile(r"\d{4}")


@lru_cache(maxsize=16)
def _only_digits(digits: int) -> re.Pattern[str]:
    return re.compile(rf"\s*+(?:#\s*+)?(\d{{1,{digits + 3}}})[\s?.!]*+")


@lru_cache(maxsize=16)
def _other_record(digits: int) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![A-Za-z])({'|'.join(OTHER_RECORD_PREFIXES)})[ -]?(\d{{{digits}}})(?!\d)",
        re.IGNORECASE,
    )


@lru_cache(maxsize=16)
def _whole(digits: int) -> re.Pattern[str]:
    return re.compile(rf"INC\d{{{digits}}}", re.IGNORECASE)


def canonical_number(token: str, *, digits: int) -> str | None:
    """``token`` as a canonical incident number (``INC`` + exactly ``digits`` digits), or None."""
    upper = token.strip().upper()
    return upper if _whole(digits).fullmatch(upper) else None


def find_number(text: str, *, digits: int) -> str | None:
    """The first incident number in ``text`` typed with spaces or hyphens anywhere in it.

    For a field or a button that holds one number (``INC 001-2345``): blanks and hyphens
    are dropped first, then the exact rule applies, so more digits than ``digits`` are no
    number (never the first ``digits`` of them).
    """
    found = find_incident_numbers(text.replace(" ", "").replace("-", ""), digits=digits)
    return found[0] if found else None


def find_incident_numbers(text: str, *, digits: int = DEFAULT_DIGITS) -> list[str]:
    """Every incident number in ``text`` by the exact rule, canonical, in order, no repeats."""
    found: list[str] = []
    for match in _canonical(digits).finditer(text):
        number = f"INC{match.group(1)}"
        if number not in found:
            found.append(number)
    return found


def find_other_record(text: str, *, digits: int = DEFAULT_DIGITS) -> str | None:
    """The first number of another ServiceNow table (``RITM0010001``, ``CHG0030012`` …).

    Same shape as an incident number (the prefix in any case, an optional single space or
    hyphen, exactly ``digits`` digits), not glued to a word before it; canonical upper case.
    """
    match = _other_record(digits).search(text)
    return f"{match.group(1).upper()}{match.group(2)}" if match else None


def _guess(raw_digits: str, digits: int) -> str | None:
    stripped = raw_digits.lstrip("0")
    if not stripped or len(stripped) > digits:
        return None
    return "INC" + stripped.zfill(digits)


def find_partial_number(text: str, *, digits: int = DEFAULT_DIGITS) -> str | None:
    """A guessed canonical number from a shorter or longer form, or None.

    Only called when no exact number is present: the bot asks the user to confirm it.
    """
    whole = _only_digits(digits).fullmatch(text)
    if whole:
        return _guess(whole.group(1), digits)
    for match in _partial(digits).finditer(text):
        guess = _guess(match.group(1), digits)
        if guess:
            return guess
    if _FOUR_DIGITS.search(text) is None:  # the common case, checked at C speed
        return None
    for match in _asked(digits).finditer(text):
        guess = _guess(match.group(1), digits)
        if guess:
            return guess
    return None


def mask_numbers(text: str, *, digits: int = DEFAULT_DIGITS) -> str:
    """``text`` with exact and partial incident numbers replaced by a placeholder word.

    The classifier then learns "a message that names a ticket", not particular numbers.
    """
    out = _canonical(digits).sub(f" {PLACEHOLDER} ", text)
    out = _other_record(digits).sub(f" {RECORD_PLACEHOLDER} ", out)

    def _keep_word(match: re.Match[str]) -> str:
        head = match.group(0)[: match.start(1) - match.start(0)]
        return f"{head} {PLACEHOLDER} "

    out = _partial(digits).sub(_keep_word, out)
    if _FOUR_DIGITS.search(out) is not None:
        out = _asked(digits).sub(_keep_word, out)
    if _only_digits(digits).fullmatch(out):
        return PLACEHOLDER
    return out


# What surrounds a fault in a create message and is not part of it. Each pattern is
# tried where it can end the match and nowhere else (see ``_cut_lead`` and ``_cut_tail``),
# so none of them is ever retried along a long run of separators.
_LEAD_WORD: Final = re.compile(
    r"(?:hi|hey|hello|yo|morning|good morning|hiya|team|all|guys|folks|there|bot|snowbot"
    r"|please|pls|plz|kindly|urgent|help|sos|ugh|so|ok|okay|um|uh)\b[\s,!.:;-]*+",
    re.IGNORECASE,
)
_FRAME: Final = re.compile(
    r"(?:(?:can|could|would) (?:you|u) (?:please |pls )?)?"
    r"(?:(?:please |pls )?(?:open|raise|create|log|file|submit|make|start|report)"
    r"(?: me)?(?: an?| new| a new)? (?:ticket|incident|issue|problem|case)"
    r"(?: for me)?(?: please| pls)?(?: for| about| regarding| re)?"
    r"|new (?:ticket|incident)(?: please| pls)?"
    r"|i (?:need|want|would like|'d like) (?:a |an )?(?:new )?(?:ticket|incident)"
    r"(?: opened| raised| logged)?(?: please| pls)?(?: for| about| regarding)?"
    r"|(?:i (?:want|need|would like|'d like) to )?(?:report|raise|log) (?:an? )?"
    r"(?:problem|issue|ticket|incident)(?: with| about| regarding)?"
    r"|(?:hey |so )?i(?:'ve| have)? got an? (?:problem|issue)(?: with)?"
    r"|i have an? (?:problem|issue)(?: with)?"
    r"|there(?:'s| is) an? (?:problem|issue) with)"
    r"[\s,!.:;-]*+",
    re.IGNORECASE,
)
# A request to log it, after the fault: "…, open a ticket", "…, can you log it pls".
_TAIL_FRAME: Final = re.compile(
    r"(?<=[\s,;:.!-])(?:(?:can|could|would) (?:you|u|someone) (?:please |pls )?)?"
    r"(?:please |pls )?(?:open|raise|create|log|file|submit|make|start)(?: me)?"
    r"(?: (?:an?|new|a new) (?:ticket|incident|case|issue)| (?:a )?(?:ticket|incident|case)"
    r"| it| one| this)"
    r"(?: for (?:me|this|it))?(?: please| pls| plz| thanks| thx)?\Z",
    re.IGNORECASE,
)
_TAIL_FRAME_LONGEST: Final = 80  # characters: the longest text _TAIL_FRAME can match
# Trailing politeness: "…, pls help", "… asap thanks".
_TAIL_WORD: Final = re.compile(
    r"(?<=[\s,!.;-])(?:please|pls|plz|help|help me|pls help|please help|asap|thanks|thx|ty"
    r"|thank you|urgent|again|any ideas|can you help|can someone help)\Z",
    re.IGNORECASE,
)
_TAIL_WORD_LONGEST: Final = 20
_END: Final = " \t\n\r\f\v!.?"  # what may follow a trailing phrase
_SEPARATORS: Final = " \t\n\r\f\v,;:.!-"


def _cut_lead(text: str) -> str:
    """``text`` without leading greetings and fillers ("hi team, please, …")."""
    position = 0
    while match := _LEAD_WORD.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    return text[position:]


def _before_end(text: str, end: int, characters: str) -> int:
    """The index just after the last character before ``end`` that is not in ``characters``."""
    while end and text[end - 1] in characters:
        end -= 1
    return end


def _cut_tail(text: str, phrase: re.Pattern[str], longest: int, *, repeat: bool) -> str:
    """``text`` without the phrase(s) matched at its end (before a final ``_END`` run).

    The phrase is only tried in the last ``longest`` characters, so the cost is bounded
    by the length of the text, however many separators it holds.
    """
    end = _before_end(text, len(text), _END)
    cut = len(text)
    while match := phrase.search(text, max(0, end - longest), end):
        cut = _before_end(text, match.start(), _SEPARATORS)
        if not repeat:
            break
        end = _before_end(text, cut, _END)
    return text[:cut]


def short_description(text: str, *, digits: int = DEFAULT_DIGITS) -> str | None:
    """The shortest span of a create message that still names the fault, or None.

    Greetings, request frames ("can you open a ticket,"), incident numbers and trailing
    politeness are cut; what is left is the fault. Nothing left (e.g. "report an issue")
    means the bot must ask what is wrong.
    """
    out = _canonical(digits).sub(" ", text)
    out = " ".join(out.split()).strip(" \t,;:-")
    for _ in range(3):
        before = out
        out = _cut_lead(out).strip(" ,;:-")
        frame = _FRAME.match(out)
        out = out[frame.end():].strip(" ,;:-") if frame else out
        out = _cut_tail(out, _TAIL_WORD, _TAIL_WORD_LONGEST, repeat=True).strip(" ,;:-")
        out = _cut_tail(out, _TAIL_FRAME, _TAIL_FRAME_LONGEST, repeat=False).strip(" ,;:-")
        if out == before:
            break
    out = out.strip(" \t,;:-.!")
    if len(re.findall(r"[A-Za-z]{2,}", out)) < 2 and not re.search(r"[A-Za-z]{4,}", out):
        return None
    if re.fullmatch(r"(?i)(?:an? )?(?:ticket|incident|issue|problem|case)s?", out):
        return None
    return out[:160]


# --- what a problem report says beyond its intent --------------------------------

_HIGH = re.compile(
    r"\b(urgent(ly)?|asap|emergency|critical|immediately|right now|"
    r"can'?t work|cannot work|can not work|unable to work)\b",
    re.IGNORECASE,
)
_MEDIUM = re.compile(
    r"\b(everyone|everybody|whole (team|office|floor)|entire (team|office)|all of us|"
    r"nobody can|no one can|several (people|users)|blocked)\b",
    re.IGNORECASE,
)
# Words that only ask for a ticket without saying what is wrong.
_FILLER_WORDS = (
    "i i'd id want need would like to please can could you me for a an new the open "
    "create raise log file submit make report start ticket tickets incident issue case "
    "problem one hi hello hey snow servicenow help pls plz thanks thx"
)
_FILLER = frozenset(_FILLER_WORDS.split())


def guess_urgency(text: str) -> int:
    """1 for "urgent", "asap", "can't work"; 2 when many people are hit; else 3."""
    if _HIGH.search(text):
        return 1
    if _MEDIUM.search(text):
        return 2
    return 3


def describes_no_problem(text: str) -> bool:
    """Whether ``text`` only asks for a ticket ("I want to open a ticket")."""
    words = re.findall(r"[\w']+", text.lower())
    return all(word in _FILLER for word in words)
