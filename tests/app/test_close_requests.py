"""A close request is written once a day per incident and workspace (issue 11, item 8).

Asking again, typed or in words, answers when the desk was asked (in the user's time
zone from Slack, else UTC, saying which) and writes nothing more.
"""

from __future__ import annotations

import asyncio
import re

from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, BETH, comment_texts, connected, shown_after, writes_to

CLOSING = "The caller asked from Slack (snowbot) for this incident to be closed."


def closure_comments(bot: BotHarness, number: str) -> list[str]:
    """The closure requests written on an incident."""
    return [c for c in comment_texts(bot, number) if c == CLOSING]


async def _close(bot: BotHarness, number: str, *, user_id: str = ABEL) -> str:
    step = bot.driver.slash_command("/snow", f"close {number}", user_id=user_id)
    return await shown_after(bot, user_id, step)


async def test_three_typed_close_commands_write_one_comment(bot: BotHarness) -> None:
    """`/snow close INC0010002` three times writes one closure comment; the others say when."""
    await connected(bot, "abel.tuter")
    await _close(bot, "INC0010002")
    first = len(writes_to(bot, "INC0010002"))  # the resolve ServiceNow ignored, the comment
    second = await _close(bot, "INC0010002")
    third = await _close(bot, "INC0010002")
    assert closure_comments(bot, "INC0010002") == [CLOSING]
    assert len(writes_to(bot, "INC0010002")) == first
    for shown in (second, third):
        assert re.search(
            r"I asked the desk to close \*INC0010002\* at \d\d:\d\d \(Europe/London\); "
            r"it isn't closed yet\.",
            shown,
        ), shown


async def test_close_commands_at_the_same_moment_write_one_comment(bot: BotHarness) -> None:
    """Three close commands sent together still write one closure comment."""
    await connected(bot, "abel.tuter")
    await asyncio.gather(*(
        bot.driver.slash_command("/snow", "close INC0010002", user_id=ABEL) for _ in range(3)
    ))
    await bot.container.work.settle()
    assert closure_comments(bot, "INC0010002") == [CLOSING]


async def test_close_asked_again_in_words_shows_no_card(bot: BotHarness) -> None:
    """After a close request, "close INC0010002" in a DM says when, with no card to press."""
    await connected(bot, "abel.tuter")
    await _close(bot, "INC0010002")
    shown = await shown_after(bot, ABEL, bot.driver.dm("close INC0010002", user_id=ABEL))
    assert "I asked the desk to close *INC0010002*" in shown
    assert "[Close it]" not in shown
    assert closure_comments(bot, "INC0010002") == [CLOSING]


async def test_a_second_card_pressed_after_the_first_writes_nothing(bot: BotHarness) -> None:
    """Two close cards for one incident: the second press says the desk was asked already."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("close INC0010002", user_id=ABEL))
    first = bot.driver.press_request("Close it", user_id=ABEL)
    await shown_after(bot, ABEL, bot.driver.dm("please close INC0010002", user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Close it", user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.send(first))
    assert "I asked the desk to close *INC0010002*" in shown
    assert closure_comments(bot, "INC0010002") == [CLOSING]


async def test_the_time_is_utc_when_slack_gives_no_time_zone(bot: BotHarness) -> None:
    """Without a time zone on the Slack profile, the time is given in UTC and says so."""
    bot.slack.users[ABEL].tz = ""
    await connected(bot, "abel.tuter")
    await _close(bot, "INC0010002")
    shown = await _close(bot, "INC0010002")
    assert re.search(r"at \d\d:\d\d \(UTC\)", shown), shown


async def test_another_person_in_the_workspace_is_told_too(bot: BotHarness) -> None:
    """The close request is per workspace: Beth asking after Abel writes nothing more."""
    await connected(bot, "abel.tuter")
    await connected(bot, "beth.anglin")
    await _close(bot, "INC0010002")
    shown = await _close(bot, "INC0010002", user_id=BETH)
    assert "I asked the desk to close *INC0010002*" in shown
    assert closure_comments(bot, "INC0010002") == [CLOSING]


async def test_a_resolved_incident_is_not_asked_again(bot: BotHarness) -> None:
    """When the first close resolved the incident, asking again says it's already closed."""
    await connected(bot, "beth.anglin")
    await _close(bot, "INC0010014", user_id=BETH)
    shown = await _close(bot, "INC0010014", user_id=BETH)
    assert "already closed" in shown
    assert len(writes_to(bot, "INC0010014")) == 1
