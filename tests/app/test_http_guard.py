"""The HTTP side holds in every mode: signed requests only, replies to Slack's hooks only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.app import create_bolt_app, readiness_problems
from bot.container import Container, open_container
from bot.errors import ConfigError
from bot.reply import response_url_allowed
from bot.settings import DEFAULT_SLACK_API_URL, Settings
from intents import IntentEngine
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.server import serve_app
from snowbot_sandbox.slack import TEAM_ID
from tests.conftest import REDIS_URL

ABEL = "U0ABEL"
SOCKET_MODE_WITHOUT_SECRET = {
    "slack_bot_token": "xoxb-guard-test",
    "slack_app_token": "xapp-1-guard-test",
    "encryption_keys": Settings.generate_key(),
}


@pytest.fixture
async def socket_mode_without_secret(
    engine: IntentEngine, redis_prefix: str
) -> AsyncIterator[Container]:
    """The container of a Socket Mode configuration that lacks the signing secret."""
    settings = Settings.for_tests(
        redis_url=REDIS_URL, redis_key_prefix=redis_prefix, **SOCKET_MODE_WITHOUT_SECRET
    )
    async with open_container(settings, engine=engine) as container:
        yield container


def test_no_slack_app_is_built_in_socket_mode_without_a_signing_secret(
    socket_mode_without_secret: Container,
) -> None:
    """Socket Mode without a signing secret gets no HTTP app that accepts unsigned requests."""
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        create_bolt_app(socket_mode_without_secret)


def test_readyz_problems_name_a_missing_signing_secret_in_socket_mode(
    socket_mode_without_secret: Container,
) -> None:
    """In Socket Mode, a missing signing secret keeps the process not ready."""
    problems = readiness_problems(socket_mode_without_secret)
    assert "SLACK_SIGNING_SECRET is not set" in problems


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/commands/T0001/1234/abcd", True),
        ("https://hooks.slack.com:443/actions/T0001/1234/abcd", True),
        ("http://hooks.slack.com/commands/T0001/1234/abcd", False),
        ("https://hooks.slack.com.evil.example/commands/T0001", False),
        ("https://evil.example/hooks.slack.com/commands", False),
        ("https://user@hooks.slack.com/commands/T0001", False),
        ("https://slack.com/api/chat.postMessage", False),
        ("http://127.0.0.1:8080/response/abc", False),
    ],
)
def test_response_urls_must_be_on_slacks_hooks_host(url: str, allowed: bool) -> None:
    """With Slack's own Web API, only https://hooks.slack.com takes replies."""
    assert response_url_allowed(url, api_url=DEFAULT_SLACK_API_URL) is allowed


def test_a_stand_in_web_api_moves_the_hooks_host_with_it() -> None:
    """When SLACK_API_URL points at a stand-in, replies go to that host and port only."""
    api_url = "http://127.0.0.1:8080/api/"
    assert response_url_allowed("http://127.0.0.1:8080/response/abc", api_url=api_url)
    assert not response_url_allowed("http://127.0.0.1:8081/response/abc", api_url=api_url)
    assert not response_url_allowed("https://hooks.slack.com/commands/T0001", api_url=api_url)


async def test_a_command_with_a_foreign_response_url_sends_nothing_there(
    bot: BotHarness,
) -> None:
    """A signed `/snow` whose response_url points elsewhere gets its answer through the Web
    API, and the foreign host receives nothing."""
    received: list[bytes] = []

    async def record(request: Request) -> Response:
        received.append(await request.body())
        return Response("ok")

    trap = Starlette(routes=[Route("/{path:path}", record, methods=["POST"])])
    async with serve_app(trap) as trap_url:
        form = {
            "team_id": TEAM_ID,
            "channel_id": "D0ABEL",
            "channel_name": "directmessage",
            "user_id": ABEL,
            "command": "/snow",
            "text": "status",
            "response_url": f"{trap_url}/commands/{TEAM_ID}/1/steal",
            "trigger_id": bot.slack.issue_trigger_id(ABEL),
        }
        seen = len(bot.slack.calls)
        request = bot.driver.sign(urlencode(form), content_type="application/x-www-form-urlencoded")
        response = await bot.driver.send(request)
        assert response.status_code == 200
        await bot.slack.wait_for_call("chat.postMessage", after=seen)
        await bot.container.work.settle()
    assert received == []
