"""Reading as a user: who am I, one incident, my incidents, paging, query safety."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import (
    BotError,
    InvalidIncidentNumberError,
    ServiceNowNotFoundError,
    ServiceNowRejectedError,
    UnsafeQueryValueError,
)
from bot.servicenow.query import CURRENT_USER_QUERY
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.servicenow.conftest import ActAs

ABEL = "a8f98bb0eb32010045e1a5115206fe3a"
BOW = "b7e7c9d10a0a0b3c00e4f5a6b7c8d9e0"
BETH = "46d44a23a9fe19810012d100cca80666"


async def test_current_user_is_the_token_owner(act_as: ActAs) -> None:
    """current_user returns the ESS user behind the token, with name and email."""
    abel = await act_as("abel.tuter")
    user = await abel.incidents.current_user()
    assert (user.sys_id, user.user_name, user.name, user.email) == (
        ABEL,
        "abel.tuter",
        "Abel Tuter",
        "abel.tuter@example.com",
    )


async def test_current_user_reads_roles_when_readable(act_as: ActAs) -> None:
    """An itil user's roles come back with the identity."""
    beth = await act_as("beth.anglin")
    user = await beth.incidents.current_user()
    assert user.roles == ("itil",)


async def test_current_user_uses_the_named_identity_query(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """The one script query sent is the named constant, with the unique sort key."""
    abel = await act_as("abel.tuter")
    await abel.incidents.current_user()
    assert sandbox.queries == [CURRENT_USER_QUERY + "^ORDERBYsys_id"]


async def test_a_dropped_identity_clause_falls_back_to_the_current_user_api(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """When the instance drops the script clause, the widened answer is not trusted."""
    sandbox.allow_query_scripts = False
    bow = await act_as("bow.ruggeri")
    user = await bow.incidents.current_user()
    assert (user.sys_id, user.email) == (BOW, "bow.ruggeri@example.com")
    assert any(r.path == "/api/now/ui/user/current_user" for r in sandbox.requests)


async def test_no_identity_at_all_is_an_error_not_a_guess(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """Without the script clause and the UI API, current_user fails rather than guess."""
    sandbox.allow_query_scripts = False
    sandbox.current_user_api = False
    bow = await act_as("bow.ruggeri")
    with pytest.raises(ServiceNowRejectedError):
        await bow.incidents.current_user()


async def test_get_incident_returns_fields_and_latest_comment(act_as: ActAs) -> None:
    """An ESS caller sees their incident with labels, codes and the newest comment."""
    abel = await act_as("abel.tuter")
    incident = await abel.incidents.get_incident("INC0010001")
    assert incident.number == "INC0010001"
    assert (incident.state, incident.state_label) == (2, "In Progress")
    assert incident.assigned_to == "Beth Anglin"
    assert incident.caller_sys_id == ABEL
    assert incident.latest_comment is not None
    assert incident.latest_comment.author == "Beth Anglin"
    assert incident.latest_comment.text.startswith("Thanks Abel")
    assert incident.url.endswith("incident.do?sys_id=" + incident.sys_id)


async def test_get_incident_accepts_lower_case_numbers(act_as: ActAs) -> None:
    """A lower-case number is canonicalised before the lookup."""
    abel = await act_as("abel.tuter")
    assert (await abel.incidents.get_incident("inc0010002")).number == "INC0010002"


async def test_someone_elses_incident_is_not_found_for_ess(act_as: ActAs) -> None:
    """An ESS user asking for another caller's incident gets not-found."""
    abel = await act_as("abel.tuter")
    with pytest.raises(ServiceNowNotFoundError):
        await abel.incidents.get_incident("INC0010011")


async def test_itil_users_see_other_callers_incidents(act_as: ActAs) -> None:
    """ServiceNow's ACLs decide: an itil user sees any incident."""
    beth = await act_as("beth.anglin")
    assert (await beth.incidents.get_incident("INC0010011")).caller == "Carol Coughlin"


async def test_an_incident_without_comments_has_none(act_as: ActAs) -> None:
    """An incident with no comments has no latest comment."""
    abel = await act_as("abel.tuter")
    assert (await abel.incidents.get_incident("INC0010002")).latest_comment is None


async def test_a_journal_closed_to_the_user_leaves_the_comment_out(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """If the comments field is not readable, the journal table is tried, then left out."""
    sandbox.journal_readable_by_ess = False
    abel = await act_as("abel.tuter")
    incident = await abel.incidents.get_incident("INC0010001")
    assert incident.number == "INC0010001"


async def test_list_mine_returns_open_incidents_of_an_ess_user(act_as: ActAs) -> None:
    """Abel's open list holds what he raised or had raised, active and not resolved."""
    abel = await act_as("abel.tuter")
    page = await abel.incidents.list_mine(ABEL, limit=50)
    numbers = sorted(i.number for i in page.incidents)
    assert numbers == ["INC0010001", "INC0010002", "INC0010003", "INC0010005", "INC0010015"]
    assert page.total == 5
    assert not page.has_more


async def test_list_mine_without_open_only_includes_finished_ones(act_as: ActAs) -> None:
    """With open_only off, resolved and closed incidents are listed too."""
    abel = await act_as("abel.tuter")
    page = await abel.incidents.list_mine(ABEL, open_only=False, limit=50)
    assert page.total == 7


async def test_list_mine_includes_incidents_assigned_to_me(act_as: ActAs) -> None:
    """An itil user's list includes incidents assigned to them, not others' unassigned ones."""
    beth = await act_as("beth.anglin")
    page = await beth.incidents.list_mine(BETH, limit=50)
    assert page.incidents
    assert all(BETH in (i.caller_sys_id,) or i.assigned_to == "Beth Anglin" for i in page.incidents)
    assert "INC0010002" not in {i.number for i in page.incidents}


async def test_list_mine_orders_by_last_update_then_sys_id(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """The list query ORs the three roles, filters open ones, and ends with ORDERBYsys_id."""
    abel = await act_as("abel.tuter")
    await abel.incidents.list_mine(ABEL, limit=5)
    assert sandbox.queries == [
        f"caller_id={ABEL}^ORopened_by={ABEL}^ORassigned_to={ABEL}^active=true^state!=6"
        "^ORDERBYDESCsys_updated_on^ORDERBYsys_id"
    ]


async def test_list_mine_pages_follow_the_link_header(act_as: ActAs) -> None:
    """Pages of two, followed by next_offset, give every incident exactly once."""
    abel = await act_as("abel.tuter")
    seen: list[str] = []
    offset: int | None = 0
    pages = 0
    while offset is not None and pages < 10:
        page = await abel.incidents.list_mine(ABEL, open_only=False, offset=offset, limit=2)
        seen += [i.number for i in page.incidents]
        offset = page.next_offset
        pages += 1
    assert pages == 4
    assert sorted(seen) == sorted(set(seen))
    assert len(seen) == 7


async def test_short_pages_do_not_end_paging(act_as: ActAs, sandbox: ServiceNowSandbox) -> None:
    """When the limit applies before ACLs, short pages still say more follow."""
    sandbox.limit_before_acl = True
    hidden = sandbox.get_incident("INC0010011")
    assert hidden is not None
    hidden["assigned_to"] = BOW  # matches Bow's query, but his ACL hides it
    bow = await act_as("bow.ruggeri")
    page = await bow.incidents.list_mine(BOW, open_only=False, limit=3)
    assert [i.number for i in page.incidents] == ["INC0010015", "INC0010010"]
    assert page.has_more
    assert page.next_offset == 3


@pytest.mark.parametrize(
    "number",
    [
        "INC0010011^NQactive=true",
        "INC0010001^ORcaller_idISNOTEMPTY",
        "javascript:gs.getUserID()",
        "INC00100\n01",
        "INC0010001^",
    ],
)
async def test_hostile_numbers_never_reach_the_instance(
    act_as: ActAs, sandbox: ServiceNowSandbox, number: str
) -> None:
    """A number carrying query syntax is refused before any query is sent."""
    abel = await act_as("abel.tuter")
    with pytest.raises(InvalidIncidentNumberError):
        await abel.incidents.get_incident(number)
    assert sandbox.queries == []


@pytest.mark.parametrize("sys_id", [f"{ABEL}^NQactive=true", f"{ABEL}^OR", "javascript:gs.x()"])
async def test_hostile_sys_ids_never_reach_the_instance(
    act_as: ActAs, sandbox: ServiceNowSandbox, sys_id: str
) -> None:
    """A sys_id carrying query syntax is refused before any query is sent."""
    abel = await act_as("abel.tuter")
    with pytest.raises(UnsafeQueryValueError):
        await abel.incidents.list_mine(sys_id)
    assert sandbox.queries == []


async def test_reads_always_send_limit_fields_and_display_values(
    act_as: ActAs, sandbox: ServiceNowSandbox
) -> None:
    """Every Table API read carries limit, fields, display_value=all and no reference links."""
    abel = await act_as("abel.tuter")
    await abel.incidents.get_incident("INC0010001")
    await abel.incidents.list_mine(ABEL)
    await abel.incidents.current_user()
    reads = [r for r in sandbox.requests if r.method == "GET" and "/table/" in r.path]
    assert len(reads) == 3
    for request in reads:
        assert request.path.startswith("/api/now/v2/table/")
        assert request.query["sysparm_limit"]
        assert request.query["sysparm_fields"]
        assert request.query["sysparm_display_value"] == ["all"]
        assert request.query["sysparm_exclude_reference_link"] == ["true"]
        assert request.headers["accept"] == "application/json"


_HOSTILE_PARTS = [
    "^", "^OR", "^NQ", "NQ", "javascript:", "JavaScript:", "gs.getUserID()", "active=true",
    "caller_idISNOTEMPTY", "\n", "\r", "\x00", "INC0010001", "0010011", " ", "ORDERBY", ",",
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.one_of(
        st.lists(st.sampled_from(_HOSTILE_PARTS), min_size=1, max_size=8).map("".join),
        st.text(max_size=30),
    )
)
async def test_user_text_never_reaches_a_query(
    act_as: ActAs, sandbox: ServiceNowSandbox, text: str
) -> None:
    """Whatever the user types as a number, sys_id or comment, no query carries its syntax."""
    abel = await act_as("abel.tuter")
    for call in (
        abel.incidents.get_incident(text),
        abel.incidents.list_mine(text),
        abel.incidents.add_comment("INC0010002", text or "x"),
    ):
        with contextlib.suppress(BotError):
            await call
    for query in sandbox.queries:
        assert "^NQ" not in query
        assert "javascript:" not in query.replace(CURRENT_USER_QUERY, "")
        assert "ISNOTEMPTY" not in query
        assert set(re.findall(r"\^OR(?!DERBY)([a-z_]+)=", query)) <= {"opened_by", "assigned_to"}
