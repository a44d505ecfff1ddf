"""ServiceNow slow, rate limiting, failing or down, and Redis down: one clear sentence, and
nothing changes."""

from __future__ import annotations

import pytest

from bot.models import SlackUser
from bot.servicenow.models import ServiceNowUser, TokenSet
from bot.store.vault import TokenRecord
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import TEAM_ID
from tests.app.linkkit import ABEL, replies, say, slack_user
from tests.conftest import StartBot

pytestmark = pytest.mark.usefixtures("cleanup")  # the `bot` prefix's keys go afterwards

INCIDENT_TABLE = "/api/now/v2/table/incident"
CLOSED_PORT_URL = "http://127.0.0.1:1"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def writes(bot: BotHarness, since: int) -> list[str]:
    """Writes (POST/PATCH/PUT/DELETE on the Table API) the sandbox received since ``since``."""
    return [
        f"{r.method} {r.path}"
        for r in bot.servicenow.requests[since:]
        if r.method in ("POST", "PATCH", "PUT", "DELETE") and r.path.startswith("/api/")
    ]


async def test_hanging_servicenow_gets_a_sentence_and_the_call_is_abandoned(
    bot: BotHarness,
) -> None:
    """A ServiceNow that never answers gets the user one sentence; the bot gives up the call."""
    await bot.connect("abel.tuter")
    record = await bot.container.vault.get(slack_user(ABEL))
    before = bot.servicenow.rows("incident")
    since = len(bot.servicenow.requests)
    bot.servicenow.faults.add(path=INCIDENT_TABLE, kind="hang")
    shown = await replies(bot, "INC0010001")
    assert len(shown) == 1
    assert "ServiceNow isn't answering right now" in shown[0]
    hung = [r for r in bot.servicenow.requests[since:] if r.fault == "hang"]
    assert hung  # the request reached ServiceNow and hung there
    assert bot.servicenow.faults.hanging == 0  # never released: the bot hung up on it
    bot.servicenow.faults.clear()
    assert writes(bot, since) == []
    assert bot.servicenow.rows("incident") == before
    assert await bot.container.vault.get(slack_user(ABEL)) == record


async def test_rate_limit_with_a_long_wait_is_reported_not_waited(bot: BotHarness) -> None:
    """A 429 asking for two minutes is reported with the wait after one call; nothing changes."""
    await bot.connect("abel.tuter")
    since = len(bot.servicenow.requests)
    bot.servicenow.faults.add(path=INCIDENT_TABLE, kind="429", retry_after=120)
    shown = await replies(bot, "INC0010001")
    assert len(shown) == 1
    assert "ServiceNow is busy" in shown[0]
    assert "about 2 minutes" in shown[0]
    table_calls = [r for r in bot.servicenow.requests[since:] if r.path == INCIDENT_TABLE]
    assert len(table_calls) == 1
    assert writes(bot, since) == []


async def test_a_huge_retry_after_is_reported_as_a_bounded_wait(bot: BotHarness) -> None:
    """A 429 asking for a 400-digit wait is reported as a day at most, not a crash."""
    await bot.connect("abel.tuter")
    bot.servicenow.faults.add(path=INCIDENT_TABLE, kind="429", retry_after=10**400)
    shown = await replies(bot, "INC0010001")
    assert len(shown) == 1
    assert "ServiceNow is busy" in shown[0]
    assert "about 24 hours" in shown[0]


async def test_gateway_timeout_page_gets_a_sentence(bot: BotHarness) -> None:
    """A 504 HTML gateway page gets one sentence, no page text, and changes nothing."""
    await bot.connect("abel.tuter")
    since = len(bot.servicenow.requests)
    bot.servicenow.faults.add(path=INCIDENT_TABLE, kind="504")
    shown = await replies(bot, "mine")
    assert len(shown) == 1
    assert "ServiceNow isn't answering right now" in shown[0]
    assert "<html" not in shown[0].lower()
    assert "Gateway" not in shown[0]
    assert writes(bot, since) == []


async def test_servicenow_down_gets_a_sentence_and_keeps_the_link(start_bot: StartBot) -> None:
    """An instance on a closed port gets the user one sentence; the stored link is untouched."""
    async with start_bot(servicenow_instance=CLOSED_PORT_URL) as bot:
        user = SlackUser(enterprise_id=None, team_id=TEAM_ID, user_id=ABEL)
        abel = bot.servicenow.user_by_name("abel.tuter")
        now = bot.container.clock()
        record = TokenRecord.linked(
            tokens=TokenSet(
                access_token="access-for-a-closed-port",
                refresh_token="refresh-for-a-closed-port",
                expires_at=now + 1800,
            ),
            servicenow_user=ServiceNowUser(
                sys_id=abel.sys_id, user_name=abel.user_name, name=abel.name, email=abel.email
            ),
            instance_url=CLOSED_PORT_URL,
            linked_at=now,
        )
        stored = await bot.container.vault.put(user, record, expected_version=0)
        shown = await replies(bot, "mine")
        assert len(shown) == 1
        assert "ServiceNow isn't answering right now" in shown[0]
        assert await bot.container.vault.get(user) == stored
        assert bot.servicenow.requests == []


async def test_redis_down_gets_the_store_sentence_and_calls_nothing(
    start_bot: StartBot,
) -> None:
    """With Redis unreachable, `/snow mine` gets the store sentence and ServiceNow gets no call."""
    async with start_bot(redis_url=UNREACHABLE_REDIS) as bot:
        shown = await replies(bot, "mine")
        assert len(shown) == 1
        assert "I can't reach my storage right now, so I've changed nothing" in shown[0]
        assert bot.servicenow.requests == []


async def test_redis_down_answers_a_dm_with_the_store_sentence(start_bot: StartBot) -> None:
    """With Redis unreachable, a DM asking for tickets gets the store sentence, no call."""
    async with start_bot(redis_url=UNREACHABLE_REDIS) as bot:
        shown = await say(bot, "show my tickets")
        assert "I can't reach my storage right now, so I've changed nothing" in shown
        assert bot.servicenow.requests == []
