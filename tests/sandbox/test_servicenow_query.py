"""Encoded queries against the sandbox behave like ServiceNow's, widening included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.conftest import Serve

INCIDENTS = "/api/now/v2/table/incident"
ABEL = "a8f98bb0eb32010045e1a5115206fe3a"
CAROL = "c3a1d2e30b0c0d1e00f1a2b3c4d5e6f7"
BETH = "46d44a23a9fe19810012d100cca80666"


@pytest.fixture
def sb() -> ServiceNowSandbox:
    """A seeded sandbox with one client."""
    sandbox = ServiceNowSandbox(rng_seed=3)
    sandbox.register_client(client_id="bot", client_secret="s", redirect_uris=["http://cb"])
    return sandbox


@pytest.fixture
async def base_url(sb: ServiceNowSandbox, serve: Serve) -> AsyncIterator[str]:
    """The sandbox served on loopback."""
    async with serve(sb.app) as url:
        yield url


@pytest.fixture
async def beth(sb: ServiceNowSandbox, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client holding the itil technician's token (sees every incident)."""
    token = sb.issue_tokens(user_name="beth.anglin", client_id="bot").access_token
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        yield client


async def _numbers(client: httpx.AsyncClient, query: str, **params: str) -> list[str]:
    answer = await client.get(
        INCIDENTS, params={"sysparm_query": query, "sysparm_fields": "number", **params}
    )
    assert answer.status_code == 200
    return [row["number"][-2:] for row in answer.json()["result"]]


OPERATOR_CASES: dict[str, tuple[str, set[str]]] = {
    "equals": ("state=1", {"02", "05", "08", "11", "15"}),
    "not equals": ("state!=1^active=true", {"01", "03", "04", "07", "10", "12", "13", "14"}),
    "and": (f"caller_id={CAROL}^state=1", {"11"}),
    "or": ("state=3^ORstate=8", {"03", "09", "12"}),
    "or binds to its neighbour": (f"caller_id={CAROL}^state=1^ORstate=6", {"11", "13"}),
    "new query": (f"caller_id={CAROL}^NQcaller_id={BETH}", {"11", "12", "13", "14"}),
    "like ignores case": ("short_descriptionLIKEPRINTER", {"02", "14"}),
    "startswith": ("short_descriptionSTARTSWITHteams", {"08"}),
    "endswith": ("short_descriptionENDSWITHflickers", {"15"}),
    "in": ("stateIN6,7", {"04", "06", "13"}),
    "not in": ("stateNOT IN1,2,3,6", {"06", "09"}),
    "is empty": ("assigned_toISEMPTY^active=true", {"02", "05", "08", "11", "15"}),
    "dot-walk": ("caller_id.email=carol.coughlin@example.com", {"11", "12", "13"}),
    "less than": ("priority<2", {"11"}),
}


@pytest.mark.parametrize("case", sorted(OPERATOR_CASES))
async def test_operators_select_the_expected_incidents(
    beth: httpx.AsyncClient, case: str
) -> None:
    """Each operator and joiner the bot uses selects what ServiceNow would."""
    query, expected = OPERATOR_CASES[case]
    assert set(await _numbers(beth, query)) == expected


async def test_orderby_and_orderbydesc_sort_and_chain(beth: httpx.AsyncClient) -> None:
    """ORDERBYDESC sorts down, and a second ORDERBY breaks ties."""
    assert await _numbers(beth, f"caller_id={CAROL}^ORDERBYDESCnumber") == ["13", "12", "11"]
    assert await _numbers(beth, "stateIN1,6^ORDERBYDESCstate^ORDERBYnumber") == [
        "04", "13", "02", "05", "08", "11", "15"
    ]


async def test_paging_reports_total_and_links(beth: httpx.AsyncClient) -> None:
    """A middle page carries X-Total-Count and first/prev/next/last links by offset."""
    answer = await beth.get(
        INCIDENTS,
        params={
            "sysparm_query": "ORDERBYnumber",
            "sysparm_fields": "number",
            "sysparm_limit": "4",
            "sysparm_offset": "4",
        },
    )
    assert [r["number"] for r in answer.json()["result"]] == [
        "INC0010005", "INC0010006", "INC0010007", "INC0010008"
    ]
    assert answer.headers["X-Total-Count"] == "15"
    links = {
        link.split(";")[1].strip(): httpx.URL(link.split(";")[0].strip("<> "))
        for link in answer.headers["Link"].split(",")
    }
    assert links['rel="next"'].params["sysparm_offset"] == "8"
    assert links['rel="prev"'].params["sysparm_offset"] == "0"
    assert links['rel="first"'].params["sysparm_offset"] == "0"
    assert links['rel="last"'].params["sysparm_offset"] == "12"
    assert links['rel="next"'].params["sysparm_query"] == "ORDERBYnumber"


