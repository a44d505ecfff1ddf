"""Push: a desk change reaches the caller as one DM (issue 14, items 1, 2 and 4)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx

from bot.notify.events import signed_headers
from bot.settings import Settings
from intents import IntentEngine
from snowbot_sandbox.harness import BotHarness, bot_on, running_sandboxes
from snowbot_sandbox.slack import render_surface
from tests.app.flows import ABEL, connected
from tests.conftest import REDIS_URL
from tests.notify.conftest import EVENTS_SECRET
from tests.notify.helpers import dms, settle
from tests.notify.replica import replica

FEEDBACK_COLUMNS = ["u_rating", "u_comment", "u_incident", "u_slack_user", "u_source"]


def _sys_id(bot: BotHarness, number: str) -> str:
    row = bot.servicenow.get_incident(number)
    assert row is not None
    return row["sys_id"]


async def _post(bot: BotHarness, url: str, body: bytes, headers: dict[str, str]) -> int:
    response = await bot.http.post(f"{url}/servicenow/events", content=body, headers=headers)
    return response.status_code


def _event(bot: BotHarness, number: str) -> bytes:
    record = bot.servicenow.get_incident(number)
    assert record is not None
    return json.dumps(
        {"table": "incident", "sys_id": record["sys_id"], "number": number,
         "sys_mod_count": int(record["sys_mod_count"]), "changed": ["comments"]}
    ).encode()


async def test_a_desk_comment_reaches_the_caller_as_one_dm(pushed: BotHarness) -> None:
    """Beth comments on Abel's incident: Abel gets one DM with who said what."""
    await connected(pushed, "abel.tuter")
    pushed.servicenow.desk.comment("INC0010001", "Please restart the VPN client and retry.")
    await settle(pushed)
    found = dms(pushed, ABEL)
    assert len(found) == 1
    shown = render_surface(found[0])
    assert "Beth Anglin commented" in shown
    assert "Please restart the VPN client and retry." in shown
    assert "[Reply]" in shown


async def test_two_bot_processes_make_one_dm_for_one_desk_comment(
    pushed: BotHarness, tmp_path: Path
) -> None:
    """The rule tells this bot, a load balancer retry tells a second process: one DM."""
    await connected(pushed, "abel.tuter")
    async with replica(pushed, tmp_path / "replica.log",
                       servicenow_events_secret=EVENTS_SECRET) as other:
        pushed.servicenow.desk.comment("INC0010001", "Checked the logs; try again now.")
        body = _event(pushed, "INC0010001")
        headers = signed_headers(EVENTS_SECRET, int(time.time()), body)
        assert await _post(pushed, other, body, headers) == 200
        await settle(pushed)
        path = f"/incident/{_sys_id(pushed, 'INC0010001')}"
        deadline = time.monotonic() + 10
        while sum(r.path.endswith(path) for r in pushed.servicenow.requests) < 2:
            assert time.monotonic() < deadline, "the second process never read the incident"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    assert len(dms(pushed, ABEL)) == 1
    assert len(pushed.slack.calls_to("chat.update")) == 0


async def test_resolved_then_fixed_then_a_rating_accepts_it_and_writes_one_feedback(
    pushed: BotHarness,
) -> None:
    """Resolved → [It's fixed] → 4: accepted (a comment, as Abel may not close) and
    exactly one feedback record linked to the incident, however often 4 is pressed."""
    pushed.servicenow.create_table("u_snowbot_feedback", FEEDBACK_COLUMNS)
    await connected(pushed, "abel.tuter")
    pushed.servicenow.desk.state("INC0010003", "resolved")
    await settle(pushed)
    shown = render_surface(dms(pushed, ABEL)[-1])
    assert "set it to *Resolved*" in shown
    assert "[It's fixed]" in shown
    assert "[Still broken]" in shown
    await pushed.driver.press("It's fixed", user_id=ABEL)
    await settle(pushed)
    comments = [r["value"] for r in pushed.servicenow.comments_for("INC0010003")]
    assert "confirmed from Slack (snowbot) that the resolution works" in comments[0]
    for _ in range(2):
        await pushed.driver.press("snow_notify_rate_4", user_id=ABEL)
        await settle(pushed)
    rows = pushed.servicenow.rows("u_snowbot_feedback")
    assert [(r["u_rating"], r["u_incident"]) for r in rows] == [
        ("4", _sys_id(pushed, "INC0010003"))
    ]


async def test_still_broken_reopens_with_the_reason(pushed: BotHarness) -> None:
    """[Still broken] asks why and reopens through the reopen path."""
    await connected(pushed, "abel.tuter")
    pushed.servicenow.desk.state("INC0010003", "resolved")
    await settle(pushed)
    await pushed.driver.press("Still broken", user_id=ABEL)
    await settle(pushed)
    await pushed.driver.submit_view(
        {"snow_notify_reason": {"snow_notify_reason_input": {
            "type": "plain_text_input", "value": "Outlook still asks every hour"}}},
        user_id=ABEL,
    )
    await settle(pushed)
    record = pushed.servicenow.get_incident("INC0010003")
    assert record is not None
    assert record["state"] == "2"
    assert "Outlook still asks every hour" in pushed.servicenow.comments_for("INC0010003")[0][
        "value"]


