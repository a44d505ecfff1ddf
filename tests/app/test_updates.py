"""Comments, close requests and sharing, end to end through the app and the sandboxes."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import GENERAL_CHANNEL
from tests.app.flows import ABEL, BETH, comment_texts, connected, shown_after


def state_of(bot: BotHarness, number: str) -> str:
    """An incident's raw state code in the sandbox."""
    row = bot.servicenow.get_incident(number)
    assert row is not None
    return row["state"]


async def test_snow_comment_with_number_and_text_adds_it(bot: BotHarness) -> None:
    """`/snow comment INC… <text>` adds the comment and quotes it back."""
    await connected(bot, "abel.tuter")
    step = bot.driver.slash_command(
        "/snow", "comment INC0010001 It also drops on the office network", user_id=ABEL
    )
    shown = await shown_after(bot, ABEL, step)
    assert comment_texts(bot, "INC0010001")[0] == "It also drops on the office network"
    assert "I've added your comment to *INC0010001*" in shown
    assert "It also drops on the office network" in shown


async def test_comment_intent_with_number_and_text_adds_it(bot: BotHarness) -> None:
    """A DM "add to INC…: <text>", once confirmed, adds just the text after the colon."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm("add to INC0010003: it happens after every restart", user_id=ABEL)
    await shown_after(bot, ABEL, step)
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert comment_texts(bot, "INC0010003")[0] == "it happens after every restart"


async def test_card_add_comment_button_opens_modal_and_submit_adds(bot: BotHarness) -> None:
    """A card's Add comment opens the comment modal; submitting adds the comment."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.slash_command("/snow", "INC0010002", user_id=ABEL))
    await bot.driver.press("Add comment", user_id=ABEL)
    opened = await bot.slack.wait_for_call("views.open")
    assert opened.args["view"]["private_metadata"] == "INC0010002"
    step = bot.driver.submit_view({"Comment": "It's PRN-4F-02, still offline"}, user_id=ABEL)
    await shown_after(bot, ABEL, step)
    assert comment_texts(bot, "INC0010002")[0] == "It's PRN-4F-02, still offline"


async def test_comment_is_audited_without_its_text(bot: BotHarness) -> None:
    """A comment is an audit event with number and outcome, without the comment text."""
    await connected(bot, "abel.tuter")
    step = bot.driver.slash_command("/snow", "comment INC0010001 secret-ish words", user_id=ABEL)
    await shown_after(bot, ABEL, step)
    [event] = [e for e in await bot.container.audit.recent() if e.event == "incident_comment"]
    assert (event.fields["number"], event.fields["outcome"]) == ("INC0010001", "added")
    assert "secret-ish" not in str(event.fields)


async def test_comment_without_number_offers_open_incidents(bot: BotHarness) -> None:
    """A comment without a number offers the user's open incidents, and a pick adds it."""
    await connected(bot, "abel.tuter")
    step = bot.driver.dm("add a comment: I'm in the office all day tomorrow", user_id=ABEL)
    shown = await shown_after(bot, ABEL, step)
    assert "Which incident should I add that to?" in shown
    assert "INC0010001" in shown
    assert "INC0010004" not in shown  # open ones only
    _, pick = bot.driver.find_button("INC0010001 · VPN drops every few minutes", user_id=ABEL)
    await shown_after(bot, ABEL, bot.driver.press(pick.action_id, user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert comment_texts(bot, "INC0010001")[0] == "I'm in the office all day tomorrow"


async def test_close_where_allowed_resolves_the_incident(bot: BotHarness) -> None:
    """An itil user's close request on her own incident resolves it and says so."""
    await connected(bot, "beth.anglin")
    shown = await shown_after(
        bot, BETH, bot.driver.slash_command("/snow", "close INC0010014", user_id=BETH)
    )
    assert state_of(bot, "INC0010014") == "6"
    assert "*INC0010014* is now resolved" in shown


async def test_close_refused_by_field_acl_adds_a_closure_comment(bot: BotHarness) -> None:
    """An ESS user's close request that ServiceNow ignores becomes a comment, said honestly."""
    await connected(bot, "abel.tuter")
    await shown_after(
        bot, ABEL, bot.driver.dm("INC0010001 is fixed, you can close it", user_id=ABEL)
    )
    shown = await shown_after(bot, ABEL, bot.driver.press("Close it", user_id=ABEL))
    assert state_of(bot, "INC0010001") == "2"
    assert "close" in comment_texts(bot, "INC0010001")[0].lower()
    assert "doesn't let your account resolve" in shown
    [event] = [
        e for e in await bot.container.audit.recent() if e.event == "incident_close_request"
    ]
    assert event.fields["outcome"] == "comment_added"


async def test_card_ask_to_close_button_requests_closure(bot: BotHarness) -> None:
    """A card's Ask to close runs the close request for that incident."""
    await connected(bot, "beth.anglin")
    await shown_after(bot, BETH, bot.driver.slash_command("/snow", "INC0010014", user_id=BETH))
    shown = await shown_after(bot, BETH, bot.driver.press("Ask to close", user_id=BETH))
    assert state_of(bot, "INC0010014") == "6"
    assert "resolved" in shown


async def test_close_without_number_offers_open_incidents(bot: BotHarness) -> None:
    """"close my ticket" asks which, offering the user's open incidents as buttons."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm("close my ticket", user_id=ABEL))
    assert "Which incident would you like to close?" in shown
    assert "INC0010002" in shown


async def test_share_posts_the_card_in_the_channel(bot: BotHarness) -> None:
    """Share posts the card, without action buttons, in the channel it was asked in."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.mention("what's up with INC0010001?", user_id=ABEL))
    public = [m for m in bot.slack.messages_in(GENERAL_CHANNEL) if m.ephemeral_to is None]
    assert all("VPN" not in str(m.blocks) for m in public)  # details stay private
    await shown_after(bot, ABEL, bot.driver.press("Share in channel", user_id=ABEL))
    shared = [
        m
        for m in bot.slack.messages_in(GENERAL_CHANNEL)
        if m.ephemeral_to is None and "INC0010001" in str(m.blocks)
    ]
    assert len(shared) == 1
    assert "Add comment" not in str(shared[0].blocks)


async def test_comment_asked_in_a_channel_leaves_only_a_neutral_note(bot: BotHarness) -> None:
    """A comment asked by mention is confirmed privately; the thread gets a neutral note."""
    await connected(bot, "abel.tuter")
    step = bot.driver.mention(
        "add to INC0010003: it happens after every restart", user_id=ABEL
    )
    await shown_after(bot, ABEL, step)
    shown = await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    assert "I've added your comment" in shown
    public = [m for m in bot.slack.messages_in(GENERAL_CHANNEL) if m.ephemeral_to is None]
    assert any(m.text == "I've sent you the details privately." for m in public)
    assert all("restart" not in str(m.blocks) for m in public if m.source != "user")
