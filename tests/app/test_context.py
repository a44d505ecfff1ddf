"""A conversation remembers its incident: "close it", "that one", "what's the priority?"."""

from __future__ import annotations

from bot.models import SlackUser
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import GENERAL_CHANNEL
from tests.app.flows import (
    ABEL,
    BETH,
    connected,
    dm_said,
    reading,
    shown_after,
    table_writes,
    writes_to,
)


async def test_close_it_after_a_lookup_confirms_that_incident(bot: BotHarness) -> None:
    """"close it" after a card says which incident it took and shows that one's close card."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010002?", user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.dm("close it", user_id=ABEL))
    assert "Taking that as *INC0010002*" in shown
    assert "Shall I ask to close *INC0010002*?" in shown
    assert table_writes(bot) == []
    await shown_after(bot, ABEL, bot.driver.press("Close it", user_id=ABEL))
    assert writes_to(bot, "INC0010002")
    assert len(writes_to(bot, "INC0010002")) == len(table_writes(bot))


async def test_do_not_close_it_after_a_lookup_shows_it_and_writes_nothing(
    bot: BotHarness,
) -> None:
    """"do not close it" after a card shows that incident again, and nothing is written."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010002?", user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.dm("do not close it", user_id=ABEL))
    assert "Taking that as *INC0010002*" in shown
    assert "# INC0010002 · Cannot print to 4th floor printer" in shown
    assert table_writes(bot) == []


async def test_context_reference_hint_looks_up_the_incident_in_context(bot: BotHarness) -> None:
    """A lookup the engine marks as pointing back ("that one") shows the incident in context."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010003?", user_id=ABEL))
    said = reading("show me that one again", "incident.lookup", hints={"context_reference": "1"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "Taking that as *INC0010003*" in shown
    assert "Outlook keeps asking for my password" in shown


async def test_field_question_answers_for_the_incident_in_context(bot: BotHarness) -> None:
    """"what's the priority?" after a card answers that incident's priority, naming it."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010001?", user_id=ABEL))
    said = reading("what's the priority?", "incident.lookup",
                   hints={"context_reference": "1", "field": "priority"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "*INC0010001* (VPN drops every few minutes): priority *3 - Moderate*." in shown


async def test_context_is_per_conversation(bot: BotHarness) -> None:
    """An incident looked up in a channel is not what "close it" means in the DM."""
    await connected(bot, "abel.tuter")
    step = bot.driver.slash_command("/snow", "INC0010002", user_id=ABEL, channel_id=GENERAL_CHANNEL)
    await shown_after(bot, ABEL, step)
    shown = await shown_after(bot, ABEL, bot.driver.dm("close it", user_id=ABEL))
    assert "Taking that as" not in shown
    assert "Which incident would you like to close?" in shown


async def test_context_is_per_user(bot: BotHarness) -> None:
    """One user's context never answers another user's "close it"."""
    await connected(bot, "abel.tuter")
    await connected(bot, "beth.anglin")
    await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010002?", user_id=ABEL))
    shown = await shown_after(bot, BETH, bot.driver.dm("close it", user_id=BETH))
    assert "INC0010002" not in shown.split("\n")[0]
    assert "Taking that as" not in shown


async def test_context_expires_with_its_ttl(bot: BotHarness) -> None:
    """The remembered incident carries a TTL of about half an hour."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("what's up with INC0010002?", user_id=ABEL))
    user = SlackUser(enterprise_id=None, team_id=bot.slack.team_id, user_id=ABEL)
    from snowbot_sandbox.slack import dm_channel_id

    key = bot.container.keys.context(None, user.team_id, ABEL, dm_channel_id(ABEL))
    ttl = await bot.container.redis.ttl(key)
    assert 1700 <= ttl <= 1800


async def test_pointing_back_with_nothing_in_context_asks_which(bot: BotHarness) -> None:
    """"what's the priority?" with no incident in the conversation asks which, guessing none."""
    await connected(bot, "abel.tuter")
    said = reading("what's the priority?", "incident.lookup",
                   hints={"context_reference": "1", "field": "priority"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "Which incident do you mean?" in shown
    assert "priority *" not in shown


async def test_a_channel_thread_is_one_conversation(bot: BotHarness) -> None:
    """A mention's thread keeps its incident: "close it" in the thread takes it."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.mention("what's up with INC0010002?", user_id=ABEL))
    asked = next(m for m in bot.slack.messages_in(GENERAL_CHANNEL) if m.source == "user")
    step = bot.driver.mention("close it", user_id=ABEL, thread_ts=asked.ts)
    shown = await shown_after(bot, ABEL, step)
    assert "Taking that as *INC0010002*" in shown
    assert "Shall I ask to close *INC0010002*?" in shown
