"""Feedback, the admin's side: who the admins are, telling them about refused feedback,
and the admin part of App Home (setup state, linked people, the feedback summary).

Admins are ``SNOWBOT_ADMINS`` and Slack workspace admins and owners (``is_admin``).
Refused feedback is told to ``SNOWBOT_ADMINS``, the Slack user who set the workspace up,
and linked people whose Slack profile says admin or owner (Slack has no cheap "list the
admins" call the bot's scopes allow), at most once an hour per workspace and reason
(``Keys.feedback_alert``). The summary's chart is a signed URL served by ``bot.charts``.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

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
from bot.models import SlackUser
from bot.reply import Origin, SlackReply
from bot.servicenow.instance import instance_host
from bot.setup.admins import is_setup_admin
from bot.setup.records import SetupRecords
from bot.store.keys import FEEDBACK_ALERT_TTL
from bot.turn import Turn

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)

SUMMARY_WEEKS = 8
MAX_ALERTED_ADMINS = 20
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


# --- admins --------------------------------------------------------------------------


async def is_admin(c: Container, user: SlackUser) -> bool:
    """``SNOWBOT_ADMINS``, or a Slack admin or owner of the user's own workspace."""
    return await is_setup_admin(c, user)


async def admin_recipients(c: Container, user: SlackUser) -> list[str]:
    """Who hears about refused feedback in ``user``'s workspace (Slack user ids)."""
    found: list[str] = list(dict.fromkeys(c.settings.admins))
    config = await c.instances.get(user.enterprise_id, user.team_id)
    if config is not None and _SLACK_USER_ID.match(config.configured_by):
        found.append(config.configured_by)
    try:
        linked = await c.vault.list_linked(user.enterprise_id, user.team_id)
    except errors.StoreError:
        linked = []
    for entry in linked:
        if entry.slack_user_id in found or len(found) >= MAX_ALERTED_ADMINS:
            continue
        other = SlackUser(
            enterprise_id=user.enterprise_id, team_id=user.team_id, user_id=entry.slack_user_id
        )
        if await is_admin(c, other):
            found.append(entry.slack_user_id)
    return list(dict.fromkeys(found))[:MAX_ALERTED_ADMINS]


async def alert_admins(c: Container, *, user: SlackUser, table: str, reason: str) -> int:
    """DM the workspace's admins why feedback was refused; once an hour per reason.

    Returns how many admins were told (0 when an alert went out within the hour).
    """
    key = c.keys.feedback_alert(user.enterprise_id, user.team_id, reason)
    try:
        first = await c.redis.set(key, b"1", nx=True, ex=FEEDBACK_ALERT_TTL)
    except (RedisError, OSError) as exc:
        log.warning("feedback alert not sent: Redis failed (%s)", type(exc).__name__)
        return 0
    if not first:
        return 0
    reasons = texts.FEEDBACK_REFUSAL_REASONS
    sentence = reasons.get(reason, reasons["rejected"])
    message = feedback_alert(table=table, reason=sentence)
    told = 0
    for admin_id in await admin_recipients(c, user):
        admin = SlackUser(enterprise_id=user.enterprise_id, team_id=user.team_id, user_id=admin_id)
        reply = SlackReply(client=c.slack, user=admin, origin=Origin(kind="home"))
        try:
            await reply.direct(message)
            told += 1
        except errors.SlackError as exc:
            log.warning("could not tell an admin about refused feedback: %s", exc.detail)
    log.info("told %d admin(s) that feedback was refused (%s)", told, reason)
    return told


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
        record = await SetupRecords(c.redis, keys=c.keys).get(
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
    linked = await c.vault.list_linked(turn.user.enterprise_id, turn.user.team_id)
    people = tuple(
        LinkedUser(
            slack_user_id=entry.slack_user_id,
            servicenow_name=entry.servicenow_user.name or entry.servicenow_user.user_name,
            servicenow_email=entry.servicenow_user.email,
            since=datetime.fromtimestamp(entry.linked_at, tz=UTC),
        )
        for entry in linked
        if _SLACK_USER_ID.match(entry.slack_user_id)
    )
    return AdminHome(
        setup=setup, linked=people, feedback=await feedback_summary_for(c, turn.user)
    )
