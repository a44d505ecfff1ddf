"""The sandbox's data: tables of records (raw string values), users, journals.

Every record is a ``dict[str, str]`` of raw database values, as ServiceNow stores
them (choice codes, reference sys_ids, UTC ``YYYY-MM-DD HH:MM:SS`` dates, ``"true"``
/``"false"``). Display values are computed on the way out (``render``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from snowbot_sandbox.servicenow.schema import (
    TableSchema,
    group_schema,
    incident_schema,
    journal_schema,
    membership_schema,
    priority_for,
    user_schema,
)

Record = dict[str, str]

PRIVILEGED_ROLES = frozenset({"itil", "admin", "sn_incident_read", "sn_incident_write"})
# Roles that contain other roles, as far as the sandbox cares.
ROLE_CONTAINS = {
    "admin": frozenset({"itil", "snc_platform_rest_api_access", "snc_internal"}),
    "itil": frozenset({"snc_platform_rest_api_access"}),
}


@dataclass(frozen=True)
class User:
    """A ServiceNow account that can sign in on the consent page."""

    sys_id: str
    user_name: str
    name: str
    email: str
    roles: tuple[str, ...] = ()
    active: bool = True
    time_zone: str = "UTC"

    @property
    def effective_roles(self) -> frozenset[str]:
        """The user's roles plus every role they contain."""
        out = set(self.roles)
        for role in self.roles:
            out |= ROLE_CONTAINS.get(role, frozenset())
        return frozenset(out)

    @property
    def is_ess(self) -> bool:
        """Whether this is a self-service user (no fulfiller role)."""
        return not (self.effective_roles & PRIVILEGED_ROLES)


