"""A reset puts the sandboxes back to the seed, so tests sharing them stay isolated.

The first two tests run in this order on the sandboxes shared by the whole run: the
first leaves a record, a fault, a setting, a client, a person and recorded calls
behind; the second, on its fresh bot, finds none of them.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from snowbot_sandbox.harness import BOT_TOKEN, BotHarness, Sandboxes
from snowbot_sandbox.server import serve_app
from snowbot_sandbox.servicenow import ServiceNowSandbox
from snowbot_sandbox.slack import SlackSandbox
from tests.conftest import StartBot

INCIDENTS = "/api/now/v2/table/incident"
LAST_SEEDED = "INC0010015"
EXTRA_CLIENT = "left-behind-client"
EXTRA_PERSON = "U0LEFTBEHIND"
LEFT_BEHIND: dict[str, str] = {}


def _as(bot: BotHarness, user_name: str) -> httpx.AsyncClient:
    token = bot.servicenow.issue_tokens(user_name=user_name, client_id="snowbot-sandbox")
    return httpx.AsyncClient(
        base_url=bot.servicenow_url,
        headers={"Authorization": f"Bearer {token.access_token}"},
        timeout=5,
    )


async def _slack_auth_test(bot: BotHarness) -> dict[str, object]:
    answer = await bot.http.post(
        f"{bot.slack_url}/api/auth.test", headers={"Authorization": f"Bearer {BOT_TOKEN}"}
    )
    data: dict[str, object] = answer.json()
    return data


async def test_a_first_bot_leaves_a_record_a_fault_and_calls_behind(start_bot: StartBot) -> None:
    """A bot's test creates an incident, injects faults, changes settings and adds people."""
    async with start_bot() as bot:
        await bot.connect("abel.tuter")
        async with _as(bot, "abel.tuter") as abel:
            created = await abel.post(INCIDENTS, json={"short_description": "left behind"})
        number = created.json()["result"]["number"]
        LEFT_BEHIND["number"] = number
        bot.servicenow.faults.add(path=INCIDENTS, kind="500")
        bot.servicenow.hardened = True
        bot.servicenow.register_client(
            client_id=EXTRA_CLIENT, client_secret="x", redirect_uris=["http://127.0.0.1:9/cb"]
        )
        bot.slack.add_user(EXTRA_PERSON, email="left@example.com")
        bot.slack.fail_next("auth.test", "ratelimited", times=5)
        assert bot.servicenow.get_incident(number) is not None
        assert bot.slack.calls


async def test_the_next_bot_starts_on_the_seed(start_bot: StartBot) -> None:
    """The next test's bot finds only seeded incidents, no fault, setting, client or call."""
    async with start_bot() as bot:
        sn, slack = bot.servicenow, bot.slack
        assert max(row["number"] for row in sn.rows("incident")) == LAST_SEEDED
        if "number" in LEFT_BEHIND:
            assert sn.get_incident(LEFT_BEHIND["number"]) is None
        assert sn.faults.items == []
        assert sn.hardened is False
        assert EXTRA_CLIENT not in sn.tokens.clients
        assert sn.tokens.tokens == {}
        assert EXTRA_PERSON not in slack.users
        assert slack.messages == []
        assert (await _slack_auth_test(bot))["ok"] is True
        async with _as(bot, "abel.tuter") as abel:
            listed = await abel.get(INCIDENTS, params={"sysparm_limit": "1"})
        assert listed.status_code == 200


async def test_reset_lets_a_hanging_request_go(sandboxes: Sandboxes) -> None:
    """A request hanging on an injected fault answers once the sandboxes are reset."""
    sandboxes.reset()
    sn = sandboxes.servicenow
    sn.register_client(client_id="hang", client_secret="x", redirect_uris=["http://h/cb"])
    token = sn.issue_tokens(user_name="beth.anglin", client_id="hang").access_token
    sn.faults.add(path=INCIDENTS, kind="hang")
    async with httpx.AsyncClient(
        base_url=sandboxes.servicenow_url, headers={"Authorization": f"Bearer {token}"}
    ) as beth:
        request = asyncio.create_task(beth.get(INCIDENTS))
        await asyncio.wait_for(sn.faults.wait_hanging(), timeout=5)
        sandboxes.reset()
        answer = await asyncio.wait_for(request, timeout=5)
    assert answer.status_code == 401  # answered normally, after the reset forgot the token
    assert sn.faults.items == []


async def test_slack_reset_over_http_clears_calls_people_and_failures() -> None:
    """`POST /sandbox/reset` on the stand-in forgets recorded calls, added people, failures."""
    slack = SlackSandbox(bot_token=BOT_TOKEN)
    slack.add_user(EXTRA_PERSON, email="left@example.com")
    slack.fail_next("auth.test", "ratelimited")
    mark = slack.mark
    async with serve_app(slack.app) as url, httpx.AsyncClient(base_url=url) as http:
        auth = {"Authorization": f"Bearer {BOT_TOKEN}"}
        failed = await http.post("/api/auth.test", headers=auth)
        reset = await http.post("/sandbox/reset")
        after = await http.post("/api/auth.test", headers=auth)
    assert failed.json()["ok"] is False
    assert reset.json() == {"ok": True}
    assert after.json()["ok"] is True
    assert [call.method for call in slack.calls] == ["auth.test"]
    assert EXTRA_PERSON not in slack.users
    assert slack.next_seq() > mark


@pytest.mark.parametrize(("body", "kept"), [(b"", True), (b'{"clients": true}', False)])
async def test_servicenow_reset_over_http_keeps_clients_unless_asked(
    body: bytes, kept: bool
) -> None:
    """`POST /sandbox/reset` keeps registered clients; with `clients: true` it forgets them."""
    sn = ServiceNowSandbox()
    sn.register_client(client_id="bot", client_secret="x", redirect_uris=["http://h/cb"])
    async with serve_app(sn.app) as url, httpx.AsyncClient(base_url=url) as http:
        answer = await http.post("/sandbox/reset", content=body)
    assert answer.status_code == 200
    assert ("bot" in sn.tokens.clients) is kept
