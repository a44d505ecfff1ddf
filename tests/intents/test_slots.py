"""comment_text: the words a comment (or a reopen) asks the bot to write."""

from __future__ import annotations

import pytest

from intents import labels
from intents.entities import incident_number_pattern
from intents.slots import comment_span, refusal


def _words(text: str, intent: str = labels.COMMENT) -> str | None:
    numbers = [m.span() for m in incident_number_pattern(7).finditer(text)]
    span = comment_span(text, intent=intent, numbers=numbers)
    return text[span[0] : span[1]] if span else None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("add a comment to INC0010003: using outlook 2019", "using outlook 2019"),
        ("add to INC0010003: using outlook 2019", "using outlook 2019"),
        ("INC0010003 - the dock was replaced", "the dock was replaced"),
        ("INC0010003 more details: happens every time i undock", "happens every time i undock"),
    ],
)
def test_the_words_after_a_colon_or_dash_are_the_comment(text: str, words: str) -> None:
    """The body follows the colon or dash after the request frame."""
    assert _words(text) == words


def test_one_word_after_a_colon_is_the_comment() -> None:
    """A single word introduced by a colon is a comment ("add to INC…: rebooted")."""
    assert _words("add to INC0010003: rebooted") == "rebooted"


def test_one_word_without_a_colon_is_not_a_comment() -> None:
    """A single trailing word with no colon is too little to write ("comment INC… now")."""
    assert _words("comment on INC0010003 now") is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("comment on INC0010004 saying the dock was replaced", "the dock was replaced"),
        ("tell the tech on INC0010004 that I'm out until monday", "I'm out until monday"),
        ("please add to INC0010004 that the printer id is PRN-3", "the printer id is PRN-3"),
        ("let them know on INC0010004 i'll be at my desk at 11", "i'll be at my desk at 11"),
    ],
)
def test_the_words_after_a_marker_are_the_comment(text: str, words: str) -> None:
    """"saying", "that" or nothing after the frame introduces the body."""
    assert _words(text) == words


def test_quoted_words_are_the_comment() -> None:
    """Words in quotes are the body, without the quotes."""
    assert _words('please add "tested on vpn, same result" to INC0044001') == (
        "tested on vpn, same result"
    )


def test_a_trailing_reference_is_cut() -> None:
    """"…, re INC…" and "… for INC…" after the body are not part of it."""
    assert _words("i'm free after 2pm, re INC0040044") == "i'm free after 2pm"
    assert _words("error code 0x8004010f on INC0041009") == "error code 0x8004010f"


def test_another_incident_at_the_end_is_part_of_the_comment() -> None:
    """"same as INC0010002" on INC0010003 keeps the other number: it is information."""
    assert _words("add to INC0010003: same as INC0010002") == "same as INC0010002"


def test_a_bare_request_has_no_comment() -> None:
    """"add a comment to my ticket" says nothing to write: the bot must ask."""
    for text in ("add a comment to my ticket", "add info to INC0014470 please"):
        assert _words(text) is None


def test_what_a_refusal_leaves_is_the_comment() -> None:
    """"don't close INC…, it's still broken" writes what is left: "it's still broken"."""
    assert _words("don't close INC0010005, it's still broken") == "it's still broken"
    assert _words("don't close INC0010005 because it's still broken") == "it's still broken"


def test_a_bare_refusal_leaves_nothing() -> None:
    """A refusal with nothing informative left is no comment."""
    for text in (
        "please do NOT close INC0010007",
        "don't close INC0010005 until I confirm",
        "whatever you do, don't cancel INC0097085",
        "keep INC0074752 open, don't resolve it",
    ):
        refused = refusal(text, [m.span() for m in incident_number_pattern(7).finditer(text)])
        assert refused is not None, text
        assert refused.left is None, text


def test_a_reopen_keeps_its_reason() -> None:
    """A reopen's body is the user's reason."""
    assert _words("reopen INC0010004, the printer jams again", labels.REOPEN) == (
        "the printer jams again"
    )
    assert _words("please reopen INC0010004 because the fix didn't hold", labels.REOPEN) == (
        "the fix didn't hold"
    )
    assert _words("reopen INC0010004", labels.REOPEN) is None
