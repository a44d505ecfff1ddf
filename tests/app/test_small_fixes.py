"""Small fixes of #12: one title per card, real messages in a DM, no Share in a DM,
the comment modal after a clarify, and a short number on `/snow close`."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import GENERAL_CHANNEL, Message, render_surface
from tests.app.flows import ABEL, connected, shown_after, table_writes


async def test_card_says_its_title_once(bot: BotHarness) -> None:
    """An incident card shows its short description once."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010001?", user_id=ABEL))
    assert shown.count("VPN drops every few minutes") == 1


async def test_card_in_a_dm_offers_no_share(bot: BotHarness) -> None:
    """A card shown in the DM has no Share in channel button."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.slash_command("/snow", "INC0010001",
                                                                   user_id=ABEL))
    assert "Open in ServiceNow" in shown
    assert "Share in channel" not in shown


async def test_card_in_a_channel_still_offers_share(bot: BotHarness) -> None:
    """A card asked for in a channel keeps Share in channel."""
    await connected(bot, "abel.tuter")
    step = bot.driver.slash_command("/snow", "INC0010001", user_id=ABEL, channel_id=GENERAL_CHANNEL)
    assert "Share in channel" in await shown_after(bot, ABEL, step)


async def test_button_result_in_a_dm_is_a_real_message(bot: BotHarness) -> None:
    """What a button press in the DM answers is posted there, not as an ephemeral."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("show my tickets", user_id=ABEL))
    mark = bot.slack.mark
    await shown_after(bot, ABEL, bot.driver.press("View INC0010005", user_id=ABEL))
    answers = [
        s for s in bot.slack.changes_since(mark, user_id=ABEL)
        if isinstance(s, Message) and s.source != "user"
    ]
    assert answers
    assert all(a.ephemeral_to is None and a.source == "chat.postMessage" for a in answers)


async def test_comment_modal_from_a_clarify_carries_the_words(bot: BotHarness) -> None:
    """Choosing "add a comment" on a clarify carries on with the user's words, not an empty form."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm("INC0010001 vpn ok today", user_id=ABEL)
    assert "[Add a comment]" in await shown_after(bot, ABEL, step)
    shown = await shown_after(bot, ABEL, bot.driver.press("Add a comment", user_id=ABEL))
    modals = [render_surface(view) for view in bot.slack.open_views(ABEL)]
    assert any("vpn ok today" in seen for seen in [shown, *modals])


async def test_snow_close_with_a_short_number_asks_did_you_mean(bot: BotHarness) -> None:
    """`/snow close 10003` asks "Did you mean INC0010003?" and writes nothing yet."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.slash_command("/snow", "close 10003",
                                                                   user_id=ABEL))
    assert "Did you mean *INC0010003*?" in shown or "Did you mean INC0010003?" in shown
    assert table_writes(bot) == []


async def test_card_opened_from_home_offers_no_share(bot: BotHarness) -> None:
    """A card opened from App Home lands in the DM, so it has no Share in channel either."""
    await connected(bot, "abel.tuter")
    seen = len(bot.slack.calls)
    await bot.driver.app_home_opened(user_id=ABEL)
    await bot.slack.wait_for_call("views.publish", after=seen)
    await bot.container.work.settle()
    shown = await shown_after(bot, ABEL, bot.driver.press("View INC0010002", user_id=ABEL))
    assert "# INC0010002 · Cannot print to 4th floor printer" in shown
    assert "Share in channel" not in shown
