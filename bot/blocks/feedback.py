"""Feedback views: the thank-you message and the admin's summary (App Home)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, HeaderBlock, ImageBlock, PlainTextObject

from bot import texts
from bot.blocks import ids
from bot.blocks.models import FeedbackSummary, WeekStat
from bot.blocks.parts import (
    Message,
    actions,
    button,
    clip,
    context,
    fit_blocks,
    is_web_url,
    message,
    one_line,
    relative_time,
    safe,
    section,
    short_date,
)

MAX_WEEKS = 8
MAX_RECENT = 5
_COMMENT_CHARS = 400
_TREND_EPSILON = 0.05
_ALT_CHARS = 2000


def stars(rating: int) -> str:
    """A 1–5 rating as five stars ("★★★☆☆")."""
    filled = min(max(rating, 0), 5)
    return "★" * filled + "☆" * (5 - filled)


def feedback_thanks(
    *,
    rating: int,
    added_as_comment_to: str | None = None,
    kept_for_admin: bool = False,
    comment_refused_on: str | None = None,
    kept_not_linked: bool = False,
    read_from_text: bool = False,
) -> Message:
    """Ephemeral or DM after the feedback modal: thanks, and where the feedback went.

    ``added_as_comment_to``: the incident it was also added to as a comment.
    ``kept_for_admin``: ServiceNow refused it, so it is kept in Redis for the admin.
    ``comment_refused_on``: the incident the user asked to comment on, which refused it.
    ``kept_not_linked``: the user has no ServiceNow link; kept in Redis only.
    ``read_from_text``: the rating was read from the user's own words, not a form.
    """
    blocks: list[Block | None] = [section(f"{texts.FEEDBACK_THANKS} {stars(rating)}")]
    if read_from_text:
        blocks.append(context(texts.FEEDBACK_RECORDED_FROM_TEXT.format(rating=rating)))
    if added_as_comment_to:
        number = safe(one_line(added_as_comment_to), 40)
        blocks.append(context(texts.FEEDBACK_ADDED_AS_COMMENT.format(number=number)))
    if comment_refused_on:
        number = safe(one_line(comment_refused_on), 40)
        blocks.append(context(texts.FEEDBACK_COMMENT_REFUSED.format(number=number)))
    if kept_for_admin:
        blocks.append(context(texts.FEEDBACK_KEPT_FOR_ADMIN))
    if kept_not_linked:
        blocks.append(context(texts.FEEDBACK_KEPT_NOT_LINKED))
    return message(texts.FEEDBACK_THANKS, blocks)


def feedback_invite(*, incident_number: str | None = None) -> Message:
    """Answer to feedback in a DM or a mention (no modal possible there): a button that
    opens the feedback modal (about ``incident_number`` when given)."""
    if incident_number:
        number = safe(one_line(incident_number), 40)
        text = texts.FEEDBACK_INVITE_ABOUT.format(number=number)
        press = button(
            texts.FEEDBACK_INVITE_BUTTON,
            action_id=ids.INCIDENT_FEEDBACK,
            value=clip(one_line(incident_number), 40),
            style="primary",
        )
    else:
        text = texts.FEEDBACK_INVITE
        press = button(texts.FEEDBACK_INVITE_BUTTON, action_id=ids.GIVE_FEEDBACK, style="primary")
    return message(text, [section(text), actions(press)])


def feedback_alert(*, table: str, reason: str) -> Message:
    """DM to an admin: feedback ServiceNow refused to store, why, and what to change.

    ``reason`` is one of our own sentences (``texts.FEEDBACK_REFUSAL_REASONS``).
    """
    text = texts.FEEDBACK_ALERT.format(table=safe(one_line(table), 80), reason=reason)
    return message(
        texts.FEEDBACK_ALERT_TITLE,
        [section(f"*{texts.FEEDBACK_ALERT_TITLE}*"), section(text)],
    )


def _trend(week: WeekStat, before: WeekStat | None) -> str:
    if before is None or before.count == 0 or week.count == 0:
        return ""
    change = week.average - before.average
    if change > _TREND_EPSILON:
        return " ▲"
    if change < -_TREND_EPSILON:
        return " ▼"
    return " ="


def feedback_summary_blocks(summary: FeedbackSummary, *, now: datetime) -> list[Block]:
    """The summary as blocks, for ``app_home`` and ``feedback_summary``."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=texts.FEEDBACK_SUMMARY_TITLE)),
    ]
    if summary.count == 0:
        blocks.append(section(texts.FEEDBACK_SUMMARY_NONE))
    else:
        blocks.append(
            section(
                texts.FEEDBACK_SUMMARY_HEADLINE.format(
                    count=summary.count, average=f"{summary.average:.1f}"
                )
            )
        )
    weeks = sorted(summary.weeks, key=lambda w: w.week_start)[-MAX_WEEKS:]
    if weeks:
        lines = [
            f"• {short_date(datetime(w.week_start.year, w.week_start.month, w.week_start.day))}:"
            f" {w.count} × {w.average:.1f}{_trend(w, weeks[n - 1] if n else None)}"
            for n, w in enumerate(weeks)
        ]
        blocks.append(section(f"*{texts.FEEDBACK_TREND_TITLE}*\n" + "\n".join(lines)))
    if summary.chart_url and is_web_url(summary.chart_url):
        alt = clip(one_line(summary.chart_alt), _ALT_CHARS) or texts.FEEDBACK_CHART_ALT
        blocks.append(ImageBlock(image_url=summary.chart_url, alt_text=alt))
    recent = summary.recent[:MAX_RECENT]
    if recent:
        items = []
        for entry in recent:
            number = safe(one_line(entry.incident_number), 40)
            about = f" · {number}" if number else ""
            when = f" · {relative_time(entry.when, now=now)}" if entry.when else ""
            said = safe(one_line(entry.comment), _COMMENT_CHARS)
            items.append(f"{stars(entry.rating)}{about}{when}" + (f"\n>{said}" if said else ""))
        blocks.append(section(f"*{texts.FEEDBACK_RECENT_TITLE}*\n" + "\n".join(items)))
    if summary.refused_count:
        blocks.append(
            context(
                texts.FEEDBACK_REFUSED.format(
                    count=summary.refused_count,
                    reason=safe(one_line(summary.refused_reason), 500) or texts.UNKNOWN,
                )
            )
        )
    return blocks


def feedback_summary(summary: FeedbackSummary, *, now: datetime) -> list[dict[str, Any]]:
    """App Home (admins): count, average, weekly trend, chart image, recent comments.

    Returns serialised blocks to place in a home view; the chart is an ImageBlock with
    alt text when ``summary.chart_url`` is an http(s) URL.
    """
    return fit_blocks(feedback_summary_blocks(summary, now=now))
