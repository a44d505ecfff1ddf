"""Safe writes that depend on the intent engine's understanding (issue 11, items 2-7).

These messages need the rebuilt engine (negation, reversal, questions about writes,
other apps' accounts, several requests in one message, reopen in words). The bot's
side is tested elsewhere with input the current engine reads; this file holds the
end-to-end checks that pass once the engine lands. Each asserts on the sandbox's
record of requests.
"""

from __future__ import annotations

from bot.models import SlackUser
from snowbot_sandbox.harness import BotHarness
from tests.app.flows import (
    ABEL,
    BETH,
    comment_texts,
    connected,
    shown_after,
    table_writes,
    writes_to,
)


def state_of(bot: BotHarness, number: str) -> str:
    """An incident's raw state code in the sandbox."""
    row = bot.servicenow.get_incident(number)
    assert row is not None
    return row["state"]


async def test_negated_close_by_an_agent_writes_nothing(bot: BotHarness) -> None:
    """"please do NOT close INC0010007" as Beth (who may resolve it) offers no close and
    writes nothing."""
    await connected(bot, "beth.anglin")
    shown = await shown_after(
        bot, BETH, bot.driver.dm("please do NOT close INC0010007", user_id=BETH)
    )
    assert "[Close it]" not in shown
    assert state_of(bot, "INC0010007") == "2"
    assert table_writes(bot) == []


async def test_dont_close_because_still_broken_offers_a_comment(bot: BotHarness) -> None:
    """"don't close INC0010005, it's still broken" offers the news as a comment, on a card."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(
        bot, ABEL, bot.driver.dm("don't close INC0010005, it's still broken", user_id=ABEL)
    )
    assert "Shall I add this comment to *INC0010005*?" in shown
    assert "still broken" in shown
    assert "[Close it]" not in shown
    assert table_writes(bot) == []


async def test_questions_about_a_close_are_reads(bot: BotHarness) -> None:
    """"why did you close INC0010002?" and "can I close INC0010005 myself?" write nothing."""
    await connected(bot, "abel.tuter")
    for said in ("why did you close INC0010002?", "can I close INC0010005 myself?"):
        shown = await shown_after(bot, ABEL, bot.driver.dm(said, user_id=ABEL))
        assert "[Close it]" not in shown
    assert table_writes(bot) == []


async def test_unlinking_another_app_revokes_nothing(bot: BotHarness) -> None:
    """"unlink my dropbox" neither unlinks ServiceNow nor offers to."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("unlink my dropbox", user_id=ABEL))
    assert "Shall I unlink" not in shown
    assert [r for r in bot.servicenow.requests if r.path == "/oauth_revoke_token.do"] == []
    user = SlackUser(enterprise_id=None, team_id=bot.slack.team_id, user_id=ABEL)
    assert await bot.container.vault.get(user) is not None


async def test_a_question_about_a_comment_is_a_new_request_not_an_answer(
    bot: BotHarness,
) -> None:
    """Asked what a comment should say, "did the tech add a comment on INC0010004 yet?" is a
    lookup of INC0010004, and nothing is written."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("add a comment to INC0010001", user_id=ABEL))
    shown = await shown_after(
        bot, ABEL, bot.driver.dm("did the tech add a comment on INC0010004 yet?", user_id=ABEL)
    )
    assert "Request a second monitor" in shown
    assert "What should the comment" not in shown
    assert table_writes(bot) == []


async def test_two_requests_in_one_message_get_a_card_each(bot: BotHarness) -> None:
    """"close INC0010002 and add a comment to INC0010003: using outlook 2019": two cards,
    and each write lands on its own incident."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm(
        "close INC0010002 and add a comment to INC0010003: using outlook 2019", user_id=ABEL
    ))
    assert "Shall I ask to close *INC0010002*?" in shown
    assert "Shall I add this comment to *INC0010003*?" in shown
    assert table_writes(bot) == []
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Close it", user_id=ABEL))
    assert comment_texts(bot, "INC0010003")[0] == "using outlook 2019"
    assert "using outlook 2019" not in comment_texts(bot, "INC0010002")
    assert any("to be closed" in c for c in comment_texts(bot, "INC0010002"))
    assert not any("to be closed" in c for c in comment_texts(bot, "INC0010003"))


async def test_reopen_in_words_waits_for_the_card(bot: BotHarness) -> None:
    """"INC0010004 is broken again, please reopen it" shows a Reopen card; pressing it
    reopens once."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm(
        "INC0010004 is broken again, please reopen it", user_id=ABEL
    ))
    assert "Shall I reopen *INC0010004*?" in shown
    assert table_writes(bot) == []
    await shown_after(bot, ABEL, bot.driver.press("Reopen", user_id=ABEL))
    assert state_of(bot, "INC0010004") == "2"
    assert len(writes_to(bot, "INC0010004")) == 1
