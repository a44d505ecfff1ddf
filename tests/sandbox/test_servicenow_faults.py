"""Fault injection, request recording and the HTTP control API of the ServiceNow sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from snowbot_sandbox.server import serve_app
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.conftest import Serve

INCIDENTS = "/api/now/v2/table/incident"
CALLBACK = "http://127.0.0.1:3000/servicenow/oauth/callback"
TOKEN_ERROR = {"error_description": "access_denied", "error": "server_error"}


@pytest.fixture
def sb() -> ServiceNowSandbox:
    """A seeded sandbox with one client."""
    sandbox = ServiceNowSandbox(rng_seed=11)
    sandbox.register_client(client_id="bot", client_secret="s3cret", redirect_uris=[CALLBACK])
    return sandbox


@pytest.fixture
async def base_url(sb: ServiceNowSandbox, serve: Serve) -> AsyncIterator[str]:
    """The sandbox served on loopback."""
    async with serve(sb.app) as url:
        yield url


def _client(
    sb: ServiceNowSandbox, base_url: str, user_name: str, **kw: float
) -> httpx.AsyncClient:
    token = sb.issue_tokens(user_name=user_name, client_id="bot").access_token
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=kw.get("timeout", 5.0),
    )


@pytest.fixture
async def beth(sb: ServiceNowSandbox, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The itil technician's client."""
    async with _client(sb, base_url, "beth.anglin") as client:
        yield client


async def test_latency_delays_then_answers_normally(
    sb: ServiceNowSandbox, beth: httpx.AsyncClient
) -> None:
    """A latency fault still returns the real answer."""
    sb.faults.add(path=INCIDENTS, kind="latency", seconds=0.05)
    answer = await beth.get(INCIDENTS, params={"sysparm_limit": "1"})
    assert answer.status_code == 200
    assert sb.requests[-1].fault == "latency"


async def test_latency_beyond_the_client_deadline_times_out(
    sb: ServiceNowSandbox, base_url: str
) -> None:
    """A delay longer than the caller's time-out makes the caller give up."""
    sb.faults.add(path=INCIDENTS, kind="latency", seconds=2)
    async with _client(sb, base_url, "beth.anglin", timeout=0.2) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.get(INCIDENTS)


async def test_429_carries_retry_after_and_rate_limit_headers(
    sb: ServiceNowSandbox, beth: httpx.AsyncClient
) -> None:
    """A rate-limit fault answers 429 with Retry-After, X-RateLimit-* and the envelope."""
    sb.faults.add(path=INCIDENTS, kind="429", retry_after=17, times=1)
    limited = await beth.get(INCIDENTS)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "17"
    assert limited.headers["X-RateLimit-Limit"] == "100"
    assert "X-RateLimit-Remaining" not in limited.headers
    assert limited.json()["error"]["message"] == "Rate limit exceeded"
    assert (await beth.get(INCIDENTS)).status_code == 200  # times=1 is spent


async def test_504_has_an_html_body(sb: ServiceNowSandbox, beth: httpx.AsyncClient) -> None:
    """A gateway time-out answers HTML, not JSON."""
    sb.faults.add(path=INCIDENTS, kind="504")
    answer = await beth.get(INCIDENTS)
    assert answer.status_code == 504
    assert answer.headers["content-type"].startswith("text/html")
    assert "504 Gateway Time-out" in answer.text


@pytest.mark.parametrize(
    ("kind", "status"), [("500", 500), ("404", 404), ("403", 403), ("401", 401)]
)
async def test_error_faults_answer_in_the_envelope(
    sb: ServiceNowSandbox, beth: httpx.AsyncClient, kind: str, status: int
) -> None:
    """500, 404, 403 and 401 faults answer with that status and the error envelope."""
    sb.faults.add(path=INCIDENTS, kind=kind)
    answer = await beth.get(INCIDENTS)
    assert answer.status_code == status
    assert answer.json()["status"] == "failure"
    assert set(answer.json()["error"]) == {"message", "detail"}