async def test_forged_unsigned_stale_and_replayed_events_get_401_and_read_nothing(
    pushed: BotHarness,
) -> None:
    """None of these reaches ServiceNow: the sandbox receives no request at all."""
    await connected(pushed, "abel.tuter")
    await settle(pushed)
    before = len(pushed.servicenow.requests)
    body = _event(pushed, "INC0010001")
    now = int(time.time())
    good = signed_headers(EVENTS_SECRET, now, body)
    forged = signed_headers("not-the-secret-at-all", now, body)
    stale = signed_headers(EVENTS_SECRET, now - 301, body)
    unsigned = {"Content-Type": "application/json"}
    assert await _post(pushed, pushed.bot_url, body, forged) == 401
    assert await _post(pushed, pushed.bot_url, body, unsigned) == 401
    assert await _post(pushed, pushed.bot_url, body, stale) == 401
    assert await _post(pushed, pushed.bot_url, body + b" ", good) == 401  # altered body
    pushed.servicenow.rule.uninstall()
    assert await _post(pushed, pushed.bot_url, body, good) == 200
    await settle(pushed)
    after_first = len(pushed.servicenow.requests)
    assert await _post(pushed, pushed.bot_url, body, good) == 401  # the same one again
    await settle(pushed)
    assert before == after_first - 1  # only the accepted event read (one GET)
    assert len(pushed.servicenow.requests) == after_first


async def test_an_oversized_event_is_refused_before_reading(pushed: BotHarness) -> None:
    """More than 64 KB is 413, unread."""
    body = b"{" + b" " * (65 * 1024) + b"}"
    headers = signed_headers(EVENTS_SECRET, int(time.time()), body)
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{pushed.bot_url}/servicenow/events", content=body,
                                     headers=headers)
    assert response.status_code == 413


async def test_a_disconnected_user_gets_nothing(pushed: BotHarness) -> None:
    """After /snow disconnect, a desk comment makes no DM and reads nothing as Abel."""
    await connected(pushed, "abel.tuter")
    await pushed.driver.slash_command("/snow", "disconnect", user_id=ABEL)
    await settle(pushed)
    before = len(pushed.servicenow.requests)
    pushed.servicenow.desk.comment("INC0010001", "Are you still there?")
    await settle(pushed)
    assert dms(pushed, ABEL) == []
    assert len(pushed.servicenow.requests) == before


async def test_changes_within_a_minute_edit_the_same_dm(pushed: BotHarness) -> None:
    """A comment, then an assignment: one DM, updated to show both."""
    await connected(pushed, "abel.tuter")
    pushed.servicenow.desk.comment("INC0010002", "Which printer driver do you use?")
    await settle(pushed)
    pushed.servicenow.desk.assign("INC0010002", "beth.anglin")
    await settle(pushed)
    found = dms(pushed, ABEL)
    assert len(found) == 1
    shown = render_surface(found[0])
    assert "Which printer driver" in shown
    assert "assigned it to *Beth Anglin*" in shown
    assert len(pushed.slack.calls_to("chat.update")) == 1


async def test_what_the_user_did_themselves_and_work_notes_make_no_dm(
    pushed: BotHarness,
) -> None:
    """Abel's own comment (through the bot) and a work note: no DM."""
    await connected(pushed, "abel.tuter")
    await pushed.driver.slash_command("/snow", "comment INC0010001 it is still slow",
                                      user_id=ABEL)
    await settle(pushed)
    pushed.servicenow.desk.work_note("INC0010001", "internal: check concentrator 2")
    await settle(pushed)
    assert dms(pushed, ABEL) == []


async def test_metrics_count_notifications_and_events(pushed: BotHarness) -> None:
    """/metrics shows the DM sent, the duplicate event deduplicated, and a refusal."""
    await connected(pushed, "abel.tuter")
    pushed.servicenow.desk.comment("INC0010001", "Metrics, please.")
    await settle(pushed)
    body = _event(pushed, "INC0010001")
    now = int(time.time())
    good, bad = signed_headers(EVENTS_SECRET, now, body), signed_headers("wrong", now, body)
    assert await _post(pushed, pushed.bot_url, body, good) == 200
    assert await _post(pushed, pushed.bot_url, body, bad) == 401
    await settle(pushed)
    text = (await pushed.http.get(f"{pushed.metrics_url}/metrics")).text
    assert 'snowbot_notifications_total{outcome="sent"} 1.0' in text
    assert 'snowbot_notifications_total{outcome="deduplicated"} 1.0' in text
    assert 'snowbot_servicenow_events_total{outcome="refused"} 1.0' in text
    assert 'snowbot_servicenow_events_total{outcome="accepted"} 2.0' in text


