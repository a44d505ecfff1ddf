"""Short typed answers to the bot's own questions: yes or no, and which of a few choices.

``yes_or_no("yep")`` is True, ``yes_or_no("not that one")`` False, and anything that is
not a plain answer (``"yes please close INC0010001"`` included) is None, so a new request
is never taken for an answer. ``choice("the second", 3)`` is 1 (0-based); a number out of
range, or words that are not a choice, are None.

Pure and cheap: the message is lower-cased, cut to ``MAX_ANSWER_CHARS``, split into words
by one character class with a single quantifier, and looked up in sets. No pattern here
can backtrack.
"""

from __future__ import annotations

import re
from typing import Final

MAX_ANSWER_CHARS: Final = 60  # an answer is a few words; longer messages are requests

_WORD: Final = re.compile(r"[a-z0-9']+")

YES: Final = frozenset(
    {
        "yes", "y", "yep", "yeah", "yea", "ya", "yup", "sure", "ok", "okay", "k", "correct",
        "right", "exactly", "indeed", "affirmative", "that's the one", "that's it",
        "that one", "yes please", "yes thanks", "yes that's it", "yes that's the one",
        "yes that one", "yes it is", "it is", "sure thing", "of course", "please do",
        "go ahead", "do it", "sounds good", "👍", "thumbsup",
    }
)
NO: Final = frozenset(
    {
        "no", "n", "nope", "nah", "no thanks", "no thank you", "not that one", "wrong",
        "wrong one", "no that's wrong", "no not that one", "no it isn't", "it isn't",
        "that's wrong", "that's not it", "not it", "negative", "incorrect", "no way",
        "not quite", "thumbsdown",
    }
)
_FILLERS: Final = frozenset({"please", "pls", "thanks", "thank", "you", "the", "one", "number",
                             "no", "option", "ticket", "incident", "it's", "its", "is"})
ORDINALS: Final[dict[str, int]] = {
    "first": 1, "1st": 1, "one": 1, "second": 2, "2nd": 2, "two": 2, "third": 3, "3rd": 3,
    "three": 3, "fourth": 4, "4th": 4, "four": 4, "fifth": 5, "5th": 5, "five": 5,
    "last": -1,
}


def _words(text: str) -> list[str]:
    lowered = text[: MAX_ANSWER_CHARS + 1].lower().replace("\u2019", "'")
    if len(lowered) > MAX_ANSWER_CHARS:
        return []
    return _WORD.findall(lowered.replace("#", " "))


def yes_or_no(text: str) -> bool | None:
    """True for a plain yes ("yep", "sure", "that's the one"), False for a plain no, else None."""
    if len(text) > MAX_ANSWER_CHARS:
        return None
    stripped = text.strip().lower().replace("\u2019", "'")
    if stripped in YES:
        return True
    words = " ".join(_words(text))
    if words in YES:
        return True
    if words in NO or stripped in NO:
        return False
    return None


def choice(text: str, count: int) -> int | None:
    """The 0-based index a short answer picks among ``count`` choices, else None.

    "2", "#3", "number 1", "the second", "the second one", "last" are choices; a number
    that is not between 1 and ``count``, or any other word, is not.
    """
    words = _words(text)
    picked: int | None = None
    for word in words:
        if word in ORDINALS and not (word == "one" and picked is not None):
            value = ORDINALS[word]
        elif word.isdigit() and len(word) <= 2:
            value = int(word)
        elif word in _FILLERS:
            continue
        else:
            return None
        if picked is not None and value != picked:
            return None
        picked = value
    if picked is None or count < 1:
        return None
    if picked == -1:
        return count - 1
    return picked - 1 if 1 <= picked <= count else None
