"""What changed on an incident since a user last heard about it: pure, no I/O, no clock.

The input is what the user's own token read (``IncidentVersion`` and the comments of
``sys_journal_field``) and what the bot last told them (``Seen``); nothing comes from
an event's payload. The changes that reach a caller or a watcher:

- a new additional comment by someone else (work notes are never read);
- a state change to In Progress, On Hold, Resolved or Closed;
- an assignment to a person (assignee set or changed, not cleared).

What the user did themselves (``sys_updated_by`` or the comment's ``sys_created_by``
equal to their ServiceNow ``user_name``, through the bot or the portal) is not a change
for them. Without a ``Seen`` (the first time the bot reads this incident for this user)
only what is provably new counts: comments created after the link (the fetch filters
them), and a resolution stamped after the link; the state and assignee then become the
baseline for next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.servicenow.models import IncidentState, IncidentVersion, JournalEntry

ChangeKind = Literal["comment", "state", "assigned"]
NOTIFIED_STATES = frozenset(
    {IncidentState.IN_PROGRESS, IncidentState.ON_HOLD, IncidentState.RESOLVED,
     IncidentState.CLOSED}
)


class Seen(BaseModel):
    """What the bot last knew of one incident for one user (kept in Redis)."""

    model_config = ConfigDict(frozen=True)

    mod_count: int = -1
    state: int = 0
    assigned_to: str = ""  # sys_id of the assignee
    comments_after: float = 0.0  # unix seconds: comments from this second on may be new


class Change(BaseModel):
    """One change worth a line in a DM; ``key`` names it for the exactly-once claim."""

    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    key: str
    who: str  # the ServiceNow user_name that made it (the DM shows their name)
    text: str = ""  # a comment's words
    state: int = 0
    state_label: str = ""
    assignee: str = ""  # the assignee's display name


def detect(
    version: IncidentVersion,
    comments: Sequence[JournalEntry],
    *,
    seen: Seen | None,
    me: str,
    linked_at: float,
) -> list[Change]:
    """The changes of ``version`` (and ``comments``, oldest first) for the user ``me``."""
    changes = [
        Change(kind="comment", key=f"j{entry.sys_id}", who=entry.author_user_name,
               text=entry.text)
        for entry in comments
        if entry.author_user_name != me and entry.text.strip()
    ]
    incident = version.incident
    by_someone_else = version.updated_by != me
    if by_someone_else and _state_changed(version, seen, linked_at=linked_at):
        changes.append(
            Change(
                kind="state",
                key=f"s{incident.state}@{version.mod_count}",
                who=version.updated_by,
                state=incident.state,
                state_label=incident.state_label,
            )
        )
    if (
        by_someone_else
        and seen is not None
        and version.assigned_to_sys_id
        and version.assigned_to_sys_id != seen.assigned_to
    ):
        changes.append(
            Change(
                kind="assigned",
                key=f"a{version.assigned_to_sys_id}@{version.mod_count}",
                who=version.updated_by,
                assignee=incident.assigned_to,
            )
        )
    return changes


def _state_changed(version: IncidentVersion, seen: Seen | None, *, linked_at: float) -> bool:
    state = version.incident.state
    if state not in NOTIFIED_STATES:
        return False
    if seen is not None:
        return state != seen.state
    resolved = version.resolved_at
    return (
        state == IncidentState.RESOLVED
        and resolved is not None
        and resolved.timestamp() >= int(linked_at)
    )


def seen_after(version: IncidentVersion, *, read_at: float, told: bool = True) -> Seen:
    """The baseline after ``version`` was handled.

    After telling (``told``), comments from the version's ``sys_updated_on`` second on
    may still be new: that is ServiceNow's clock, so a skewed bot clock loses nothing,
    and the same second is read again next time (the claims of what was told dedupe
    it). A baseline recorded without telling (linking, watching) starts at ``read_at``:
    nothing before it is news, and its comments were not claimed.
    """
    updated = version.incident.updated_at
    since = updated.timestamp() if told and updated is not None else read_at
    return Seen(
        mod_count=version.mod_count,
        state=version.incident.state,
        assigned_to=version.assigned_to_sys_id,
        comments_after=float(int(since)),
    )


def comments_since(seen: Seen | None, *, linked_at: float) -> datetime:
    """From when the comments of an incident may be new for this user."""
    start = seen.comments_after if seen is not None and seen.comments_after else linked_at
    return datetime.fromtimestamp(int(start), tz=UTC)
