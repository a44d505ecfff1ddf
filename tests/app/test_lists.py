"""Lists people ask for: by state, period and scope, a count, and paging that keeps the filter."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, BETH, connected, dm_said, reading, shown_after


async def test_show_my_closed_tickets_lists_the_closed_ones(bot: BotHarness) -> None:
    """"show my closed tickets" lists closed incidents only, under a title that says so."""
    await connected(bot, "abel.tuter")
    said = reading("show my closed tickets", "incident.list_mine",
                   entities={"list_state": "closed"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "# Your closed incidents" in shown
    assert "INC0010006" in shown
    assert "INC0010001" not in shown
    assert "INC0010004" not in shown  # resolved, not closed


async def test_resolved_list_shows_resolved_ones(bot: BotHarness) -> None:
    """A resolved list shows the resolved incident and no open one."""
    await connected(bot, "abel.tuter")
    said = reading("my resolved tickets", "incident.list_mine", entities={"list_state": "resolved"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "INC0010004" in shown
    assert "INC0010002" not in shown


async def test_how_many_gets_a_count(bot: BotHarness) -> None:
    """"how many tickets do I have" answers with the number, from X-Total-Count."""
    await connected(bot, "abel.tuter")
    said = reading("how many tickets do I have", "incident.list_mine",
                   entities={"list_state": "all", "list_count": "1"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "You have *7* incidents." in shown


async def test_this_week_lists_only_incidents_opened_this_week(bot: BotHarness) -> None:
    """A period filter keeps incidents opened in it (the seed's are from May)."""
    store = bot.servicenow.store
    abel = store.users["abel.tuter"]
    store.insert("incident", {"short_description": "Dock has no power", "caller_id": abel.sys_id},
                 user=abel)
    await connected(bot, "abel.tuter")
    said = reading("my tickets this week", "incident.list_mine",
                   entities={"list_state": "all", "list_period": "this_week"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "Dock has no power" in shown
    assert "INC0010001" not in shown


async def test_assigned_to_me_lists_an_agents_work(bot: BotHarness) -> None:
    """For an agent, "assigned to me" lists what is assigned to them, not what they raised."""
    await connected(bot, "beth.anglin")
    said = reading("tickets assigned to me", "incident.list_mine",
                   entities={"list_scope": "assigned"})
    shown = await shown_after(bot, BETH, dm_said(bot, said.text, said, user_id=BETH))
    assert "assigned to you" in shown
    assert "INC0010007" in shown  # Bow's, assigned to Beth
    assert "INC0010011" not in shown  # Carol's, unassigned


async def test_next_keeps_the_filter(bot: BotHarness) -> None:
    """Next on a filtered list shows the next page of the same filter."""
    store = bot.servicenow.store
    abel = store.users["abel.tuter"]
    for n in range(12):
        store.insert("incident", {"short_description": f"Old request {n}", "state": "7",
                                  "caller_id": abel.sys_id}, user=abel)
    await connected(bot, "abel.tuter")
    said = reading("show my closed tickets", "incident.list_mine",
                   entities={"list_state": "closed"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "Showing 1–10 of 13" in shown
    shown = await shown_after(bot, ABEL, bot.driver.press("Next", user_id=ABEL))
    assert "# Your closed incidents" in shown
    assert "Showing 11–13 of 13" in shown
    assert "INC0010001" not in shown


async def test_my_groups_lists_what_the_agents_groups_hold(bot: BotHarness) -> None:
    """"my team's tickets" lists incidents assigned to the agent's groups (from
    sys_user_grmember), not the other groups'."""
    await connected(bot, "beth.anglin")
    said = reading("my team's tickets", "incident.list_mine", entities={"list_scope": "groups"})
    shown = await shown_after(bot, BETH, dm_said(bot, said.text, said, user_id=BETH))
    assert "# Your open incidents assigned to your groups" in shown
    assert "INC0010002" in shown  # Hardware, unassigned
    assert "INC0010007" not in shown  # the Service Desk's