async def test_unknown_table_fault_answers_invalid_table(
    sb: ServiceNowSandbox, beth: httpx.AsyncClient
) -> None:
    """An unknown-table fault makes an existing table look missing."""
    sb.faults.add(path=INCIDENTS, kind="unknown_table")
    answer = await beth.get(f"{INCIDENTS}/0001")
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Invalid table incident"


async def test_hang_outlasts_a_client_timeout(sb: ServiceNowSandbox, base_url: str) -> None:
    """A hanging path never answers, so the caller's own deadline is what ends the call."""
    sb.faults.add(path=INCIDENTS, kind="hang")
    async with _client(sb, base_url, "beth.anglin", timeout=0.3) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.get(INCIDENTS)
    assert sb.requests[-1].fault == "hang"


async def test_released_hang_answers_normally(
    sb: ServiceNowSandbox, beth: httpx.AsyncClient
) -> None:
    """Releasing the faults lets a hanging request go on to its normal answer."""
    sb.faults.add(path=INCIDENTS, kind="hang", times=1)
    pending = asyncio.create_task(beth.get(INCIDENTS, params={"sysparm_limit": "1"}))
    await asyncio.wait_for(sb.faults.wait_hanging(), timeout=5)
    sb.faults.release()
    answer = await asyncio.wait_for(pending, timeout=5)
    assert answer.status_code == 200


async def test_only_ess_fault_spares_technicians(
    sb: ServiceNowSandbox, base_url: str, beth: httpx.AsyncClient
) -> None:
    """A per-role 403 refuses ESS users and lets itil users through."""
    sb.faults.add(path=INCIDENTS, kind="403", only_ess=True)
    async with _client(sb, base_url, "abel.tuter") as abel:
        assert (await abel.get(INCIDENTS)).status_code == 403
    assert (await beth.get(INCIDENTS)).status_code == 200


async def test_token_fault_hits_only_refresh_calls(
    sb: ServiceNowSandbox, base_url: str
) -> None:
    """An access_denied fault on the refresh grant answers the documented 401 and is counted."""
    sb.faults.add(path="/oauth_token.do", kind="access_denied", grant_type="refresh_token")
    pair = sb.issue_tokens(user_name="abel.tuter", client_id="bot")
    form = {"client_id": "bot", "client_secret": "s3cret"}
    async with httpx.AsyncClient(base_url=base_url) as http:
        answer = await http.post(
            "/oauth_token.do",
            data={**form, "grant_type": "refresh_token", "refresh_token": pair.refresh_token},
        )
    assert (answer.status_code, answer.json()) == (401, TOKEN_ERROR)
    assert sb.token_calls(grant_type="refresh_token") == 1
    assert sb.token_calls(grant_type="refresh_token", user_name="abel.tuter") == 1
    assert sb.token_calls(grant_type="refresh_token", user_name="bow.ruggeri") == 0


async def test_authorize_page_can_answer_504(sb: ServiceNowSandbox, base_url: str) -> None:
    """A 504 on the consent page shows the gateway HTML, as hardened instances do."""
    sb.faults.add(path="/oauth_auth.do", kind="504")
    async with httpx.AsyncClient(base_url=base_url) as http:
        answer = await http.get(
            "/oauth_auth.do",
            params={"response_type": "code", "client_id": "bot", "state": "x",
                    "redirect_uri": CALLBACK},
        )
    assert answer.status_code == 504
    assert "<html>" in answer.text


async def test_requests_are_recorded_with_their_user(
    sb: ServiceNowSandbox, beth: httpx.AsyncClient
) -> None:
    """Each request is kept with method, path, query, body and the token's user."""
    await beth.patch(f"{INCIDENTS}/0001abcd", params={"sysparm_fields": "number"},
                     json={"comments": "hi"})
    recorded = sb.requests[-1]
    assert (recorded.method, recorded.path) == ("PATCH", f"{INCIDENTS}/0001abcd")
    assert recorded.query == {"sysparm_fields": ["number"]}
    assert recorded.json == {"comments": "hi"}
    assert recorded.user_name == "beth.anglin"
    assert recorded.headers["authorization"] == "Bearer [redacted]"


