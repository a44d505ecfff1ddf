"""The diagnosis of the connection test: what the bot observed → ticks, crosses, ranked causes."""

from __future__ import annotations

import pytest

from bot.setup.diagnosis import Observations, diagnose

PASSED = {
    "token_probe": "ok",
    "authorize_probe": "ok",
    "signin": "ok",
    "exchange": "ok",
    "identity": "ok",
    "incidents": "ok",
    "feedback": "ok",
}


def _obs(**values: object) -> Observations:
    return Observations.model_validate(values)


@pytest.mark.parametrize(
    ("observed", "first"),
    [
        ({"token_probe": "unreachable"}, "unreachable"),
        ({"token_probe": "timeout"}, "unreachable"),
        ({"token_probe": "tls"}, "tls"),
        ({"token_probe": "proxy"}, "proxy"),
        ({"token_probe": "not_servicenow"}, "mistyped"),
        ({"token_probe": "ok", "authorize_probe": "gateway"}, "hardened"),
        ({"token_probe": "ok", "authorize_probe": "client_unknown"}, "client_id"),
        ({**PASSED, "signin": "no_callback", "exchange": None}, "redirect"),
        ({**PASSED, "exchange": "refused_pkce"}, "pkce"),
        ({**PASSED, "exchange": "refused"}, "secret"),
        ({**PASSED, "incidents": "unauthorized"}, "token_restrictions"),
        ({**PASSED, "feedback": "missing"}, "feedback_missing"),
        ({**PASSED, "feedback": "forbidden"}, "feedback_acl"),
        ({**PASSED, "colleague_link": "ok", "colleague_incidents": "forbidden"}, "rest_role"),
        ({**PASSED, "colleague_link": "privileged"}, "colleague_privileged"),
    ],
)
def test_each_observation_ranks_its_cause_first(observed: dict[str, object], first: str) -> None:
    """The first failed step decides the most likely cause."""
    assert diagnose(_obs(**observed)).causes[0] == first


def test_steps_after_a_failure_are_skipped() -> None:
    """After the sign-in page fails, later steps are shown as not run."""
    items = diagnose(_obs(token_probe="ok", authorize_probe="gateway")).items
    assert [item.ok for item in items] == [True, False, None, None, None, None, None]


def test_a_fully_passed_test_has_no_causes() -> None:
    """Every step ticked: nothing failed, nothing to fix."""
    result = diagnose(_obs(**PASSED))
    assert not result.failed
    assert result.causes == ()


def test_a_waiting_step_is_pending_not_failed() -> None:
    """Waiting for the admin's sign-in is pending, not a failure."""
    result = diagnose(_obs(token_probe="ok", authorize_probe="ok", signin="waiting"))
    assert result.pending
    assert not result.failed


def test_the_exchange_without_pkce_is_explained() -> None:
    """An exchange that only worked without PKCE says the connection is saved with it off."""
    items = diagnose(_obs(**PASSED, pkce_off=True)).items
    assert "PKCE off" in items[3].detail


def test_the_redirect_finding_names_the_exact_url() -> None:
    """The redirect fix shows the URL to register."""
    url = "https://bot.example.org/servicenow/oauth/callback"
    result = diagnose(_obs(**{**PASSED, "signin": "no_callback"}), redirect_uri=url)
    assert url in result.findings[0].fix


def test_the_hardened_checklist_replaces_the_second_record_finding() -> None:
    """With the hardened checklist shown, the second record is not listed again."""
    result = diagnose(_obs(**{**PASSED, "exchange": "refused"}))
    assert result.hardened
    assert "second_record" not in result.causes
