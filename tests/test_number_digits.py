"""``SNOWBOT_INCIDENT_DIGITS`` reaches every number rule: ``INC00100012`` stays itself with 8."""

from __future__ import annotations

import pytest

from bot.blocks import ids
from bot.grammar import parse_snow
from bot.handlers.dialogue import PendingQuestion, command_for_answer
from bot.handlers.updates import validate_comment
from bot.settings import Settings
from bot.turn import Submission
from intents import IntentEngine, load_engine
from intents.entities import find_number

EIGHT = "INC00100012"


@pytest.fixture(scope="module")
def engine() -> IntentEngine:
    """The bot's own intent model, loaded once for this module."""
    return load_engine()


def test_comment_modal_accepts_an_eight_digit_number() -> None:
    """The comment modal's validation reads the digits from the settings."""
    submission = Submission(
        callback_id=ids.COMMENT_MODAL,
        values={ids.COMMENT_INCIDENT_INPUT: EIGHT, ids.COMMENT_TEXT_INPUT: "still broken"},
    )
    assert validate_comment(submission, Settings.for_tests(incident_digits=8)) == {}


def test_comment_modal_refuses_seven_digits_when_eight_are_set() -> None:
    """With 8 digits set, a 7-digit number is no number."""
    submission = Submission(
        callback_id=ids.COMMENT_MODAL,
        values={ids.COMMENT_INCIDENT_INPUT: "INC0010001", ids.COMMENT_TEXT_INPUT: "x"},
    )
    problems = validate_comment(submission, Settings.for_tests(incident_digits=8))
    assert ids.COMMENT_INCIDENT_BLOCK in problems


def test_snow_command_keeps_eight_digits() -> None:
    """``/snow comment INC00100012 …`` with 8 digits names INC00100012."""
    assert parse_snow(f"comment {EIGHT} hello", digits=8).number == EIGHT


def test_answer_to_which_incident_keeps_eight_digits() -> None:
    """An answer naming INC00100012 completes the request with that number."""
    pending = PendingQuestion(kind="comment", waiting_for="number", text="hello")
    command = command_for_answer(pending, f"it's {EIGHT}", number=None, digits=8)
    assert command is not None
    assert command.number == EIGHT


def test_a_longer_number_is_never_cut_to_the_digits() -> None:
    """With 7 digits, INC00100012 is no number, never INC0010001."""
    assert find_number(EIGHT, digits=7) is None


def test_engine_finds_eight_digit_numbers(engine: IntentEngine) -> None:
    """The engine's number finding honours the digits it is given."""
    prediction = engine.predict(f"what's the status of {EIGHT}", incident_digits=8)
    assert prediction.entities.get("incident_number") == EIGHT
