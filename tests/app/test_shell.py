"""The Slack app shell: signatures, acks, de-duplication, health, metrics."""

from __future__ import annotations

import json

import httpx

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import render_blocks

ABEL = "U0ABEL"


async def test_snow_help_is_answered_in_the_ack(bot: BotHarness) -> None:
    """A signed `/snow help` is answered in the ack with the help card."""
    response = await bot.driver.slash_command("/snow", "help", user_id=ABEL)
    assert response.status_code == 200
    body = response.json()
    assert "/snow mine" in render_blocks(body["blocks"])


async def test_bare_snow_is_answered_with_help(bot: BotHarness) -> None:
    """`/snow` with no argument answers with the help card too."""
    response = await bot.driver.slash_command("/snow", "", user_id=ABEL)
    assert response.status_code == 200
    assert "/snow INC0012345" in render_blocks(response.json()["blocks"])


async def test_bad_signature_gets_401_and_nothing_runs(bot: BotHarness) -> None:
    """A forged signature gets 401 and the bot calls nothing."""
    request = bot.driver.command_request("/snow", "mine", user_id=ABEL)
    response = await bot.driver.send(bot.driver.forged(request))
    assert response.status_code == 401
    assert bot.slack.calls == []
    assert bot.servicenow.requests == []


async def test_stale_timestamp_gets_401_and_nothing_runs(bot: BotHarness) -> None:
    """A request signed more than five minutes ago gets 401 and the bot calls nothing."""
    request = bot.driver.command_request("/snow", "mine", user_id=ABEL)
    response = await bot.driver.send(bot.driver.stale(request, age=600))
    assert response.status_code == 401
    assert bot.slack.calls == []


async def test_altered_body_gets_401_and_nothing_runs(bot: BotHarness) -> None:
    """A body changed after signing gets 401 and the bot calls nothing."""
    request = bot.driver.command_request("/snow", "mine", user_id=ABEL)
    response = await bot.driver.send(request.altered())
    assert response.status_code == 401
    assert bot.slack.calls == []


async def test_unsigned_request_gets_401(bot: BotHarness) -> None:
    """A request with no signature at all gets 401."""
    request = bot.driver.command_request("/snow", "help", user_id=ABEL)
    response = await bot.driver.send(request.without_signature())
    assert response.status_code == 401


async def test_event_delivered_three_times_runs_once(bot: BotHarness) -> None:
    """The same event delivered three times (Slack retries) is handled once."""
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ABEL",
        "user": ABEL,
        "text": "hello there",
        "ts": "1700000000.000100",
    }
    for retry in (None, 1, 2):
        response = await bot.driver.event(event, event_id="Ev0DUPLICATE", retry_num=retry)
        assert response.status_code == 200
    await bot.slack.wait_for_call("chat.postMessage")
    await bot.container.work.settle()
    replies = [
        c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == "D0ABEL"
    ]
    assert len(replies) == 1


async def test_link_buttons_are_acked(bot: BotHarness) -> None:
    """Pressing a link button (Connect) is acknowledged with 200."""
    await bot.driver.slash_command("/snow", "connect", user_id=ABEL)
    await bot.slack.wait_for_response()
    response = await bot.driver.press("Connect ServiceNow", user_id=ABEL)
    assert response.status_code == 200


async def test_healthz_reports_redis_up(bot: BotHarness) -> None:
    """`/healthz` answers 200 with Redis reported up."""
    response = await bot.http.get(f"{bot.bot_url}/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "up"


async def test_readyz_is_ready_when_configured(bot: BotHarness) -> None:
    """`/readyz` answers 200 when configuration and model are loaded."""
    response = await bot.http.get(f"{bot.bot_url}/readyz")
    assert response.status_code == 200, response.text


async def test_metrics_use_the_prometheus_format(bot: BotHarness) -> None:
    """`/metrics`, on the metrics port, serves the Prometheus text format."""
    await bot.driver.slash_command("/snow", "help", user_id=ABEL)
    response = await bot.http.get(f"{bot.metrics_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'snowbot_slack_requests_total{kind="command",outcome="ok"}' in response.text


async def test_metrics_are_not_served_on_the_public_port(bot: BotHarness) -> None:
    """The port Slack and browsers reach has no `/metrics`: it lives on its own port."""
    response = await bot.http.get(f"{bot.bot_url}/metrics")
    assert response.status_code == 404


async def test_url_verification_is_answered(bot: BotHarness) -> None:
    """Slack's url_verification challenge is echoed back."""
    response = await bot.driver.url_verification("challenge-123")
    assert response.status_code == 200
    assert "challenge-123" in response.text


async def test_request_id_header_is_honoured_in_logs(bot: BotHarness) -> None:
    """An HTTP request without an id still gets served (an id is made up)."""
    response = await bot.http.get(
        f"{bot.bot_url}/healthz", headers={"X-Request-Id": "abc123"}
    )
    assert response.status_code == 200
    assert json.loads(response.text)["status"] == "ok"


async def test_a_request_id_that_is_not_utf8_is_replaced(bot: BotHarness) -> None:
    """An ``X-Request-Id`` of bytes that are not UTF-8 gets a made-up id, not a 500."""
    response = await bot.http.get(
        f"{bot.bot_url}/healthz", headers={b"X-Request-Id": b"\xff\xfe"}
    )
    assert response.status_code == 200


async def test_unknown_route_is_404(bot: BotHarness) -> None:
    """Routes the design does not name answer 404."""
    response = await bot.http.get(f"{bot.bot_url}/admin")
    assert response.status_code == 404
    assert isinstance(response, httpx.Response)
