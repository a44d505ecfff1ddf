"""The shipped engine on the requests issue 12 found misread."""

from __future__ import annotations

import pytest

from intents import IntentEngine, Prediction, labels
from intents.entities import describes_no_problem
from intents.labels import ACTING_INTENTS


def _accepted(engine: IntentEngine, text: str) -> Prediction:
    p = engine.predict(text)
    assert p.decision == "accept", (text, p.intent, p.decision, p.confidence)
    return p


def test_status_of_a_short_number_is_a_lookup_with_a_did_you_mean(engine: IntentEngine) -> None:
    """"status of 10002?" is a lookup whose guessed number the bot asks about."""
    p = _accepted(engine, "status of 10002?")
    assert p.intent == labels.LOOKUP
    assert p.hints["partial_incident_number"] == "INC0010002"
    assert "incident_number" not in p.entities


def test_who_are_you_is_help_about_identity(engine: IntentEngine) -> None:
    """"who are you" is help with the topic identity."""
    p = _accepted(engine, "who are you")
    assert (p.intent, p.hints.get("topic")) == (labels.HELP, "identity")


@pytest.mark.parametrize("text", ["how's it going?", "hey, how are you doing today?", "what's up"])
def test_how_is_it_going_is_small_talk_not_an_incident(engine: IntentEngine, text: str) -> None:
    """A whole-message "how's it going?" is a greeting: its "it" points at no incident."""
    p = _accepted(engine, text)
    assert (p.intent, p.hints) == (labels.GREETING, {})


def test_how_is_it_going_with_an_incident_is_still_a_lookup(engine: IntentEngine) -> None:
    """"how is it going with INC0010002" asks about that incident."""
    p = _accepted(engine, "how is it going with INC0010002")
    assert p.intent == labels.LOOKUP


def test_are_you_a_bot_is_help_about_identity(engine: IntentEngine) -> None:
    """"are you a bot" is help with the topic identity."""
    p = _accepted(engine, "are you a bot")
    assert (p.intent, p.hints.get("topic")) == (labels.HELP, "identity")


def test_a_personal_question_is_not_an_identity_question(engine: IntentEngine) -> None:
    """"who are you voting for" stays out of scope."""
    p = engine.predict("who are you voting for")
    assert p.intent == labels.OUT_OF_SCOPE
    assert p.hints.get("topic") != "identity"


def test_show_my_closed_tickets_lists_the_closed_ones(engine: IntentEngine) -> None:
    """"show my closed tickets" is a list with the state closed."""
    p = _accepted(engine, "show my closed tickets")
    assert (p.intent, p.entities.get("list_state")) == (labels.LIST_MINE, "closed")


@pytest.mark.parametrize("text", ["new ticket pls", "report a problem", "I need a ticket"])
def test_asking_for_a_ticket_starts_a_create(engine: IntentEngine, text: str) -> None:
    """"new ticket pls", "report a problem" and "I need a ticket" are creates."""
    assert _accepted(engine, text).intent == labels.CREATE


def test_a_ticket_for_a_new_laptop_is_a_create_naming_the_goods(engine: IntentEngine) -> None:
    """"can you open a ticket for a new laptop" is a create with goods=laptop."""
    p = _accepted(engine, "can you open a ticket for a new laptop")
    assert (p.intent, p.entities.get("goods")) == (labels.CREATE, "laptop")


def test_a_fault_with_a_new_device_names_no_goods(engine: IntentEngine) -> None:
    """"my new laptop won't boot" is a fault report, not a request for a laptop."""
    p = engine.predict("my new laptop won't boot")
    assert p.intent == labels.CREATE
    assert "goods" not in p.entities


def test_a_complaint_is_feedback_about_a_complaint(engine: IntentEngine) -> None:
    """A complaint about the service is feedback with the topic complaint."""
    p = _accepted(engine, "terrible service, nobody has answered my ticket for a week")
    assert (p.intent, p.hints.get("topic")) == (labels.FEEDBACK, "complaint")


def test_praise_is_not_a_complaint(engine: IntentEngine) -> None:
    """Praise is feedback without the topic complaint."""
    p = engine.predict("the service desk was great, not bad at all")
    assert p.hints.get("topic") != "complaint"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I need a password reset", "password_reset"),
        ("how do I connect to the vpn", "vpn"),
        ("I want to order a new monitor from the catalog", "catalog"),
        ("can I speak to a person", "human"),
        ("talk to a human", "human"),
    ],
)
def test_out_of_scope_messages_say_what_they_are_about(
    engine: IntentEngine, text: str, topic: str
) -> None:
    """Password, VPN, catalog and "talk to a human" requests are out of scope with a topic."""
    p = engine.predict(text)
    assert (p.intent, p.hints.get("topic")) == (labels.OUT_OF_SCOPE, topic)


def test_a_request_about_another_record_has_the_topic_other_record(engine: IntentEngine) -> None:
    """A message about a RITM is out of scope with the topic other_record."""
    p = engine.predict("what's the status of RITM0010001")
    assert (p.intent, p.hints.get("topic")) == (labels.OUT_OF_SCOPE, "other_record")


@pytest.mark.parametrize("text", ["close it", "close that one", "close this ticket please"])
def test_close_it_is_a_close_of_the_incident_in_the_conversation(
    engine: IntentEngine, text: str
) -> None:
    """"close it" is a close request that points at the conversation's incident."""
    p = _accepted(engine, text)
    assert (p.intent, p.hints.get("context_reference")) == (labels.CLOSE, "1")


@pytest.mark.parametrize(
    "text", ["don't close it", "did you close it?", "who closed it?", "can I close it myself?"]
)
def test_a_negated_or_questioned_close_it_is_never_accepted_as_a_write(
    engine: IntentEngine, text: str
) -> None:
    """A refusal or a question about closing "it" is never accepted as a write."""
    p = engine.predict(text)
    assert not (p.decision == "accept" and p.intent in ACTING_INTENTS)


@pytest.mark.parametrize("text", ["do not close it", "don't close it", "don't reopen that one"])
def test_a_bare_refusal_of_it_is_a_lookup_of_the_conversations_incident(
    engine: IntentEngine, text: str
) -> None:
    """Like "don't close INC…", a refusal about "it" shows the incident in the conversation."""
    p = _accepted(engine, text)
    assert (p.intent, p.hints.get("context_reference")) == (labels.LOOKUP, "1")


def test_a_refusal_of_it_that_says_more_offers_a_comment_and_takes_none(
    engine: IntentEngine,
) -> None:
    """"do not close it, still broken" offers "still broken" as a comment, asked first."""
    p = engine.predict("do not close it, still broken")
    assert (p.intent, p.decision) == (labels.COMMENT, "clarify")
    assert p.entities["comment_text"] == "still broken"


def test_i_need_a_ticket_leaves_the_fault_to_be_asked(engine: IntentEngine) -> None:
    """"I need a ticket" names no fault: the bot asks what is wrong."""
    assert "short_description" not in engine.predict("I need a ticket").entities


@pytest.mark.parametrize("text", ["new ticket pls", "report a problem", "I need a ticket"])
def test_a_bare_ask_for_a_ticket_describes_no_problem(text: str) -> None:
    """Asking for a ticket in any of these words says nothing about what is wrong."""
    assert describes_no_problem(text)