async def test_a_dm_slack_refuses_is_sent_on_the_next_event(pushed: BotHarness) -> None:
    """Slack fails the post: counted as failed, nothing kept; the next event tells it."""
    await connected(pushed, "abel.tuter")
    pushed.slack.fail_next("chat.postMessage", "channel_not_found")
    pushed.servicenow.desk.comment("INC0010001", "First try.")
    await settle(pushed)
    assert dms(pushed, ABEL) == []
    body = _event(pushed, "INC0010001")
    headers = signed_headers(EVENTS_SECRET, int(time.time()), body)
    assert await _post(pushed, pushed.bot_url, body, headers) == 200
    await settle(pushed)
    found = dms(pushed, ABEL)
    assert len(found) == 1
    assert "First try." in render_surface(found[0])


async def test_a_signature_header_that_is_not_ascii_is_refused(pushed: BotHarness) -> None:
    """A non-ASCII signature or timestamp is 401, not a server error."""
    body = _event(pushed, "INC0010001")
    headers = signed_headers(EVENTS_SECRET, int(time.time()), body)
    odd = {**headers, "X-Snowbot-Signature": "v1=" + "é" * 64}
    raw = [(k.encode(), v.encode("latin-1")) for k, v in odd.items()]
    response = await pushed.http.post(f"{pushed.bot_url}/servicenow/events", content=body,
                                      headers=raw)
    assert response.status_code == 401
    odd_time = {**headers, "X-Snowbot-Request-Timestamp": "²"}
    raw = [(k.encode(), v.encode("utf-8")) for k, v in odd_time.items()]
    response = await pushed.http.post(f"{pushed.bot_url}/servicenow/events", content=body,
                                      headers=raw)
    assert response.status_code == 401


async def test_a_signed_event_that_is_not_one_is_a_400_and_reads_nothing(
    pushed: BotHarness,
) -> None:
    """Signed, but a team id with a colon or a sys_id that is not one: 400, no read."""
    before = len(pushed.servicenow.requests)
    for data in ({"team_id": "T:1", "sys_id": "a" * 32}, {"sys_id": "not-a-sys-id"}):
        body = json.dumps({"table": "incident", **data}).encode()
        headers = signed_headers(EVENTS_SECRET, int(time.time()), body)
        assert await _post(pushed, pushed.bot_url, body, headers) == 400
    await settle(pushed)
    assert len(pushed.servicenow.requests) == before


async def test_an_incident_raised_through_the_bot_notifies_from_its_first_change(
    pushed: BotHarness,
) -> None:
    """Abel opens an incident in Slack; the desk takes it In Progress: one DM."""
    await connected(pushed, "abel.tuter")
    await pushed.driver.slash_command("/snow", "new My mouse is broken", user_id=ABEL)
    await settle(pushed)
    await pushed.driver.submit_view(user_id=ABEL)  # the prefilled form, as it is
    await settle(pushed)
    created = [r for r in pushed.servicenow.rows("incident") if r["number"] > "INC0010015"]
    assert len(created) == 1
    pushed.servicenow.desk.state(created[0]["number"], "in progress")
    await settle(pushed)
    found = dms(pushed, ABEL)
    assert len(found) == 1
    assert "set it to *In Progress*" in render_surface(found[0])


async def test_a_restarted_bot_does_not_tell_a_change_again(
    engine: IntentEngine, redis_prefix: str
) -> None:
    """The same change, pointed at again after a restart on the same Redis: no new DM."""
    key = Settings.generate_key()
    options: dict[str, Any] = {
        "redis_url": REDIS_URL, "redis_prefix": redis_prefix, "engine": engine,
        "encryption_keys": key, "servicenow_events_secret": EVENTS_SECRET,
    }
    async with running_sandboxes() as sandboxes:
        async with bot_on(sandboxes, **options) as first:
            first.servicenow.rule.install(url=f"{first.bot_url}/servicenow/events",
                                          secret=EVENTS_SECRET)
            await connected(first, "abel.tuter")
            first.servicenow.desk.comment("INC0010001", "Before the restart.")
            await settle(first)
            assert len(dms(first, ABEL)) == 1
        async with bot_on(sandboxes, **options) as second:
            body = _event(second, "INC0010001")
            headers = signed_headers(EVENTS_SECRET, int(time.time()), body)
            assert await _post(second, second.bot_url, body, headers) == 200
            await settle(second)
            assert len(dms(second, ABEL)) == 1
            text = (await second.http.get(f"{second.metrics_url}/metrics")).text
            assert 'snowbot_notifications_total{outcome="deduplicated"} 1.0' in text
            async for name in second.container.redis.scan_iter(match=f"{redis_prefix}:*"):
                await second.container.redis.delete(name)
