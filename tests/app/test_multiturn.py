"""Conversations over several messages: questions, answers, cancel, clarify, Connect first."""

from __future__ import annotations

from bot.blocks import clarify_intent
from bot.handlers.dialogue import PendingQuestion
from bot.models import SlackUser
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import BOT_USER_ID, Message, dm_channel_id
from tests.app.flows import ABEL, connected, new_incidents, shown_after


def abel(bot: BotHarness) -> SlackUser:
    """Abel as the bot's stores key him."""
    return SlackUser(enterprise_id=None, team_id=bot.slack.team_id, user_id=ABEL)


def latest_comment(bot: BotHarness, number: str) -> str:
    """The newest comment text on an incident."""
    return str(bot.servicenow.comments_for(number)[0]["value"])


async def test_comment_without_text_asks_and_the_next_dm_adds_it(bot: BotHarness) -> None:
    """A comment request without text asks what to say; the next DM, confirmed, is the comment."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("add a comment to INC0010001", user_id=ABEL))
    assert "What should the comment on *INC0010001* say?" in shown
    await shown_after(bot, ABEL, bot.driver.dm("The VPN is fine on cable now", user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert latest_comment(bot, "INC0010001") == "The VPN is fine on cable now"
    assert await bot.container.conversations.load(abel(bot), PendingQuestion) is None


async def test_typed_number_answers_which_incident(bot: BotHarness) -> None:
    """When asked which incident, a typed number completes the comment."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm("add a comment: I'm in the office all day tomorrow", user_id=ABEL)
    await shown_after(bot, ABEL, step)
    await shown_after(bot, ABEL, bot.driver.dm("INC0010003", user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert latest_comment(bot, "INC0010003") == "I'm in the office all day tomorrow"


async def test_cancel_mid_conversation_clears_the_question(bot: BotHarness) -> None:
    """"cancel" while a question waits drops it and says so; the next DM is a new request."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("add a comment to INC0010001", user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.dm("never mind", user_id=ABEL))
    assert "I've dropped that" in shown
    assert await bot.container.conversations.load(abel(bot), PendingQuestion) is None
    before = len(bot.servicenow.comments_for("INC0010001"))
    await shown_after(bot, ABEL, bot.driver.dm("hello", user_id=ABEL))
    assert len(bot.servicenow.comments_for("INC0010001")) == before


async def test_cancel_button_under_a_question_clears_it(bot: BotHarness) -> None:
    """The Cancel button under a question drops it."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("add a comment to INC0010001", user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Cancel", user_id=ABEL))
    assert await bot.container.conversations.load(abel(bot), PendingQuestion) is None


async def test_clear_new_request_starts_over(bot: BotHarness) -> None:
    """A clearly different request while a question waits is handled as a new request."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("add a comment to INC0010001", user_id=ABEL))
    before = len(bot.servicenow.comments_for("INC0010001"))
    shown = await shown_after(bot, ABEL, bot.driver.dm("show me my open tickets", user_id=ABEL))
    assert "Your open incidents" in shown
    assert len(bot.servicenow.comments_for("INC0010001")) == before
    assert await bot.container.conversations.load(abel(bot), PendingQuestion) is None


async def test_create_without_a_problem_asks_whats_wrong(bot: BotHarness) -> None:
    """"I want to open a ticket" asks what's wrong; the answer becomes the draft."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("I want to open a ticket", user_id=ABEL))
    assert "What's wrong?" in shown
    shown = await shown_after(
        bot, ABEL, bot.driver.dm("my second screen stays black", user_id=ABEL)
    )
    assert "Shall I open this incident?" in shown
    assert "second screen stays black" in shown


def ask_to_clarify(bot: BotHarness, text: str) -> None:
    """Put the bot's clarifying question about ``text`` in Abel's DM (as route_text would)."""
    question = clarify_intent(
        [("incident.create", 0.6), ("incident.lookup", 0.3), ("out_of_scope", 0.2)], text
    )
    bot.slack.add_message(
        Message(
            channel=dm_channel_id(ABEL),
            ts=bot.slack.new_ts(),
            user=BOT_USER_ID,
            text=question.text,
            blocks=question.blocks,
            source="chat.postMessage",
            seq=bot.slack.next_seq(),
        )
    )


async def test_clarify_button_runs_the_chosen_intent(bot: BotHarness) -> None:
    """Choosing "Report a problem" on a clarify question opens the create modal with the text."""
    await connected(bot, "abel.tuter")
    ask_to_clarify(bot, "VPN keeps dropping")
    await bot.driver.press("Report a problem", user_id=ABEL)
    opened = await bot.slack.wait_for_call("views.open")
    assert "VPN keeps dropping" in str(opened.args["view"])
    await shown_after(bot, ABEL, bot.driver.submit_view({}, user_id=ABEL))
    [row] = new_incidents(bot)
    assert row["short_description"] == "VPN keeps dropping"


