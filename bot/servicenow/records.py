"""Table API records (``sysparm_display_value=all``) turned into domain models.

With ``display_value=all`` and ``exclude_reference_link=true`` every field is
``{"display_value": ..., "value": ...}``: the code for logic, the label for people
(the Table API's documented record shape). Fields the caller may not read are omitted, so every
reader here has a default. Raw date-times are UTC ``YYYY-MM-DD HH:MM:SS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.servicenow.models import (
    Comment,
    Incident,
    IncidentVersion,
    JournalEntry,
    ServiceNowUser,
)

Record = Mapping[str, Any]

INCIDENT_LIST_FIELDS = (
    "sys_id",
    "number",
    "short_description",
    "state",
    "priority",
    "urgency",
    "impact",
    "assigned_to",
    "assignment_group",
    "caller_id",
    "opened_at",
    "sys_updated_on",
    "correlation_id",
)
INCIDENT_FIELDS = (*INCIDENT_LIST_FIELDS, "description")
INCIDENT_DETAIL_FIELDS = (*INCIDENT_FIELDS, "comments")
USER_FIELDS = ("sys_id", "user_name", "name", "email", "roles")
JOURNAL_FIELDS = ("sys_id", "value", "sys_created_on", "sys_created_by", "element")
VERSION_FIELDS = (*INCIDENT_LIST_FIELDS, "sys_mod_count", "sys_updated_by", "resolved_at")

_RAW_TIME = "%Y-%m-%d %H:%M:%S"
CARD_COMMENTS = 3  # comments a card shows, newest first


def value(record: Record, name: str) -> str:
    """The raw value of a field (``""`` when absent)."""
    field = record.get(name)
    if isinstance(field, Mapping):
        return str(field.get("value") or "")
    return "" if field is None else str(field)


def display(record: Record, name: str) -> str:
    """What a person sees for a field (the raw value when there is no display value)."""
    field = record.get(name)
    if isinstance(field, Mapping):
        shown = field.get("display_value")
        return str(shown) if shown not in (None, "") else str(field.get("value") or "")
    return "" if field is None else str(field)


def parse_time(raw: str) -> datetime | None:
    """A raw ServiceNow date-time (UTC) as an aware datetime."""
    try:
        return datetime.strptime(raw.strip(), _RAW_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None


def _int(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


def incident_url(base_url: str, sys_id: str) -> str:
    """The link that opens the incident in ServiceNow's UI."""
    return f"{base_url}/nav_to.do?uri=incident.do?sys_id={sys_id}"


def incident_from(record: Record, *, base_url: str) -> Incident:
    """An ``Incident`` from one record (codes from values, labels from display values)."""
    sys_id = value(record, "sys_id")
    state = _int(value(record, "state"))
    comments = journal_entries(display(record, "comments"))[:CARD_COMMENTS]
    return Incident(
        sys_id=sys_id,
        number=value(record, "number"),
        short_description=display(record, "short_description"),
        description=display(record, "description"),
        state=state if state is not None else 0,
        state_label=display(record, "state"),
        priority=_int(value(record, "priority")),
        priority_label=display(record, "priority"),
        urgency=_int(value(record, "urgency")),
        impact=_int(value(record, "impact")),
        assigned_to=display(record, "assigned_to") if value(record, "assigned_to") else "",
        assignment_group=(
            display(record, "assignment_group") if value(record, "assignment_group") else ""
        ),
        caller=display(record, "caller_id") if value(record, "caller_id") else "",
        caller_sys_id=value(record, "caller_id"),
        opened_at=parse_time(value(record, "opened_at")),
        updated_at=parse_time(value(record, "sys_updated_on")),
        correlation_id=value(record, "correlation_id"),
        latest_comment=comments[0] if comments else None,
        comments=tuple(comments),
        url=incident_url(base_url, sys_id) if sys_id else "",
    )


def user_from(record: Record) -> ServiceNowUser:
    """A ``ServiceNowUser`` from a ``sys_user`` record (roles when the field is readable)."""
    roles = tuple(r.strip() for r in value(record, "roles").split(",") if r.strip())
    return ServiceNowUser(
        sys_id=value(record, "sys_id"),
        user_name=value(record, "user_name"),
        name=display(record, "name"),
        email=value(record, "email"),
        roles=roles,
    )


def journal_header(line: str) -> str | None:
    """The author of a journal entry's header line, or None if ``line`` is not one.

    A header is one whole line, ``<when> - <who> (<label>)``, as in
    ``2026-05-03 14:12:09 - Beth Anglin (Additional comments)``: ``when`` and ``who``
    are not empty, ``when`` ends at the first `` - ``, and the label is the text in the
    last parentheses, which close the line. Read with ``find``, not a regular
    expression, so that no text (ServiceNow's or a user's) costs more than linear time.
    """
    if not line.endswith(")"):
        return None
    opening = line.rfind("(", 0, len(line) - 1)
    label = line[opening + 1 : -1]
    if opening < 1 or line[opening - 1] != " " or not label or ")" in label:
        return None
    head = line[: opening - 1]
    separator = head.find(" - ", 1)
    while separator != -1 and separator + 3 >= len(head):
        separator = head.find(" - ", separator + 1)
    if separator == -1:
        return None
    return head[separator + 3 :]


def journal_entries(text: str) -> list[Comment]:
    """The entries of a journal field's display text, newest first as ServiceNow lists them.

    The header's time is in the user's own format and time zone, so ``created`` is
    left empty here (the ``sys_journal_field`` path has the UTC time).
    """
    headers: list[tuple[int, int, str]] = []  # (line start, line end, author)
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end == -1:
            end = len(text)
        who = journal_header(text[start:end])
        if who is not None:
            headers.append((start, end, who))
        start = end + 1
    entries = []
    for index, (_, header_end, who) in enumerate(headers):
        end = headers[index + 1][0] if index + 1 < len(headers) else len(text)
        body = text[header_end:end].strip("\n").strip()
        entries.append(Comment(author=who.strip(), text=body))
    return entries


def latest_comment(text: str) -> Comment | None:
    """The newest entry of a journal display text, if any."""
    entries = journal_entries(text)
    return entries[0] if entries else None


def comment_from_journal(record: Record, *, authors: Mapping[str, str] | None = None) -> Comment:
    """A ``Comment`` from a ``sys_journal_field`` row (author as user_name unless mapped)."""
    by = value(record, "sys_created_by")
    return Comment(
        author=(authors or {}).get(by, by),
        text=display(record, "value"),
        created=parse_time(value(record, "sys_created_on")),
    )


def same_text(left: str, right: str) -> bool:
    """Whether two texts are equal once whitespace runs are normalised."""
    return " ".join(left.split()) == " ".join(right.split())


def version_from(record: Record, *, base_url: str) -> IncidentVersion:
    """An ``IncidentVersion``: the incident plus what tells one change from another."""
    return IncidentVersion(
        incident=incident_from(record, base_url=base_url),
        mod_count=_int(value(record, "sys_mod_count")) or 0,
        updated_by=value(record, "sys_updated_by"),
        assigned_to_sys_id=value(record, "assigned_to"),
        resolved_at=parse_time(value(record, "resolved_at")),
    )


def journal_entry_from(record: Record) -> JournalEntry:
    """A ``JournalEntry`` from a ``sys_journal_field`` row."""
    return JournalEntry(
        sys_id=value(record, "sys_id"),
        author_user_name=value(record, "sys_created_by"),
        text=display(record, "value"),
        created=parse_time(value(record, "sys_created_on")),
    )
