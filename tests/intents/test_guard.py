"""The deterministic guard: refusals, questions about writes, and unknown objects."""

from __future__ import annotations

from intents import labels
from intents.guard import asks_about_a_write, judge, refused, refused_requests
from intents.labels import ACTING_INTENTS
from intents.negation import mark


def _judge(text: str, *, unseen: bool = False) -> frozenset[str]:
    _, scopes = mark(text)
    return judge(masked=text, scopes=scopes, unseen=unseen).blocked


def test_a_negated_close_verb_blocks_the_close() -> None:
    """"don't close", "do not resolve", "is not fixed" block a close request."""
    for text in ("don't close incnum", "please do not resolve incnum", "incnum is not fixed"):
        assert labels.CLOSE in _judge(text)


def test_a_negated_ticket_blocks_a_create() -> None:
    """"no need for a ticket" and "don't open a ticket" block a create."""
    for text in ("no need for a ticket, it works again", "don't open a ticket"):
        assert labels.CREATE in _judge(text)


def test_a_fault_with_a_negation_does_not_block_a_create() -> None:
    """"my laptop won't open outlook" is a fault: nothing about a ticket is refused."""
    assert labels.CREATE not in _judge("my laptop won't open outlook, raise a ticket")


def test_a_negated_disconnect_verb_blocks_the_disconnect() -> None:
    """"please don't disconnect me" and "don't log me out" block a disconnect."""
    for text in ("please don't disconnect me", "don't log me out"):
        assert labels.DISCONNECT in _judge(text)


def test_a_negated_reopen_blocks_the_reopen() -> None:
    """"don't reopen" and "don't open it again" block a reopen."""
    assert refused(["reopen", "incnum"]) == {labels.REOPEN}
    assert labels.REOPEN in refused(["open", "it", "again"])


def test_a_question_about_a_write_blocks_every_acting_intent() -> None:
    """A question is a read: nothing that acts is accepted for it."""
    assert _judge("who closed incnum?") == ACTING_INTENTS


def test_questions_about_writes_are_recognised() -> None:
    """Who/why questions, "is/has/did <subject> …" and "can I … myself" are questions."""
    for text in (
        "why did you close incnum?",
        "has anyone commented on incnum?",
        "is incnum closed?",
        "did the tech add a comment on incnum yet?",
        "hi, who resolved incnum",
        "can i close incnum myself?",
        "when will incnum be closed",
    ):
        assert asks_about_a_write(text), text


def test_polite_requests_are_not_questions() -> None:
    """"can you close …?" and "could you add a comment …" ask for the write."""
    for text in (
        "can you close incnum?",
        "could you add a comment to incnum: it works",
        "have a look at incnum and close it",
        "incnum was closed by mistake",
    ):
        assert not asks_about_a_write(text), text


def test_an_unseen_word_blocks_a_disconnect() -> None:
    """A word the engine never saw may name another app: the link is not dropped."""
    assert labels.DISCONNECT in _judge("unlink my zorblax", unseen=True)
    assert labels.DISCONNECT not in _judge("unlink my account")


def test_a_statement_is_not_a_refusal() -> None:
    """"it's not fixed" tells how things are; "don't close" asks the bot not to act."""
    assert refused_requests(["it's", "not", "fixed"]) == frozenset()
    assert refused_requests(["don't", "close", "incnum"]) == {labels.CLOSE}
    assert refused_requests(["no", "need", "to", "reopen", "incnum"]) == {labels.REOPEN}
