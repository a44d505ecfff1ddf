"""The shipped engine on refusals, questions about writes and issue 11: no unasked write."""

from __future__ import annotations

import pytest

from intents import IntentEngine, Prediction, labels
from intents.labels import ACTING_INTENTS


def _acts(p: Prediction) -> bool:
    return p.decision == "accept" and p.intent in ACTING_INTENTS


def test_a_negated_close_is_never_a_close(engine: IntentEngine) -> None:
    """"please do NOT close INC0010007" is not a close request, and nothing is written."""
    p = engine.predict("please do NOT close INC0010007")
    assert p.intent != labels.CLOSE
    assert not _acts(p)


def test_a_bare_refusal_is_a_lookup(engine: IntentEngine) -> None:
    """"don't close INC…" with nothing else said is about that incident (rule 5)."""
    for text in ("please do NOT close INC0010007", "don't close INC0010005"):
        p = engine.predict(text)
        assert (p.intent, p.entities["incident_number"]) == (labels.LOOKUP, text[-10:])


def test_a_refusal_that_says_more_is_a_comment_of_what_is_left(engine: IntentEngine) -> None:
    """"don't close INC0010005, it's still broken" offers "it's still broken" as a comment."""
    p = engine.predict("don't close INC0010005, it's still broken")
    assert p.intent == labels.COMMENT
    assert p.entities["comment_text"] == "it's still broken"
    assert p.entities["incident_number"] == "INC0010005"


def test_no_need_for_a_ticket_is_small_talk(engine: IntentEngine) -> None:
    """"no need for a ticket, it works again" is a greeting, not a create."""
    assert engine.predict("no need for a ticket, it works again").intent == labels.GREETING


def test_please_dont_disconnect_me_is_not_a_disconnect(engine: IntentEngine) -> None:
    """A refused disconnect never drops the link."""
    p = engine.predict("please don't disconnect me")
    assert p.intent != labels.DISCONNECT
    assert not _acts(p)


@pytest.mark.parametrize(
    "text",
    [
        "INC0010009 was closed by mistake",
        "un-close INC0010009 please",
        "can you open INC0010009 again? the printer jams like before",
        "the fix didn't hold on INC0010009, please reopen",
    ],
)
def test_reversals_are_reopen(engine: IntentEngine, text: str) -> None:
    """"closed by mistake", "un-close", "open it again" and "the fix didn't hold" reopen."""
    p = engine.predict(text)
    assert (p.intent, p.entities["incident_number"]) == (labels.REOPEN, "INC0010009")


def test_a_reopen_carries_the_users_reason(engine: IntentEngine) -> None:
    """The reason for a reopen is in comment_text."""
    p = engine.predict("reopen INC0010004, the printer jams again")
    assert (p.intent, p.entities["comment_text"]) == (labels.REOPEN, "the printer jams again")


@pytest.mark.parametrize(
    "text",
    [
        "why did you close INC0010002?",
        "can I close INC0010005 myself?",
        "did the tech add a comment on INC0010004 yet?",
        "has anyone commented on INC0010004?",
        "is INC0010004 closed?",
        "who closed INC0010004?",
    ],
)
def test_a_question_about_a_write_is_a_lookup(engine: IntentEngine, text: str) -> None:
    """Rule 6: asking about a close or a comment reads the incident, writes nothing."""
    assert engine.predict(text).intent == labels.LOOKUP


def test_a_polite_close_request_stays_a_close(engine: IntentEngine) -> None:
    """"can you close INC…?" asks for the close."""
    assert engine.predict("can you close INC0010004?").intent == labels.CLOSE


def test_a_polite_comment_request_stays_a_comment(engine: IntentEngine) -> None:
    """"could you add a comment to INC…: …" asks for the comment, with its words."""
    p = engine.predict("could you add a comment to INC0010004: printer works on floor 2")
    assert (p.intent, p.entities["comment_text"]) == (labels.COMMENT, "printer works on floor 2")


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("close CHG0030012", "CHG0030012"),
        ("add a comment to ritm0010001: please expedite", "RITM0010001"),
        ("SCTASK0010002 can be closed", "SCTASK0010002"),
        ("reopen PRB0040001", "PRB0040001"),
    ],
)
def test_another_records_number_is_out_of_scope(
    engine: IntentEngine, text: str, record: str
) -> None:
    """A write aimed at another ServiceNow record is out of scope and names the record."""
    p = engine.predict(text)
    assert (p.intent, p.decision, p.entities["other_record"]) == (
        labels.OUT_OF_SCOPE, "reject", record
    )


def test_a_fault_that_mentions_another_record_is_still_a_problem(engine: IntentEngine) -> None:
    """A break/fix report naming a change as its cause is a create, with the record noted."""
    p = engine.predict("my laptop won't boot since the upgrade in CHG0030012")
    assert (p.intent, p.entities["other_record"]) == (labels.CREATE, "CHG0030012")


def test_an_incident_beside_another_record_can_still_be_written(engine: IntentEngine) -> None:
    """With an incident number too, the incident is the object ("close INC…, CHG… fixed it")."""
    p = engine.predict("close INC0010001, CHG0030012 fixed it")
    assert (p.intent, p.entities["other_record"]) == (labels.CLOSE, "CHG0030012")


@pytest.mark.parametrize(
    "text",
    [
        "unlink my dropbox",
        "revoke my github token",
        "revoke the zoom integration",
        "log me out of outlook on my phone",
    ],
)
def test_another_apps_account_is_not_a_disconnect(engine: IntentEngine, text: str) -> None:
    """Rule 7: the object decides; another app's account is out of scope."""
    assert engine.predict(text).intent == labels.OUT_OF_SCOPE


def test_an_unknown_app_never_drops_the_link(engine: IntentEngine) -> None:
    """"unlink my <an app the engine never saw>" is not acted on as a disconnect."""
    assert not _acts(engine.predict("unlink my quibblewick account"))


def test_comment_text_keeps_slack_markup(engine: IntentEngine) -> None:
    """The words to write are the user's own characters, for the bot to render as text."""
    text = "add to INC0010001: see <https://kb.example.com/1|the KB article> and ask <@U0BETH>"
    p = engine.predict(text)
    assert p.entities["comment_text"] == (
        "see <https://kb.example.com/1|the KB article> and ask <@U0BETH>"
    )
