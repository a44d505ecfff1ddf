"""Feedback, the admin's side: who the admins are, telling them about refused feedback,
and the admin part of App Home (setup state, linked people, the feedback summary).

Admins are ``SNOWBOT_ADMINS`` and Slack workspace admins and owners (``is_admin``).
Refused feedback is told through the container's ``AdminNotifier`` (the Slack user who
set the workspace up, and ``SNOWBOT_ADMINS``), at most once an hour per workspace and
reason. The summary's chart is a signed URL served by ``bot.charts``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot import errors, texts
from bot.blocks import (
    AdminHome,
    FeedbackEntry,
    FeedbackSummary,
    LinkedUser,
    SetupProgress,
    WeekStat,
    feedback_alert,
)
from bot.charts import ChartWeek, signed_chart_url
from bot.models import SlackUser, is_slack_user_id
from bot.servicenow.instance import instance_host
from bot.setup.admins import is_setup_admin
from bot.store.keys import FEEDBACK_ALERT_TTL
from bot.turn import Turn

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)

SUMMARY_WEEKS = 8
MAX_ALERTED_ADMINS = 20


# --- admins --------------------------------------------------------------------------


async def is_admin(c: Container, user: SlackUser) -> bool:
    """``SNOWBOT_ADMINS``, or a Slack admin or owner of the user's own workspace."""
    return await is_setup_admin(c, user)


async def alert_admins(c: Container, *, user: SlackUser, table: str, reason: str) -> int:
    """DM the workspace's admins why feedback was refused; once an hour per reason.

    Returns how many admins were told (0 when an alert went out within the hour).
    """
    try:
        first = await c.admins.first_in_window(
            user, f"feedback-{reason}", window_s=FEEDBACK_ALERT_TTL
        )
    except errors.StoreError as exc:
        log.warning("feedback alert not sent: %s", exc.detail)
        return 0
    if not first:
        return 0
    reasons = texts.FEEDBACK_REFUSAL_REASONS
    sentence = reasons.get(reason, reasons["rejected"])
    message = feedback_alert(table=table, reason=sentence)
    return await c.admins.tell(
        user, message, about=f"refused feedback ({reason})", linked_admins=True
    )


# --- App Home (admins) ---------------------------------------------------------------


def _alt_text(weeks: list[ChartWeek]) -> str:
    rated = [w for w in weeks if w.count and w.average is not None]
    count = sum(w.count for w in weeks)
    if len(rated) < 2:
        trend = texts.FEEDBACK_CHART_TREND_NONE
    else:
        first, last = rated[0].average or 0.0, rated[-1].average or 0.0
        values = {"first": f"{first:.1f}", "last": f"{last:.1f}"}
        if last - first > 0.05:
            trend = texts.FEEDBACK_CHART_TREND_UP.format(**values)
        elif first - last > 0.05:
            trend = texts.FEEDBACK_CHART_TREND_DOWN.format(**values)
        else:
            trend = texts.FEEDBACK_CHART_TREND_FLAT.format(**values)
    return texts.FEEDBACK_CHART_ALT_TREND.format(weeks=len(weeks), count=count, trend=trend)


async def feedback_summary_for(c: Container, user: SlackUser) -> FeedbackSummary:
    """The workspace's feedback as the admin summary shows it (chart URL included)."""
    stored = await c.feedback.summary(user.enterprise_id, user.team_id, weeks=SUMMARY_WEEKS)
    latest_refusal = ""
    if stored.undelivered:
        for entry in await c.feedback.entries(user.enterprise_id, user.team_id, limit=200):
            if not entry.delivered:
                latest_refusal = entry.refusal
                break
    chart_weeks = [ChartWeek(count=w.count, average=w.average) for w in stored.weeks]
    chart_url = None
    if stored.count:
        chart_url = signed_chart_url(
            settings=c.settings, team_id=user.team_id, weeks=chart_weeks, now=c.clock()
        )
    reason = texts.FEEDBACK_REFUSAL_REASONS.get(latest_refusal, "")
    if latest_refusal == "not_linked":
        reason = texts.FEEDBACK_KEPT_NOT_LINKED
    return FeedbackSummary(
        count=stored.count,
        average=stored.average or 0.0,
        weeks=tuple(
            WeekStat(week_start=w.week_start, count=w.count, average=w.average or 0.0)
            for w in stored.weeks
            if w.count
        ),
        recent=tuple(
            FeedbackEntry(
                rating=e.rating,
                comment=e.comment,
                incident_number=e.incident,
                when=datetime.fromtimestamp(e.at, tz=UTC),
            )
            for e in stored.recent_comments
        ),
        chart_url=chart_url,
        chart_alt=_alt_text(chart_weeks),
        refused_count=stored.undelivered,
        refused_reason=reason,
    )


async def linked_people(c: Container, team: SlackUser) -> list[LinkedUser]:
    """Who in ``team``'s workspace is linked: Slack user, ServiceNow user, since when."""
    entries = await c.vault.list_linked(team.enterprise_id, team.team_id)
    return [
        LinkedUser(
            slack_user_id=entry.slack_user_id,
            servicenow_name=entry.servicenow_user.name or entry.servicenow_user.user_name,
            servicenow_email=entry.servicenow_user.email,
            since=datetime.fromtimestamp(entry.linked_at, tz=UTC),
        )
        for entry in entries
        if is_slack_user_id(entry.slack_user_id)
    ]


async def admin_home(turn: Turn) -> AdminHome | None:
    """The admin part of App Home (setup state, linked people, feedback), or None for
    people who are not admins."""
    c = turn.c
    if not await is_admin(c, turn.user):
        return None
    config = await c.instances.get(turn.user.enterprise_id, turn.user.team_id)
    setup = SetupProgress()
    if config is not None:
        # The last connection test decides; a configuration in use that was never
        # tested from chat (the environment's) counts as working.
        record = await c.setup_records.get(
            turn.user.enterprise_id, turn.user.team_id
        )
        tested = record.connection_ok
        setup = SetupProgress(
            instance_host=instance_host(config.instance_url),
            client_id=config.client_id,
            client_secret=config.client_secret,
            connection_ok=True if tested is None else tested,
            feedback_table=config.feedback_table,
            feedback_table_ok=record.feedback_ok,
        )
    people = tuple(await linked_people(c, turn.user))
    return AdminHome(
        setup=setup, linked=people, feedback=await feedback_summary_for(c, turn.user)
    )
