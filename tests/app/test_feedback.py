"""Feedback end to end: the modal, ServiceNow's table, the incident comment, the stream,
refusals told to admins, and the admin's summary in App Home."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.handlers.feedback import rating_in
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import render_surface, render_view
from tests.conftest import StartBot

ABEL = "U0ABEL"
OWNER = "U0OWNER"
TABLE = "u_snowbot_feedback"
COLUMNS = ["u_rating", "u_comment", "u_incident", "u_slack_user", "u_source"]


@pytest.fixture
async def admin_bot(start_bot: StartBot) -> AsyncIterator[BotHarness]:
    """The bot with U0OWNER listed in SNOWBOT_ADMINS."""
    async with start_bot(admins=[OWNER]) as h:
        yield h


async def _connected(bot: BotHarness, *, table: bool = True) -> None:
    if table:
        bot.servicenow.create_table(TABLE, COLUMNS)
    page = await bot.connect("abel.tuter")
    assert page.status_code == 200, page.text


async def _dm(bot: BotHarness, text: str) -> None:
    await bot.container.work.settle()
    seen = len(bot.slack.calls)
    await bot.driver.dm(text, user_id=ABEL)
    await bot.slack.wait_for_call("chat.postMessage", after=seen)
    await bot.container.work.settle()


async def _latest(bot: BotHarness, user_id: str) -> str:
    await bot.container.work.settle()
    return render_surface(bot.slack.visible_to(user_id)[0])


async def _show_card(bot: BotHarness, number: str) -> None:
    seen = len(bot.slack.responses)
    await bot.driver.slash_command("/snow", number, user_id=ABEL)
    await bot.slack.wait_for_response(after=seen)
    await bot.container.work.settle()


async def _rate(bot: BotHarness, values: dict[str, object]) -> None:
    await bot.slack.wait_for_call("views.open")
    response = await bot.driver.submit_view(values, user_id=ABEL)
    assert response.status_code == 200
    await bot.container.work.settle()


async def test_snow_feedback_opens_the_modal_prefilled(bot: BotHarness) -> None:
    """`/snow feedback <text>` opens the feedback modal with the text as the comment."""
    await bot.driver.slash_command("/snow", "feedback quick and friendly", user_id=ABEL)
    call = await bot.slack.wait_for_call("views.open")
    assert call.ok, call.response
    shown = render_view(call.args["view"])
    assert "How did we do?" in shown
    assert "quick and friendly" in shown


async def test_modal_feedback_is_written_to_the_table_and_the_stream(bot: BotHarness) -> None:
    """A submitted rating becomes a feedback row as the user, a stream entry and an audit event."""
    await _connected(bot)
    await bot.driver.slash_command("/snow", "feedback", user_id=ABEL)
    await _rate(bot, {"Your rating": "4", "Anything you'd like to tell us?": "Quick fix"})
    rows = bot.servicenow.rows(TABLE)
    assert [(r["u_rating"], r["u_comment"], r["u_slack_user"]) for r in rows] == [
        ("4", "Quick fix", ABEL)
    ]
    inserts = [r for r in bot.servicenow.requests if r.method == "POST" and TABLE in r.path]
    assert inserts[0].user_name == "abel.tuter"
    entries = await bot.container.feedback.entries(None, "T0SANDBOX")
    assert [(e.rating, e.delivered) for e in entries] == [(4, True)]
    events = [e.event for e in await bot.container.audit.recent()]
    assert "feedback_give" in events
    assert "Thank you for your feedback" in await _latest(bot, ABEL)


async def test_resolved_card_button_can_add_feedback_as_an_incident_comment(
    bot: BotHarness,
) -> None:
    """"How did we do?" on a resolved incident, with the box ticked, also comments on it."""
    await _connected(bot)
    await _show_card(bot, "INC0010004")
    await bot.driver.press("How did we do?", user_id=ABEL)
    await _rate(
        bot,
        {"Your rating": "5", "Anything you'd like to tell us?": "Sorted fast",
         "Share with the team": ["add_comment"]},
    )
    comments = [c["value"] for c in bot.servicenow.comments_for("INC0010004")]
    assert any("Feedback from Slack: 5/5" in c and "Sorted fast" in c for c in comments)
    row = bot.servicenow.rows(TABLE)[0]
    incident = bot.servicenow.get_incident("INC0010004")
    assert incident is not None
    assert row["u_incident"] == incident["sys_id"]
    assert "also added it as a comment on *INC0010004*" in await _latest(bot, ABEL)


async def test_feedback_without_the_box_ticked_adds_no_comment(bot: BotHarness) -> None:
    """Feedback about an incident is not put on it unless the user ticks the box."""
    await _connected(bot)
    before = len(bot.servicenow.comments_for("INC0010004"))
    await _show_card(bot, "INC0010004")
    await bot.driver.press("How did we do?", user_id=ABEL)
    await _rate(bot, {"Your rating": "3"})
    assert len(bot.servicenow.comments_for("INC0010004")) == before
    assert not [r for r in bot.servicenow.requests if r.method == "PATCH"]
    assert bot.servicenow.rows(TABLE)[0]["u_rating"] == "3"


async def test_missing_table_keeps_feedback_and_tells_the_admin_once(
    admin_bot: BotHarness,
) -> None:
    """With no feedback table, feedback is kept, the user told, and admins told once an hour."""
    bot = admin_bot
    await _connected(bot, table=False)
    for rating in ("2", "5"):
        seen = len(bot.slack.calls)
        await bot.driver.slash_command("/snow", "feedback", user_id=ABEL)
        await bot.slack.wait_for_call("views.open", after=seen)
        await bot.driver.submit_view({"Your rating": rating}, user_id=ABEL)
        await bot.container.work.settle()
    entries = await bot.container.feedback.entries(None, "T0SANDBOX")
    assert [(e.rating, e.delivered, e.refusal) for e in entries] == [
        (5, False, "table_missing"),
        (2, False, "table_missing"),
    ]
    assert "kept it safe and told your admin" in await _latest(bot, ABEL)
    alerts = [m for m in bot.slack.messages_in("D0OWNER") if "refused" in (m.text or "") or
              "could not be saved" in render_surface(m)]
    assert len(alerts) == 1
    assert "does not exist" in render_surface(alerts[0])


async def test_forbidden_table_is_explained_to_the_admin(admin_bot: BotHarness) -> None:
    """A table without a create ACL for ordinary users gets the admin the ACL hint."""
    bot = admin_bot
    bot.servicenow.create_table(TABLE, COLUMNS, ess_can_create=False)
    await _connected(bot, table=False)
    await bot.driver.slash_command("/snow", "feedback", user_id=ABEL)
    await _rate(bot, {"Your rating": "1"})
    entries = await bot.container.feedback.entries(None, "T0SANDBOX")
    assert [(e.delivered, e.refusal) for e in entries] == [(False, "forbidden")]
    alert = render_surface(bot.slack.messages_in("D0OWNER")[-1])
    assert "snc_internal" in alert


async def test_a_clear_rating_in_a_dm_is_recorded_directly(bot: BotHarness) -> None:
    """"5 stars" in a DM is recorded at once and the thanks says how it was read."""
    await _connected(bot)
    await _dm(bot, "you guys were super helpful, 5 stars")
    shown = await _latest(bot, ABEL)
    assert "I read that as 5 out of 5" in shown
    assert [r["u_rating"] for r in bot.servicenow.rows(TABLE)] == ["5"]
    assert bot.servicenow.rows(TABLE)[0]["u_source"] == "slack_message"


async def test_a_dm_without_a_rating_offers_a_button_that_opens_a_prefilled_modal(
    bot: BotHarness,
) -> None:
    """Feedback in a DM with no rating gets a "Rate us" button; the modal keeps their words."""
    await _connected(bot)
    await _dm(bot, "the IT support was ok I guess")
    assert "Rate us" in await _latest(bot, ABEL)
    assert not bot.servicenow.rows(TABLE)
    await bot.driver.press("Rate us", user_id=ABEL)
    call = await bot.slack.wait_for_call("views.open")
    assert "the IT support was ok I guess" in render_view(call.args["view"])


async def test_admin_home_shows_the_feedback_summary_and_a_chart(admin_bot: BotHarness) -> None:
    """An admin's home tab shows count, average, recent comments and a chart with alt text."""
    bot = admin_bot
    await _connected(bot)
    await _dm(bot, "you guys were super helpful, 5 stars")
    await bot.container.work.settle()
    await bot.driver.app_home_opened(user_id=OWNER)
    call = await bot.slack.wait_for_call(
        "views.publish", where=lambda c: c.args.get("user_id") == OWNER
    )
    assert call.ok, call.response
    shown = render_view(call.args["view"])
    assert "1* ratings" in shown or "1 ratings" in shown
    assert "super helpful" in shown
    images = [b for b in call.args["view"]["blocks"] if b["type"] == "image"]
    assert len(images) == 1
    assert "(1 in all)" in images[0]["alt_text"]
    assert "Too few rated weeks" in images[0]["alt_text"]
    assert images[0]["image_url"].startswith(f"{bot.bot_url}/charts/feedback.png?")


