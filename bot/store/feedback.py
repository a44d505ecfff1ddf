"""Feedback kept per workspace: a bounded stream that feeds the admin's summary.

Every rating (1-5, with an optional comment) is written to ServiceNow with the
user's token by the feedback handler, and appended here too
(``XADD MAXLEN ~ FEEDBACK_STREAM_MAXLEN`` on ``Keys.feedback_stream``), including the
ones ServiceNow refused (``delivered=False`` with the reason), so the admin can be
told why. ``summary`` gives the admin's view: count, average, a week-by-week trend
and the latest comments.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.asyncio import Redis

from bot.store.guard import redis_errors, text
from bot.store.keys import FEEDBACK_STREAM_MAXLEN, Keys

Clock = Callable[[], float]


class FeedbackEntry(BaseModel):
    """One piece of feedback from one user."""

    model_config = ConfigDict(frozen=True)

    enterprise_id: str | None = None
    team_id: str
    user_id: str
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=3000)
    incident: str = ""  # incident number, when the feedback is about one
    at: float  # unix seconds
    delivered: bool = True  # written to ServiceNow's feedback table
    refusal: str = ""  # why ServiceNow refused it, for the admin


class WeekTrend(BaseModel):
    """Feedback of one week (Monday to Sunday, UTC)."""

    model_config = ConfigDict(frozen=True)

    week_start: date
    count: int
    average: float | None


class FeedbackSummary(BaseModel):
    """What the admin sees."""

    model_config = ConfigDict(frozen=True)

    count: int
    average: float | None
    weeks: list[WeekTrend]  # oldest first, one per week, empty weeks included
    recent_comments: list[FeedbackEntry]  # newest first
    undelivered: int  # entries ServiceNow refused


def _week_start(at: float) -> date:
    day = datetime.fromtimestamp(at, tz=UTC).date()
    return day - timedelta(days=day.weekday())


def _average(ratings: list[int]) -> float | None:
    return round(sum(ratings) / len(ratings), 2) if ratings else None


class FeedbackLog:
    """Append and summarise a workspace's feedback."""

    def __init__(
        self,
        redis: Redis,
        *,
        keys: Keys,
        clock: Clock = time.time,
        maxlen: int = FEEDBACK_STREAM_MAXLEN,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._maxlen = maxlen

    async def append(self, entry: FeedbackEntry) -> str:
        """Add one entry to its workspace's stream; returns the stream id."""
        key = self._keys.feedback_stream(entry.enterprise_id, entry.team_id)
        with redis_errors("appending feedback"):
            stream_id = await self._redis.xadd(
                key, {"entry": entry.model_dump_json()}, maxlen=self._maxlen, approximate=True
            )
        return str(text(stream_id))

    async def entries(
        self, enterprise_id: str | None, team_id: str, *, limit: int = 1000
    ) -> list[FeedbackEntry]:
        """The latest ``limit`` entries of a workspace, newest first."""
        key = self._keys.feedback_stream(enterprise_id, team_id)
        with redis_errors("reading feedback"):
            rows = await self._redis.xrevrange(key, count=limit)
        found: list[FeedbackEntry] = []
        for _stream_id, raw in rows or []:
            value = text((raw or {}).get(b"entry"))
            if value is None:
                continue
            try:
                found.append(FeedbackEntry.model_validate_json(value))
            except ValidationError:
                continue
        return found

    async def summary(
        self,
        enterprise_id: str | None,
        team_id: str,
        *,
        weeks: int = 8,
        comments: int = 5,
    ) -> FeedbackSummary:
        """Count, average, a trend over the last ``weeks`` weeks and the latest comments."""
        entries = await self.entries(enterprise_id, team_id, limit=self._maxlen)
        this_week = _week_start(self._clock())
        starts = [this_week - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
        by_week: dict[date, list[int]] = {start: [] for start in starts}
        for entry in entries:
            bucket = by_week.get(_week_start(entry.at))
            if bucket is not None:
                bucket.append(entry.rating)
        return FeedbackSummary(
            count=len(entries),
            average=_average([entry.rating for entry in entries]),
            weeks=[
                WeekTrend(
                    week_start=start,
                    count=len(by_week[start]),
                    average=_average(by_week[start]),
                )
                for start in starts
            ],
            recent_comments=[entry for entry in entries if entry.comment.strip()][:comments],
            undelivered=sum(not entry.delivered for entry in entries),
        )
