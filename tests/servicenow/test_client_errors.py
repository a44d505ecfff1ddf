"""Failures as the user meets them: 401 refresh, refusals, rate limits, outages, hangs."""

from __future__ import annotations

import asyncio
import random
import socket
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from bot.errors import (
    ReconnectRequiredError,
    ServiceNowAuthError,
    ServiceNowForbiddenError,
    ServiceNowRateLimitedError,
    ServiceNowUnavailableError,
)
from bot.servicenow.client import ServiceNowIncidents
from bot.servicenow.instance import Instance, parse_instance
from bot.servicenow.session import RetryPolicy, ServiceNowSession
from bot.store.dedupe import IdempotencyKeys
from bot.store.keys import Keys
from snowbot_sandbox.server import serve_app
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.servicenow.conftest import ActAs, NoSleep

INCIDENTS = "/api/now/v2/table/incident"


async def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A 401 leads to one refresh through the token endpoint and one repeat."""
    abel = await act_as("abel.tuter")
    sandbox.expire_access_tokens("abel.tuter")
    incident = await abel.incidents.get_incident("INC0010001")
    assert incident.number == "INC0010001"
    assert abel.tokens.refreshes == 1
    assert sandbox.token_calls(grant_type="refresh_token") == 1


async def test_a_refused_refresh_asks_the_user_to_reconnect(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """When the refresh token is refused too, ReconnectRequiredError, with one refresh try."""
    abel = await act_as("abel.tuter")
    sandbox.expire_access_tokens("abel.tuter")
    sandbox.expire_refresh_tokens("abel.tuter")
    with pytest.raises(ReconnectRequiredError):
        await abel.incidents.get_incident("INC0010001")
    assert sandbox.token_calls(grant_type="refresh_token") == 1


async def test_a_second_401_is_an_auth_error_without_a_loop(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A 401 after the refresh ends the call: two requests, one refresh, no loop."""
    abel = await act_as("abel.tuter")
    sandbox.faults.add(path=INCIDENTS, kind="401")
    with pytest.raises(ServiceNowAuthError):
        await abel.incidents.get_incident("INC0010001")
    assert len([r for r in sandbox.requests if r.path == INCIDENTS]) == 2
    assert abel.tokens.refreshes == 1


