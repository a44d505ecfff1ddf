"""`snowbot check` (``bot.check.run_check``) against the sandbox ServiceNow and a real Redis."""

from __future__ import annotations

import io
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.check import run_check
from bot.models import SlackUser
from bot.settings import Settings
from bot.store.crypto import RecordCipher
from bot.store.instance_config import InstanceConfig, InstanceConfigStore
from bot.store.keys import Keys
from snowbot_sandbox.server import serve_app
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.conftest import REDIS_URL

CLIENT_ID = "check-client"
CLIENT_SECRET = "check-client-secret-7305"
PUBLIC_URL = "http://127.0.0.1:3999"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(redis_prefix: str, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "slack_bot_token": "xoxb-check",
        "slack_signing_secret": "check-signing-secret",
        "redis_url": REDIS_URL,
        "redis_key_prefix": redis_prefix,
        "public_url": PUBLIC_URL,
        "encryption_keys": Settings.generate_key(),
        "servicenow_client_id": CLIENT_ID,
        "servicenow_client_secret": CLIENT_SECRET,
        "allow_insecure_instance": True,
    }
    base.update(values)
    return Settings.for_tests(**base)


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[ServiceNowSandbox, str]]:
    """The sandbox ServiceNow with the check's client registered, served on loopback."""
    sn = ServiceNowSandbox()
    sn.register_client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[f"{PUBLIC_URL}/servicenow/oauth/callback"],
    )
    async with serve_app(sn.app) as url:
        yield sn, url
        sn.faults.clear()


async def _check(settings: Settings) -> tuple[int, str]:
    out = io.StringIO()
    status = await run_check(settings, out=out)
    return status, out.getvalue()


async def test_all_is_well_against_the_sandbox(
    sandbox: tuple[ServiceNowSandbox, str], redis_prefix: str
) -> None:
    """Configuration, Redis and the sandbox instance all pass: exit 0."""
    _, url = sandbox
    status, report = await _check(_settings(redis_prefix, servicenow_instance=url))
    assert status == 0, report
    assert "✓ The instance answers" in report
    assert "✓ The sign-in page loads" in report
    assert "All checks passed." in report


async def test_an_unreachable_instance_fails_with_the_cause(redis_prefix: str) -> None:
    """A closed port: exit 1 and reachability ranked first."""
    settings = _settings(redis_prefix, servicenow_instance=f"http://127.0.0.1:{_closed_port()}")
    status, report = await _check(settings)
    assert status == 1
    assert "1. The instance can't be reached" in report


async def test_a_host_that_is_not_servicenow_is_named(redis_prefix: str) -> None:
    """A web server without ServiceNow's token endpoint is reported as not ServiceNow."""

    async def anything(_: Any) -> HTMLResponse:
        return HTMLResponse("<html>hello</html>", status_code=404)

    app = Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "POST"])])
    async with serve_app(app) as url:
        status, report = await _check(_settings(redis_prefix, servicenow_instance=url))
    assert status == 1
    assert "1. The instance name looks wrong, or it isn't ServiceNow" in report


async def test_a_504_on_the_sign_in_page_points_at_hardening(
    sandbox: tuple[ServiceNowSandbox, str], redis_prefix: str
) -> None:
    """A 504 Gateway Time-out on the consent page ranks the hardened checklist first."""
    sn, url = sandbox
    sn.faults.add(path="/oauth_auth.do", kind="504")
    status, report = await _check(_settings(redis_prefix, servicenow_instance=url))
    assert status == 1
    assert "1. Your instance looks hardened" in report


async def test_redis_down_fails_the_check(
    sandbox: tuple[ServiceNowSandbox, str], redis_prefix: str
) -> None:
    """A Redis that does not answer is reported and fails the check."""
    _, url = sandbox
    settings = _settings(
        redis_prefix,
        servicenow_instance=url,
        redis_url=f"redis://127.0.0.1:{_closed_port()}/0",
    )
    status, report = await _check(settings)
    assert status == 1
    assert "Redis does not answer" in report


async def test_a_refused_instance_value_opens_no_connection(
    sandbox: tuple[ServiceNowSandbox, str], redis_prefix: str
) -> None:
    """A lookalike host is refused before any request."""
    sn, _ = sandbox
    settings = _settings(redis_prefix, servicenow_instance="acme.service-now.com.evil.com")
    status, report = await _check(settings)
    assert status == 1
    assert "Refused before connecting" in report
    assert sn.requests == []


async def test_an_instance_set_up_in_chat_gets_a_sign_in_link(
    sandbox: tuple[ServiceNowSandbox, str], redis_prefix: str, redis: Any
) -> None:
    """For a workspace configured in chat, the check prints a one-time link to finish consent."""
    _, url = sandbox
    settings = _settings(
        redis_prefix, servicenow_client_id=None, servicenow_client_secret=None
    )
    store = InstanceConfigStore(
        redis, keys=Keys(prefix=redis_prefix), cipher=RecordCipher.from_settings(settings)
    )
    config = InstanceConfig(
        instance_url=url,
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
        configured_by="U0ADMIN",
    )
    admin = SlackUser(enterprise_id=None, team_id="T0CHECK", user_id="U0ADMIN")
    await store.replace(config, enterprise_id=admin.enterprise_id, team_id=admin.team_id)
    status, report = await _check(settings)
    assert status == 0, report
    assert f"{PUBLIC_URL}/servicenow/oauth/start?s=" in report
    assert CLIENT_SECRET not in report
