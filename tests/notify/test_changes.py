"""What counts as a change (bot.notify.changes), without I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.notify.changes import Seen, detect, seen_after
from bot.servicenow.models import Incident, IncidentVersion, JournalEntry

LINKED = datetime(2026, 12, 1, tzinfo=UTC).timestamp()


def _version(*, state: int = 2, by: str = "beth.anglin", assignee: str = "", mod: int = 5,
             resolved: datetime | None = None) -> IncidentVersion:
    incident = Incident(sys_id="a" * 32, number="INC0010001", state=state,
                        state_label={2: "In Progress", 6: "Resolved", 1: "New"}.get(state, ""),
                        assigned_to="Beth Anglin" if assignee else "")
    return IncidentVersion(incident=incident, mod_count=mod, updated_by=by,
                           assigned_to_sys_id=assignee, resolved_at=resolved)


def _comment(author: str, text: str = "hello") -> JournalEntry:
    return JournalEntry(sys_id="c" * 32, author_user_name=author, text=text)


def test_a_comment_by_someone_else_is_a_change() -> None:
    """The desk's comment is told, with its words."""
    changes = detect(_version(), [_comment("beth.anglin", "try again")],
                     seen=Seen(mod_count=4, state=2), me="abel.tuter", linked_at=LINKED)
    assert [(c.kind, c.who, c.text) for c in changes] == [("comment", "beth.anglin", "try again")]


def test_the_users_own_comment_and_change_are_not() -> None:
    """What Abel did himself is not news to him."""
    changes = detect(_version(state=6, by="abel.tuter"), [_comment("abel.tuter")],
                     seen=Seen(mod_count=4, state=2), me="abel.tuter", linked_at=LINKED)
    assert changes == []


def test_a_state_change_to_a_told_state_is_a_change() -> None:
    """In Progress → Resolved is told; a change back to New is not."""
    resolved = detect(_version(state=6), [], seen=Seen(mod_count=4, state=2),
                      me="abel.tuter", linked_at=LINKED)
    assert [(c.kind, c.state_label) for c in resolved] == [("state", "Resolved")]
    assert detect(_version(state=1), [], seen=Seen(mod_count=4, state=2), me="abel.tuter",
                  linked_at=LINKED) == []


def test_an_assignment_to_a_person_is_a_change_and_clearing_it_is_not() -> None:
    """A new assignee is told; an emptied one is not."""
    assigned = detect(_version(assignee="b" * 32), [], seen=Seen(mod_count=4, state=2),
                      me="abel.tuter", linked_at=LINKED)
    assert [(c.kind, c.assignee) for c in assigned] == [("assigned", "Beth Anglin")]
    assert detect(_version(), [], seen=Seen(mod_count=4, state=2, assigned_to="b" * 32),
                  me="abel.tuter", linked_at=LINKED) == []


def test_without_a_baseline_only_a_resolution_after_linking_is_a_state_change() -> None:
    """No Seen: Resolved after the link is told, In Progress (unknown before) is not."""
    after = datetime(2026, 12, 2, tzinfo=UTC)
    told = detect(_version(state=6, resolved=after), [], seen=None, me="abel.tuter",
                  linked_at=LINKED)
    assert [c.kind for c in told] == ["state"]
    assert detect(_version(state=2), [], seen=None, me="abel.tuter", linked_at=LINKED) == []


def test_a_baseline_recorded_without_telling_starts_at_the_read() -> None:
    """Linking or watching: comments before the read are not news."""
    version = _version().model_copy(update={"incident": _version().incident.model_copy(
        update={"updated_at": datetime(2026, 5, 1, tzinfo=UTC)})})
    assert seen_after(version, read_at=LINKED, told=False).comments_after == LINKED
    assert seen_after(version, read_at=LINKED).comments_after == datetime(
        2026, 5, 1, tzinfo=UTC).timestamp()
