"""Connecting a Slack user to ServiceNow and answering as them."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import render_surface

ABEL = "U0ABEL"


def latest_text(bot: BotHarness, user_id: str) -> str:
    """What the user sees last, as text."""
    return render_surface(bot.slack.visible_to(user_id)[0])


async def test_connect_then_mine_lists_only_that_users_incidents(bot: BotHarness) -> None:
    """Connect walks consent and `/snow mine` then lists exactly the user's incidents."""
    page = await bot.connect("abel.tuter")
    assert page.status_code == 200, page.text
    assert "Connected" in page.text
    seen = len(bot.slack.responses)
    await bot.driver.slash_command("/snow", "mine", user_id=ABEL)
    await bot.slack.wait_for_response(after=seen)
    shown = latest_text(bot, ABEL)
    abel = bot.servicenow.user_by_name("abel.tuter").sys_id
    everything = bot.servicenow.rows("incident")
    mine = {
        row["number"]
        for row in everything
        if row["active"] == "true"
        and row["state"] != "6"
        and abel in (row["caller_id"], row["opened_by"], row["assigned_to"])
    }
    others = {row["number"] for row in everything} - mine
    assert mine
    assert all(number in shown for number in mine), (mine, shown)
    assert not any(number in shown for number in others)
