"""Create phrasing is always understood, and a request for goods gets a draft with a note."""

from __future__ import annotations

import pytest

from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, connected, dm_said, new_incidents, reading, shown_after


@pytest.mark.parametrize("text", ["new ticket pls", "report a problem", "I need a ticket"])
async def test_asking_for_a_ticket_starts_a_create(bot: BotHarness, text: str) -> None:
    """A message that only asks for a ticket asks what's wrong instead of refusing."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm(text, user_id=ABEL))
    assert "What's wrong?" in shown
    assert "not something I can help with" not in shown


async def test_open_a_ticket_for_a_fault_drafts_it(bot: BotHarness) -> None:
    """"open a ticket for my broken mouse" shows a draft to confirm."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm("open a ticket for my broken mouse", user_id=ABEL)
    shown = await shown_after(bot, ABEL, step)
    assert "Shall I open this incident?" in shown
    assert "broken mouse" in shown


async def test_goods_get_a_draft_with_a_catalog_note(bot: BotHarness) -> None:
    """A request for a new laptop gets a draft, a note that the catalog is usual, and the portal."""
    await connected(bot, "abel.tuter")
    said = reading("can you open a ticket for a new laptop", "incident.create",
                   entities={"short_description": "a new laptop", "goods": "laptop"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "Shall I open this incident?" in shown
    assert "A new laptop is usually ordered from the catalog" in shown
    _, portal = bot.driver.find_button("Open the portal", user_id=ABEL)
    assert portal.url == f"{bot.servicenow_url}/sp"
    await shown_after(bot, ABEL, bot.driver.press("Create", user_id=ABEL))
    assert len(new_incidents(bot)) == 1
