"""Poll: for instances without a Business Rule (issue 14, item 3)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.models import SlackUser
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.servicenow import RecordedRequest
from tests.app.flows import ABEL, connected
from tests.notify.helpers import dms, settle
from tests.notify.replica import replica

ABEL_SYS_ID = "a8f98bb0eb32010045e1a5115206fe3a"


def poll_queries(bot: BotHarness) -> list[str]:
    """The polls' incident queries (sys_updated_on after a generated date)."""
    return [q for q in bot.servicenow.queries
            if q.startswith(f"caller_id={ABEL_SYS_ID}^sys_updated_on>")]


def incident_reads(bot: BotHarness) -> list[RecordedRequest]:
    """Every request to the incident table."""
    return [r for r in bot.servicenow.requests if "/table/incident" in r.path]


async def wait_for_dm(bot: BotHarness, user_id: str, *, within: float = 10.0) -> None:
    """Wait until ``user_id`` has a notification DM."""
    deadline = time.monotonic() + within
    while not dms(bot, user_id):
        assert time.monotonic() < deadline, "no notification arrived"
        await asyncio.sleep(0.05)


async def test_a_desk_comment_is_polled_into_one_dm(polled: BotHarness) -> None:
    """Without a rule, the poll finds Beth's comment: one DM, asked with dateGenerate."""
    await connected(polled, "abel.tuter")
    polled.servicenow.desk.comment("INC0010001", "The concentrator was restarted.")
    await wait_for_dm(polled, ABEL)
    await asyncio.sleep(2.5)  # more polls: nothing new
    await settle(polled)
    assert len(dms(polled, ABEL)) == 1
    query = poll_queries(polled)[-1]
    assert "javascript:gs.dateGenerate('" in query
    assert query.endswith("^ORDERBYsys_updated_on^ORDERBYsys_id")


async def test_two_polling_processes_make_one_dm_and_share_the_polls(
    polled: BotHarness, tmp_path: Path
) -> None:
    """Two replicas polling every second: one DM, and about one poll of Abel per second
    between them (not one each)."""
    await connected(polled, "abel.tuter")
    async with replica(polled, tmp_path / "replica.log", poll_interval=1.0):
        await asyncio.sleep(2.0)
        start = len(poll_queries(polled))
        polled.servicenow.desk.comment("INC0010001", "Try the new client build.")
        await wait_for_dm(polled, ABEL)
        await asyncio.sleep(4.0)
        polls = len(poll_queries(polled)) - start
    await settle(polled)
    assert len(dms(polled, ABEL)) == 1
    assert polls <= 4 + 3  # one replica per interval (both each time would be ~10)


async def test_a_429_pauses_the_workspace_for_retry_after(polled: BotHarness) -> None:
    """A 429 with Retry-After: 4 stops Abel's polls until it has passed."""
    await connected(polled, "abel.tuter")
    await asyncio.sleep(1.5)
    polled.servicenow.faults.add(
        path="/api/now/v2/table/incident", kind="429", retry_after=4, times=1, method="GET"
    )
    deadline = time.monotonic() + 5
    while polled.servicenow.faults.items and polled.servicenow.faults.items[0].times:
        assert time.monotonic() < deadline, "no poll met the 429"
        await asyncio.sleep(0.05)
    refused_at = len(incident_reads(polled))
    await asyncio.sleep(2.5)
    assert len(incident_reads(polled)) == refused_at  # waiting out Retry-After
    await asyncio.sleep(3.0)
    assert len(incident_reads(polled)) > refused_at  # and polling again after it


async def test_a_disconnected_user_is_not_polled(polled: BotHarness) -> None:
    """After /snow disconnect, no poll reaches ServiceNow, and no DM comes."""
    await connected(polled, "abel.tuter")
    await polled.driver.slash_command("/snow", "disconnect", user_id=ABEL)
    await settle(polled)
    before = len(polled.servicenow.requests)
    polled.servicenow.desk.comment("INC0010001", "Anyone?")
    await asyncio.sleep(3.0)
    assert len(polled.servicenow.requests) == before
    assert dms(polled, ABEL) == []


async def test_metrics_count_polls_and_their_lag(polled: BotHarness) -> None:
    """/metrics counts the users polled and observes each poll's lag."""
    await connected(polled, "abel.tuter")
    await asyncio.sleep(2.5)
    text = (await polled.http.get(f"{polled.metrics_url}/metrics")).text
    polled_line = next(x for x in text.splitlines()
                       if x.startswith("snowbot_notify_users_polled_total "))
    lag_line = next(x for x in text.splitlines()
                    if x.startswith("snowbot_notify_poll_lag_seconds_count "))
    assert float(polled_line.split()[-1]) >= 1
    assert float(lag_line.split()[-1]) >= 1


async def test_a_user_flagged_for_reconnecting_is_not_polled(polled: BotHarness) -> None:
    """A link marked needs_reconnect is skipped: no poll reaches ServiceNow."""
    await connected(polled, "abel.tuter")
    user = SlackUser(team_id="T0SANDBOX", user_id=ABEL)
    assert await polled.container.vault.mark_needs_reconnect(user)
    await settle(polled)
    before = len(polled.servicenow.requests)
    polled.servicenow.desk.comment("INC0010001", "Anyone there?")
    await asyncio.sleep(3.0)
    assert len(polled.servicenow.requests) == before
    assert dms(polled, ABEL) == []
