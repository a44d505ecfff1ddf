"""FeedbackLog: a bounded stream per workspace and the admin's summary."""

from __future__ import annotations

from datetime import UTC, date, datetime

from redis.asyncio import Redis

from bot.store.feedback import FeedbackEntry, FeedbackLog
from bot.store.keys import Keys

# Wednesday 2026-11-25 12:00 UTC.
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC).timestamp()
DAY = 86_400.0


def entry(rating: int, *, days_ago: float, comment: str = "", team: str = "T01") -> FeedbackEntry:
    """A rating given ``days_ago`` days before NOW."""
    return FeedbackEntry(
        team_id=team, user_id="U01", rating=rating, comment=comment, at=NOW - days_ago * DAY
    )


async def test_entries_read_back_newest_first(redis: Redis, keys: Keys) -> None:
    """Appended feedback reads back newest first, per workspace."""
    log = FeedbackLog(redis, keys=keys, clock=lambda: NOW)
    await log.append(entry(4, days_ago=2, comment="quick"))
    await log.append(entry(2, days_ago=1, comment="slow"))
    await log.append(entry(5, days_ago=1, team="T02"))
    assert [e.comment for e in await log.entries(None, "T01")] == ["slow", "quick"]
    assert [e.rating for e in await log.entries(None, "T02")] == [5]


async def test_summary_counts_averages_and_trends_by_week(redis: Redis, keys: Keys) -> None:
    """The summary gives count, average, one point per week and the latest comments."""
    log = FeedbackLog(redis, keys=keys, clock=lambda: NOW)
    await log.append(entry(2, days_ago=8, comment="took ages"))
    await log.append(entry(4, days_ago=7))
    await log.append(entry(5, days_ago=1, comment="great"))
    await log.append(entry(4, days_ago=0))
    summary = await log.summary(None, "T01", weeks=3, comments=5)
    assert (summary.count, summary.average) == (4, 3.75)
    assert [(w.week_start, w.count, w.average) for w in summary.weeks] == [
        (date(2026, 11, 9), 0, None),
        (date(2026, 11, 16), 2, 3.0),
        (date(2026, 11, 23), 2, 4.5),
    ]
    assert [c.comment for c in summary.recent_comments] == ["great", "took ages"]


async def test_refused_feedback_is_kept_and_counted(redis: Redis, keys: Keys) -> None:
    """Feedback ServiceNow refused is kept with its reason and counted for the admin."""
    log = FeedbackLog(redis, keys=keys, clock=lambda: NOW)
    refused = entry(3, days_ago=0).model_copy(
        update={"delivered": False, "refusal": "no create ACL on u_snowbot_feedback"}
    )
    await log.append(refused)
    summary = await log.summary(None, "T01")
    assert summary.undelivered == 1
    assert (await log.entries(None, "T01"))[0].refusal == "no create ACL on u_snowbot_feedback"


async def test_empty_workspace_has_an_empty_summary(redis: Redis, keys: Keys) -> None:
    """A workspace without feedback has a zero count and no average."""
    summary = await FeedbackLog(redis, keys=keys, clock=lambda: NOW).summary(None, "T09")
    assert (summary.count, summary.average, summary.recent_comments) == (0, None, [])
    assert len(summary.weeks) == 8


async def test_feedback_stream_is_bounded(redis: Redis, keys: Keys) -> None:
    """The feedback stream is trimmed to about its maximum length."""
    log = FeedbackLog(redis, keys=keys, clock=lambda: NOW, maxlen=20)
    for _ in range(300):
        await log.append(entry(5, days_ago=0))
    assert 20 <= await redis.xlen(keys.feedback_stream(None, "T01")) <= 120
