"""One conversation per intent label, end to end: signed DMs and `/snow` commands through
the real app, checked against what the sandbox ServiceNow received and what Slack showed.

(Create, comment and close have their own scenario files, and so do the setup guide's
and troubleshooting's deeper paths; here each label gets its DM conversation.)
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass

import pytest

from bot.models import SlackUser
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.servicenow.gateway import RecordedRequest
from snowbot_sandbox.slack import find_button, render_blocks, render_view

ABEL = "U0ABEL"
ABEL_USER = SlackUser(enterprise_id=None, team_id="T0SANDBOX", user_id=ABEL)
TABLE = "u_snowbot_feedback"


@dataclass
class Answer:
    """What one message of a user led to: the bot's reply and the ServiceNow calls."""

    shown: str
    blocks: list[dict[str, object]]
    servicenow: list[RecordedRequest]


async def _dm(bot: BotHarness, text: str, *, user_id: str = ABEL) -> Answer:
    await bot.container.work.settle()
    calls, requests = len(bot.slack.calls), len(bot.servicenow.requests)
    channel = "D" + user_id.removeprefix("U")
    await bot.driver.dm(text, user_id=user_id)
    call = await bot.slack.wait_for_call(
        "chat.postMessage", where=lambda c: c.args.get("channel") == channel, after=calls
    )
    await bot.container.work.settle()
    blocks = list(call.args.get("blocks") or [])
    return Answer(
        shown=render_blocks(blocks, text=call.args.get("text")),
        blocks=blocks,
        servicenow=bot.servicenow.requests[requests:],
    )


async def _responded(bot: BotHarness, step: Awaitable[object]) -> Answer:
    """Run ``step`` (a command or a button press); the reply through its response_url."""
    await bot.container.work.settle()
    posts, requests = len(bot.slack.responses), len(bot.servicenow.requests)
    await step
    post = await bot.slack.wait_for_response(after=posts)
    await bot.container.work.settle()
    return Answer(
        shown=render_blocks(post.blocks, text=post.text),
        blocks=list(post.blocks),
        servicenow=bot.servicenow.requests[requests:],
    )


async def _snow(bot: BotHarness, text: str, *, user_id: str = ABEL) -> Answer:
    return await _responded(bot, bot.driver.slash_command("/snow", text, user_id=user_id))


async def _press(bot: BotHarness, label: str, *, user_id: str = ABEL) -> Answer:
    return await _responded(bot, bot.driver.press(label, user_id=user_id))


def _incident(bot: BotHarness, number: str) -> dict[str, str]:
    row = bot.servicenow.get_incident(number)
    assert row is not None
    return row


