"""Turn raw records into Table API JSON: ``sysparm_fields``, display values, reference links.

Shapes (as the Table API documents them):
- ``false``: raw strings; references ``{"link", "value"}`` or a bare sys_id when links
  are excluded; journals ``""``.
- ``true``: display strings (choice labels, referenced record's name, the journal text);
  references ``{"display_value", "link"}`` or a bare name.
- ``all``: every field ``{"display_value", "value"}`` (+ ``link`` on references,
  + ``display_value_internal`` on date-times).

Date-time display values (and journal headers) are in the *calling user's* time zone
(``sys_user.time_zone``; Abel's is Europe/London), in the system format
``YYYY-MM-DD HH:MM:SS``; raw values stay UTC. Journal display text is newest first,
each entry ``"<local time> - <Name> (Additional comments)\\n<text>\\n\\n"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from snowbot_sandbox.servicenow.schema import JOURNAL_LABELS, Column
from snowbot_sandbox.servicenow.state import Record, Store, User

RAW_FORMAT = "%Y-%m-%d %H:%M:%S"
JOURNAL_ELEMENTS = {
    "comments": ("comments",),
    "work_notes": ("work_notes",),
    "comments_and_work_notes": ("comments", "work_notes"),
}


@dataclass(frozen=True)
class View:
    """How the caller asked to see records."""

    base_url: str
    display: str = "false"  # "false" | "true" | "all"
    exclude_links: bool = False
    fields: tuple[str, ...] = ()
    time_zone: str = "UTC"  # the caller's: date-time display values are in it


def field_exists(store: Store, table: str, name: str) -> bool:
    """Whether ``name`` (possibly dot-walked one level) is a column of ``table``."""
    schema = store.schemas[table]
    head, _, tail = name.partition(".")
    column = schema.columns.get(head)
    if column is None:
        return False
    if not tail:
        return True
    target = store.schemas.get(column.reference)
    return column.kind == "reference" and target is not None and target.has(tail)


def raw_value(store: Store, table: str, record: Record, name: str) -> str:
    """The raw value of a (possibly dot-walked) field, ``""`` when absent."""
    head, _, tail = name.partition(".")
    value = record.get(head, "")
    if not tail:
        return value
    column = store.schemas[table].columns.get(head)
    if column is None or not column.reference:
        return ""
    target = store.rows.get(column.reference, {}).get(value)
    return target.get(tail, "") if target else ""


def readable_journal(user: User | None) -> tuple[str, ...]:
    """Journal elements this user may read: ESS users do not see work notes."""
    if user is not None and user.is_ess:
        return ("comments",)
    return ("comments", "work_notes")


def local_time(value: str, time_zone: str) -> str:
    """A raw UTC date-time shown in a user's time zone (same format), as display values are."""
    if not value or time_zone in ("", "UTC"):
        return value
    try:
        moment = datetime.strptime(value, RAW_FORMAT).replace(tzinfo=UTC)
        return moment.astimezone(ZoneInfo(time_zone)).strftime(RAW_FORMAT)
    except (ValueError, ZoneInfoNotFoundError):
        return value


def journal_text(
    store: Store, sys_id: str, elements: tuple[str, ...], time_zone: str = "UTC"
) -> str:
    """The display text of a journal field, newest entry first, times in ``time_zone``."""
    chunks = []
    for row in store.journal(sys_id, elements):
        author = store.users.get(row["sys_created_by"])
        name = author.name if author else row["sys_created_by"]
        label = JOURNAL_LABELS.get(row["element"], row["element"])
        when = local_time(row["sys_created_on"], time_zone)
        chunks.append(f"{when} - {name} ({label})\n{row['value']}\n\n")
    return "".join(chunks)


def render(
    store: Store, *, table: str, record: Record, view: View, user: User | None
) -> dict[str, Any]:
    """One record as the Table API returns it for this caller and view."""
    schema = store.schemas[table]
    names = view.fields or tuple(schema.columns)
    allowed = readable_journal(user)
    out: dict[str, Any] = {}
    for name in names:
        if not field_exists(store, table, name):
            continue  # unknown fields are ignored
        head = name.partition(".")[0]
        column = schema.columns[head]
        if "." in name:
            tail = store.schemas[column.reference].columns[name.partition(".")[2]]
            out[name] = _shape(store, tail, raw_value(store, table, record, name), view)
            continue
        if column.kind == "journal":
            elements = tuple(e for e in JOURNAL_ELEMENTS[name] if e in allowed)
            if not elements:
                continue  # fields the caller cannot read are omitted
            text = journal_text(store, record["sys_id"], elements, view.time_zone)
            out[name] = _journal_shape(text, view)
            continue
        out[name] = _shape(store, column, record.get(name, ""), view)
    return out


def _journal_shape(text: str, view: View) -> Any:
    if view.display == "true":
        return text
    if view.display == "all":
        return {"display_value": text, "value": ""}
    return ""


def _shape(store: Store, column: Column, value: str, view: View) -> Any:
    display = display_value(store, column, value)
    if column.kind == "datetime":
        display = local_time(value, view.time_zone)
    if column.kind == "reference" and value:
        return _reference_shape(display, value, column.reference, view)
    if view.display == "true":
        return display
    if view.display == "all":
        shaped = {"display_value": display, "value": value}
        if column.kind == "datetime":
            shaped["display_value_internal"] = value
        return shaped
    return value


def _reference_shape(display: str, value: str, table: str, view: View) -> Any:
    link = f"{view.base_url}/api/now/table/{table}/{value}"
    shaped: dict[str, str]
    if view.display == "true":
        shaped = {"display_value": display, "link": link}
    elif view.display == "all":
        shaped = {"display_value": display, "value": value, "link": link}
    else:
        shaped = {"link": link, "value": value}
    if not view.exclude_links:
        return shaped
    if view.display == "all":
        return {"display_value": display, "value": value}
    return display if view.display == "true" else value


def display_value(store: Store, column: Column, value: str) -> str:
    """What a person sees for a raw value of this column."""
    if column.kind == "choice":
        return column.choices.get(value, value)
    if column.kind == "reference":
        target_schema = store.schemas.get(column.reference)
        target = store.rows.get(column.reference, {}).get(value)
        if target is None or target_schema is None:
            return ""
        return target.get(target_schema.display_field or "sys_id", "")
    return value
