"""Typed answers to the bot's own questions: yes or no, and a choice among a few."""

from __future__ import annotations

import pytest

from intents.answers import MAX_ANSWER_CHARS, choice, yes_or_no


@pytest.mark.parametrize(
    "text", ["yes", "Yes!", "yep", "yeah", "sure", "ok", "correct", "that's the one", "Y"]
)
def test_plain_yes_is_true(text: str) -> None:
    """A plain yes in any of its usual words reads as True."""
    assert yes_or_no(text) is True


@pytest.mark.parametrize("text", ["no", "Nope.", "nah", "not that one", "wrong", "no thanks"])
def test_plain_no_is_false(text: str) -> None:
    """A plain no in any of its usual words reads as False."""
    assert yes_or_no(text) is False


@pytest.mark.parametrize(
    "text", ["yes please close INC0010001", "my printer is broken", "", "maybe", "not sure"]
)
def test_anything_else_is_not_an_answer(text: str) -> None:
    """A message that is more than a yes or a no is not read as one."""
    assert yes_or_no(text) is None


def test_a_long_message_is_never_an_answer() -> None:
    """Text longer than an answer could be is None, whatever it starts with."""
    assert yes_or_no("yes " + "x" * MAX_ANSWER_CHARS) is None


@pytest.mark.parametrize(
    ("text", "index"),
    [("2", 1), ("the second", 1), ("#3", 2), ("number 1", 0), ("the first one", 0),
     ("3rd", 2), ("last", 2), ("2 please", 1)],
)
def test_choice_reads_numbers_and_ordinals(text: str, index: int) -> None:
    """Digits, ordinals, `#n` and "number n" pick a 0-based index."""
    assert choice(text, 3) == index


@pytest.mark.parametrize("text", ["4", "0", "the fifth", "2 or 3", "printer", "", "INC0010002"])
def test_choice_out_of_range_or_other_words_is_none(text: str) -> None:
    """A number outside the choices, two numbers, or other words pick nothing."""
    assert choice(text, 3) is None


def test_hostile_answer_text_is_cheap_and_none() -> None:
    """A very long run of answer-like characters is refused without scanning it."""
    assert choice("1" * 100_000, 3) is None
    assert yes_or_no("y" * 100_000) is None
