"""ServiceNow domain models: what handlers and views see instead of JSON."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class IncidentState(IntEnum):
    """The incident table's state codes."""

    NEW = 1
    IN_PROGRESS = 2
    ON_HOLD = 3
    RESOLVED = 6
    CLOSED = 7
    CANCELED = 8

    @property
    def is_open(self) -> bool:
        """Whether the incident still needs work."""
        return self in (IncidentState.NEW, IncidentState.IN_PROGRESS, IncidentState.ON_HOLD)


class Comment(BaseModel):
    """One journal entry (additional comment) on an incident."""

    model_config = ConfigDict(frozen=True)

    author: str
    text: str
    created: datetime | None = None


class Incident(BaseModel):
    """An incident as the user may see it: codes for logic, labels for people."""

    model_config = ConfigDict(frozen=True)

    sys_id: str
    number: str
    short_description: str = ""
    description: str = ""
    state: int = 1
    state_label: str = ""
    priority: int | None = None
    priority_label: str = ""
    urgency: int | None = None
    impact: int | None = None
    assigned_to: str = ""
    assignment_group: str = ""
    caller: str = ""
    caller_sys_id: str = ""
    opened_at: datetime | None = None
    updated_at: datetime | None = None
    correlation_id: str = ""
    latest_comment: Comment | None = None
    comments: tuple[Comment, ...] = ()  # the latest few comments, newest first
    url: str = ""

    @property
    def is_open(self) -> bool:
        """Whether the incident still needs work (unknown states count as open)."""
        try:
            return IncidentState(self.state).is_open
        except ValueError:
            return True


class JournalEntry(BaseModel):
    """One additional comment as ``sys_journal_field`` holds it: its id and author login."""

    model_config = ConfigDict(frozen=True)

    sys_id: str
    author_user_name: str  # sys_created_by: the user *name*
    text: str
    created: datetime | None = None


class IncidentVersion(BaseModel):
    """An incident at one ``sys_mod_count``: what change detection compares."""

    model_config = ConfigDict(frozen=True)

    incident: Incident
    mod_count: int
    updated_by: str = ""  # sys_updated_by: the user *name*, not the sys_id
    assigned_to_sys_id: str = ""
    resolved_at: datetime | None = None


class AcceptOutcome(StrEnum):
    """What the caller's "It's fixed" did."""

    CLOSED = "closed"  # ServiceNow let the caller close it (state 7, read back)
    ACCEPTED = "accepted"  # not allowed to close: a comment says the caller accepts it
    NOT_RESOLVED = "not_resolved"  # no longer resolved (reopened, closed): nothing written


class AcceptResult(BaseModel):
    """The honest answer to "It's fixed": what happened, and the record now."""

    model_config = ConfigDict(frozen=True)

    outcome: AcceptOutcome
    incident: Incident
    reason: str = ""


class IncidentDraft(BaseModel):
    """What a user wants to open, before ServiceNow numbers it."""

    short_description: str = Field(min_length=1, max_length=160)
    description: str = Field(default="", max_length=4000)
    urgency: int = Field(default=3, ge=1, le=3)
    impact: int = Field(default=3, ge=1, le=3)
    category: str = ""
    assignment_group: str = ""
    contact_type: str = ""


ListState = Literal["open", "resolved", "closed", "all"]
Period = Literal["today", "this_week", "last_week", "this_month", "last_month"]
Scope = Literal["raised", "assigned", "groups"]
PERIODS: tuple[Period, ...] = ("today", "this_week", "last_week", "this_month", "last_month")


class IncidentFilter(BaseModel):
    """Which of the user's incidents a list shows.

    ``state``: open (new, in progress, on hold), resolved, closed (closed or canceled), or
    all. ``period``: opened in that period (UTC calendar, weeks from Monday). ``scope``:
    raised (caller or opener), assigned to them, assigned to their groups; None is the
    default list: raised by them, for them, or assigned to them.
    """

    model_config = ConfigDict(frozen=True)

    state: ListState = "open"
    period: Period | None = None
    scope: Scope | None = None


def as_period(value: str | None) -> Period | None:
    """``value`` if it names a period the bot knows, else None."""
    for period in PERIODS:
        if value == period:
            return period
    return None


def period_range(period: Period, now: datetime) -> tuple[datetime, datetime]:
    """The ``[start, end)`` of a calendar period around ``now`` (aware; weeks from Monday)."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "today":
        return day, day + timedelta(days=1)
    week = day - timedelta(days=day.weekday())
    if period == "this_week":
        return week, week + timedelta(days=7)
    if period == "last_week":
        return week - timedelta(days=7), week
    month = day.replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    if period == "this_month":
        return month, following
    previous = (month - timedelta(days=1)).replace(day=1)
    return previous, month


class IncidentPage(BaseModel):
    """One page of a list query and how many there are in all.

    ServiceNow applies ``sysparm_limit`` before ACLs, so a page may hold fewer rows
    than ``limit`` while more follow: the next page starts at ``next_offset`` (from
    the ``Link`` header, else ``offset + limit``), never at ``offset + len(incidents)``.
    """

    incidents: list[Incident]
    total: int
    offset: int
    limit: int
    next_offset: int | None = None

    @property
    def has_more(self) -> bool:
        """Whether a further page exists."""
        if self.next_offset is not None:
            return True
        return self.offset + max(self.limit, len(self.incidents)) < self.total


class CloseOutcome(StrEnum):
    """What a caller's close request did."""

    RESOLVED = "resolved"  # ServiceNow let the user resolve it (state 6)
    COMMENT_ADDED = "comment_added"  # not allowed: a comment asks for closure instead
    ALREADY_CLOSED = "already_closed"  # resolved, closed or canceled before we asked


class CloseResult(BaseModel):
    """The honest answer to "close my incident": what happened, and the record now."""

    model_config = ConfigDict(frozen=True)

    outcome: CloseOutcome
    incident: Incident
    reason: str = ""  # why it fell back to a comment: "forbidden", "rejected", "not_applied"


class ReopenOutcome(StrEnum):
    """What a caller's reopen request did."""

    REOPENED = "reopened"  # back to In Progress (state 2), with the caller's comment
    COMMENT_ADDED = "comment_added"  # not allowed: the comment asks the desk to reopen it
    STILL_OPEN = "still_open"  # new, in progress or on hold: nothing written
    FINAL = "final"  # closed or canceled: cannot be reopened, nothing written


class ReopenResult(BaseModel):
    """The honest answer to "reopen my incident": what happened, and the record now."""

    model_config = ConfigDict(frozen=True)

    outcome: ReopenOutcome
    incident: Incident
    reason: str = ""  # why it fell back to a comment: "forbidden", "rejected", "not_applied"


class ServiceNowUser(BaseModel):
    """The ServiceNow identity behind a token."""

    model_config = ConfigDict(frozen=True)

    sys_id: str
    user_name: str = ""
    name: str = ""
    email: str = ""
    roles: tuple[str, ...] = ()


class TokenSet(BaseModel):
    """What the token endpoint returned (secret values: never log this model)."""

    model_config = ConfigDict(frozen=True)

    access_token: str = Field(repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    expires_at: float  # unix seconds
    scope: str = ""
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type name, not a secret
