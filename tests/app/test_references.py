"""Incidents named by their words ("my printer ticket") are searched among the user's own."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, connected, dm_said, reading, shown_after


async def test_printer_ticket_finds_the_printer_incident(bot: BotHarness) -> None:
    """"any update on my printer ticket?" shows the printer incident and says how it was found."""
    await connected(bot, "abel.tuter")
    said = reading("any update on my printer ticket?", "incident.lookup",
                   entities={"reference": "printer"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "Found by your words “printer”: *INC0010002*." in shown
    assert "Cannot print to 4th floor printer" in shown
    assert "Projector" not in shown  # not the most recently updated one


async def test_close_call_offers_the_best_matches_as_buttons(bot: BotHarness) -> None:
    """Words that fit several incidents equally offer them as buttons and pick none."""
    await connected(bot, "abel.tuter")
    said = reading("the one since monday", "incident.lookup", entities={"reference": "since"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "Which one do you mean?" in shown
    assert "[INC0010001 · VPN drops every few minutes]" in shown
    assert "[INC0010003 · Outlook keeps asking for my password]" in shown
    second = shown.split("] [")[1].split(" · ")[0]
    shown = await shown_after(bot, ABEL, bot.driver.dm("2", user_id=ABEL))
    assert f"# {second} · " in shown


async def test_words_matching_nothing_say_so(bot: BotHarness) -> None:
    """Words that match none of the user's incidents say so and show no incident."""
    await connected(bot, "abel.tuter")
    said = reading("my bluetooth ticket", "incident.lookup", entities={"reference": "bluetooth"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "I couldn't find an incident of yours about “bluetooth”" in shown
    assert "INC00100" not in shown


async def test_period_narrows_the_search_by_opened_at(bot: BotHarness) -> None:
    """"the ticket I opened last week about outlook" looks at that week only (May's is older)."""
    await connected(bot, "abel.tuter")
    said = reading("the ticket I opened last week about outlook", "incident.lookup",
                   entities={"reference": "outlook", "reference_period": "last_week"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert any("opened_at>=" in q and "opened_at<" in q for q in bot.servicenow.queries)
    assert "# INC0010003" not in shown  # May's incident is not taken as last week's


async def test_words_that_match_at_another_time_are_offered_not_taken(bot: BotHarness) -> None:
    """When only the period misses, the matches from other times are offered, and it says so."""
    await connected(bot, "abel.tuter")
    said = reading("the ticket I opened last week about outlook", "incident.lookup",
                   entities={"reference": "outlook", "reference_period": "last_week"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "None of your incidents about “outlook” was opened last week." in shown
    assert "[INC0010003 · Outlook keeps asking for my password]" in shown
    shown = await shown_after(bot, ABEL, bot.driver.dm("1", user_id=ABEL))
    assert "# INC0010003 · " in shown


async def test_query_syntax_in_the_words_cannot_widen_the_search(bot: BotHarness) -> None:
    """`^NQ` and `^` in the words stay inside one LIKE value: nothing else matches."""
    await connected(bot, "abel.tuter")
    words = "zzz^NQshort_descriptionLIKEprinter ^ORactive=true"
    said = reading(f"my {words} ticket", "incident.lookup", entities={"reference": words})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "couldn't find" in shown
    searched = [q for q in bot.servicenow.queries if "LIKE" in q]
    assert searched
    assert all("^NQ" not in q and "^ORactive" not in q for q in searched)


async def test_a_write_by_words_goes_through_its_card(bot: BotHarness) -> None:
    """"close my printer ticket" finds the incident and shows the close card for it."""
    await connected(bot, "abel.tuter")
    said = reading("close my printer ticket", "incident.close_request",
                   entities={"reference": "printer"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "Shall I ask to close *INC0010002*?" in shown
