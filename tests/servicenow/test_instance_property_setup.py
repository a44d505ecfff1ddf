"""End to end through the setup's own paths: no instance string outside the rules leads to
any connection attempt (``snowbot check`` probing a configured value; the credentials
modal's validation followed by the operator's policy)."""

from __future__ import annotations

import io
import re

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.check import run_check
from bot.errors import InstanceRefusedError
from bot.servicenow.instance import InstancePolicy
from bot.settings import Settings
from bot.setup.credentials import validate_credentials
from bot.turn import Submission

_ALLOWED = "help.example.org"
_WITHIN = re.compile(
    r"https://[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:service-now|servicenowservices)\.com"
    r"|https://help\.example\.org"
    r"|http://(?:127\.0\.0\.1|localhost):[1-9][0-9]{0,4}"
)
_alphabet = st.sampled_from(
    [*"abcdefz019-._:/@?#%[]\\ \t\n", "://", "https", "http", "service-now.com", "é", "\x00",
     "127.0.0.1", "localhost", "evil.com", _ALLOWED]
)
_tricky = st.lists(_alphabet, max_size=16).map("".join)
_values = st.one_of(st.text(max_size=40), _tricky)


def _settings(value: str) -> Settings:
    return Settings.for_tests(
        slack_bot_token="xoxb-property",
        slack_signing_secret="property-signing-secret",
        redis_url="memory://",
        public_url="https://bot.example.org",
        encryption_keys=Settings.generate_key(),
        servicenow_instance=value,
        servicenow_client_id="client",
        servicenow_client_secret="property-secret-value",
        allow_insecure_instance=True,
        allowed_instance_domains=[_ALLOWED],
    )


@settings(max_examples=150, deadline=None)
@given(value=_values)
async def test_check_never_connects_to_a_value_outside_the_rules(value: str) -> None:
    """`snowbot check` sends nothing for a refused value, and only to the accepted host else."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"error": "server_error"})

    configured = _settings(value)
    try:
        accepted = InstancePolicy.from_settings(configured).parse(value)
    except InstanceRefusedError:
        accepted = None
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        status = await run_check(configured, out=io.StringIO(), http=http)
    if accepted is None:
        assert seen == []
        assert status == 1
        return
    assert _WITHIN.fullmatch(accepted.url)
    assert {request.url.host for request in seen} <= {accepted.host}


@settings(max_examples=300, deadline=None)
@given(value=_values)
def test_the_modal_and_the_policy_never_admit_a_value_outside_the_rules(value: str) -> None:
    """A value the credentials modal lets through is refused by the operator's policy or is
    within the rules."""
    submission = Submission(
        callback_id="snow_setup_credentials_modal",
        values={
            "snow_instance_input": value,
            "snow_client_id_input": "client",
            "snow_client_secret_input": "secret-value",
        },
    )
    problems = validate_credentials(submission, Settings.for_tests())
    if "snow_instance" in problems:
        return
    policy = InstancePolicy.from_settings(_settings(value))
    try:
        instance = policy.parse(value)
    except InstanceRefusedError:
        return  # the run step refuses it the same way, before any socket (tests/app)
    assert _WITHIN.fullmatch(instance.url)
