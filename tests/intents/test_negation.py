"""Negation scope marking: what the classifier sees of "don't", "not", "no need to"."""

from __future__ import annotations

from intents.engine import featurize
from intents.negation import mark


def test_a_negated_verb_is_marked() -> None:
    """The words a negator governs are prefixed, so "don't close" reads as not_close."""
    assert mark("please don't close incnum")[0] == "please don't not_close incnum"


def test_a_scope_ends_at_the_clause() -> None:
    """Punctuation and a conjunction end the scope; what follows is left as written."""
    marked, _ = mark("do not resolve it, it's still broken but close the other one")
    assert marked == "do not not_resolve not_it, it's still broken but close the other one"


def test_placeholders_are_never_marked() -> None:
    """The incident placeholder is the same whether the user wants it closed or not."""
    assert "not_incnum" not in mark("never cancel incnum")[0]


def test_a_scope_is_at_most_six_words() -> None:
    """A negator governs six words at most."""
    marked, scopes = mark("no need to open a ticket for this at all")
    assert scopes == [["need", "to", "open", "a", "ticket", "for"]]
    assert marked.endswith("not_for this at all")


def test_the_scopes_are_returned_unmarked() -> None:
    """Each scope's words come back without the prefix, for the guard."""
    assert mark("no need for a ticket, it works")[1] == [["need", "for", "a", "ticket"]]


def test_un_and_re_prefixes_are_joined() -> None:
    """"un-close" and "re-open" are one word, as people also write them."""
    assert mark("un-close it or re-open it")[0] == "unclose it or reopen it"


def test_a_message_without_negation_is_unchanged() -> None:
    """Without a negator the text is returned as it came."""
    assert mark("close incnum please") == ("close incnum please", [])


def test_featurize_masks_numbers_and_marks_negation() -> None:
    """The vectoriser sees placeholders for numbers and not_ for negated words."""
    assert featurize("Don't close INC0010007 or CHG0030012", digits=7) == (
        "don't not_close  incnum  or  recnum "
    )
