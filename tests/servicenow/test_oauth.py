"""ServiceNow's OAuth endpoints as the bot uses them, against the sandbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.errors import (
    ReconnectRequiredError,
    ServiceNowUnavailableError,
    TokenRefusedError,
)
from bot.servicenow.instance import Instance, parse_instance
from bot.servicenow.oauth import ServiceNowOAuth, authorize_url, new_pkce, new_state, pkce_challenge
from snowbot_sandbox.server import serve_app
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.servicenow.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI

NOW = 1_800_000_000.0


def _oauth(http: httpx.AsyncClient, instance: Instance, **options: Any) -> ServiceNowOAuth:
    return ServiceNowOAuth(
        http=http,
        instance=instance,
        client_id=CLIENT_ID,
        client_secret=options.pop("secret", CLIENT_SECRET),
        clock=lambda: NOW,
        **options,
    )


async def _consent(
    http: httpx.AsyncClient,
    *,
    sandbox: ServiceNowSandbox,
    instance: Instance,
    challenge: str | None = None,
) -> str:
    """Walk the consent page as abel.tuter (auto-consent) and return the code."""
    sandbox.auto_consent_user = "abel.tuter"
    url = authorize_url(
        instance,
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT_URI,
        state=new_state(),
        code_challenge=challenge,
    )
    response = await http.get(url)
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def test_authorize_url_carries_the_flow_parameters() -> None:
    """The consent URL has response_type, client, exact redirect, state and S256 challenge."""
    instance = parse_instance("dev98042")
    url = authorize_url(
        instance, client_id="abc", redirect_uri=REDIRECT_URI, state="f00d", code_challenge="xyz"
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://dev98042.service-now.com/oauth_auth.do"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["abc"],
        "redirect_uri": [REDIRECT_URI],
        "state": ["f00d"],
        "code_challenge": ["xyz"],
        "code_challenge_method": ["S256"],
    }


def test_authorize_url_without_pkce_has_no_challenge() -> None:
    """With PKCE off, no challenge parameters are sent."""
    url = authorize_url(
        parse_instance("dev1"), client_id="a", redirect_uri=REDIRECT_URI, state="1",
        code_challenge=None,
    )
    assert "code_challenge" not in url


@pytest.mark.parametrize("state", ["", "a b", "x&y=1", "état"])
def test_a_state_with_special_characters_is_a_bug(state: str) -> None:
    """ServiceNow wants a plain state: anything else is refused as a programming error."""
    with pytest.raises(ValueError, match="state"):
        authorize_url(
            parse_instance("dev1"), client_id="a", redirect_uri=REDIRECT_URI, state=state,
            code_challenge=None,
        )


def test_pkce_challenge_is_rfc7636_s256() -> None:
    """The S256 challenge of RFC 7636's example verifier is its published value."""
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_fresh_pkce_pairs_are_unique_and_well_formed() -> None:
    """Each flow gets its own 43-128 character verifier with a matching challenge."""
    pairs = [new_pkce() for _ in range(50)]
    assert len({p.verifier for p in pairs}) == 50
    assert all(43 <= len(p.verifier) <= 128 for p in pairs)
    assert all(p.challenge == pkce_challenge(p.verifier) for p in pairs)


