"""The notification DM and the query clause it depends on, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.blocks.notify import notification
from bot.notify.changes import Change
from bot.servicenow.query import OrderBy, Query, UpdatedAfter


def test_servicenow_text_in_a_dm_cannot_ping_a_channel() -> None:
    """A comment's `<!channel>` and a name's `<@U1>` are escaped."""
    shown = notification(
        number="INC0010001", title="<!here> help",
        changes=[Change(kind="comment", key="j1", who="x", text="<!channel> look")],
        names={"x": "<@U1> Mallory"}, state=2,
    )
    blob = str(shown.blocks) + shown.text
    assert "<!channel>" not in blob
    assert "<!here>" not in blob
    assert "<@U1>" not in blob
    assert "&lt;!channel&gt; look" in blob


def test_a_resolution_asks_whether_it_is_fixed_and_for_a_rating() -> None:
    """Resolved: It's fixed, Still broken, and five rating buttons."""
    shown = notification(number="INC0010001", title="t",
                         changes=[Change(kind="state", key="s6@3", who="beth", state=6,
                                         state_label="Resolved")],
                         names={}, state=6)
    labels = [e["text"]["text"] for b in shown.blocks if b["type"] == "actions"
              for e in b["elements"]]
    assert labels == ["Reply", "It's fixed", "Still broken", "1", "2", "3", "4", "5"]


def test_updated_after_is_written_in_the_users_time_zone() -> None:
    """12:00 UTC is 13:00 in Paris in winter; the script holds only the digits."""
    clause = UpdatedAfter("sys_updated_on", datetime(2026, 12, 5, 12, 0, 0, tzinfo=UTC),
                          "Europe/Paris")
    assert Query.of(clause, order=[OrderBy("sys_updated_on")]).encode() == (
        "sys_updated_on>javascript:gs.dateGenerate('2026-12-05','13:00:00')"
        "^ORDERBYsys_updated_on^ORDERBYsys_id"
    )
