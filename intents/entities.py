"""Entities: incident numbers (exact, by the INTENTS.md rule), hints, short descriptions.

``incident_number`` is recorded if and only if the text holds ``INC`` (any case), an
optional single space or hyphen, then exactly ``digits`` digits not followed by another
digit; its canonical form is ``INC`` + the digits. Shorter or longer forms (``inc4521``,
"ticket 4521", ``#4521``, a message that is only digits) are never numbers: they become
a *hint*, ``partial_incident_number``, a zero-padded guess the bot must confirm.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

DEFAULT_DIGITS: Final = 7
PLACEHOLDER: Final = "incnum"

_REF_WORD: Final = r"(?:inc(?:ident)?s?|tickets?|tkt|case)"
_NUM_WORD: Final = r"(?:no\.?|nr\.?|num(?:ber)?\.?)"


@lru_cache(maxsize=16)
def _canonical(digits: int) -> re.Pattern[str]:
    return re.compile(rf"INC[ -]?(\d{{{digits}}})(?!\d)", re.IGNORECASE)


@lru_cache(maxsize=16)
def _partial(digits: int) -> re.Pattern[str]:
    most = digits + 3
    return re.compile(
        rf"(?:\b{_REF_WORD}[ \t]*[#:\-]?[ \t]*(?:{_NUM_WORD}[ \t]*)?[#:\-]?[ \t]*"
        rf"|(?<![\w&])#[ \t]*)"
        rf"(\d{{1,{most}}})(?!\d)",
        re.IGNORECASE,
    )


@lru_cache(maxsize=16)
def _only_digits(digits: int) -> re.Pattern[str]:
    return re.compile(rf"\s*#?\s*(\d{{1,{digits + 3}}})\s*[?.!]*\s*")


def find_incident_numbers(text: str, *, digits: int = DEFAULT_DIGITS) -> list[str]:
    """Every incident number in ``text`` by the exact rule, canonical, in order, no repeats."""
    found: list[str] = []
    for match in _canonical(digits).finditer(text):
        number = f"INC{match.group(1)}"
        if number not in found:
            found.append(number)
    return found


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
    return None


def mask_numbers(text: str, *, digits: int = DEFAULT_DIGITS) -> str:
    """``text`` with exact and partial incident numbers replaced by a placeholder word.

    The classifier then learns "a message that names a ticket", not particular numbers.
    """
    out = _canonical(digits).sub(f" {PLACEHOLDER} ", text)

    def _keep_word(match: re.Match[str]) -> str:
        head = match.group(0)[: match.start(1) - match.start(0)]
        return f"{head} {PLACEHOLDER} "

    out = _partial(digits).sub(_keep_word, out)
    if _only_digits(digits).fullmatch(out):
        return PLACEHOLDER
    return out


# What surrounds a fault in a create message and is not part of it.
_LEAD: Final = re.compile(
    r"^(?:(?:hi|hey|hello|yo|morning|good morning|hiya|team|all|guys|folks|there|bot|snowbot"
    r"|please|pls|plz|kindly|urgent|help|sos|ugh|so|ok|okay|um|uh)\b[\s,!.:;-]*)+",
    re.IGNORECASE,
)
_FRAME: Final = re.compile(
    r"^(?:(?:can|could|would) (?:you|u) (?:please |pls )?)?"
    r"(?:(?:please |pls )?(?:open|raise|create|log|file|submit|make|start|report)"
    r"(?: me)?(?: an?| new| a new)? (?:ticket|incident|issue|problem|case)"
    r"(?: for me)?(?: please| pls)?(?: for| about| regarding| re)?"
    r"|new (?:ticket|incident)(?: please| pls)?"
    r"|(?:i (?:want|need|would like|'d like) to )?(?:report|raise|log) (?:an? )?"
    r"(?:problem|issue|ticket|incident)(?: with| about| regarding)?"
    r"|(?:hey |so )?i(?:'ve| have)? got an? (?:problem|issue)(?: with)?"
    r"|i have an? (?:problem|issue)(?: with)?"
    r"|there(?:'s| is) an? (?:problem|issue) with)"
    r"[\s,!.:;-]*",
    re.IGNORECASE,
)
# A request to log it, after the fault: "…, open a ticket", "…, can you log it pls".
_TAIL_FRAME: Final = re.compile(
    r"[\s,;:.!-]+(?:(?:can|could|would) (?:you|u|someone) (?:please |pls )?)?(?:please |pls )?"
    r"(?:open|raise|create|log|file|submit|make|start)(?: me)?"
    r"(?: (?:an?|new|a new) (?:ticket|incident|case|issue)| (?:a )?(?:ticket|incident|case)"
    r"| it| one| this)"
    r"(?: for (?:me|this|it))?(?: please| pls| plz| thanks| thx)?[\s!.?]*$",
    re.IGNORECASE,
)
_TAIL: Final = re.compile(
    r"(?:[\s,!.;-]+(?:please|pls|plz|help|help me|pls help|please help|asap|thanks|thx|ty"
    r"|thank you|urgent|again|any ideas\??|can you help\??|can someone help\??))+[\s!.?]*$",
    re.IGNORECASE,
)


def short_description(text: str, *, digits: int = DEFAULT_DIGITS) -> str | None:
    """The shortest span of a create message that still names the fault, or None.

    Greetings, request frames ("can you open a ticket,"), incident numbers and trailing
    politeness are cut; what is left is the fault. Nothing left (e.g. "report an issue")
    means the bot must ask what is wrong.
    """
    out = _canonical(digits).sub(" ", text)
    out = re.sub(r"\s+", " ", out).strip(" \t,;:-")
    for _ in range(3):
        before = out
        out = _LEAD.sub("", out).strip(" ,;:-")
        out = _FRAME.sub("", out).strip(" ,;:-")
        out = _TAIL.sub("", out).strip(" ,;:-")
        out = _TAIL_FRAME.sub("", out).strip(" ,;:-")
        if out == before:
            break
    out = out.strip(" \t,;:-.!")
    if len(re.findall(r"[A-Za-z]{2,}", out)) < 2 and not re.search(r"[A-Za-z]{4,}", out):
        return None
    if re.fullmatch(r"(?i)(?:an? )?(?:ticket|incident|issue|problem|case)s?", out):
        return None
    return out[:160]