async def test_last_page_has_no_next_link(beth: httpx.AsyncClient) -> None:
    """The final page links back but not forward."""
    answer = await beth.get(
        INCIDENTS, params={"sysparm_query": "ORDERBYnumber", "sysparm_limit": "4",
                           "sysparm_offset": "12"}
    )
    assert len(answer.json()["result"]) == 3
    assert 'rel="next"' not in answer.headers["Link"]
    assert 'rel="prev"' in answer.headers["Link"]


async def test_get_user_id_script_resolves_to_the_caller(
    sb: ServiceNowSandbox, base_url: str
) -> None:
    """javascript:gs.getUserID() stands for the token's own user."""
    token = sb.issue_tokens(user_name="carol.coughlin", client_id="bot").access_token
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}
    ) as carol:
        me = await carol.get(
            "/api/now/v2/table/sys_user",
            params={"sysparm_query": "sys_id=javascript:gs.getUserID()", "sysparm_limit": "1"},
        )
        assert me.json()["result"][0]["email"] == "carol.coughlin@example.com"
        assert set(await _numbers(carol, "caller_id=javascript:gs.getUserID()")) == {
            "11", "12", "13"
        }


async def test_injected_nq_widens_the_result(beth: httpx.AsyncClient) -> None:
    """An ^NQ smuggled into a value ORs in every active incident: the bot must never send one."""
    own = set(await _numbers(beth, f"caller_id={ABEL}^active=true"))
    assert own == {"01", "02", "03", "04", "05"}
    widened = set(await _numbers(beth, f"caller_id={ABEL}^short_descriptionLIKEx^NQactive=true"))
    assert widened - own  # other people's incidents now come back
    assert "07" in widened


async def test_unknown_field_is_dropped_and_widens(beth: httpx.AsyncClient) -> None:
    """A clause on a misspelt field is silently dropped; the rest still runs."""
    assert set(await _numbers(beth, f"caller_id={CAROL}^stat=1")) == {"11", "12", "13"}


async def test_unknown_operator_is_dropped_and_widens(beth: httpx.AsyncClient) -> None:
    """A clause with an operator ServiceNow does not know matches everything."""
    assert len(await _numbers(beth, "short_descriptionCONTAINSprinter")) == 15


async def test_other_scripts_are_dropped(beth: httpx.AsyncClient) -> None:
    """A javascript: value other than the allowed identity calls is dropped, widening."""
    assert len(await _numbers(beth, "caller_id=javascript:gs.getSession().getUser()")) == 15


async def test_guarded_instance_drops_even_get_user_id(
    sb: ServiceNowSandbox, beth: httpx.AsyncClient
) -> None:
    """With scripts refused, the identity query widens to every user."""
    sb.allow_query_scripts = False
    answer = await beth.get(
        "/api/now/v2/table/sys_user", params={"sysparm_query": "sys_id=javascript:gs.getUserID()"}
    )
    assert len(answer.json()["result"]) == len(sb.users)


async def test_plain_field_parameters_filter(beth: httpx.AsyncClient) -> None:
    """name=value parameters filter like an encoded query when no sysparm_query is sent."""
    answer = await beth.get(INCIDENTS, params={"caller_id": CAROL, "state": "1"})
    assert [r["number"] for r in answer.json()["result"]] == ["INC0010011"]


async def test_every_raw_query_is_recorded(
    sb: ServiceNowSandbox, beth: httpx.AsyncClient
) -> None:
    """The sandbox keeps each sysparm_query exactly as received, in order."""
    await _numbers(beth, "state=1^ORDERBYnumber")
    await _numbers(beth, "bogus^NQactive=true")
    assert sb.queries == ["state=1^ORDERBYnumber", "bogus^NQactive=true"]
