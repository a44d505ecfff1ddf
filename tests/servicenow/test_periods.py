"""Calendar periods for lists and references: [start, end) around a moment, weeks from Monday."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.servicenow.models import as_period, period_range

NOW = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("today", datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC)),
        ("this_week", datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)),
        ("last_week", datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)),
        ("this_month", datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        ("last_month", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    ],
)
def test_period_bounds(period: str, start: datetime, end: datetime) -> None:
    """Each period is the calendar span around now, end exclusive."""
    known = as_period(period)
    assert known is not None
    assert period_range(known, NOW) == (start, end)


def test_last_month_in_january_is_december() -> None:
    """Last month crosses the year boundary."""
    start, end = period_range("last_month", datetime(2027, 1, 10, tzinfo=UTC))
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def test_unknown_period_is_none() -> None:
    """A word the bot does not know as a period is no period."""
    assert as_period("next_year") is None
    assert as_period(None) is None