async def test_ordinary_members_see_no_admin_summary(bot: BotHarness) -> None:
    """A member who is not an admin gets a home tab without the feedback summary."""
    await _connected(bot)
    await bot.driver.app_home_opened(user_id=ABEL)
    call = await bot.slack.wait_for_call(
        "views.publish", where=lambda c: c.args.get("user_id") == ABEL
    )
    assert "Recent comments" not in render_view(call.args["view"])
    assert not [b for b in call.args["view"]["blocks"] if b["type"] == "image"]


async def test_feedback_of_an_unlinked_user_is_kept_and_connect_is_offered(
    bot: BotHarness,
) -> None:
    """A user with no ServiceNow link has the rating kept in the stream and gets Connect."""
    await bot.driver.slash_command("/snow", "feedback", user_id=ABEL)
    await _rate(bot, {"Your rating": "2"})
    entries = await bot.container.feedback.entries(None, "T0SANDBOX")
    assert [(e.rating, e.delivered, e.refusal) for e in entries] == [(2, False, "not_linked")]
    assert not [r for r in bot.servicenow.requests if "/api/now/" in r.path]
    shown = await _latest(bot, ABEL)
    assert "Connect ServiceNow" in shown
    assert "kept your feedback here" in shown


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("5 stars, great help", 5),
        ("I'd give you 4/5", 4),
        ("3 out of 5 really", 3),
        ("1 star", 1),
        ("10/10 would ask again", None),
        ("5 stars for speed, 2 stars for manners", None),
        ("the VPN team is slow and rude", None),
        ("INC0010005 was fixed", None),
    ],
)
def test_a_rating_is_read_only_when_the_text_names_exactly_one(
    text: str, rating: int | None
) -> None:
    """Only one clear 1–5 rating in the text counts as a rating."""
    assert rating_in(text) == rating


async def test_feedback_in_a_mention_is_answered_privately_with_the_button(
    bot: BotHarness,
) -> None:
    """Feedback said to the bot in a channel gets an ephemeral "Rate us", nothing public."""
    await _connected(bot)
    seen = len(bot.slack.calls)
    await bot.driver.mention("the IT support was ok I guess", user_id=ABEL)
    call = await bot.slack.wait_for_call("chat.postEphemeral", after=seen)
    await bot.container.work.settle()
    assert call.args["user"] == ABEL
    assert "Rate us" in str(call.args["blocks"])
    posts = bot.slack.calls_to("chat.postMessage")
    assert [c for c in posts if c.args["channel"] == "C0GENERAL"] == []
