"""Writes from free text are confirmed on a card and done once, end to end (issue 11, item 1).

Every test checks the sandbox ServiceNow's record of requests: the write happened
exactly once, or no write happened at all.
"""

from __future__ import annotations

import asyncio

from bot.models import SlackUser
from intents import IntentEngine
from snowbot_sandbox.harness import BotHarness, running_bot
from snowbot_sandbox.servicenow import ServiceNowSandbox
from snowbot_sandbox.slack import dm_channel_id
from tests.app.flows import (
    ABEL,
    SlowAnswers,
    comment_texts,
    connected,
    shown_after,
    table_writes,
    writes_to,
)
from tests.conftest import REDIS_URL

ASK = "add to INC0010003: using outlook 2019 on windows 11"
WORDS = "using outlook 2019 on windows 11"


def abel(bot: BotHarness) -> SlackUser:
    """Abel as the bot's stores key him."""
    return SlackUser(enterprise_id=None, team_id=bot.slack.team_id, user_id=ABEL)


async def _card(bot: BotHarness, text: str = ASK) -> str:
    await connected(bot, "abel.tuter")
    return await shown_after(bot, ABEL, bot.driver.dm(text, user_id=ABEL))


async def test_free_text_comment_shows_a_card_and_writes_nothing(bot: BotHarness) -> None:
    """A comment asked in a DM gets a card naming the incident and quoting the words; no write."""
    shown = await _card(bot)
    assert "Shall I add this comment to *INC0010003*?" in shown
    assert "Outlook keeps asking for my password" in shown  # the title, read as Abel
    assert f">{WORDS}" in shown
    assert "[Add comment] [Cancel]" in shown
    assert table_writes(bot) == []


async def test_add_comment_button_writes_once_and_replaces_the_card(bot: BotHarness) -> None:
    """Add comment writes the quoted words once; the card becomes the outcome."""
    await _card(bot)
    shown = await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert "I've added your comment to *INC0010003*" in shown
    assert comment_texts(bot, "INC0010003").count(WORDS) == 1
    assert len(writes_to(bot, "INC0010003")) == 1
    with_card = [
        m for m in bot.slack.messages_in(dm_channel_id(ABEL)) if "Shall I add" in str(m.text)
    ]
    assert with_card == []  # replaced by the outcome


async def test_double_click_on_the_button_writes_once(bot: BotHarness) -> None:
    """Two concurrent presses of Add comment write the comment exactly once."""
    await _card(bot)
    await asyncio.gather(
        bot.driver.press("Add comment", user_id=ABEL),
        bot.driver.press("Add comment", user_id=ABEL),
    )
    await bot.slack.wait_for_response()
    await bot.container.work.settle()
    assert comment_texts(bot, "INC0010003").count(WORDS) == 1
    assert len(writes_to(bot, "INC0010003")) == 1


async def test_slack_retry_of_the_press_writes_once(bot: BotHarness) -> None:
    """The same signed press delivered three times (twice at once) writes once."""
    await _card(bot)
    press = bot.driver.press_request("Add comment", user_id=ABEL)
    await asyncio.gather(bot.driver.send(press), bot.driver.send(press))
    await bot.container.work.settle()
    shown = await shown_after(bot, ABEL, bot.driver.send(press))
    assert "already done" in shown
    assert comment_texts(bot, "INC0010003").count(WORDS) == 1
    assert len(writes_to(bot, "INC0010003")) == 1


async def test_cancel_writes_nothing_and_a_later_press_says_so(bot: BotHarness) -> None:
    """Cancel writes nothing; the card's button pressed afterwards says it was cancelled."""
    await _card(bot)
    add = bot.driver.press_request("Add comment", user_id=ABEL)
    shown = await shown_after(bot, ABEL, bot.driver.press("Cancel", user_id=ABEL))
    assert "left *INC0010003* as it is" in shown
    shown = await shown_after(bot, ABEL, bot.driver.send(add))
    assert "You cancelled that" in shown
    assert table_writes(bot) == []


async def test_press_after_the_card_expired_writes_nothing(bot: BotHarness) -> None:
    """When the pending write has expired, the button says so and writes nothing."""
    await _card(bot)
    _, button = bot.driver.find_button("Add comment", user_id=ABEL)
    key = bot.container.keys.pending_write(None, bot.slack.team_id, ABEL, str(button.value))
    assert 0 < await bot.container.redis.ttl(key) <= 3600
    await bot.container.redis.delete(key)  # what the TTL does after an hour
    shown = await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert "expired" in shown
    assert table_writes(bot) == []


