"""What the bot writes into ServiceNow is plain text, never Slack markup (issue 11, item 9).

Mentions become display names (users.info, cached in Redis), links "label (url)",
channel references "#name", special mentions "@here", and Slack's entities are
unescaped; the sandbox's stored comment or description is checked as written.
"""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import SUPPORT_CHANNEL
from tests.app.flows import ABEL, comment_texts, connected, new_incidents, shown_after

MARKUP = (
    "add a comment to INC0010003: ask <@U0BETH>, the wiki "
    "<https://wiki.example.com/o365?a=1&amp;b=2|page> &amp; <https://status.example.com> "
    "in <#C0SUPPORT> &lt;3 <!here>"
)
PLAIN = (
    "ask @beth.anglin, the wiki page (https://wiki.example.com/o365?a=1&b=2) & "
    "https://status.example.com in #it-support <3 @here"
)


async def _confirmed_comment(bot: BotHarness, text: str, *, linked: bool = False) -> str:
    if not linked:
        await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm(text, user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Add comment", user_id=ABEL))
    return shown


async def test_markup_is_plain_text_in_the_stored_comment(bot: BotHarness) -> None:
    """Mention, links, a channel without its name, @here and entities are stored as plain text."""
    shown = await _confirmed_comment(bot, MARKUP)
    assert comment_texts(bot, "INC0010003")[0] == PLAIN
    assert f">{PLAIN}" in shown  # what the card quoted


async def test_a_user_slack_cannot_name_is_a_slack_user(bot: BotHarness) -> None:
    """When users.info fails, the mention is written as "a Slack user", never as markup."""
    await connected(bot, "abel.tuter")
    bot.slack.fail_next("users.info", "user_not_found")
    await _confirmed_comment(bot, "add to INC0010003: <@U0NOBODY> saw it too", linked=True)
    assert comment_texts(bot, "INC0010003")[0] == "a Slack user saw it too"


async def test_names_are_cached_with_a_ttl(bot: BotHarness) -> None:
    """A mentioned person's name is kept in Redis for an hour: a second mention asks Slack
    nothing."""
    await _confirmed_comment(bot, "add to INC0010003: <@U0BETH> knows")
    key = bot.container.keys.slack_name(None, bot.slack.team_id, "user", "U0BETH")
    assert 0 < await bot.container.redis.ttl(key) <= 3600
    asked = len(bot.slack.calls_to("users.info"))
    await shown_after(bot, ABEL, bot.driver.dm("add to INC0010001: <@U0BETH> knows", user_id=ABEL))
    assert len(bot.slack.calls_to("users.info")) == asked


async def test_a_named_channel_keeps_its_name(bot: BotHarness) -> None:
    """`<#C…|name>` is written "#name" without asking Slack."""
    await _confirmed_comment(bot, f"add to INC0010003: posted in <#{SUPPORT_CHANNEL}|it-support>")
    assert comment_texts(bot, "INC0010003")[0] == "posted in #it-support"
    assert bot.slack.calls_to("conversations.info") == []


async def test_created_incident_description_is_plain_text(bot: BotHarness) -> None:
    """A problem reported with a mention and a link is created with plain text."""
    await connected(bot, "abel.tuter")
    said = "my laptop won't boot, <@U0BETH> saw it too: <https://photos.example.com/x|photo>"
    await shown_after(bot, ABEL, bot.driver.dm(said, user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Create", user_id=ABEL))
    [row] = new_incidents(bot)
    assert row["description"] == (
        "my laptop won't boot, @beth.anglin saw it too: photo (https://photos.example.com/x)"
    )
    assert "<" not in row["short_description"]
