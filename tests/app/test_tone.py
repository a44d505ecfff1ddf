"""Tone: a complaint gets empathy, "who are you" an introduction, out-of-scope replies vary."""

from __future__ import annotations

from intents import Candidate, Prediction
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import render_surface
from tests.app.flows import ABEL, connected, dm_said, reading, shown_after

COMPLAINT = "terrible service, nobody has answered my ticket for a week"


def out_of_scope(text: str, topic: str) -> Prediction:
    """A message the engine rejected as out of scope, with the topic it recognised."""
    return Prediction(text=text, intent="out_of_scope", decision="reject", confidence=0.9,
                      candidates=[Candidate("out_of_scope", 0.9)], hints={"topic": topic})


async def test_complaint_gets_empathy_and_an_offer_to_look(bot: BotHarness) -> None:
    """A complaint is answered with an apology, the open incidents and the feedback form."""
    await connected(bot, "abel.tuter")
    said = reading(COMPLAINT, "feedback.give", hints={"topic": "complaint"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "I'm sorry." in shown
    assert "Would you rate us" not in shown
    assert "[Look at my open incidents] [Tell the team]" in shown
    shown = await shown_after(bot, ABEL, bot.driver.press("Look at my open incidents",
                                                           user_id=ABEL))
    assert "Your open incidents" in shown


async def test_complaint_feedback_form_carries_the_words(bot: BotHarness) -> None:
    """"Tell the team" opens the feedback form with the complaint already in it."""
    await connected(bot, "abel.tuter")
    said = reading(COMPLAINT, "feedback.give", hints={"topic": "complaint"})
    await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    await bot.driver.press("Tell the team", user_id=ABEL)
    await bot.container.work.settle()
    assert any("nobody has answered" in render_surface(v) for v in bot.slack.open_views(ABEL))


async def test_who_are_you_gets_a_one_line_introduction(bot: BotHarness) -> None:
    """"who are you" (help, topic identity) introduces the bot and says what it can do."""
    await connected(bot, "abel.tuter")
    said = reading("who are you", "help", hints={"topic": "identity"})
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert shown.startswith("I'm snowbot")
    assert "I can look one up" in shown
    assert "Sorry, that's not something I can help with" not in shown


async def test_password_reset_points_to_the_portal(bot: BotHarness) -> None:
    """A password reset says the bot can't do it and links the instance's portal."""
    await connected(bot, "abel.tuter")
    said = out_of_scope("reset my password", "password_reset")
    shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
    assert "I can't reset passwords here." in shown
    _, portal = bot.driver.find_button("Open the portal", user_id=ABEL)
    assert portal.url == f"{bot.servicenow_url}/sp"


async def test_out_of_scope_replies_vary_by_topic(bot: BotHarness) -> None:
    """Password reset, VPN, catalog and a person each get their own sentence."""
    await connected(bot, "abel.tuter")
    firsts = []
    for topic in ("password_reset", "vpn", "catalog", "human"):
        said = out_of_scope(f"something about {topic}", topic)
        shown = await shown_after(bot, ABEL, dm_said(bot, said.text, said, user_id=ABEL))
        firsts.append(shown.splitlines()[0])
    assert len(set(firsts)) == 4
