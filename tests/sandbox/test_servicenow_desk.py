"""The sandbox's desk, its Business Rule, and gs.dateGenerate (issue 14, item 5)."""

from __future__ import annotations

from snowbot_sandbox.servicenow import ServiceNowSandbox
from snowbot_sandbox.servicenow.query import Condition, Context, parse

FIELDS = {"sys_updated_on"}


def test_date_generate_is_read_in_the_users_time_zone() -> None:
    """13:00 in Paris (winter) is compared as 12:00 UTC, the raw value."""
    ctx = Context(has_field=FIELDS.__contains__, time_zone="Europe/Paris")
    query = parse("sys_updated_on>javascript:gs.dateGenerate('2026-12-05','13:00:00')", ctx)
    assert query.groups == [[[Condition("sys_updated_on", ">", "2026-12-05 12:00:00")]]]


def test_a_malformed_date_generate_is_dropped() -> None:
    """A script that is not exactly dateGenerate of a date and a time is dropped."""
    ctx = Context(has_field=FIELDS.__contains__)
    query = parse("sys_updated_on>javascript:gs.dateGenerate('2026-12-05','13:00')", ctx)
    assert query.groups == [[]]


def test_a_desk_comment_moves_the_version_and_names_the_desk() -> None:
    """The desk's comment bumps sys_mod_count and sets sys_updated_by to the fulfiller."""
    sandbox = ServiceNowSandbox()
    before = sandbox.get_incident("INC0010001")
    assert before is not None
    count = int(before["sys_mod_count"])
    sandbox.desk.comment("INC0010001", "On it.")
    after = sandbox.get_incident("INC0010001")
    assert after is not None
    assert int(after["sys_mod_count"]) == count + 1
    assert after["sys_updated_by"] == "beth.anglin"
    assert sandbox.comments_for("INC0010001")[0]["value"] == "On it."


def test_without_a_rule_nothing_is_posted() -> None:
    """No rule installed: the desk's changes post no event."""
    sandbox = ServiceNowSandbox()
    sandbox.desk.state("INC0010002", "in progress")
    assert sandbox.rule.posted == []