async def test_403_is_forbidden_and_never_refreshes(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A 403 is an ACL answer: ServiceNowForbiddenError, no refresh, no retry."""
    abel = await act_as("abel.tuter")
    sandbox.faults.add(path=INCIDENTS, kind="403")
    with pytest.raises(ServiceNowForbiddenError):
        await abel.incidents.list_mine(abel.sys_id)
    assert abel.tokens.refreshes == 0
    assert len([r for r in sandbox.requests if r.path == INCIDENTS]) == 1


async def test_hardened_instance_refusal_is_forbidden(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """Without snc_platform_rest_api_access on a hardened instance, reads are forbidden."""
    sandbox.hardened = True
    abel = await act_as("abel.tuter")
    with pytest.raises(ServiceNowForbiddenError) as caught:
        await abel.incidents.get_incident("INC0010001")
    assert caught.value.status == 403
    assert "snc_platform_rest_api_access" in caught.value.detail


async def test_a_short_429_is_waited_out_for_reads(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A 429 asking for one second is honoured (with jitter) and the read succeeds."""
    sleep = NoSleep()
    abel = await act_as("abel.tuter", sleep=sleep)
    sandbox.faults.add(path=INCIDENTS, kind="429", retry_after=1, times=1)
    incident = await abel.incidents.get_incident("INC0010001")
    assert incident.number == "INC0010001"
    assert len(sleep.waits) == 1
    assert 1.0 <= sleep.waits[0] < 1.2


async def test_a_long_429_is_reported_with_its_wait(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A 429 asking for two minutes is reported at once with retry_after."""
    sleep = NoSleep()
    abel = await act_as("abel.tuter", sleep=sleep)
    sandbox.faults.add(path=INCIDENTS, kind="429", retry_after=120, times=1)
    with pytest.raises(ServiceNowRateLimitedError) as caught:
        await abel.incidents.get_incident("INC0010001")
    assert caught.value.retry_after == 120
    assert sleep.waits == []


async def test_a_504_page_is_unavailable_after_bounded_retries(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """An HTML 504 on every try ends in ServiceNowUnavailableError after three attempts."""
    sleep = NoSleep()
    abel = await act_as("abel.tuter", sleep=sleep)
    sandbox.faults.add(path=INCIDENTS, kind="504")
    with pytest.raises(ServiceNowUnavailableError) as caught:
        await abel.incidents.get_incident("INC0010001")
    assert caught.value.status == 504
    assert "non-JSON" in caught.value.detail
    assert len([r for r in sandbox.requests if r.path == INCIDENTS]) == 3
    assert len(sleep.waits) == 2
    assert all(0 <= wait <= 0.5 for wait in sleep.waits)


async def test_a_passing_5xx_is_retried_for_reads(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """One 502 on a read is retried and the user never sees it."""
    abel = await act_as("abel.tuter", sleep=NoSleep())
    sandbox.faults.add(path=INCIDENTS, kind="502", times=1)
    assert (await abel.incidents.get_incident("INC0010001")).number == "INC0010001"


async def test_a_500_on_a_comment_is_not_retried(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A comment is not idempotent: a 500 is reported, with exactly one PATCH sent."""
    abel = await act_as("abel.tuter", sleep=NoSleep())
    sandbox.faults.add(path=INCIDENTS, kind="500", method="PATCH")
    with pytest.raises(ServiceNowUnavailableError):
        await abel.incidents.add_comment("INC0010002", "Hello?")
    assert len([r for r in sandbox.requests if r.method == "PATCH"]) == 1


async def test_a_hanging_instance_times_out_within_the_budget(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A request that never answers ends in ServiceNowUnavailableError, not a hang."""
    abel = await act_as("abel.tuter", policy=RetryPolicy(timeout=0.3, budget=0.6))
    sandbox.faults.add(path=INCIDENTS, kind="hang")
    async with asyncio.timeout(10):  # a guard: without the budget this would never end
        with pytest.raises(ServiceNowUnavailableError) as caught:
            await abel.incidents.get_incident("INC0010001")
    assert "timed out" in caught.value.detail or "budget" in caught.value.detail


async def test_the_observer_hears_each_operation(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """The metrics hook gets (operation, seconds, outcome) for successes and failures."""
    seen: list[tuple[str, float, str]] = []
    abel = await act_as("abel.tuter", observer=lambda op, s, out: seen.append((op, s, out)))
    await abel.incidents.get_incident("INC0010001")
    sandbox.faults.add(path=INCIDENTS, kind="403")
    with pytest.raises(ServiceNowForbiddenError):
        await abel.incidents.get_incident("INC0010001")
    assert [(op, out) for op, _, out in seen] == [
        ("get_incident", "ok"),
        ("get_incident", "ServiceNowForbiddenError"),
    ]
    assert all(seconds >= 0 for _, seconds, _ in seen)


async def test_bearer_tokens_never_travel_in_urls(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """Calls carry the token in the Authorization header only."""
    abel = await act_as("abel.tuter")
    await abel.incidents.list_mine(abel.sys_id)
    for request in sandbox.requests:
        assert "access_token" not in request.query
        assert request.headers["authorization"].startswith("Bearer ")


class _FixedToken:
    """A token source with one token that cannot be refreshed."""

    async def access_token(self) -> str:
        return "TESTTOKEN-access-0001"

    async def refreshed_token(self, rejected: str) -> str:
        raise ReconnectRequiredError("no refresh in this test")


def _client(
    http: httpx.AsyncClient, *, instance: Instance, redis: Redis, prefix: str, sleep: NoSleep
) -> ServiceNowIncidents:
    session = ServiceNowSession(
        http=http, instance=instance, tokens=_FixedToken(), sleep=sleep, rng=random.Random(1)
    )
    return ServiceNowIncidents(
        session=session, guard=IdempotencyKeys(redis, keys=Keys(prefix=prefix))
    )


async def _redirect_everything(scope: Any, receive: Any, send: Any) -> None:
    """A test-only instance that answers every request with a redirect elsewhere."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 301,
            "headers": [(b"location", b"https://evil.example.com/api/now/v2/table/incident")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def test_a_redirecting_instance_is_unavailable_and_not_followed(
    http: httpx.AsyncClient, redis: Redis, redis_prefix: str
) -> None:
    """A 3xx from the Table API is reported, never followed to the other host."""
    async with serve_app(_redirect_everything) as url:
        instance = parse_instance(url, allow_insecure=True)
        client = _client(http, instance=instance, redis=redis, prefix=redis_prefix, sleep=NoSleep())
        with pytest.raises(ServiceNowUnavailableError) as caught:
            await client.get_incident("INC0010001")
    assert caught.value.status == 301
    assert "not followed" in caught.value.detail


async def test_a_refused_connection_is_retried_then_unavailable(
    http: httpx.AsyncClient, redis: Redis, redis_prefix: str
) -> None:
    """Nothing listening: each attempt fails to connect, with jittered waits, then Unavailable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = NoSleep()
    instance = parse_instance(f"http://127.0.0.1:{port}", allow_insecure=True)
    client = _client(http, instance=instance, redis=redis, prefix=redis_prefix, sleep=sleep)
    with pytest.raises(ServiceNowUnavailableError) as caught:
        await client.get_incident("INC0010001")
    assert caught.value.detail == "get_incident: could not connect"
    assert len(sleep.waits) == 2
