"""Journal display texts: read into entries in linear time, whatever the text holds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.servicenow.records import journal_entries, latest_comment

LONG = 40_000
# Pieces of the header syntax, the kind that made the old pattern backtrack.
SEPARATORS = st.sampled_from([" - ", " (", "(", ")", " ", "-", "a", "\n", "\t", "é"])
# The one-line header the parser implements, as a regular expression: only ever run by
# this test, on short texts, as the reference.
REFERENCE = re.compile(r"^(?P<when>.+?) - (?P<who>.+?) \((?P<label>[^()\n]+)\)$", re.MULTILINE)


def reference_entries(text: str) -> list[tuple[str, str]]:
    """(author, body) of each entry, by the reference pattern."""
    headers = list(REFERENCE.finditer(text))
    entries = []
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        entries.append(
            (header.group("who").strip(), text[header.end() : end].strip("\n").strip())
        )
    return entries


def test_entries_come_newest_first_with_author_and_body() -> None:
    """Each header line opens an entry; its body runs to the next header."""
    text = (
        "2026-05-03 14:12:09 - Beth Anglin (Additional comments)\n"
        "Restarted the VPN: no change (see log)\n\n"
        "2026-05-02 09:00:00 - Abel Tuter (Additional comments)\n"
        "It drops every few minutes."
    )
    entries = journal_entries(text)
    assert [(e.author, e.text) for e in entries] == [
        ("Beth Anglin", "Restarted the VPN: no change (see log)"),
        ("Abel Tuter", "It drops every few minutes."),
    ]
    assert latest_comment(text) == entries[0]


@settings(deadline=500, max_examples=60)
@given(unit=st.lists(SEPARATORS, min_size=1, max_size=8).map("".join))
def test_journal_parsing_is_linear_on_long_runs_of_separators(unit: str) -> None:
    """40,000 characters of repeated header syntax parse within the deadline (0.5 s)."""
    text = (unit * (LONG // len(unit) + 1))[:LONG]
    journal_entries(text)


@given(text=st.lists(SEPARATORS, max_size=60).map("".join))
def test_journal_parsing_agrees_with_the_one_line_header_pattern(text: str) -> None:
    """On short texts the parser finds exactly what the one-line header pattern finds."""
    found = [(entry.author, entry.text) for entry in journal_entries(text)]
    assert found == reference_entries(text)
