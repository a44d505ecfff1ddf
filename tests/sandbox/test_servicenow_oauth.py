"""The sandbox's OAuth endpoints behave like a ServiceNow instance's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from snowbot_sandbox.servicenow import ServiceNowSandbox, User, pkce_challenge
from tests.conftest import Serve

CALLBACK = "http://127.0.0.1:3000/servicenow/oauth/callback"
OTHER = "http://127.0.0.1:3000/other/callback"
VERIFIER = "v" * 43 + "-verifier_0123456789"
TOKEN_ERROR = {"error_description": "access_denied", "error": "server_error"}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """A hand-driven clock."""
    return FakeClock()


@pytest.fixture
def sb(clock: FakeClock) -> ServiceNowSandbox:
    """A seeded sandbox with the bot's client registered (two redirect URLs)."""
    sandbox = ServiceNowSandbox(clock=clock, access_token_ttl=600, rng_seed=7)
    sandbox.register_client(
        client_id="bot", client_secret="s3cret", redirect_uris=[CALLBACK, OTHER]
    )
    sandbox.auto_consent_user = "abel.tuter"
    return sandbox


@pytest.fixture
async def http(sb: ServiceNowSandbox, serve: Serve) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client against the sandbox served on loopback."""
    async with serve(sb.app) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


def _authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": "bot",
        "redirect_uri": CALLBACK,
        "state": "st4te",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v}


async def _code(http: httpx.AsyncClient, **overrides: str) -> str:
    answer = await http.get("/oauth_auth.do", params=_authorize_params(**overrides))
    assert answer.status_code == 302
    return httpx.URL(answer.headers["location"]).params["code"]


def _exchange(issued: str, **overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "authorization_code",
        "code": issued,
        "redirect_uri": CALLBACK,
        "client_id": "bot",
        "client_secret": "s3cret",
        "code_verifier": VERIFIER,
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v}


async def _tokens(http: httpx.AsyncClient) -> dict[str, Any]:
    answer = await http.post("/oauth_token.do", data=_exchange(await _code(http)))
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


async def _me(http: httpx.AsyncClient, access_token: str) -> httpx.Response:
    return await http.get(
        "/api/now/v2/table/sys_user",
        params={"sysparm_query": "sys_id=javascript:gs.getUserID()", "sysparm_limit": "1"},
        headers={"Authorization": f"Bearer {access_token}"},
    )


async def test_pkce_flow_yields_tokens_for_the_consenting_user(http: httpx.AsyncClient) -> None:
    """Authorize with state and challenge, then exchange the code with the verifier."""
    answer = await http.get("/oauth_auth.do", params=_authorize_params())
    location = httpx.URL(answer.headers["location"])
    assert str(location.copy_with(query=None)) == CALLBACK
    assert location.params["state"] == "st4te"
    tokens = (await http.post("/oauth_token.do", data=_exchange(location.params["code"]))).json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "useraccount"
    assert tokens["expires_in"] == 599
    me = await _me(http, tokens["access_token"])
    assert me.json()["result"][0]["user_name"] == "abel.tuter"


async def test_pkce_challenge_is_recorded_with_the_code(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """The code remembers the challenge and method it was issued for."""
    code = await _code(http)
    assert sb.tokens.codes[code].code_challenge == pkce_challenge(VERIFIER)
    assert sb.tokens.codes[code].code_challenge_method == "S256"


async def test_missing_state_is_refused(http: httpx.AsyncClient) -> None:
    """An authorize request without state shows ServiceNow's error and issues no code."""
    answer = await http.get("/oauth_auth.do", params=_authorize_params(state=""))
    assert answer.status_code == 400
    assert "Missing State parameter in request" in answer.text
    assert "location" not in answer.headers


async def test_unregistered_redirect_goes_to_the_first_registered_url(
    http: httpx.AsyncClient,
) -> None:
    """A redirect_uri that matches nothing is replaced by the first registered URL."""
    answer = await http.get(
        "/oauth_auth.do", params=_authorize_params(redirect_uri="https://evil.example/cb")
    )
    assert answer.headers["location"].startswith(CALLBACK + "?")


async def test_registered_second_redirect_is_honoured(http: httpx.AsyncClient) -> None:
    """A redirect_uri that matches a registered URL is used as given."""
    answer = await http.get("/oauth_auth.do", params=_authorize_params(redirect_uri=OTHER))
    assert answer.headers["location"].startswith(OTHER + "?")


