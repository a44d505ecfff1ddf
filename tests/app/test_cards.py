"""Cards show what people ask about: state, assignee, group, priority, updated, 3 comments."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, connected, shown_after


def _add(bot: BotHarness, number: str, *, element: str, text: str, who: str, at: str) -> None:
    store = bot.servicenow.store
    row = bot.servicenow.get_incident(number)
    assert row is not None
    store.add_journal(table="incident", sys_id=row["sys_id"], element=element, text=text,
                      user=store.users[who], at=at)


async def test_card_shows_the_fields_people_ask_about(bot: BotHarness) -> None:
    """State, priority, assignee, assignment group and last update are on the card."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010001?", user_id=ABEL))
    for label, value in [("State", "In Progress"), ("Priority", "3 - Moderate"),
                         ("Assigned to", "Beth Anglin"), ("Group", "Network"),
                         ("Last update", "May 2026")]:
        assert f"*{label}*" in shown
        assert value in shown


async def test_card_shows_the_latest_three_comments_and_no_work_notes(bot: BotHarness) -> None:
    """The newest three comments are shown, read with display values; work notes never are."""
    for n in range(1, 5):
        _add(bot, "INC0010003", element="comments", text=f"update number {n}", who="beth.anglin",
             at=f"2026-06-0{n} 10:00:00")
    _add(bot, "INC0010003", element="work_notes", text="internal: caller is VIP",
         who="beth.anglin", at="2026-06-09 10:00:00")
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010003?", user_id=ABEL))
    assert [n for n in range(1, 5) if f"update number {n}" in shown] == [2, 3, 4]
    assert shown.index("update number 4") < shown.index("update number 2")
    assert "VIP" not in shown
    reads = [r for r in bot.servicenow.requests if r.path.endswith("/table/incident")]
    assert reads
    assert all(r.query.get("sysparm_display_value") == ["all"] for r in reads)
