"""The sandbox's Table API: visibility, writes, journals, versions, envelopes, custom tables."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest

from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.conftest import Serve

INCIDENTS = "/api/now/v2/table/incident"
ABEL = "a8f98bb0eb32010045e1a5115206fe3a"
BETH = "46d44a23a9fe19810012d100cca80666"
NOW = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC

Login = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def sb() -> ServiceNowSandbox:
    """A seeded sandbox with a fixed clock and one client."""
    sandbox = ServiceNowSandbox(clock=lambda: NOW, rng_seed=5)
    sandbox.register_client(client_id="bot", client_secret="s", redirect_uris=["http://cb"])
    return sandbox


@pytest.fixture
async def login(sb: ServiceNowSandbox, serve: Serve) -> AsyncIterator[Login]:
    """Open HTTP clients that carry a given seeded user's access token."""
    async with serve(sb.app) as url:

        def client_for(user_name: str) -> httpx.AsyncClient:
            token = sb.issue_tokens(user_name=user_name, client_id="bot").access_token
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            return httpx.AsyncClient(base_url=url, headers=headers)

        yield client_for


def _sys_id(sb: ServiceNowSandbox, number: str) -> str:
    record = sb.get_incident(number)
    assert record is not None
    return record["sys_id"]


async def _list(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    answer = await client.get(INCIDENTS, params={"sysparm_fields": "number", **params})
    assert answer.status_code == 200
    rows: list[dict[str, Any]] = answer.json()["result"]
    return rows


async def test_ess_user_sees_only_incidents_raised_by_or_for_them(login: Login) -> None:
    """Abel sees the six he is caller of and the one he opened for Bow."""
    async with login("abel.tuter") as abel:
        numbers = {r["number"][-2:] for r in await _list(abel)}
    assert numbers == {"01", "02", "03", "04", "05", "06", "15"}


async def test_itil_user_sees_every_incident(login: Login) -> None:
    """A technician with itil sees all fifteen seeded incidents."""
    async with login("beth.anglin") as beth:
        assert len(await _list(beth)) == 15


async def test_ess_user_gets_404_for_someone_elses_incident(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """Reading another caller's incident by sys_id answers 404 in the error envelope."""
    async with login("abel.tuter") as abel:
        answer = await abel.get(f"{INCIDENTS}/{_sys_id(sb, 'INC0010011')}")
    assert answer.status_code == 404
    assert answer.json() == {
        "error": {
            "message": "No Record found",
            "detail": "Record doesn't exist or ACL restricts the record retrieval",
        },
        "status": "failure",
    }


async def test_field_write_acl_answers_200_and_changes_nothing(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """An ESS user resolving their own incident gets 200 while state stays as it was."""
    async with login("abel.tuter") as abel:
        answer = await abel.patch(
            f"{INCIDENTS}/{_sys_id(sb, 'INC0010001')}",
            json={"state": "6", "close_code": "Solved (Permanently)", "close_notes": "Fixed"},
        )
    assert answer.status_code == 200
    assert answer.json()["result"]["state"] == "2"
    incident = sb.get_incident("INC0010001")
    assert incident is not None
    assert (incident["state"], incident["close_notes"]) == ("2", "")


async def test_field_write_acl_is_configurable(login: Login, sb: ServiceNowSandbox) -> None:
    """With the incident field ACLs opened, the same ESS resolve takes effect."""
    sb.ess_readonly_fields["incident"] = set()
    async with login("abel.tuter") as abel:
        await abel.patch(f"{INCIDENTS}/{_sys_id(sb, 'INC0010001')}", json={"state": "6"})
    incident = sb.get_incident("INC0010001")
    assert incident is not None
    assert incident["state"] == "6"
    assert incident["resolved_by"] == ABEL


async def test_itil_user_can_resolve(login: Login, sb: ServiceNowSandbox) -> None:
    """A technician's resolve changes state and stamps the resolution."""
    async with login("beth.anglin") as beth:
        answer = await beth.patch(
            f"{INCIDENTS}/{_sys_id(sb, 'INC0010001')}",
            json={"state": "6", "close_code": "Solved (Permanently)", "close_notes": "Fixed"},
        )
    result = answer.json()["result"]
    assert (result["state"], result["close_notes"]) == ("6", "Fixed")
    assert result["resolved_at"] == "2026-05-28 20:26:40"


async def test_comment_appends_a_journal_entry(login: Login, sb: ServiceNowSandbox) -> None:
    """PATCH comments adds an entry shown newest first, stamped in the reader's time zone."""
    sys_id = _sys_id(sb, "INC0010001")
    async with login("abel.tuter") as abel:
        await abel.patch(f"{INCIDENTS}/{sys_id}", json={"comments": "Any news?"})
        answer = await abel.get(
            f"{INCIDENTS}/{sys_id}",
            params={"sysparm_fields": "comments", "sysparm_display_value": "true"},
        )
    text = answer.json()["result"]["comments"]
    # 20:26:40 UTC is 21:26:40 in Abel's Europe/London profile time zone.
    assert text.startswith("2026-05-28 21:26:40 - Abel Tuter (Additional comments)\nAny news?\n\n")
    assert "Beth Anglin (Additional comments)\nThanks Abel" in text
    assert sb.comments_for("INC0010001")[0]["value"] == "Any news?"


async def test_comments_read_raw_are_empty(login: Login, sb: ServiceNowSandbox) -> None:
    """Without display values a journal field reads as an empty string."""
    async with login("abel.tuter") as abel:
        answer = await abel.get(
            f"{INCIDENTS}/{_sys_id(sb, 'INC0010001')}", params={"sysparm_fields": "comments"}
        )
    assert answer.json()["result"] == {"comments": ""}


async def test_latest_comment_reads_from_sys_journal_field(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """sys_journal_field gives the newest comment first for a record."""
    sys_id = _sys_id(sb, "INC0010001")
    async with login("abel.tuter") as abel:
        answer = await abel.get(
            "/api/now/v2/table/sys_journal_field",
            params={
                "sysparm_query": f"element_id={sys_id}^element=comments^ORDERBYDESCsys_created_on",
                "sysparm_fields": "value,sys_created_by",
                "sysparm_limit": "1",
            },
        )
    assert answer.json()["result"] == [
        {"value": "Thanks Abel, I am checking the VPN concentrator logs.",
         "sys_created_by": "beth.anglin"}
    ]


async def test_ess_user_does_not_see_work_notes(login: Login, sb: ServiceNowSandbox) -> None:
    """A work note by the technician is hidden from the caller's combined journal."""
    sys_id = _sys_id(sb, "INC0010001")
    async with login("beth.anglin") as beth:
        await beth.patch(f"{INCIDENTS}/{sys_id}", json={"work_notes": "internal only"})
    async with login("abel.tuter") as abel:
        answer = await abel.get(
            f"{INCIDENTS}/{sys_id}",
            params={"sysparm_fields": "comments_and_work_notes,work_notes",
                    "sysparm_display_value": "true"},
        )
    result = answer.json()["result"]
    assert "work_notes" not in result
    assert "internal only" not in result["comments_and_work_notes"]


async def test_v1_answers_404_on_an_empty_result(login: Login) -> None:
    """v1 treats no matching rows as not found."""
    async with login("beth.anglin") as beth:
        answer = await beth.get("/api/now/v1/table/incident", params={"sysparm_query": "state=99"})
    assert answer.status_code == 404
    assert answer.json()["status"] == "failure"


async def test_v2_answers_200_with_an_empty_list(login: Login) -> None:
    """v2 (and the unversioned path) return an empty result list."""
    async with login("beth.anglin") as beth:
        v2 = await beth.get(INCIDENTS, params={"sysparm_query": "state=99"})
        latest = await beth.get("/api/now/table/incident", params={"sysparm_query": "state=99"})
    assert (v2.status_code, v2.json()) == (200, {"result": []})
    assert (latest.status_code, latest.json()) == (200, {"result": []})


async def test_missing_token_answers_401_envelope(login: Login) -> None:
    """A call without a bearer token is refused in the error envelope."""
    async with login("beth.anglin") as beth:
        answer = await beth.get(INCIDENTS, headers={"Authorization": ""})
    assert answer.status_code == 401
    assert answer.json() == {
        "error": {"message": "User Not Authenticated",
                  "detail": "Required to provide Auth information"},
        "status": "failure",
    }


async def test_unknown_table_answers_400_invalid_table(login: Login) -> None:
    """A table that does not exist is a 400 Invalid table in the error envelope."""
    async with login("beth.anglin") as beth:
        answer = await beth.get("/api/now/v2/table/u_snowbot_feedback")
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {"message": "Invalid table u_snowbot_feedback", "detail": None},
        "status": "failure",
    }


async def test_create_numbers_and_stamps_the_incident(login: Login) -> None:
    """POST answers 201 with a new sys_id, the next INC number, opened_at and the caller."""
    async with login("abel.tuter") as abel:
        first = await abel.post(
            INCIDENTS,
            json={"short_description": "Mouse broken", "urgency": "2", "impact": "2",
                  "correlation_id": "snowbot-key-1"},
        )
        second = await abel.post(INCIDENTS, json={"short_description": "Second"})
    assert first.status_code == 201
    created = first.json()["result"]
    assert re.fullmatch(r"[0-9a-f]{32}", created["sys_id"])
    assert first.headers["Location"].endswith(f"/api/now/table/incident/{created['sys_id']}")
    assert created["number"] == "INC0010016"
    assert second.json()["result"]["number"] == "INC0010017"
    assert created["opened_at"] == "2026-05-28 20:26:40"
    assert created["caller_id"]["value"] == ABEL
    assert (created["state"], created["priority"]) == ("1", "3")
    assert created["correlation_id"] == "snowbot-key-1"


async def test_correlation_id_finds_a_created_incident(login: Login) -> None:
    """An incident is found again by the correlation_id it was created with."""
    async with login("abel.tuter") as abel:
        await abel.post(INCIDENTS, json={"short_description": "x", "correlation_id": "k-42"})
        rows = await _list(abel, sysparm_query="correlation_id=k-42")
    assert [r["number"] for r in rows] == ["INC0010016"]


async def test_create_with_comment_writes_the_journal(login: Login, sb: ServiceNowSandbox) -> None:
    """A comment sent with the create becomes the incident's first journal entry."""
    async with login("abel.tuter") as abel:
        await abel.post(INCIDENTS, json={"short_description": "x", "comments": "first words"})
    assert [c["value"] for c in sb.comments_for("INC0010016")] == ["first words"]


async def test_reference_shapes_follow_display_value(login: Login, sb: ServiceNowSandbox) -> None:
    """References are link+value raw, names with display values, both with all."""
    sys_id = _sys_id(sb, "INC0010001")
    async with login("abel.tuter") as abel:

        async def assigned(**params: str) -> Any:
            answer = await abel.get(
                f"{INCIDENTS}/{sys_id}", params={"sysparm_fields": "assigned_to", **params}
            )
            return answer.json()["result"]["assigned_to"]

        raw = await assigned()
        bare = await assigned(sysparm_exclude_reference_link="true")
        shown = await assigned(sysparm_display_value="true", sysparm_exclude_reference_link="true")
        both = await assigned(sysparm_display_value="all", sysparm_exclude_reference_link="true")
    assert raw["value"] == BETH
    assert raw["link"].endswith(f"/api/now/table/sys_user/{BETH}")
    assert bare == BETH
    assert shown == "Beth Anglin"
    assert both == {"display_value": "Beth Anglin", "value": BETH}


async def test_display_all_gives_codes_and_labels(login: Login, sb: ServiceNowSandbox) -> None:
    """With display_value=all a choice field carries its code and its label."""
    async with login("abel.tuter") as abel:
        answer = await abel.get(
            f"{INCIDENTS}/{_sys_id(sb, 'INC0010001')}",
            params={"sysparm_fields": "state,priority,bogus", "sysparm_display_value": "all"},
        )
    assert answer.json()["result"] == {
        "state": {"display_value": "In Progress", "value": "2"},
        "priority": {"display_value": "3 - Moderate", "value": "3"},
    }


async def test_custom_table_can_be_created_and_written(login: Login, sb: ServiceNowSandbox) -> None:
    """A feedback table created at run time accepts an ESS user's row."""
    sb.create_table("u_snowbot_feedback", ["u_rating", "u_comment", "u_slack_user"])
    async with login("abel.tuter") as abel:
        answer = await abel.post(
            "/api/now/v2/table/u_snowbot_feedback", json={"u_rating": 5, "u_comment": "great"}
        )
    assert answer.status_code == 201
    assert sb.rows("u_snowbot_feedback")[0]["u_rating"] == "5"


async def test_custom_table_create_acl_refuses_ess(login: Login, sb: ServiceNowSandbox) -> None:
    """Without a create ACL for ordinary users the insert is a 403."""
    sb.create_table("u_snowbot_feedback", ["u_rating"], ess_can_create=False)
    async with login("abel.tuter") as abel:
        answer = await abel.post("/api/now/v2/table/u_snowbot_feedback", json={"u_rating": "5"})
    assert answer.status_code == 403
    assert answer.json()["error"]["detail"].startswith("ACL Exception Insert Failed")


async def test_dropped_table_answers_invalid_table(login: Login, sb: ServiceNowSandbox) -> None:
    """Once dropped, a custom table is an invalid table again."""
    sb.create_table("u_snowbot_feedback", ["u_rating"])
    sb.drop_table("u_snowbot_feedback")
    async with login("beth.anglin") as beth:
        answer = await beth.post("/api/now/v2/table/u_snowbot_feedback", json={"u_rating": "5"})
    assert answer.status_code == 400


async def test_hardened_instance_requires_the_rest_role(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """With REST API ACLs on, a role-less user is refused and holders of the role pass."""
    sb.hardened = True
    async with login("abel.tuter") as abel, login("carol.coughlin") as carol:
        refused = await abel.get(INCIDENTS)
        allowed = await carol.get(INCIDENTS)
    assert refused.status_code == 403
    assert "snc_platform_rest_api_access" in refused.json()["error"]["detail"]
    assert allowed.status_code == 200


async def test_limit_before_acl_gives_short_pages(login: Login, sb: ServiceNowSandbox) -> None:
    """When the limit is applied before ACLs, an ESS page can be short though more exist."""
    sb.limit_before_acl = True
    async with login("bow.ruggeri") as bow:
        answer = await bow.get(
            INCIDENTS, params={"sysparm_query": "ORDERBYnumber", "sysparm_limit": "5",
                               "sysparm_fields": "number"}
        )
    assert answer.json()["result"] == []
    assert 'rel="next"' in answer.headers["Link"]


async def test_delete_is_for_fulfillers_only(login: Login, sb: ServiceNowSandbox) -> None:
    """An ESS delete is refused with 403; an admin's answers 204 and removes the row."""
    sys_id = _sys_id(sb, "INC0010002")
    async with login("abel.tuter") as abel, login("admin") as admin:
        refused = await abel.delete(f"{INCIDENTS}/{sys_id}")
        deleted = await admin.delete(f"{INCIDENTS}/{sys_id}")
    assert refused.status_code == 403
    assert deleted.status_code == 204
    assert sb.get_incident("INC0010002") is None


async def test_date_display_values_follow_the_callers_time_zone(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """A date-time's value stays UTC while its display value is in the caller's zone."""
    sys_id = _sys_id(sb, "INC0010001")
    async with login("abel.tuter") as abel, login("beth.anglin") as beth:
        params = {"sysparm_fields": "opened_at", "sysparm_display_value": "all"}
        mine = (await abel.get(f"{INCIDENTS}/{sys_id}", params=params)).json()["result"]
        hers = (await beth.get(f"{INCIDENTS}/{sys_id}", params=params)).json()["result"]
    assert mine["opened_at"]["value"] == "2026-05-01 09:01:00"
    assert mine["opened_at"]["display_value"] == "2026-05-01 10:01:00"
    assert hers["opened_at"]["display_value"] == "2026-05-01 09:01:00"


async def test_data_policy_can_demand_resolution_fields(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """With the data policy on, a resolve without code and notes is refused and changes nothing."""
    sb.resolve_requires_close_fields = True
    async with login("beth.anglin") as beth:
        answer = await beth.patch(f"{INCIDENTS}/{_sys_id(sb, 'INC0010001')}", json={"state": "6"})
    assert answer.status_code == 403
    assert "Data Policy Exception" in answer.json()["error"]["detail"]
    incident = sb.get_incident("INC0010001")
    assert incident is not None
    assert incident["state"] == "2"


async def test_current_user_names_the_token_owner(login: Login) -> None:
    """The UI current-user API returns the caller's sys_id and name."""
    async with login("bow.ruggeri") as bow:
        answer = await bow.get("/api/now/ui/user/current_user")
    result = answer.json()["result"]
    assert result["user_sys_id"] == "b7e7c9d10a0a0b3c00e4f5a6b7c8d9e0"
    assert result["user_name"] == "bow.ruggeri"


async def test_current_user_api_can_be_switched_off(login: Login, sb: ServiceNowSandbox) -> None:
    """With the UI API off, current_user answers like a path no API serves."""
    sb.current_user_api = False
    async with login("bow.ruggeri") as bow:
        answer = await bow.get("/api/now/ui/user/current_user")
    assert answer.status_code == 400


async def test_unknown_api_path_answers_400_envelope(login: Login) -> None:
    """A path no API serves is a 400 "Requested URI does not represent any resource"."""
    async with login("beth.anglin") as beth:
        answer = await beth.get("/api/now/v2/nothing/here")
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Requested URI does not represent any resource"


# --- reopening: who may, and what is final ------------------------------------------


def _state_of(sb: ServiceNowSandbox, number: str) -> str:
    record = sb.get_incident(number)
    assert record is not None
    return record["state"]


async def _set_state(client: httpx.AsyncClient, sys_id: str, state: str) -> httpx.Response:
    return await client.patch(f"{INCIDENTS}/{sys_id}", json={"state": state})


async def test_caller_may_reopen_their_resolved_incident(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """An ESS caller sets their resolved incident back to In Progress; it is counted."""
    async with login("abel.tuter") as abel:
        answer = await _set_state(abel, _sys_id(sb, "INC0010004"), "2")
    assert answer.status_code == 200
    record = sb.get_incident("INC0010004")
    assert record is not None
    assert (record["state"], record["resolved_at"], record["reopen_count"]) == ("2", "", "1")


async def test_ess_user_who_is_not_the_caller_cannot_reopen(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """Abel opened INC0010015 for Bow: his reopen answers 200 and changes nothing."""
    sys_id = _sys_id(sb, "INC0010015")
    sb.store.update("incident", sys_id, {"state": "6"}, user=sb.user_by_name("beth.anglin"))
    async with login("abel.tuter") as abel:
        answer = await _set_state(abel, sys_id, "2")
    assert answer.status_code == 200
    assert _state_of(sb, "INC0010015") == "6"


async def test_caller_cannot_change_the_state_of_an_open_incident(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """The caller's state change is allowed only from Resolved; otherwise it is ignored."""
    async with login("abel.tuter") as abel:
        await _set_state(abel, _sys_id(sb, "INC0010002"), "3")
    assert _state_of(sb, "INC0010002") == "1"


async def test_agent_may_reopen_any_resolved_incident(
    login: Login, sb: ServiceNowSandbox
) -> None:
    """Beth (itil) reopens Carol's resolved incident."""
    async with login("beth.anglin") as beth:
        answer = await _set_state(beth, _sys_id(sb, "INC0010013"), "2")
    assert answer.status_code == 200
    assert _state_of(sb, "INC0010013") == "2"


@pytest.mark.parametrize("number", ["INC0010006", "INC0010009"])
async def test_closed_and_canceled_are_final_even_for_agents(
    login: Login, sb: ServiceNowSandbox, number: str
) -> None:
    """Changing the state of a closed or canceled incident is refused with a 403."""
    before = sb.get_incident(number)
    assert before is not None
    async with login("beth.anglin") as beth:
        answer = await _set_state(beth, before["sys_id"], "2")
    assert answer.status_code == 403
    assert _state_of(sb, number) == before["state"]
