"""Column types of the sandbox's tables and the stock schemas (incident, sys_user, ...).

A table is a name plus its columns; a column knows how ServiceNow would show it:
choice labels, the table a reference points at, whether it is a journal. Custom
tables (``u_...``) are made at run time from plain column names (all strings) or
``Column`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["string", "choice", "reference", "datetime", "boolean", "integer", "journal"]

STATE_LABELS = {
    "1": "New",
    "2": "In Progress",
    "3": "On Hold",
    "6": "Resolved",
    "7": "Closed",
    "8": "Canceled",
}
PRIORITY_LABELS = {
    "1": "1 - Critical",
    "2": "2 - High",
    "3": "3 - Moderate",
    "4": "4 - Low",
    "5": "5 - Planning",
}
IMPACT_LABELS = {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"}
HOLD_REASON_LABELS = {
    "1": "Awaiting Caller",
    "5": "Awaiting Change",
    "3": "Awaiting Problem",
    "4": "Awaiting Vendor",
}
JOURNAL_LABELS = {"comments": "Additional comments", "work_notes": "Work notes"}


@dataclass(frozen=True)
class Column:
    """One column: its name, how it is shown, and where a reference points."""

    name: str
    kind: Kind = "string"
    choices: dict[str, str] = field(default_factory=dict)
    reference: str = ""


@dataclass
class TableSchema:
    """A table's columns and the access rules the sandbox applies to it."""

    name: str
    columns: dict[str, Column]
    display_field: str = ""
    ess_can_read: bool = True
    ess_can_create: bool = True
    number_prefix: str = ""

    def has(self, column: str) -> bool:
        """Whether ``column`` exists on this table."""
        return column in self.columns


def _cols(*columns: Column | str) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for col in columns:
        c = Column(col) if isinstance(col, str) else col
        out[c.name] = c
    return out


SYSTEM_COLUMNS: tuple[Column, ...] = (
    Column("sys_id"),
    Column("sys_created_on", "datetime"),
    Column("sys_created_by"),
    Column("sys_updated_on", "datetime"),
    Column("sys_updated_by"),
    Column("sys_mod_count", "integer"),
)


def incident_schema() -> TableSchema:
    """The incident table with the fields the bot reads and writes."""
    return TableSchema(
        name="incident",
        display_field="number",
        number_prefix="INC",
        columns=_cols(
            *SYSTEM_COLUMNS,
            "number",
            "short_description",
            "description",
            Column("state", "choice", STATE_LABELS),
            Column("incident_state", "choice", STATE_LABELS),
            Column("hold_reason", "choice", HOLD_REASON_LABELS),
            Column("impact", "choice", IMPACT_LABELS),
            Column("urgency", "choice", IMPACT_LABELS),
            Column("priority", "choice", PRIORITY_LABELS),
            Column("active", "boolean"),
            Column("caller_id", "reference", reference="sys_user"),
            Column("opened_by", "reference", reference="sys_user"),
            Column("assigned_to", "reference", reference="sys_user"),
            Column("assignment_group", "reference", reference="sys_user_group"),
            Column("resolved_by", "reference", reference="sys_user"),
            "category",
            "subcategory",
            "contact_type",
            "correlation_id",
            "correlation_display",
            "close_code",
            "close_notes",
            Column("opened_at", "datetime"),
            Column("resolved_at", "datetime"),
            Column("closed_at", "datetime"),
            Column("reopen_count", "integer"),
            Column("comments", "journal"),
            Column("work_notes", "journal"),
            Column("comments_and_work_notes", "journal"),
        ),
    )


def user_schema() -> TableSchema:
    """sys_user: who can sign in."""
    return TableSchema(
        name="sys_user",
        display_field="name",
        ess_can_create=False,
        columns=_cols(
            *SYSTEM_COLUMNS,
            "user_name",
            "name",
            "first_name",
            "last_name",
            "email",
            "title",
            "time_zone",
            "roles",
            Column("active", "boolean"),
            Column("locked_out", "boolean"),
        ),
    )


def group_schema() -> TableSchema:
    """sys_user_group: assignment groups."""
    return TableSchema(
        name="sys_user_group",
        display_field="name",
        ess_can_create=False,
        columns=_cols(*SYSTEM_COLUMNS, "name", "description", Column("active", "boolean")),
    )


def membership_schema() -> TableSchema:
    """sys_user_grmember: who is in which group (agents' "my groups")."""
    return TableSchema(
        name="sys_user_grmember",
        display_field="user",
        ess_can_create=False,
        columns=_cols(
            *SYSTEM_COLUMNS,
            Column("user", "reference", reference="sys_user"),
            Column("group", "reference", reference="sys_user_group"),
        ),
    )


def journal_schema() -> TableSchema:
    """sys_journal_field: one row per comment or work note."""
    return TableSchema(
        name="sys_journal_field",
        display_field="value",
        ess_can_create=False,
        columns=_cols(*SYSTEM_COLUMNS, "element_id", "element", "name", "value"),
    )


def custom_schema(
    name: str, columns: list[str | Column], *, ess_can_create: bool, ess_can_read: bool
) -> TableSchema:
    """A table an admin made (e.g. ``u_snowbot_feedback``); bare names are string columns."""
    return TableSchema(
        name=name,
        columns=_cols(*SYSTEM_COLUMNS, *columns),
        ess_can_create=ess_can_create,
        ess_can_read=ess_can_read,
    )


def priority_for(impact: str, urgency: str) -> str:
    """The default priority lookup: impact × urgency → 1..5."""
    try:
        total = int(impact) + int(urgency)
    except ValueError:
        return "5"
    return str(min(max(total - 1, 1), 5))
