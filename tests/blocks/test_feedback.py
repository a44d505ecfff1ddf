"""Feedback thanks and the admin summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.blocks import (
    FeedbackEntry,
    FeedbackSummary,
    WeekStat,
    feedback_summary,
    feedback_thanks,
)
from tests.blocks.scan import mrkdwn_texts, walk

NOW = datetime(2026, 11, 28, 11, 40, tzinfo=UTC)


def _summary(**changes: object) -> FeedbackSummary:
    values: dict[str, object] = {
        "count": 12,
        "average": 4.25,
        "weeks": (
            WeekStat(week_start=date(2026, 11, 16), count=5, average=3.8),
            WeekStat(week_start=date(2026, 11, 23), count=7, average=4.6),
        ),
        "recent": (
            FeedbackEntry(rating=5, comment="Quick fix, thanks", incident_number="INC0012345",
                          when=NOW - timedelta(hours=3)),
        ),
        "chart_url": "https://charts.example.com/feedback.png",
    }
    values.update(changes)
    return FeedbackSummary.model_validate(values)


def test_thanks_mentions_where_the_feedback_went() -> None:
    """The thanks says it was also added as a comment when the user asked for that."""
    shown = "\n".join(mrkdwn_texts(feedback_thanks(rating=4, added_as_comment_to="INC0012345")))
    assert "★★★★☆" in shown
    assert "comment on *INC0012345*" in shown


def test_thanks_is_honest_when_servicenow_refused() -> None:
    """When ServiceNow refused the feedback, the user hears it is kept for the admin."""
    shown = "\n".join(mrkdwn_texts(feedback_thanks(rating=2, kept_for_admin=True)))
    assert "kept it safe" in shown


def test_summary_shows_count_average_trend_and_recent() -> None:
    """The admin sees count, average, a weekly trend with direction, and recent comments."""
    shown = "\n".join(mrkdwn_texts(feedback_summary(_summary(), now=NOW)))
    assert "*12* ratings, average *4.2* out of 5" in shown
    assert "23 Nov 2026: 7 × 4.6 ▲" in shown
    assert "Quick fix, thanks" in shown
    assert "INC0012345 · 3 h ago" in shown


def test_summary_has_a_chart_with_alt_text() -> None:
    """A chart URL becomes an image block with alt text."""
    images = [b for b in walk(feedback_summary(_summary(), now=NOW)) if b.get("type") == "image"]
    assert images[0]["image_url"] == "https://charts.example.com/feedback.png"
    assert images[0]["alt_text"]


def test_summary_without_feedback_says_so() -> None:
    """An empty summary says there is no feedback yet."""
    shown = mrkdwn_texts(feedback_summary(FeedbackSummary(), now=NOW))
    assert "No feedback yet." in shown


def test_summary_reports_refused_feedback_and_why() -> None:
    """Feedback ServiceNow refused is counted with the reason."""
    summary = _summary(refused_count=3, refused_reason="table u_snowbot_feedback not found")
    shown = "\n".join(mrkdwn_texts(feedback_summary(summary, now=NOW)))
    assert "3 feedback entries" in shown
    assert "table u_snowbot_feedback not found" in shown
