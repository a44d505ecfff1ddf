"""AuditLog: a structured log line and a bounded stream entry per event, never a secret."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from redis.asyncio import Redis

from bot.errors import StoreError
from bot.models import SlackUser
from bot.settings import Settings
from bot.store.audit import AuditLog
from bot.store.connection import open_redis
from bot.store.keys import Keys


async def test_event_is_logged_and_streamed(
    redis: Redis, keys: Keys, alice: SlackUser, caplog: pytest.LogCaptureFixture
) -> None:
    """Recording an event emits one snowbot.audit line and one stream entry."""
    audit = AuditLog(redis, keys=keys, clock=lambda: 1234.5)
    with caplog.at_level(logging.INFO, logger="snowbot.audit"):
        await audit.record("connect", user=alice, servicenow_user="alice", instance="dev1")
    lines = [r for r in caplog.records if r.name == "snowbot.audit"]
    assert len(lines) == 1
    line = lines[0]
    assert line.getMessage() == "audit connect"
    assert vars(line)["audit_event"] == "connect"
    assert vars(line)["slack_user"] == "U0ALICE"
    assert vars(line)["audit_servicenow_user"] == "alice"
    [event] = await audit.recent(5)
    assert (event.event, event.at) == ("connect", 1234.5)
    assert (event.enterprise_id, event.team_id, event.user_id) == ("E01", "T01", "U0ALICE")
    assert event.fields == {"servicenow_user": "alice", "instance": "dev1"}


async def test_recent_lists_newest_first(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """Recent events come newest first, as many as asked."""
    audit = AuditLog(redis, keys=keys)
    for number in range(5):
        await audit.record("incident.comment", user=alice, incident=f"INC000000{number}")
    recent = await audit.recent(3)
    assert [e.fields["incident"] for e in recent] == ["INC0000004", "INC0000003", "INC0000002"]


async def test_stream_is_bounded(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """The audit stream is trimmed to about its maximum length."""
    audit = AuditLog(redis, keys=keys, maxlen=20)
    for number in range(400):
        await audit.record("incident.create", user=alice, n=number)
    length = await redis.xlen(keys.audit_stream())
    # MAXLEN ~ trims whole stream nodes (100 entries by default), never below the bound.
    assert 20 <= length <= 120


async def test_secret_field_is_refused(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """An event with a field named like a secret is refused before anything is written."""
    audit = AuditLog(redis, keys=keys)
    with pytest.raises(ValueError, match="secret"):
        await audit.record("setup.changed", user=alice, client_secret="TESTSECRET-x")
    assert await audit.recent(5) == []


async def test_token_shaped_value_is_masked(
    redis: Redis, keys: Keys, alice: SlackUser, caplog: pytest.LogCaptureFixture
) -> None:
    """A token pasted into a free-text field is masked in the stream and the log line."""
    audit = AuditLog(redis, keys=keys)
    with caplog.at_level(logging.INFO, logger="snowbot.audit"):
        await audit.record("feedback.give", user=alice, note="Bearer abcdefghijklmnop123")
    [event] = await audit.recent(1)
    assert "abcdefghijklmnop123" not in json.dumps(event.fields)
    assert all("abcdefghijklmnop123" not in str(vars(r)) for r in caplog.records)


async def test_bad_event_name_is_refused(redis: Redis, keys: Keys, alice: SlackUser) -> None:
    """An event name that is not a lower-case dotted name is refused."""
    with pytest.raises(ValueError, match="event name"):
        await AuditLog(redis, keys=keys).record("Connect Now!", user=alice)


async def test_log_line_survives_redis_down(
    alice: SlackUser, caplog: pytest.LogCaptureFixture
) -> None:
    """With Redis down the log line is still emitted and the append raises StoreError."""
    down = open_redis(Settings.for_tests(redis_url="redis://127.0.0.1:1/0"))
    try:
        with caplog.at_level(logging.INFO, logger="snowbot.audit"):
            async with asyncio.timeout(5):
                with pytest.raises(StoreError):
                    await AuditLog(down, keys=Keys()).record("disconnect", user=alice)
        assert [r.getMessage() for r in caplog.records if r.name == "snowbot.audit"] == [
            "audit disconnect"
        ]
    finally:
        await down.aclose()