async def test_consent_page_lists_users_and_allow_issues_a_code(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """Without auto-consent a page asks; Allow for a chosen user redirects with a code."""
    sb.auto_consent_user = None
    page = await http.get("/oauth_auth.do", params=_authorize_params())
    assert page.status_code == 200
    assert "Bow Ruggeri" in page.text
    assert 'value="allow"' in page.text
    answer = await http.post(
        "/oauth_auth.do",
        data={**_authorize_params(), "user_name": "bow.ruggeri", "action": "allow"},
    )
    code = httpx.URL(answer.headers["location"]).params["code"]
    tokens = (await http.post("/oauth_token.do", data=_exchange(code))).json()
    me = await _me(http, tokens["access_token"])
    assert me.json()["result"][0]["user_name"] == "bow.ruggeri"


async def test_deny_redirects_with_access_denied(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """Pressing Deny sends the browser back with error=access_denied and the state."""
    sb.auto_consent_user = None
    answer = await http.post(
        "/oauth_auth.do", data={**_authorize_params(), "user_name": "abel.tuter", "action": "deny"}
    )
    params = httpx.URL(answer.headers["location"]).params
    assert params["error"] == "access_denied"
    assert params["state"] == "st4te"
    assert "code" not in params


async def test_refresh_returns_a_new_access_token_and_the_same_refresh_token(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """A refresh grant gives a working access token and the unchanged refresh token."""
    tokens = await _tokens(http)
    sb.expire_access_tokens("abel.tuter")
    assert (await _me(http, tokens["access_token"])).status_code == 401
    answer = await http.post(
        "/oauth_token.do",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "bot",
            "client_secret": "s3cret",
        },
    )
    fresh = answer.json()
    assert fresh["refresh_token"] == tokens["refresh_token"]
    assert fresh["access_token"] != tokens["access_token"]
    assert (await _me(http, fresh["access_token"])).status_code == 200
    assert sb.token_calls(grant_type="refresh_token") == 1
    assert sb.token_calls(grant_type="authorization_code") == 1


async def test_access_token_expires_with_the_injected_clock(
    http: httpx.AsyncClient, clock: FakeClock
) -> None:
    """An access token stops working once the clock passes its lifetime."""
    tokens = await _tokens(http)
    assert (await _me(http, tokens["access_token"])).status_code == 200
    clock.now += 601
    answer = await _me(http, tokens["access_token"])
    assert answer.status_code == 401
    assert answer.json()["status"] == "failure"


async def test_revoked_refresh_token_takes_its_access_token_with_it(
    http: httpx.AsyncClient,
) -> None:
    """Revoking a refresh token ends both it and the access tokens minted from it."""
    tokens = await _tokens(http)
    revoked = await http.get("/oauth_revoke_token.do", params={"token": tokens["refresh_token"]})
    assert revoked.status_code == 200
    assert (await _me(http, tokens["access_token"])).status_code == 401
    refresh = await http.post(
        "/oauth_token.do",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "bot",
            "client_secret": "s3cret",
        },
    )
    assert refresh.status_code == 401


async def test_revoked_access_token_is_refused(http: httpx.AsyncClient) -> None:
    """An access token passed to the revoke endpoint no longer authenticates."""
    tokens = await _tokens(http)
    await http.post("/oauth_revoke_token.do", params={"token": tokens["access_token"]})
    assert (await _me(http, tokens["access_token"])).status_code == 401


BAD_EXCHANGES: dict[str, dict[str, str]] = {
    "wrong secret": {"client_secret": "nope"},
    "unknown client": {"client_id": "other"},
    "wrong verifier": {"code_verifier": "w" * 50},
    "missing verifier": {"code_verifier": ""},
    "wrong redirect": {"redirect_uri": OTHER},
    "wrong grant type": {"grant_type": "code"},
    "unknown code": {"code": "not-a-code"},
}


@pytest.mark.parametrize("case", sorted(BAD_EXCHANGES))
async def test_bad_code_exchanges_answer_the_documented_401(
    http: httpx.AsyncClient, case: str
) -> None:
    """Every refused code exchange is HTTP 401 with access_denied/server_error."""
    code = await _code(http)
    answer = await http.post("/oauth_token.do", data=_exchange(code, **BAD_EXCHANGES[case]))
    assert answer.status_code == 401
    assert answer.json() == TOKEN_ERROR


async def test_a_code_works_only_once(http: httpx.AsyncClient) -> None:
    """A second exchange of the same code is refused with the documented 401."""
    code = await _code(http)
    assert (await http.post("/oauth_token.do", data=_exchange(code))).status_code == 200
    again = await http.post("/oauth_token.do", data=_exchange(code))
    assert (again.status_code, again.json()) == (401, TOKEN_ERROR)


async def test_expired_code_is_refused(http: httpx.AsyncClient, clock: FakeClock) -> None:
    """A code exchanged after its short lifetime is refused with the documented 401."""
    code = await _code(http)
    clock.now += 3600
    answer = await http.post("/oauth_token.do", data=_exchange(code))
    assert (answer.status_code, answer.json()) == (401, TOKEN_ERROR)


async def test_json_body_is_refused(http: httpx.AsyncClient) -> None:
    """The token endpoint takes a form body only; JSON gets the documented 401."""
    code = await _code(http)
    answer = await http.post("/oauth_token.do", json=_exchange(code))
    assert (answer.status_code, answer.json()) == (401, TOKEN_ERROR)


async def test_parameters_in_the_query_string_are_refused(http: httpx.AsyncClient) -> None:
    """Token parameters in the URL instead of the POST body get the documented 401."""
    code = await _code(http)
    answer = await http.post(
        "/oauth_token.do",
        params=_exchange(code),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (answer.status_code, answer.json()) == (401, TOKEN_ERROR)


async def test_expired_refresh_token_is_refused(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """A refresh with an expired refresh token gets the documented 401."""
    tokens = await _tokens(http)
    sb.expire_refresh_tokens()
    answer = await http.post(
        "/oauth_token.do",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "bot",
            "client_secret": "s3cret",
        },
    )
    assert (answer.status_code, answer.json()) == (401, TOKEN_ERROR)


async def test_pkce_refusing_client_fails_when_a_verifier_is_sent(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """A client set to refuse PKCE gets the documented 401 when the bot sends a verifier."""
    sb.register_client(
        client_id="bot", client_secret="s3cret", redirect_uris=[CALLBACK], pkce_refused=True
    )
    code = await _code(http, code_challenge="", code_challenge_method="")
    answer = await http.post("/oauth_token.do", data=_exchange(code))
    assert (answer.status_code, answer.json()) == (401, TOKEN_ERROR)


async def test_pkce_refusing_client_accepts_a_plain_exchange(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """A client set to refuse PKCE exchanges a code sent without a verifier."""
    sb.register_client(
        client_id="bot", client_secret="s3cret", redirect_uris=[CALLBACK], pkce_refused=True
    )
    code = await _code(http, code_challenge="", code_challenge_method="")
    plain = await http.post("/oauth_token.do", data=_exchange(code, code_verifier=""))
    assert plain.status_code == 200


async def test_client_lifetimes_override_the_defaults(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """A client's own access-token lifespan is what expires_in reports."""
    sb.register_client(
        client_id="bot", client_secret="s3cret", redirect_uris=[CALLBACK], access_token_ttl=120
    )
    assert (await _tokens(http))["expires_in"] == 119


async def test_inactive_user_cannot_get_tokens(
    http: httpx.AsyncClient, sb: ServiceNowSandbox
) -> None:
    """Consent as an inactive user is refused and no code is issued."""
    sb.auto_consent_user = "fred.luddy"
    answer = await http.get("/oauth_auth.do", params=_authorize_params())
    assert answer.status_code == 403
    assert "location" not in answer.headers


async def test_external_user_cannot_consent(http: httpx.AsyncClient, sb: ServiceNowSandbox) -> None:
    """Under Explicit Roles an snc_external user is stopped before any code is issued."""
    sb.add_user(User("e" * 32, "ext.contact", "Ext Contact", "ext@example.com", ("snc_external",)))
    sb.auto_consent_user = "ext.contact"
    answer = await http.get("/oauth_auth.do", params=_authorize_params())
    assert answer.status_code == 403
    assert "Security constraints prevent access" in answer.text
