"""Several incidents, or several requests, in one message (issue 11, item 6).

Every incident number of a lookup is answered (up to five, saying when more were
named); a write never lands on a number it was not meant for. The split of one
message into several requests needs the intent engine and is tested in
``test_safe_language``.
"""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, connected, shown_after, table_writes, writes_to


async def test_every_named_incident_is_looked_up(bot: BotHarness) -> None:
    """"what about INC0010001, INC0010002 and INC0010003?" shows all three cards."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm("what about INC0010001, INC0010002 and INC0010003?", user_id=ABEL)
    shown = await shown_after(bot, ABEL, step)
    for title in (
        "VPN drops every few minutes",
        "Cannot print to 4th floor printer",
        "Outlook keeps asking for my password",
    ):
        assert title in shown
    assert table_writes(bot) == []


async def test_more_than_five_numbers_are_capped_and_it_says_so(bot: BotHarness) -> None:
    """Seven numbers get five cards and a sentence saying only the first five are shown."""
    await connected(bot, "beth.anglin")
    numbers = ", ".join(f"INC001000{n}" for n in range(1, 8))
    step = bot.driver.dm(f"status of {numbers}?", user_id="U0BETH")
    shown = await shown_after(bot, "U0BETH", step)
    assert "You named 7 incidents; here are the first 5." in shown
    assert "# INC0010005" in shown
    assert "# INC0010006" not in shown


async def test_an_incident_that_is_not_found_does_not_stop_the_others(bot: BotHarness) -> None:
    """One number Abel cannot see gets its sentence; the others still get their cards."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm("what about INC0010008 and INC0010002?", user_id=ABEL)
    shown = await shown_after(bot, ABEL, step)
    assert "*INC0010008*: I couldn't find that in ServiceNow" in shown
    assert "Cannot print to 4th floor printer" in shown


async def test_one_write_naming_two_incidents_is_never_guessed(bot: BotHarness) -> None:
    """A comment naming two incidents writes nothing until the user says which one."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm(
        "add a comment to INC0010002 and INC0010003: using outlook 2019", user_id=ABEL
    )
    shown = await shown_after(bot, ABEL, step)
    assert "INC0010002" in shown
    assert "INC0010003" in shown
    assert table_writes(bot) == []


async def test_the_picked_incident_gets_the_write_and_the_other_nothing(bot: BotHarness) -> None:
    """Asked which of two, picking INC0010003 and confirming writes there only."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(
        "add a comment to INC0010002 and INC0010003: using outlook 2019", user_id=ABEL
    ))
    _, pick = bot.driver.find_button(
        "INC0010003 · Outlook keeps asking for my password", user_id=ABEL
    )
    shown = await shown_after(bot, ABEL, bot.driver.press(pick.action_id, user_id=ABEL))
    assert "Shall I add this comment to *INC0010003*?" in shown
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert len(writes_to(bot, "INC0010003")) == 1
    assert writes_to(bot, "INC0010002") == []
