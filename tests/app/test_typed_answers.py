"""Typed answers to the bot's own questions work exactly as pressing the button."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, comment_texts, connected, shown_after, table_writes

UNCLEAR = "INC0010001 vpn ok today"  # a comment or a lookup? the engine asks


async def test_yes_to_did_you_mean_looks_the_incident_up(bot: BotHarness) -> None:
    """"yes" to "Did you mean INC0010003?" shows INC0010003's card, like the Yes button."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("lookup inc 10003", user_id=ABEL))
    assert "INC0010003" in shown
    shown = await shown_after(bot, ABEL, bot.driver.dm("yes", user_id=ABEL))
    assert "Outlook keeps asking for my password" in shown


async def test_nope_to_did_you_mean_asks_for_the_number(bot: BotHarness) -> None:
    """"nope" to a did-you-mean asks for the right number, like the No button."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("lookup inc 10003", user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.dm("nope", user_id=ABEL))
    assert "Outlook" not in shown
    assert "number" in shown.lower()


async def test_typed_choice_picks_the_offered_incident(bot: BotHarness) -> None:
    """"the second" to "Which incident?" picks the second button's incident for the write."""
    await connected(bot, "abel.tuter")
    words = "I'm in the office all day tomorrow"
    shown = await shown_after(bot, ABEL, bot.driver.dm(f"add a comment: {words}", user_id=ABEL))
    second = shown.split("] [")[1].split(" · ")[0]
    shown = await shown_after(bot, ABEL, bot.driver.dm("the second", user_id=ABEL))
    assert f"*{second}*" in shown
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert comment_texts(bot, second)[0] == words


async def test_typed_number_picks_a_clarify_choice(bot: BotHarness) -> None:
    """A typed "2" after "Did you mean one of these?" runs the second choice on the message."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm(UNCLEAR, user_id=ABEL))
    assert "[Add a comment] [Look up an incident]" in shown
    shown = await shown_after(bot, ABEL, bot.driver.dm("2", user_id=ABEL))
    assert "# INC0010001 · VPN drops every few minutes" in shown


async def test_a_new_request_after_a_clarify_is_served(bot: BotHarness) -> None:
    """A message that is no choice after a clarify is routed as the request it is."""
    await connected(bot, "abel.tuter")
    assert "Did you mean" in await shown_after(bot, ABEL, bot.driver.dm(UNCLEAR, user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.dm("show me my open tickets", user_id=ABEL))
    assert "Your open incidents" in shown


async def test_yes_to_a_short_number_close_shows_its_card(bot: BotHarness) -> None:
    """`/snow close 10003`, then "yep": the close card for INC0010003, nothing written yet."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.slash_command("/snow", "close 10003", user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.dm("yep", user_id=ABEL))
    assert "Shall I ask to close *INC0010003*?" in shown
    assert table_writes(bot) == []
