"""Writing as a user: idempotent creates, comments, close requests, feedback rows."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import (
    ServiceNowForbiddenError,
    ServiceNowRejectedError,
    WriteOutcomeUnknownError,
)
from bot.servicenow.idempotency import correlation_for
from bot.servicenow.models import CloseOutcome, IncidentDraft
from bot.servicenow.session import RetryPolicy
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.servicenow.conftest import ActAs, Front

DRAFT = IncidentDraft(short_description="Laptop won't boot", description="Black screen.")


def _with_correlation(sandbox: ServiceNowSandbox, key: str) -> list[dict[str, str]]:
    wanted = correlation_for(key)
    return [r for r in sandbox.rows("incident") if r["correlation_id"] == wanted]


async def test_an_ess_user_creates_an_incident_as_caller(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """The new incident is numbered, has the draft's text and the user as caller."""
    abel = await act_as("abel.tuter")
    incident = await abel.incidents.create_incident(
        DRAFT, caller_sys_id=abel.sys_id, idempotency_key="T1:U1:Ev1"
    )
    assert incident.number == "INC0010016"
    assert incident.short_description == "Laptop won't boot"
    assert incident.caller_sys_id == abel.sys_id
    assert incident.correlation_id == correlation_for("T1:U1:Ev1")
    assert len(_with_correlation(sandbox, "T1:U1:Ev1")) == 1


async def test_an_itil_user_creates_an_incident(act_as: ActAs) -> None:
    """An itil user can open an incident too."""
    beth = await act_as("beth.anglin")
    incident = await beth.incidents.create_incident(
        DRAFT, caller_sys_id=beth.sys_id, idempotency_key="T1:U4:Ev1"
    )
    assert incident.caller == "Beth Anglin"


async def test_the_same_key_creates_once(act_as: ActAs, sandbox: ServiceNowSandbox) -> None:
    """Asking twice with one key returns the same incident and posts once."""
    abel = await act_as("abel.tuter")
    first = await abel.incidents.create_incident(
        DRAFT, caller_sys_id=abel.sys_id, idempotency_key="T1:U1:Ev2"
    )
    second = await abel.incidents.create_incident(
        DRAFT, caller_sys_id=abel.sys_id, idempotency_key="T1:U1:Ev2"
    )
    assert first.sys_id == second.sys_id
    assert len([r for r in sandbox.requests if r.method == "POST"]) == 1


async def test_a_committed_create_whose_answer_is_lost_is_found(
    act_as: ActAs, sandbox: ServiceNowSandbox, front: Front
) -> None:
    """When the answer to a committed create is lost, the lookup finds it: one incident."""
    abel = await act_as("abel.tuter", policy=RetryPolicy(timeout=0.3, budget=1.0))
    front.lose_answer(method="POST", path="/api/now/v2/table/incident")
    key = "T1:U1:Ev3"
    results = [
        await abel.incidents.create_incident(DRAFT, caller_sys_id=abel.sys_id, idempotency_key=key)
        for _ in range(3)
    ]
    assert len({incident.sys_id for incident in results}) == 1
    assert [r["sys_id"] for r in _with_correlation(sandbox, key)] == [results[0].sys_id]
    assert len([r for r in sandbox.requests if r.method == "POST"]) == 1


async def test_a_slow_create_is_found_later_not_repeated(
    act_as: ActAs, sandbox: ServiceNowSandbox, front: Front
) -> None:
    """Three calls while ServiceNow commits late: unknown twice, then found; one incident."""
    abel = await act_as("abel.tuter", policy=RetryPolicy(timeout=0.3, budget=0.8))
    front.lose_answer(method="POST", path="/api/now/v2/table/incident", commit_after=1.2)
    key = "T1:U1:Ev7"
    for _ in range(2):  # first: the answer is lost; second: the write is still on its way
        with pytest.raises(WriteOutcomeUnknownError):
            await abel.incidents.create_incident(
                DRAFT, caller_sys_id=abel.sys_id, idempotency_key=key
            )
    async with asyncio.timeout(5):
        await front.settled()
    third = await abel.incidents.create_incident(
        DRAFT, caller_sys_id=abel.sys_id, idempotency_key=key
    )
    assert [r["sys_id"] for r in _with_correlation(sandbox, key)] == [third.sys_id]
    assert len([r for r in sandbox.requests if r.method == "POST"]) == 1


