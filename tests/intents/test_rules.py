"""The rules fast path."""

from __future__ import annotations

from intents.rules import fast_path


def test_a_bare_number_is_a_lookup() -> None:
    """A message that is only an incident number, exact or short, is a lookup."""
    for text in ("INC0012345", "inc 0012345?", "4521", "#4521"):
        assert fast_path(text, digits=7) == "incident.lookup"


def test_command_words_are_their_intents() -> None:
    """help, connect and /snow mine go straight to their intents."""
    assert fast_path("help", digits=7) == "help"
    assert fast_path("Connect!", digits=7) == "connect"
    assert fast_path("/snow mine", digits=7) == "incident.list_mine"


def test_sentences_go_to_the_model() -> None:
    """Anything longer than a command word is left to the model."""
    assert fast_path("help me plan my holiday", digits=7) is None