async def test_clarify_lookup_choice_runs_a_lookup_on_the_text(bot: BotHarness) -> None:
    """Choosing "Look up an incident" looks up the number in the original text."""
    await connected(bot, "abel.tuter")
    ask_to_clarify(bot, "INC0010002 printer thing")
    shown = await shown_after(bot, ABEL, bot.driver.press("Look up an incident", user_id=ABEL))
    assert "Cannot print to 4th floor printer" in shown


async def test_clarify_something_else_answers_with_the_fallback(bot: BotHarness) -> None:
    """"Something else" on a clarify question answers with what the bot can do."""
    await connected(bot, "abel.tuter")
    ask_to_clarify(bot, "VPN keeps dropping")
    shown = await shown_after(bot, ABEL, bot.driver.press("Something else", user_id=ABEL))
    assert "I handle ServiceNow incidents" in shown


async def test_did_you_mean_yes_looks_up_the_confirmed_number(bot: BotHarness) -> None:
    """Yes on "Did you mean INC0010001?" shows that incident."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("inc10001 status", user_id=ABEL))
    assert "Did you mean *INC0010001*?" in shown
    shown = await shown_after(bot, ABEL, bot.driver.press("Yes", user_id=ABEL))
    assert "VPN drops every few minutes" in shown


async def test_did_you_mean_no_asks_for_the_right_number(bot: BotHarness) -> None:
    """No asks for the right number, and the typed number is looked up."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("inc10001 status", user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.press("No", user_id=ABEL))
    assert "What's the right incident number?" in shown
    shown = await shown_after(bot, ABEL, bot.driver.dm("INC0010003", user_id=ABEL))
    assert "Outlook keeps asking for my password" in shown


async def test_not_connected_write_runs_after_connecting(bot: BotHarness) -> None:
    """A comment asked before connecting gets the Connect prompt, then runs once connected."""
    step = bot.driver.slash_command(
        "/snow", "comment INC0010001 it drops at 5pm sharp", user_id=ABEL
    )
    shown = await shown_after(bot, ABEL, step)
    assert "Connect ServiceNow" in shown
    assert bot.servicenow.comments_for("INC0010001")[0]["value"] != "it drops at 5pm sharp"
    await connected(bot, "abel.tuter")
    await bot.slack.wait_for_call(
        "chat.postMessage", where=lambda c: "I've added your comment" in str(c.args.get("text"))
    )
    assert latest_comment(bot, "INC0010001") == "it drops at 5pm sharp"


async def test_pending_question_expires_with_a_ttl(bot: BotHarness) -> None:
    """A question the bot asks is kept in Redis with a time-to-live."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("add a comment to INC0010001", user_id=ABEL))
    key = bot.container.keys.conversation(None, bot.slack.team_id, ABEL)
    ttl = await bot.container.redis.pttl(key)
    assert 0 < ttl <= 1800 * 1000


async def test_captured_answer_is_shown_on_the_card_before_anything_is_written(
    bot: BotHarness,
) -> None:
    """The text captured as an answer is quoted on a card; nothing is written before the press."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("add a comment to INC0010001", user_id=ABEL))
    before = len(bot.servicenow.comments_for("INC0010001"))
    step = bot.driver.dm("back in the office on Monday", user_id=ABEL)
    shown = await shown_after(bot, ABEL, step)
    assert "Shall I add this comment to *INC0010001*?" in shown
    assert ">back in the office on Monday" in shown
    assert len(bot.servicenow.comments_for("INC0010001")) == before
    assert await bot.container.conversations.load(abel(bot), PendingQuestion) is None


async def test_another_incident_number_starts_over_instead_of_answering(bot: BotHarness) -> None:
    """Asked what a comment should say, a question about another incident is a new request."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("add a comment to INC0010001", user_id=ABEL))
    shown = await shown_after(
        bot, ABEL, bot.driver.dm("what's the status of INC0010004?", user_id=ABEL)
    )
    assert "Request a second monitor" in shown  # INC0010004's card
    assert "[Add comment] [Cancel]" not in shown
    assert [r for r in bot.servicenow.requests if r.method == "PATCH"] == []
    assert await bot.container.conversations.load(abel(bot), PendingQuestion) is None


async def test_another_write_while_asked_which_incident_starts_over(bot: BotHarness) -> None:
    """Asked which incident a comment is for, "close INC0010002" is its own request."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm("add a comment: I'm in the office all day tomorrow", user_id=ABEL)
    await shown_after(bot, ABEL, step)
    shown = await shown_after(bot, ABEL, bot.driver.dm("close INC0010002", user_id=ABEL))
    assert "Shall I ask to close *INC0010002*?" in shown
    assert "in the office" not in shown
    assert [r for r in bot.servicenow.requests if r.method == "PATCH"] == []
