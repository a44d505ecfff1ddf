"""The exact `/snow` grammar: which commands write at once, and other tables' numbers."""

from __future__ import annotations

import pytest

from bot.grammar import SnowCommand, find_other_record, other_record_kind, parse_snow


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("close INC0010002", SnowCommand(kind="close", number="INC0010002", confirmed=True)),
        (
            "comment inc0010001 it broke  again",
            SnowCommand(kind="comment", number="INC0010001", text="it broke  again",
                        confirmed=True),
        ),
        (
            "reopen INC0010004 the monitor flickers",
            SnowCommand(kind="reopen", number="INC0010004", text="the monitor flickers",
                        confirmed=True),
        ),
        ("reopen INC0010004", SnowCommand(kind="reopen", number="INC0010004", confirmed=True)),
        ("disconnect", SnowCommand(kind="disconnect", confirmed=True)),
        ("INC0010001", SnowCommand(kind="lookup", number="INC0010001")),
    ],
)
def test_exact_commands_are_parsed_and_confirmed(text: str, expected: SnowCommand) -> None:
    """Typing an exact write command is its own confirmation."""
    assert parse_snow(text) == expected


@pytest.mark.parametrize(
    "text", ["close my ticket", "reopen it please", "close INC0010002 now", "disconnect me"]
)
def test_anything_else_is_free_text_and_not_confirmed(text: str) -> None:
    """Words the grammar does not name go to the classifier, unconfirmed."""
    command = parse_snow(text)
    assert command.kind == "free_text"
    assert not command.confirmed


def test_a_comment_keeps_its_line_breaks() -> None:
    """The words of a typed comment are kept as typed."""
    assert parse_snow("comment INC0010001 first\nsecond").text == "first\nsecond"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("close RITM0010001", "RITM0010001"),
        ("comment CHG0030012 done", "CHG0030012"),
        ("reopen prb0040001", "PRB0040001"),
        ("SCTASK0010009", "SCTASK0010009"),
    ],
)
def test_other_tables_numbers_are_other_records(text: str, number: str) -> None:
    """Another table's number where an incident is expected is ``other_record``."""
    assert parse_snow(text) == SnowCommand(kind="other_record", number=number)


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("RITM0010001", "requested item"),
        ("REQ0010001", "request"),
        ("CHG0030012", "change request"),
        ("PRB0040001", "problem"),
        ("TASK0010001", "task"),
        ("SCTASK0010001", "catalog task"),
    ],
)
def test_record_types_are_named(number: str, kind: str) -> None:
    """Each prefix is named as people call the record."""
    assert other_record_kind(number) == kind


def test_other_records_are_found_as_whole_words() -> None:
    """A number inside another word is not a record."""
    assert find_other_record("see XRITM0010001 and chg0030012.") == "CHG0030012"
    assert find_other_record("INC0010001 only") is None
