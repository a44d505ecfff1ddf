"""predict_all: one prediction per request, each with only its own numbers; the length cap."""

from __future__ import annotations

from intents import IntentEngine, labels
from intents.engine import MAX_CHARS


def test_two_different_requests_are_two_predictions(engine: IntentEngine) -> None:
    """A close and a comment on two incidents each keep their own number and words."""
    close, comment = engine.predict_all(
        "close INC0010002 and add a comment to INC0010003: using outlook 2019"
    )
    assert (close.intent, close.numbers, close.entities["incident_number"]) == (
        labels.CLOSE, ("INC0010002",), "INC0010002"
    )
    assert (comment.intent, comment.numbers, comment.entities["incident_number"]) == (
        labels.COMMENT, ("INC0010003",), "INC0010003"
    )
    assert comment.entities["comment_text"] == "using outlook 2019"


def test_one_lookup_of_several_incidents_is_one_prediction(engine: IntentEngine) -> None:
    """"what's the status of INC1, INC2 and INC3" is one lookup with all three numbers."""
    (p,) = engine.predict_all("what's the status of INC0010001, INC0010002 and INC0010003")
    assert (p.intent, p.numbers) == (labels.LOOKUP, ("INC0010001", "INC0010002", "INC0010003"))


def test_one_close_of_two_incidents_is_one_prediction(engine: IntentEngine) -> None:
    """"close INC1 and INC2" is one close request with both numbers."""
    (p,) = engine.predict_all("close INC0010002 and INC0010003")
    assert (p.intent, p.numbers) == (labels.CLOSE, ("INC0010002", "INC0010003"))


def test_a_write_never_carries_another_clauses_number(engine: IntentEngine) -> None:
    """Each write's numbers are only those written in its own clause."""
    parts = engine.predict_all(
        "don't close INC0010001, close INC0010002 instead. "
        "also reopen INC0010004, the printer jams again"
    )
    writes = {p.intent: p.numbers for p in parts if p.intent in (labels.CLOSE, labels.REOPEN)}
    assert writes == {labels.CLOSE: ("INC0010002",), labels.REOPEN: ("INC0010004",)}


def test_a_single_request_is_a_one_element_list(engine: IntentEngine) -> None:
    """A message with one request gives exactly what predict gives."""
    text = "tell the tech on INC0010004 that I'm out until monday"
    assert engine.predict_all(text) == [engine.predict(text)]


def test_a_comment_past_the_cap_runs_to_the_end_of_the_message(engine: IntentEngine) -> None:
    """The engine reads the first MAX_CHARS characters; the comment keeps all the words."""
    body = "full log: " + " ".join(f"line {i}: spooler restarted" for i in range(400))
    p = engine.predict(f"add a comment to INC0010001: {body}")
    assert len(body) > MAX_CHARS
    assert p.entities["comment_text"] == body