def _table_api(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    return [r for r in requests if "/api/now/" in r.path]


# --- incident.lookup ----------------------------------------------------------------


async def test_lookup_in_a_dm_shows_the_users_incident(bot: BotHarness) -> None:
    """incident.lookup: "status of INC0010001" shows Abel the card of his incident."""
    await bot.connect("abel.tuter")
    answer = await _dm(bot, "status of INC0010001")
    assert "INC0010001" in answer.shown
    assert _incident(bot, "INC0010001")["short_description"] in answer.shown
    assert all(r.user_name == "abel.tuter" for r in _table_api(answer.servicenow))


async def test_lookup_with_snow_shows_the_card(bot: BotHarness) -> None:
    """incident.lookup: `/snow INC0010001` answers with the card, ephemerally."""
    await bot.connect("abel.tuter")
    answer = await _snow(bot, "INC0010001")
    assert "INC0010001" in answer.shown
    assert find_button(answer.blocks, "Open in ServiceNow") is not None


async def test_lookup_of_someone_elses_incident_is_not_found(bot: BotHarness) -> None:
    """incident.lookup: Bow's incident is "not found or not yours" for Abel, with no details."""
    await bot.connect("abel.tuter")
    secret = _incident(bot, "INC0010007")["short_description"]
    answer = await _dm(bot, "status of INC0010007")
    assert "couldn't find that in ServiceNow" in answer.shown
    assert secret not in answer.shown
    assert "INC0010007" in " ".join(bot.servicenow.queries)


@pytest.mark.parametrize(
    ("text", "guess"), [("status of ticket 10001", "INC0010001"), ("inc 4521", "INC0004521")]
)
async def test_partial_number_asks_did_you_mean_without_calling_servicenow(
    bot: BotHarness, text: str, guess: str
) -> None:
    """incident.lookup: a partial number asks "Did you mean INC00…?" and calls nothing."""
    await bot.connect("abel.tuter")
    answer = await _dm(bot, text)
    assert f"Did you mean *{guess}*?" in answer.shown
    assert answer.servicenow == []


# --- incident.list_mine -------------------------------------------------------------


async def test_list_mine_in_a_dm_lists_only_open_incidents_of_the_user(bot: BotHarness) -> None:
    """incident.list_mine: "show me my open tickets" lists Abel's open incidents only."""
    await bot.connect("abel.tuter")
    answer = await _dm(bot, "show me my open tickets")
    abel = bot.servicenow.user_by_name("abel.tuter").sys_id
    rows = bot.servicenow.rows("incident")
    mine = {
        r["number"]
        for r in rows
        if r["active"] == "true" and r["state"] != "6" and abel in (r["caller_id"], r["opened_by"])
    }
    assert mine
    assert all(number in answer.shown for number in mine)
    assert not any(r["number"] in answer.shown for r in rows if r["number"] not in mine)


async def test_snow_mine_lists_the_users_incidents(bot: BotHarness) -> None:
    """incident.list_mine: `/snow mine` answers with the same list."""
    await bot.connect("abel.tuter")
    answer = await _snow(bot, "mine")
    assert "INC0010001" in answer.shown
    assert "INC0010007" not in answer.shown


# --- feedback.give ------------------------------------------------------------------


async def test_feedback_in_a_dm_is_recorded_in_servicenow(bot: BotHarness) -> None:
    """feedback.give: "rate the service 5 stars" writes a feedback row as the user."""
    bot.servicenow.create_table(
        TABLE, ["u_rating", "u_comment", "u_incident", "u_slack_user", "u_source"]
    )
    await bot.connect("abel.tuter")
    answer = await _dm(bot, "rate the service 5 stars")
    assert "Thank you for your feedback" in answer.shown
    inserts = [r for r in answer.servicenow if r.method == "POST" and TABLE in r.path]
    assert [r.user_name for r in inserts] == ["abel.tuter"]
    assert bot.servicenow.rows(TABLE)[0]["u_rating"] == "5"


async def test_snow_feedback_opens_the_modal(bot: BotHarness) -> None:
    """feedback.give: `/snow feedback` opens the rating modal."""
    await bot.driver.slash_command("/snow", "feedback", user_id=ABEL)
    call = await bot.slack.wait_for_call("views.open")
    assert "Your rating" in render_view(call.args["view"])


# --- connect / disconnect -----------------------------------------------------------


async def test_connect_in_a_dm_offers_a_personal_link(bot: BotHarness) -> None:
    """connect: "connect my servicenow account" answers with a Connect button to the start route."""
    answer = await _dm(bot, "connect my servicenow account")
    button = find_button(answer.blocks, "Connect ServiceNow")
    assert button is not None
    assert button.url is not None
    assert button.url.startswith(f"{bot.bot_url}/servicenow/oauth/start?s=")
    assert _table_api(answer.servicenow) == []


async def test_disconnect_revokes_and_the_next_request_offers_connect(bot: BotHarness) -> None:
    """disconnect: "log me out of servicenow", confirmed, revokes; `/snow mine` then offers
    Connect."""
    await bot.connect("abel.tuter")
    asked = await _dm(bot, "log me out of servicenow")
    assert "Shall I unlink your ServiceNow account" in asked.shown
    assert [r for r in asked.servicenow if r.path == "/oauth_revoke_token.do"] == []
    answer = await _press(bot, "Disconnect")
    revokes = [r for r in answer.servicenow if r.path == "/oauth_revoke_token.do"]
    assert revokes
    assert "forgotten your ServiceNow link" in answer.shown
    assert await bot.container.vault.get(ABEL_USER) is None
    after = await _snow(bot, "mine")
    assert find_button(after.blocks, "Connect ServiceNow") is not None
    assert _table_api(after.servicenow) == []


# --- help, greeting, out_of_scope ---------------------------------------------------


async def test_help_in_a_dm_describes_the_bot(bot: BotHarness) -> None:
    """help: "what can you do?" answers with the help card and calls no ServiceNow API."""
    answer = await _dm(bot, "what can you do?")
    assert "/snow mine" in answer.shown
    assert answer.servicenow == []


async def test_greeting_gets_a_short_hello(bot: BotHarness) -> None:
    """greeting: "hello" gets a friendly hello and no ServiceNow call."""
    answer = await _dm(bot, "hello")
    assert "Hello! What can I do for you?" in answer.shown
    assert answer.servicenow == []


async def test_plain_thanks_gets_a_youre_welcome(bot: BotHarness) -> None:
    """greeting: plain thanks is answered in kind, not with a hello."""
    answer = await _dm(bot, "thanks!")
    assert "You're welcome" in answer.shown
    assert answer.servicenow == []


async def test_out_of_scope_gets_the_fallback_and_no_servicenow_call(bot: BotHarness) -> None:
    """out_of_scope: "how do I map a network drive" gets the friendly fallback, nothing else."""
    await bot.connect("abel.tuter")
    answer = await _dm(bot, "how do I map a network drive")
    assert "not something I can help with" in answer.shown
    assert answer.servicenow == []


async def test_out_of_scope_after_snow_gets_the_fallback(bot: BotHarness) -> None:
    """out_of_scope: `/snow how do I map a network drive` gets the same fallback."""
    answer = await _snow(bot, "how do I map a network drive")
    assert "not something I can help with" in answer.shown
    assert answer.servicenow == []


# --- setup.admin, troubleshoot.connection -----------------------------------------------


async def test_setup_asked_in_a_dm_by_an_admin_opens_the_guide(bot: BotHarness) -> None:
    """setup.admin: an admin asking in a DM gets the guide, at the step this workspace is at."""
    answer = await _dm(
        bot, "i need to set up the servicenow connection for our workspace", user_id="U0ADMIN"
    )
    assert "Connect this workspace to ServiceNow" in answer.shown
    assert find_button(answer.blocks, "Run the connection test")


async def test_setup_asked_in_a_dm_by_a_member_is_politely_refused(bot: BotHarness) -> None:
    """setup.admin: an ordinary member asking is told who can set it up, and nothing starts."""
    answer = await _dm(bot, "i need to set up the servicenow connection for our workspace")
    assert bot.container.settings.redirect_uri not in answer.shown
    assert "admin" in answer.shown.lower()
    assert answer.servicenow == []


async def test_troubleshoot_in_a_dm_checks_the_users_own_link(bot: BotHarness) -> None:
    """troubleshoot.connection: "I authorized but it still says not connected" gets the fix."""
    answer = await _dm(bot, "i authorized but it still says not connected")
    assert find_button(answer.blocks, "Reconnect") or find_button(
        answer.blocks, "Connect ServiceNow"
    )
