"""Entities and hints the bot reads: list filters, references, context, field, topic."""

from __future__ import annotations

import pytest

from intents import IntentEngine, labels
from intents.hints import describe, field, goods, list_period, list_scope, list_state, reference
from intents.negation import tokens


def _toks(text: str) -> list[str]:
    return tokens(text.lower())


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("show my closed tickets", "closed"),
        ("list my resolved incidents", "resolved"),
        ("how many tickets do I have open", "open"),
        ("all my tickets", "all"),
        ("all my open tickets", "open"),
        ("my tickets that are not closed", "open"),
        ("tickets I opened this week", None),
    ],
)
def test_list_state(text: str, state: str | None) -> None:
    """A list's state is open, resolved, closed or all; "I opened" is no state."""
    assert list_state(_toks(text)) == state


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("what did I open today", "today"),
        ("my tickets from this week", "this_week"),
        ("closed tickets from last week", "last_week"),
        ("tickets raised this month", "this_month"),
        ("show my tickets from the past month", "last_month"),
        ("my last ticket", None),
    ],
)
def test_list_period(text: str, period: str | None) -> None:
    """A period is today, this or last week, this or last month; "my last ticket" is none."""
    assert list_period(_toks(text)) == period


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("tickets assigned to me", "assigned"),
        ("what am I assigned to", "assigned"),
        ("my team's tickets", "groups"),
        ("incidents assigned to my groups", "groups"),
        ("tickets I raised", "raised"),
        ("how many tickets have I logged", "raised"),
        ("tickets opened by me", "raised"),
        ("how many tickets do I have open", None),
    ],
)
def test_list_scope(text: str, scope: str | None) -> None:
    """A list's scope is raised by me, assigned to me, or my groups'."""
    assert list_scope(_toks(text)) == scope


def test_how_many_asks_for_a_count(engine: IntentEngine) -> None:
    """"how many" on a list sets list_count."""
    p = engine.predict("how many tickets did I raise last month")
    assert p.intent == labels.LIST_MINE
    assert p.entities["list_count"] == "1"
    assert p.entities["list_period"] == "last_month"
    assert p.entities["list_scope"] == "raised"


def test_a_plain_list_has_no_count(engine: IntentEngine) -> None:
    """A list that does not ask "how many" has no list_count."""
    assert "list_count" not in engine.predict("show my tickets").entities


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("any update on my printer ticket?", "printer"),
        ("the vpn one", "vpn"),
        ("the ticket I opened last week about outlook", "outlook"),
        ("what did beth say on my vpn ticket", "vpn"),
        ("the one about the broken monitor", "broken monitor"),
        ("my latest ticket", None),
        ("that one", None),
        ("close my ticket for me", None),
    ],
)
def test_reference(text: str, words: str | None) -> None:
    """The words that name an incident without a number, stop words out."""
    assert reference(_toks(text)) == words


def test_a_reference_by_words_reaches_the_prediction(engine: IntentEngine) -> None:
    """"what did beth say on my vpn ticket" is a lookup of the vpn ticket's comments."""
    p = engine.predict("what did beth say on my vpn ticket")
    assert p.intent == labels.LOOKUP
    assert p.entities["reference"] == "vpn"
    assert p.hints["field"] == "comments"
    assert "context_reference" not in p.hints


def test_a_reference_carries_its_period(engine: IntentEngine) -> None:
    """"the ticket I opened last week about outlook" has reference_period last_week."""
    p = engine.predict("the ticket I opened last week about outlook")
    assert p.intent == labels.LOOKUP
    assert (p.entities["reference"], p.entities["reference_period"]) == ("outlook", "last_week")


def test_a_number_is_not_also_a_reference(engine: IntentEngine) -> None:
    """A message with an incident number gets no reference and no context_reference."""
    p = engine.predict("any update on my printer ticket INC0010002?")
    assert "reference" not in p.entities
    assert "context_reference" not in p.hints


@pytest.mark.parametrize(
    "text", ["that one", "this ticket", "what's the priority?", "did you add my comment to it?"]
)
def test_a_pointer_without_a_number_is_a_context_reference(
    engine: IntentEngine, text: str
) -> None:
    """"that one", "this ticket" and "what's the priority?" look up the conversation's incident."""
    p = engine.predict(text)
    assert (p.intent, p.hints.get("context_reference")) == (labels.LOOKUP, "1")


def test_add_without_a_number_is_a_comment_on_the_context(engine: IntentEngine) -> None:
    """"add: still broken" is a comment on the conversation's incident, its words only."""
    p = engine.predict("add: still broken")
    assert p.intent == labels.COMMENT
    assert p.hints["context_reference"] == "1"
    assert p.entities["comment_text"] == "still broken"


def test_the_ticket_i_opened_is_not_a_context_reference(engine: IntentEngine) -> None:
    """"cancel the incident i opened this morning" names the user's own incident of today."""
    p = engine.predict("cancel the incident i opened this morning")
    assert p.entities.get("reference_period") == "today"
    assert "context_reference" not in p.hints


@pytest.mark.parametrize(
    ("text", "topic"),
    [("what's the guest wifi password", None), ("cancel my lunch order", None),
     ("where is my new laptop order", "catalog")],
)
def test_a_topic_needs_its_object(engine: IntentEngine, text: str, topic: str | None) -> None:
    """A password with no reset, an order with no goods, get no specific topic."""
    assert engine.predict(text).hints.get("topic") == topic


def test_my_latest_ticket_is_not_a_context_reference(engine: IntentEngine) -> None:
    """"did you close my ticket?" names the user's own latest incident, not the context."""
    p = engine.predict("did you close my ticket?")
    assert p.intent == labels.LOOKUP
    assert "context_reference" not in p.hints


def test_a_reopen_of_a_named_incident_has_no_reason_when_none_is_given(
    engine: IntentEngine,
) -> None:
    """"reopen the vpn one" names the incident and gives no reason to write."""
    p = engine.predict("reopen the vpn one")
    assert p.intent == labels.REOPEN
    assert p.entities["reference"] == "vpn"
    assert "comment_text" not in p.entities


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("what's the priority?", "priority"),
        ("what state is it in now", "state"),
        ("who is it assigned to?", "assignee"),
        ("which group has it", "assignment_group"),
        ("when was it last updated?", "updated"),
        ("any comments on it?", "comments"),
        ("the teams one, any progress?", None),
        ("i said don't resolve it", None),
    ],
)
def test_field(text: str, name: str | None) -> None:
    """A question about one field names it; "teams" or "i said" name none."""
    assert field(_toks(text)) == name


def test_a_field_question_reaches_the_prediction(engine: IntentEngine) -> None:
    """"who is it assigned to?" is a lookup with field=assignee."""
    p = engine.predict("who is it assigned to?")
    assert (p.intent, p.hints.get("field")) == (labels.LOOKUP, "assignee")


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("can you open a ticket for a new laptop", "laptop"),
        ("i need a ticket for a new headset", "headset"),
        ("my new laptop won't boot", None),
        ("the monitor flickers", None),
    ],
)
def test_goods(text: str, thing: str | None) -> None:
    """A thing asked for is goods; a device that is broken is not."""
    assert goods(_toks(text)) == thing


def test_hints_stay_with_their_intent() -> None:
    """List filters are only given to lists, topics only to their intents."""
    entities: dict[str, str] = {}
    hints: dict[str, str] = {}
    for intent, text in ((labels.LOOKUP, "show my closed tickets"),
                         (labels.CREATE, "talk to a human")):
        describe(intent, text, numbered=False, other_record=False, entities=entities, hints=hints)
    assert "list_state" not in entities
    assert "topic" not in hints