async def test_secrets_in_forms_can_be_redacted() -> None:
    """With redaction on, token-call secrets are not kept in the record."""
    sandbox = ServiceNowSandbox(redact_secrets=True)
    async with serve_app(sandbox.app) as url, httpx.AsyncClient(base_url=url) as http:
        await http.post("/oauth_token.do", data={"grant_type": "refresh_token",
                                                 "client_secret": "hush", "refresh_token": "r"})
    form = sandbox.requests[-1].form
    assert form is not None
    assert form["grant_type"] == ["refresh_token"]
    assert "hush" not in str(form)
    assert sandbox.token_calls(grant_type="refresh_token") == 1


async def test_control_api_sets_and_clears_faults(base_url: str, beth: httpx.AsyncClient) -> None:
    """Another process can add a fault over HTTP and clear it again."""
    async with httpx.AsyncClient(base_url=base_url) as control:
        added = await control.post(
            "/sandbox/faults", json={"path": INCIDENTS, "kind": "429", "retry_after": 3}
        )
        assert added.status_code == 201
        assert (await beth.get(INCIDENTS)).status_code == 429
        await control.delete("/sandbox/faults")
    assert (await beth.get(INCIDENTS)).status_code == 200


async def test_control_api_refuses_an_unknown_fault_kind(base_url: str) -> None:
    """A fault kind the sandbox does not know is a 400 from the control API."""
    async with httpx.AsyncClient(base_url=base_url) as control:
        answer = await control.post("/sandbox/faults", json={"path": "*", "kind": "explode"})
    assert answer.status_code == 400


async def test_control_api_reports_requests_and_token_calls(
    sb: ServiceNowSandbox, base_url: str, beth: httpx.AsyncClient
) -> None:
    """Recorded requests, queries and token-call counts are readable over HTTP."""
    await beth.get(INCIDENTS, params={"sysparm_query": "active=true"})
    async with httpx.AsyncClient(base_url=base_url) as control:
        requests = (await control.get("/sandbox/requests")).json()
        queries = (await control.get("/sandbox/queries")).json()
        calls = (await control.get("/sandbox/token-calls", params={"grant_type": "refresh_token"}))
    assert [(r["method"], r["path"], r["user_name"]) for r in requests] == [
        ("GET", INCIDENTS, "beth.anglin")
    ]
    assert queries == ["active=true"]
    assert calls.json() == {"count": 0}


async def test_control_api_configures_consent_and_resets(
    sb: ServiceNowSandbox, base_url: str
) -> None:
    """Settings sent over HTTP take effect, and a reset restores the seed and defaults."""
    async with httpx.AsyncClient(base_url=base_url) as control:
        await control.post("/sandbox/settings", json={"auto_consent_user": "bow.ruggeri"})
        answer = await control.get(
            "/oauth_auth.do",
            params={"response_type": "code", "client_id": "bot", "state": "s",
                    "redirect_uri": CALLBACK},
        )
        assert answer.status_code == 302
        sb.create_table("u_snowbot_feedback", ["u_rating"])
        assert (await control.post("/sandbox/reset")).status_code == 200
    assert sb.auto_consent_user is None
    assert "u_snowbot_feedback" not in sb.store.schemas
    assert sb.requests == []
    assert "bot" in sb.tokens.clients


async def test_control_api_mints_tokens(base_url: str) -> None:
    """A token pair minted over HTTP authenticates Table API calls."""
    async with httpx.AsyncClient(base_url=base_url) as control:
        pair = (await control.post(
            "/sandbox/tokens", json={"user_name": "carol.coughlin", "client_id": "bot"}
        )).json()
        answer = await control.get(
            INCIDENTS, headers={"Authorization": f"Bearer {pair['access_token']}"}
        )
    assert len(answer.json()["result"]) == 3
