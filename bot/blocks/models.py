"""What the builders take besides the ServiceNow domain models: small, frozen view inputs.

Handlers fill these from the store and the diagnostics; builders only read them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from bot.servicenow.models import ServiceNowUser

CloseOutcome = Literal["resolved", "comment_added", "already_closed"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ConnectionStatus(_Frozen):
    """One Slack user's link to ServiceNow, as the status message and home show it."""

    instance_host: str | None = None  # None: the workspace has no instance yet
    user: ServiceNowUser | None = None  # None: not linked
    needs_reconnect: bool = False


class CheckItem(_Frozen):
    """One step of the connection test: passed, failed, or not run (``ok=None``)."""

    label: str
    ok: bool | None
    detail: str = ""


class Finding(_Frozen):
    """One likely cause of a failure: what it is, why we think so, what to change."""

    title: str
    why: str
    fix: str


class IncidentDefaults(_Frozen):
    """Field values given to every incident created from Slack (empty: ServiceNow decides)."""

    category: str = ""
    assignment_group: str = ""
    contact_type: str = ""


class SetupProgress(_Frozen):
    """Where an admin is in the guided setup.

    ``client_secret`` is only ever rendered through ``mask_secret`` (last four).
    """

    instance_host: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    connection_ok: bool | None = None  # None: not tested yet
    feedback_table: str = "u_snowbot_feedback"
    feedback_table_ok: bool | None = None
    defaults: IncidentDefaults = Field(default_factory=IncidentDefaults)

    @property
    def is_complete(self) -> bool:
        """Whether the workspace can be used: credentials stored and the test passed."""
        return bool(
            self.instance_host and self.client_id and self.client_secret and self.connection_ok
        )


class WeekStat(_Frozen):
    """Feedback of one week."""

    week_start: date
    count: int
    average: float


class FeedbackEntry(_Frozen):
    """One recent feedback as the admin summary lists it."""

    rating: int = Field(ge=1, le=5)
    comment: str = ""
    incident_number: str = ""
    when: datetime | None = None


class FeedbackSummary(_Frozen):
    """The admin's view of feedback (from the workspace's Redis stream)."""

    count: int = 0
    average: float = 0.0
    weeks: tuple[WeekStat, ...] = ()
    recent: tuple[FeedbackEntry, ...] = ()
    chart_url: str | None = None
    chart_alt: str = ""  # the chart's alt text: the trend in words (default: a generic one)
    refused_count: int = 0  # feedback ServiceNow refused and we kept
    refused_reason: str = ""


class LinkedUser(_Frozen):
    """A Slack user with a stored ServiceNow link (admin housekeeping)."""

    slack_user_id: str = Field(pattern=r"^[UW][A-Z0-9]{2,}$")
    servicenow_name: str
    servicenow_email: str = ""
    since: datetime | None = None



class AdminHome(_Frozen):
    """What the admin part of App Home shows."""

    setup: SetupProgress = Field(default_factory=SetupProgress)
    linked: tuple[LinkedUser, ...] = ()
    feedback: FeedbackSummary = Field(default_factory=FeedbackSummary)


class NotifyHome(_Frozen):
    """The user's notification setting and watched incidents, for App Home."""

    enabled: bool = True
    watched: tuple[str, ...] = ()  # incident numbers