async def test_concurrent_calls_with_one_key_create_once(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """Three simultaneous calls with one key (a slow instance) create one incident."""
    abel = await act_as("abel.tuter")
    sandbox.faults.add(
        path="/api/now/v2/table/incident", kind="latency", seconds=0.4, method="POST", times=1
    )
    results = await asyncio.gather(
        *(
            abel.incidents.create_incident(
                DRAFT, caller_sys_id=abel.sys_id, idempotency_key="T1:U1:Ev4"
            )
            for _ in range(3)
        )
    )
    assert len({incident.sys_id for incident in results}) == 1
    assert len(_with_correlation(sandbox, "T1:U1:Ev4")) == 1


async def test_a_refused_create_releases_the_key(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """After a 403 nothing was created, so the same key may try again and succeed."""
    abel = await act_as("abel.tuter")
    sandbox.faults.add(path="/api/now/v2/table/incident", kind="403", method="POST", times=1)
    with pytest.raises(ServiceNowForbiddenError):
        await abel.incidents.create_incident(
            DRAFT, caller_sys_id=abel.sys_id, idempotency_key="T1:U1:Ev5"
        )
    incident = await abel.incidents.create_incident(
        DRAFT, caller_sys_id=abel.sys_id, idempotency_key="T1:U1:Ev5"
    )
    assert incident.number.startswith("INC")


async def test_a_stale_pending_key_is_taken_over(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A pending key whose incident never appeared is retried once it is stale."""
    abel = await act_as("abel.tuter", policy=RetryPolicy(timeout=0.3, budget=0.8), stale_after=0)
    sandbox.faults.add(path="/api/now/v2/table/incident", kind="504", method="POST", times=1)
    with pytest.raises(WriteOutcomeUnknownError):
        await abel.incidents.create_incident(
            DRAFT, caller_sys_id=abel.sys_id, idempotency_key="T1:U1:Ev6"
        )
    incident = await abel.incidents.create_incident(
        DRAFT, caller_sys_id=abel.sys_id, idempotency_key="T1:U1:Ev6"
    )
    assert [r["sys_id"] for r in _with_correlation(sandbox, "T1:U1:Ev6")] == [incident.sys_id]


async def test_an_ess_user_comments_on_their_incident(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """The comment is added as the user and read back."""
    abel = await act_as("abel.tuter")
    incident = await abel.incidents.add_comment("INC0010002", "Still offline today.")
    assert incident.latest_comment is not None
    assert incident.latest_comment.text == "Still offline today."
    assert incident.latest_comment.author == "Abel Tuter"
    assert sandbox.comments_for("INC0010002")[0]["value"] == "Still offline today."


async def test_an_itil_user_comments_on_any_incident(act_as: ActAs) -> None:
    """An itil user may comment on another caller's incident."""
    beth = await act_as("beth.anglin")
    incident = await beth.incidents.add_comment("INC0010011", "Looking into it.")
    assert incident.latest_comment is not None
    assert incident.latest_comment.author == "Beth Anglin"


async def test_comment_text_never_enters_a_query(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """Comment text with query syntax travels in the JSON body, never in sysparm_query."""
    abel = await act_as("abel.tuter")
    text = "printer^NQactive=true^ORcaller_idISNOTEMPTY javascript:gs.getUserID()"
    await abel.incidents.add_comment("INC0010002", text)
    assert sandbox.queries
    assert not any("^NQ" in q or "javascript:" in q or "ISNOTEMPTY" in q for q in sandbox.queries)


async def test_a_comment_the_instance_drops_is_reported(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A 200 that did not add the comment raises WriteNotAppliedError."""
    from bot.errors import WriteNotAppliedError

    sandbox.ess_readonly_fields["incident"].add("comments")
    abel = await act_as("abel.tuter")
    with pytest.raises(WriteNotAppliedError):
        await abel.incidents.add_comment("INC0010002", "Anyone there?")


async def test_close_where_allowed_resolves(act_as: ActAs, sandbox: ServiceNowSandbox) -> None:
    """An itil user's close request resolves the incident and reads it back."""
    beth = await act_as("beth.anglin")
    result = await beth.incidents.request_close("INC0010014", note="Toner replaced.")
    assert result.outcome is CloseOutcome.RESOLVED
    assert result.incident.state == 6
    record = sandbox.get_incident("INC0010014")
    assert record is not None
    assert (record["state"], record["close_notes"]) == ("6", "Toner replaced.")


async def test_close_ignored_by_a_field_acl_becomes_a_comment(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """When ServiceNow answers 200 but keeps the state, a closure comment is added instead."""
    abel = await act_as("abel.tuter")
    result = await abel.incidents.request_close("INC0010002", note="It works again.")
    assert result.outcome is CloseOutcome.COMMENT_ADDED
    assert result.reason == "not_applied"
    assert result.incident.state == 1
    latest = sandbox.comments_for("INC0010002")[0]["value"]
    assert "closed" in latest
    assert "It works again." in latest


async def test_close_refused_with_403_becomes_a_comment(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A 403 on the resolve falls back to a closure comment and says so."""
    abel = await act_as("abel.tuter")
    sandbox.faults.add(
        path="/api/now/v2/table/incident", kind="403", method="PATCH", times=1
    )
    result = await abel.incidents.request_close("INC0010002")
    assert (result.outcome, result.reason) == (CloseOutcome.COMMENT_ADDED, "forbidden")


async def test_closing_a_resolved_incident_changes_nothing(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """An already resolved incident is reported as such, with no write."""
    abel = await act_as("abel.tuter")
    result = await abel.incidents.request_close("INC0010004")
    assert result.outcome is CloseOutcome.ALREADY_CLOSED
    assert not [r for r in sandbox.requests if r.method == "PATCH"]


async def test_feedback_row_is_inserted(act_as: ActAs, sandbox: ServiceNowSandbox) -> None:
    """table_insert writes a row to a custom table and returns its stored values."""
    sandbox.create_table("u_snowbot_feedback", ["u_rating", "u_comment", "u_source"])
    abel = await act_as("abel.tuter")
    row = await abel.incidents.table_insert(
        "u_snowbot_feedback", {"u_rating": "5", "u_comment": "Quick!", "u_source": "slack"}
    )
    assert row["u_rating"] == "5"
    assert len(row["sys_id"]) == 32
    assert sandbox.rows("u_snowbot_feedback")[0]["u_comment"] == "Quick!"


async def test_feedback_to_a_table_closed_to_ess_is_forbidden(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """A table without a create ACL for ordinary users answers ServiceNowForbiddenError."""
    sandbox.create_table("u_snowbot_feedback", ["u_rating"], ess_can_create=False)
    abel = await act_as("abel.tuter")
    with pytest.raises(ServiceNowForbiddenError):
        await abel.incidents.table_insert("u_snowbot_feedback", {"u_rating": "4"})


async def test_probe_of_an_existing_table_counts_rows(act_as: ActAs) -> None:
    """table_probe reads one row and reports the total."""
    beth = await act_as("beth.anglin")
    probe = await beth.incidents.table_probe("incident")
    assert probe.total == 15


async def test_probe_of_a_missing_table_is_rejected(act_as: ActAs) -> None:
    """A table that does not exist answers 400 Invalid table: ServiceNowRejectedError."""
    abel = await act_as("abel.tuter")
    with pytest.raises(ServiceNowRejectedError) as caught:
        await abel.incidents.table_probe("u_snowbot_feedback")
    assert "Invalid table" in caught.value.detail