def format_time(epoch: float) -> str:
    """A UTC ``YYYY-MM-DD HH:MM:SS`` string, ServiceNow's raw date-time value."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


@dataclass
class Store:
    """All tables and their records, keyed by table name then sys_id (insertion order)."""

    clock: Callable[[], float]
    rng: random.Random
    schemas: dict[str, TableSchema] = field(default_factory=dict)
    rows: dict[str, dict[str, Record]] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by user_name
    counters: dict[str, int] = field(default_factory=dict)  # number prefix -> last used

    def __post_init__(self) -> None:
        schemas = (incident_schema(), user_schema(), group_schema(), membership_schema(),
                   journal_schema())
        for schema in schemas:
            self.add_table(schema)
        self.counters.setdefault("INC", 10000)

    # -- tables -----------------------------------------------------------------------
    def add_table(self, schema: TableSchema) -> None:
        """Create (or replace the schema of) a table, keeping any existing rows."""
        self.schemas[schema.name] = schema
        self.rows.setdefault(schema.name, {})

    def drop_table(self, name: str) -> None:
        """Remove a table and its rows."""
        self.schemas.pop(name, None)
        self.rows.pop(name, None)

    def table(self, name: str) -> dict[str, Record]:
        """The rows of ``name`` (KeyError when the table does not exist)."""
        return self.rows[name]

    def new_sys_id(self) -> str:
        """A fresh 32-hex sys_id from the seeded generator."""
        return f"{self.rng.getrandbits(128):032x}"

    def now(self) -> str:
        """The clock's time as a raw date-time value."""
        return format_time(self.clock())

    # -- users ------------------------------------------------------------------------
    def add_user(self, user: User) -> None:
        """Add a user and its sys_user row."""
        self.users[user.user_name] = user
        first, _, last = user.name.partition(" ")
        self.rows["sys_user"][user.sys_id] = {
            "sys_id": user.sys_id,
            "user_name": user.user_name,
            "name": user.name,
            "first_name": first,
            "last_name": last,
            "email": user.email,
            "title": "",
            "time_zone": user.time_zone,
            "roles": ",".join(user.roles),
            "active": "true" if user.active else "false",
            "locked_out": "false",
            "sys_created_on": "2025-01-06 09:00:00",
            "sys_created_by": "admin",
            "sys_updated_on": "2025-01-06 09:00:00",
            "sys_updated_by": "admin",
            "sys_mod_count": "0",
        }

    def user_by_sys_id(self, sys_id: str) -> User | None:
        """The user with this sys_id, if any."""
        return next((u for u in self.users.values() if u.sys_id == sys_id), None)

    # -- records ----------------------------------------------------------------------
    def insert(self, table: str, values: Record, *, user: User | None, at: str = "") -> Record:
        """Insert a record with system fields (and incident defaults) filled in."""
        schema = self.schemas[table]
        now = at or self.now()
        who = user.user_name if user else "system"
        record: Record = dict.fromkeys(
            (c for c, col in schema.columns.items() if col.kind != "journal"), ""
        )
        record.update(
            sys_id=values.get("sys_id") or self.new_sys_id(),
            sys_created_on=now,
            sys_created_by=who,
            sys_updated_on=now,
            sys_updated_by=who,
            sys_mod_count="0",
        )
        if schema.number_prefix:
            record["number"] = self.next_number(schema.number_prefix)
        if table == "incident":
            record.update(
                state="1",
                incident_state="1",
                impact="3",
                urgency="3",
                active="true",
                opened_at=now,
                opened_by=user.sys_id if user else "",
                caller_id=user.sys_id if user else "",
                contact_type="self-service",
            )
        for key, value in values.items():
            if key in record and key not in ("sys_created_on", "sys_created_by"):
                record[key] = value
        if table == "incident":
            _incident_derived(record, now=now, user=user)
        self.rows[table][record["sys_id"]] = record
        return record

    def update(self, table: str, sys_id: str, values: Record, *, user: User | None) -> Record:
        """Change fields of a record and bump its update stamps."""
        record = self.rows[table][sys_id]
        now = self.now()
        before = dict(record)
        for key, value in values.items():
            if key in record and not key.startswith("sys_"):
                record[key] = value
        if table == "incident":
            _incident_derived(record, now=now, user=user, before=before)
        record["sys_updated_on"] = now
        record["sys_updated_by"] = user.user_name if user else "system"
        record["sys_mod_count"] = str(int(record.get("sys_mod_count") or "0") + 1)
        return record

    def next_number(self, prefix: str) -> str:
        """The next ``INC`` + 7 digits number."""
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:07d}"

    # -- journals ---------------------------------------------------------------------
    def add_journal(
        self, *, table: str, sys_id: str, element: str, text: str, user: User | None, at: str = ""
    ) -> Record:
        """Append a comment or work note to a record (a ``sys_journal_field`` row)."""
        now = at or self.now()
        row: Record = {
            "sys_id": self.new_sys_id(),
            "element_id": sys_id,
            "element": element,
            "name": table,
            "value": text,
            "sys_created_on": now,
            "sys_created_by": user.user_name if user else "system",
            "sys_updated_on": now,
            "sys_updated_by": user.user_name if user else "system",
            "sys_mod_count": "0",
        }
        self.rows["sys_journal_field"][row["sys_id"]] = row
        return row

    def journal(self, sys_id: str, elements: tuple[str, ...]) -> list[Record]:
        """Journal rows of one record for the given elements, newest first."""
        rows = [
            r
            for r in self.rows["sys_journal_field"].values()
            if r["element_id"] == sys_id and r["element"] in elements
        ]
        # Stable sort keeps insertion order for equal timestamps; reverse for newest first.
        return sorted(rows, key=lambda r: r["sys_created_on"])[::-1]


def _incident_derived(
    record: Record, *, now: str, user: User | None, before: Record | None = None
) -> None:
    """Fields ServiceNow's business rules keep in step: priority, active, resolution stamps."""
    record["priority"] = priority_for(record.get("impact", "3"), record.get("urgency", "3"))
    record["incident_state"] = record["state"]
    state = record["state"]
    record["active"] = "false" if state in ("7", "8") else "true"
    old_state = before["state"] if before else ""
    if state == "6" and old_state != "6" and not record.get("resolved_at"):
        record["resolved_at"] = now
        record["resolved_by"] = user.sys_id if user else ""
    if state == "7" and old_state != "7" and not record.get("closed_at"):
        record["closed_at"] = now
    if old_state == "6" and state in ("1", "2", "3"):  # reopened: no longer resolved
        record["resolved_at"] = ""
        record["resolved_by"] = ""
        record["reopen_count"] = str(int(record.get("reopen_count") or "0") + 1)
