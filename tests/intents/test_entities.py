"""Incident numbers, hints and short descriptions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intents.entities import (
    find_incident_numbers,
    find_other_record,
    find_partial_number,
    short_description,
)

# Noise never contains the letter c, so it cannot form "INC" by itself.
_noise = st.text(alphabet="abdefghjklmopqrstuvwxyz ,.?!:;'()", max_size=12)
_token = st.tuples(
    st.sampled_from(["INC", "inc", "Inc", "iNc"]),
    st.sampled_from(["", " ", "-", "  ", "_", "--"]),
    st.integers(min_value=1, max_value=10),
    st.integers(min_value=0, max_value=10**10),
)


@given(
    parts=st.lists(st.tuples(_noise, _token), max_size=4),
    tail=_noise,
    digits=st.sampled_from([6, 7, 8]),
)
def test_a_number_is_found_iff_the_rule_holds(
    parts: list[tuple[str, tuple[str, str, int, int]]], tail: str, digits: int
) -> None:
    """INC, an optional single space or hyphen, then exactly N digits is found, canonical."""
    text = ""
    expected: list[str] = []
    for noise, (prefix, sep, width, value) in parts:
        number = str(value).zfill(width)[-width:]
        text += f"{noise} {prefix}{sep}{number} "
        if sep in ("", " ", "-") and width == digits and f"INC{number}" not in expected:
            expected.append(f"INC{number}")
    text += tail
    assert find_incident_numbers(text, digits=digits) == expected


def test_shorter_forms_are_hints_not_numbers() -> None:
    """inc4521, ticket 4521 and #4521 give a zero-padded guess and no number."""
    for text in ("status of inc4521", "check ticket 4521", "#4521 any update?"):
        assert find_incident_numbers(text) == []
        assert find_partial_number(text) == "INC0004521"


def test_other_record_numbers_give_no_hint() -> None:
    """RITM and CHG numbers are neither numbers nor hints."""
    assert find_partial_number("status of RITM0012345 and CHG0030012") is None


def test_short_description_cuts_the_request_frame() -> None:
    """Greetings, the ask to open a ticket and politeness are cut; the fault remains."""
    assert short_description("hi, can you open a ticket, my monitor is flickering pls") == (
        "my monitor is flickering"
    )


def test_no_short_description_without_a_fault() -> None:
    """A bare wish to open a ticket names no fault."""
    assert short_description("i want to raise a ticket") is None


def test_short_description_cuts_a_trailing_request() -> None:
    """A request to log it after the fault ("…, open a ticket") is not part of the fault."""
    assert short_description("my mouse is broken, open a ticket") == "my mouse is broken"
    assert short_description("hey, my laptop won't boot since this morning, can you log it") == (
        "my laptop won't boot since this morning"
    )


def test_other_records_are_found_canonical_and_first() -> None:
    """RITM, REQ, CHG, PRB, TASK and SCTASK numbers, any case, become upper case; the
    first one wins."""
    assert find_other_record("close ritm0010001 and CHG0030012") == "RITM0010001"
    assert find_other_record("update sctask-0010002 please") == "SCTASK0010002"
    assert find_other_record("is TASK 0010003 done") == "TASK0010003"
    assert find_other_record("reopen prb0040001") == "PRB0040001"
    assert find_other_record("cancel REQ0010009") == "REQ0010009"


def test_other_records_follow_the_digit_rule() -> None:
    """Too few or too many digits, or a prefix glued to a word, is no record number."""
    for text in ("RITM001", "CHG00300123", "MYTASK0010001", "INC0010001"):
        assert find_other_record(text) is None, text