async def test_a_code_is_exchanged_for_tokens(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """The exchange returns both tokens, expiry from the injected clock and the token type."""
    code = await _consent(http, sandbox=sandbox, instance=instance)
    tokens = await _oauth(http, instance).exchange_code(code=code, redirect_uri=REDIRECT_URI)
    assert sandbox.user_for_token(tokens.access_token) is not None
    assert tokens.refresh_token
    assert tokens.expires_at == NOW + 1799
    assert tokens.token_type == "Bearer"


async def test_token_calls_send_a_form_body_only(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """The token endpoint gets a form-encoded body and nothing in the query string."""
    code = await _consent(http, sandbox=sandbox, instance=instance)
    await _oauth(http, instance).exchange_code(code=code, redirect_uri=REDIRECT_URI)
    call = next(r for r in sandbox.requests if r.path == "/oauth_token.do")
    assert call.query == {}
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.form is not None
    assert call.form["grant_type"] == ["authorization_code"]


async def test_pkce_verifier_completes_the_flow(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """A code issued for an S256 challenge is exchanged with its verifier."""
    pkce = new_pkce()
    code = await _consent(http, sandbox=sandbox, instance=instance, challenge=pkce.challenge)
    tokens = await _oauth(http, instance).exchange_code(
        code=code, redirect_uri=REDIRECT_URI, code_verifier=pkce.verifier
    )
    assert tokens.access_token


async def test_a_wrong_verifier_is_refused(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """A verifier that does not match the challenge is a TokenRefusedError."""
    code = await _consent(http, sandbox=sandbox, instance=instance, challenge=new_pkce().challenge)
    with pytest.raises(TokenRefusedError) as caught:
        await _oauth(http, instance).exchange_code(
            code=code, redirect_uri=REDIRECT_URI, code_verifier=new_pkce().verifier
        )
    assert (caught.value.error, caught.value.error_description) == (
        "server_error",
        "access_denied",
    )


async def test_a_wrong_client_secret_is_refused(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """A bad secret is TokenRefusedError, and the secret is not in the error."""
    code = await _consent(http, sandbox=sandbox, instance=instance)
    oauth = _oauth(http, instance, secret="TESTSECRET-wrong-0002")
    with pytest.raises(TokenRefusedError) as caught:
        await oauth.exchange_code(code=code, redirect_uri=REDIRECT_URI)
    assert "TESTSECRET" not in str(caught.value)
    assert "TESTSECRET" not in caught.value.detail


async def test_refresh_returns_a_new_access_token(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """A refresh yields a working access token and keeps the refresh token usable."""
    pair = sandbox.issue_tokens(user_name="bow.ruggeri", client_id=CLIENT_ID)
    tokens = await _oauth(http, instance).refresh(pair.refresh_token)
    assert tokens.access_token != pair.access_token
    user = sandbox.user_for_token(tokens.access_token)
    assert user is not None
    assert user.user_name == "bow.ruggeri"


async def test_a_refused_refresh_requires_reconnecting(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """The observed 401 access_denied on refresh is ReconnectRequiredError."""
    pair = sandbox.issue_tokens(user_name="bow.ruggeri", client_id=CLIENT_ID)
    sandbox.faults.add(path="/oauth_token.do", kind="access_denied", grant_type="refresh_token")
    with pytest.raises(ReconnectRequiredError):
        await _oauth(http, instance).refresh(pair.refresh_token)


@pytest.mark.parametrize("kind", ["504", "500", "502"])
async def test_an_outage_on_refresh_does_not_kill_the_grant(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance, kind: str
) -> None:
    """5xx from the token endpoint is ServiceNowUnavailableError, never a reconnect."""
    pair = sandbox.issue_tokens(user_name="bow.ruggeri", client_id=CLIENT_ID)
    sandbox.faults.add(path="/oauth_token.do", kind=kind)
    with pytest.raises(ServiceNowUnavailableError) as caught:
        await _oauth(http, instance).refresh(pair.refresh_token)
    assert not isinstance(caught.value, ReconnectRequiredError)


async def test_a_hanging_token_endpoint_times_out(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """A token call that never answers ends in ServiceNowUnavailableError at its time-out."""
    pair = sandbox.issue_tokens(user_name="bow.ruggeri", client_id=CLIENT_ID)
    sandbox.faults.add(path="/oauth_token.do", kind="hang")
    async with asyncio.timeout(10):
        with pytest.raises(ServiceNowUnavailableError):
            await _oauth(http, instance, timeout=0.3).refresh(pair.refresh_token)


async def test_revoke_expires_the_token_without_putting_it_in_a_url(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """Revoking sends the token in a POST body and the token stops working."""
    pair = sandbox.issue_tokens(user_name="abel.tuter", client_id=CLIENT_ID)
    await _oauth(http, instance).revoke(pair.refresh_token)
    call = next(r for r in sandbox.requests if r.path == "/oauth_revoke_token.do")
    assert (call.method, call.query) == ("POST", {})
    assert sandbox.user_for_token(pair.access_token) is None


async def test_the_observer_hears_token_calls(
    http: httpx.AsyncClient, sandbox: ServiceNowSandbox, instance: Instance
) -> None:
    """Token calls report (operation, seconds, outcome), refusals as "refused"."""
    seen: list[tuple[str, str]] = []
    oauth = _oauth(http, instance, observer=lambda op, _s, out: seen.append((op, out)))
    pair = sandbox.issue_tokens(user_name="abel.tuter", client_id=CLIENT_ID)
    await oauth.refresh(pair.refresh_token)
    sandbox.expire_refresh_tokens()
    with pytest.raises(ReconnectRequiredError):
        await oauth.refresh(pair.refresh_token)
    assert seen == [("oauth.refresh", "ok"), ("oauth.refresh", "refused")]


async def _redirect_everything(scope: Any, receive: Any, send: Any) -> None:
    """A test-only instance that answers every request with a redirect elsewhere."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [(b"location", b"https://evil.example.com/oauth_token.do")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


@pytest.fixture
async def redirecting() -> AsyncIterator[Instance]:
    """An instance that redirects every call."""
    async with serve_app(_redirect_everything) as url:
        yield parse_instance(url, allow_insecure=True)


async def test_a_redirect_is_an_error_not_followed(
    http: httpx.AsyncClient, redirecting: Instance
) -> None:
    """A 3xx from the token endpoint is ServiceNowUnavailableError and is not followed."""
    with pytest.raises(ServiceNowUnavailableError) as caught:
        await _oauth(http, redirecting).refresh("TESTTOKEN-refresh")
    assert caught.value.status == 302
    assert "not followed" in caught.value.detail


async def test_token_calls_log_no_secrets_even_at_debug(
    http: httpx.AsyncClient,
    sandbox: ServiceNowSandbox,
    instance: Instance,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Exchange, refresh, a refusal and revoke log no token, code or client secret."""
    oauth = _oauth(http, instance)
    # The browser's part (its redirect carries the code) is not the bot's logging.
    code = await _consent(http, sandbox=sandbox, instance=instance)
    caplog.set_level(logging.DEBUG)
    tokens = await oauth.exchange_code(code=code, redirect_uri=REDIRECT_URI)
    assert tokens.refresh_token is not None
    refreshed = await oauth.refresh(tokens.refresh_token)
    await oauth.revoke(tokens.refresh_token)
    with pytest.raises(ReconnectRequiredError):
        await oauth.refresh(tokens.refresh_token)
    secrets = [code, tokens.access_token, tokens.refresh_token, refreshed.access_token]
    assert caplog.records
    for secret in [*secrets, CLIENT_SECRET]:
        assert secret not in caplog.text
