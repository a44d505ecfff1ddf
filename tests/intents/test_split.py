"""Where one message may hold several requests."""

from __future__ import annotations

from intents.split import request_spans


def _parts(text: str) -> list[str]:
    return [text[s:e] for s, e in request_spans(text, digits=7)]


def test_a_message_is_cut_between_two_numbers_at_a_clause_boundary() -> None:
    """"close INC1 and add a comment to INC2: …" is cut at the "and" between them."""
    assert _parts("close INC0010002 and add a comment to INC0010003: using outlook 2019") == [
        "close INC0010002",
        " add a comment to INC0010003: using outlook 2019",
    ]


def test_a_number_with_no_words_of_its_own_stays_with_the_request_before() -> None:
    """"close INC1 and INC2 too" is one part: the second number adds no request."""
    assert len(_parts("close INC0010002 and INC0010003 too")) == 1


def test_a_leading_bare_number_joins_the_request_after_it() -> None:
    """"INC1 and INC2 are both fixed, close them" is one part."""
    assert len(_parts("INC0010001 and INC0010002 are both fixed, please close them")) == 1


def test_a_message_with_one_number_is_never_cut() -> None:
    """One incident number, one part, whatever the clauses."""
    assert len(_parts("don't close INC0010005, it's still broken, and thanks")) == 1


def test_the_last_boundary_between_two_numbers_is_used() -> None:
    """Words after the first number stay with it; the frame of the second stays with it."""
    assert _parts("close INC0010002, it works. add to INC0010003: still slow") == [
        "close INC0010002, it works",
        " add to INC0010003: still slow",
    ]