async def test_the_words_are_forgotten_once_written(bot: BotHarness) -> None:
    """After the write, the pending write (personal data) is gone from Redis."""
    await _card(bot)
    _, button = bot.driver.find_button("Add comment", user_id=ABEL)
    key = bot.container.keys.pending_write(None, bot.slack.team_id, ABEL, str(button.value))
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert await bot.container.redis.exists(key) == 0


async def test_card_buttons_carry_only_an_id(bot: BotHarness) -> None:
    """The card's button values hold the pending write's id, never the words."""
    await _card(bot)
    for label in ("Add comment", "Cancel"):
        _, button = bot.driver.find_button(label, user_id=ABEL)
        assert button.value is not None
        assert "outlook" not in button.value
        assert len(button.value) < 40


async def test_unknown_incident_gets_a_sentence_and_no_card(bot: BotHarness) -> None:
    """A comment on an incident Abel cannot see is answered plainly, with no card."""
    shown = await _card(bot, "add to INC0010008: the audio is back")
    assert "couldn't find that in ServiceNow" in shown
    assert "[Add comment]" not in shown
    assert table_writes(bot) == []


async def test_free_text_close_shows_a_card_then_asks_once(bot: BotHarness) -> None:
    """A close request in words gets a Close it card; pressing it writes one comment."""
    shown = await _card(bot, "INC0010002 is fixed, you can close it")
    assert "Shall I ask to close *INC0010002*?" in shown
    assert "Cannot print to 4th floor printer" in shown
    assert table_writes(bot) == []
    await shown_after(bot, ABEL, bot.driver.press("Close it", user_id=ABEL))
    closing = [c for c in comment_texts(bot, "INC0010002") if "to be closed" in c]
    assert len(closing) == 1


async def test_typed_comment_command_writes_at_once(bot: BotHarness) -> None:
    """`/snow comment INC… <text>` is its own confirmation: written with no card."""
    await connected(bot, "abel.tuter")
    step = bot.driver.slash_command("/snow", f"comment INC0010003 {WORDS}", user_id=ABEL)
    shown = await shown_after(bot, ABEL, step)
    assert "[Add comment] [Cancel]" not in shown
    assert len(writes_to(bot, "INC0010003")) == 1


async def test_free_text_disconnect_waits_for_the_button(bot: BotHarness) -> None:
    """"log me out of servicenow" asks first; Cancel keeps the link and revokes nothing."""
    shown = await _card(bot, "log me out of servicenow")
    assert "Shall I unlink your ServiceNow account (Abel Tuter)?" in shown
    await shown_after(bot, ABEL, bot.driver.press("Cancel", user_id=ABEL))
    assert await bot.container.vault.get(abel(bot)) is not None
    assert [r for r in bot.servicenow.requests if r.path == "/oauth_revoke_token.do"] == []


async def test_write_on_a_card_is_audited_without_its_text(bot: BotHarness) -> None:
    """The confirmed comment is an audit event with its number, never its words."""
    await _card(bot)
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    [event] = [e for e in await bot.container.audit.recent() if e.event == "incident_comment"]
    assert (event.fields["number"], event.fields["outcome"]) == ("INC0010003", "added")
    assert "outlook" not in str(event.fields)


async def test_lost_answer_is_looked_for_before_writing_again(
    engine: IntentEngine, redis_prefix: str, cleanup: None
) -> None:
    """A comment whose answer was lost is found on the incident, not written a second time."""
    sandbox = ServiceNowSandbox()
    row = sandbox.get_incident("INC0010003")
    assert row is not None
    record = f"/api/now/v2/table/incident/{row['sys_id']}"
    async with running_bot(
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        engine=engine,
        servicenow=sandbox,
        # ServiceNow commits the PATCH, but its answer comes too late for the bot.
        servicenow_front=lambda app: SlowAnswers(app, method="PATCH", path=record, delay=4.0),
    ) as bot:
        await _card(bot)
        # Reading the record back fails too, so the bot cannot know what happened.
        sandbox.faults.add(path=record, kind="504", method="GET")
        shown = await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
        assert "didn't confirm" in shown
        sandbox.faults.clear()
        await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
        assert comment_texts(bot, "INC0010003").count(WORDS) == 1
        assert len(writes_to(bot, "INC0010003")) == 1
