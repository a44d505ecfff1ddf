"""The user's sentences: one per error class, no internals, human intent labels."""

from __future__ import annotations

import re

import pytest

from bot import errors, texts


def _all_error_classes() -> list[type[errors.BotError]]:
    found: list[type[errors.BotError]] = []
    pending = [errors.BotError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _make(cls: type[errors.BotError], detail: str) -> errors.BotError:
    return cls(detail)


INTERNAL_DETAIL = (
    'Traceback (most recent call last):\n  File "/app/bot/servicenow/client.py", line 88\n'
    "httpx.ReadTimeout: GET https://dev98042.service-now.com/api/now/v2/table/incident "
    "access_token=abc123SECRET"
)
_INTERNAL_MARKERS = re.compile(
    r"Traceback|File \"|line \d+|Exception|Error\b|httpx|redis|/api/now|sys_id|"
    r"access_token|abc123SECRET|__|\{|\}"
)


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda c: c.__name__)
def test_every_error_class_has_its_own_sentence(cls: type[errors.BotError]) -> None:
    """Every class of the error tree maps to a sentence, and only the root to the apology."""
    sentence = texts.error_sentence(_make(cls, "x"))
    assert sentence.strip()
    assert sentence.endswith((".", "!"))
    if cls is not errors.BotError:
        assert sentence != texts.GENERIC_APOLOGY


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda c: c.__name__)
def test_no_sentence_reveals_internal_detail(cls: type[errors.BotError]) -> None:
    """The exception's detail, tracebacks, class names and URLs never reach the sentence."""
    sentence = texts.error_sentence(_make(cls, INTERNAL_DETAIL))
    assert not _INTERNAL_MARKERS.search(sentence), sentence
    assert cls.__name__ not in sentence


def test_a_new_subclass_falls_back_to_its_family_sentence() -> None:
    """An error class added later gets its family's sentence rather than nothing."""

    class LaterForbiddenError(errors.ServiceNowForbiddenError):
        pass

    sentence = texts.error_sentence(LaterForbiddenError("x"))
    assert sentence == texts.error_sentence(errors.ServiceNowForbiddenError("x"))


def test_rate_limit_sentence_says_how_long_to_wait() -> None:
    """A 429 with a long Retry-After tells the user roughly when to try again."""
    sentence = texts.error_sentence(errors.ServiceNowRateLimitedError(retry_after=150))
    assert "about 3 minutes" in sentence


def test_unavailable_sentence_suggests_retrying() -> None:
    """ServiceNow being down reads as temporary, with a retry suggestion."""
    sentence = texts.error_sentence(errors.ServiceNowUnavailableError(status=504))
    assert texts.RETRY_HINT in sentence


def test_not_linked_sentence_gives_the_fix() -> None:
    """A user with no link is told the command that fixes it."""
    assert "/snow connect" in texts.error_sentence(errors.NotLinkedError())


def test_link_refused_for_email_mismatch_explains_why() -> None:
    """A refused link for a different email says so, without naming either address."""
    sentence = texts.error_sentence(errors.LinkRefusedError(reason="email_mismatch"))
    assert "email" in sentence
    assert "@" not in sentence


def test_link_refused_for_unknown_reason_uses_the_family_sentence() -> None:
    """A refusal reason this module does not know still gives a clear sentence."""
    sentence = texts.error_sentence(errors.LinkRefusedError(reason="something-new"))
    assert sentence == texts.error_sentence(errors.LinkRefusedError())


def test_every_design_intent_has_a_human_label() -> None:
    """Each intent label (intents.labels) has a label people understand."""
    design = {
        "incident.lookup", "incident.list_mine", "incident.create", "incident.comment",
        "incident.close_request", "incident.reopen", "feedback.give", "connect", "disconnect",
        "setup.admin",
        "troubleshoot.connection", "help", "greeting", "out_of_scope",
    }
    assert set(texts.INTENT_LABELS) == set(design)
    assert all("." not in label for label in texts.INTENT_LABELS.values())


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [
        (5, "a few seconds"),
        (40, "a minute"),
        (61, "about 2 minutes"),
        (3000, "about 50 minutes"),
        (3700, "about an hour"),
    ],
)
def test_waits_read_as_words(seconds: float, phrase: str) -> None:
    """Retry-After seconds become a rough phrase."""
    assert texts.wait_phrase(seconds) == phrase


def test_lost_create_answer_promises_no_duplicate() -> None:
    """A create whose answer was lost tells the user asking again is safe."""
    sentence = texts.error_sentence(errors.WriteOutcomeUnknownError())
    assert "twice" in sentence
