"""Opening incidents from Slack, end to end: DM, `/snow new`, Edit, shortcut, duplicates."""

from __future__ import annotations

import asyncio

from bot.servicenow.idempotency import CORRELATION_PREFIX
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import GENERAL_CHANNEL, Message, dm_channel_id, render_surface
from tests.app.flows import ABEL, BOW, connected, new_incidents, shown_after, submission_request

PROBLEM = "my laptop won't boot since this morning, urgent please"


async def test_dm_problem_shows_what_was_understood(bot: BotHarness) -> None:
    """A problem told in a DM gets a confirmation with the summary and urgency, nothing created."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    assert "Shall I open this incident?" in shown
    assert "laptop won't boot" in shown
    assert "High" in shown
    assert all(f"[{label}]" in shown for label in ("Create", "Edit", "Cancel"))
    assert new_incidents(bot) == []


async def test_create_button_opens_one_incident_as_the_user(bot: BotHarness) -> None:
    """Create opens the incident with the message as description, the user as caller."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    shown = await shown_after(bot, ABEL, bot.driver.press("Create", user_id=ABEL))
    [row] = new_incidents(bot)
    assert row["number"] in shown
    assert row["description"] == PROBLEM
    assert row["caller_id"] == bot.servicenow.user_by_name("abel.tuter").sys_id
    assert row["correlation_id"].startswith(CORRELATION_PREFIX)
    assert row["urgency"] == "1"


async def test_created_incident_uses_the_workspace_defaults(bot: BotHarness) -> None:
    """Category and contact type of created incidents come from the workspace's defaults."""
    config = await bot.container.instances.get(None, bot.slack.team_id)
    assert config is not None
    defaults = {"category": "hardware", "contact_type": "chat"}
    await bot.container.instances.replace(
        config.model_copy(update={"incident_defaults": defaults}),
        enterprise_id=None,
        team_id=bot.slack.team_id,
    )
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Create", user_id=ABEL))
    [row] = new_incidents(bot)
    assert (row["category"], row["contact_type"]) == ("hardware", "chat")


async def test_create_is_an_audit_event_without_the_text(bot: BotHarness) -> None:
    """A create is audited with its number and outcome, never with what the user wrote."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    await shown_after(bot, ABEL, bot.driver.press("Create", user_id=ABEL))
    [row] = new_incidents(bot)
    events = [e for e in await bot.container.audit.recent() if e.event == "incident_create"]
    assert [(e.fields["number"], e.fields["outcome"]) for e in events] == [
        (row["number"], "created")
    ]
    assert "laptop" not in str(events[0].fields)


async def test_snow_new_opens_the_modal_at_once_and_submit_creates(bot: BotHarness) -> None:
    """`/snow new <text>` opens the prefilled modal with its trigger; submitting creates."""
    await connected(bot, "abel.tuter")
    before = len(bot.servicenow.requests)
    await bot.driver.slash_command("/snow", "new printer on floor 3 is jammed", user_id=ABEL)
    opened = await bot.slack.wait_for_call("views.open")
    assert opened.ok
    assert len(bot.servicenow.requests) == before  # no ServiceNow call before the modal
    shown = await shown_after(bot, ABEL, bot.driver.submit_view({}, user_id=ABEL))
    [row] = new_incidents(bot)
    assert "printer" in row["short_description"]
    assert row["number"] in shown


async def test_bare_snow_new_opens_an_empty_modal(bot: BotHarness) -> None:
    """`/snow new` with no text opens the empty create modal."""
    await bot.driver.slash_command("/snow", "new", user_id=ABEL)
    opened = await bot.slack.wait_for_call("views.open")
    assert opened.args["view"]["callback_id"] == "snow_create_modal"


async def test_edit_prefills_the_modal_from_the_draft(bot: BotHarness) -> None:
    """Edit opens the create modal prefilled with the draft; the edited text is created."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    await bot.driver.press("Edit", user_id=ABEL)
    opened = await bot.slack.wait_for_call("views.open")
    assert PROBLEM in str(opened.args["view"])
    await shown_after(
        bot, ABEL, bot.driver.submit_view({"Short description": "Laptop dead"}, user_id=ABEL)
    )
    [row] = new_incidents(bot)
    assert (row["short_description"], row["description"]) == ("Laptop dead", PROBLEM)


async def test_modal_without_short_description_is_refused_in_the_ack(bot: BotHarness) -> None:
    """An empty short description is a field error in the ack and creates nothing."""
    await connected(bot, "abel.tuter")
    await bot.driver.slash_command("/snow", "new", user_id=ABEL)
    await bot.slack.wait_for_call("views.open")
    response = await bot.driver.submit_view({"Short description": ""}, user_id=ABEL)
    assert response.json()["response_action"] == "errors"
    await bot.container.work.settle()
    assert new_incidents(bot) == []


async def test_cancel_forgets_the_draft(bot: BotHarness) -> None:
    """Cancel on a confirmation says so, and a later Create finds no draft."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    _, create = bot.driver.find_button("Create", user_id=ABEL)
    shown = await shown_after(bot, ABEL, bot.driver.press("Cancel", user_id=ABEL))
    assert "won't open" in shown
    assert create.value
    await bot.container.work.settle()
    assert new_incidents(bot) == []


async def test_retried_create_dm_gets_one_confirmation(bot: BotHarness) -> None:
    """The same create DM delivered three times (Slack retries) gets one confirmation."""
    await connected(bot, "abel.tuter")
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": dm_channel_id(ABEL),
        "user": ABEL,
        "text": PROBLEM,
        "ts": "1700000000.000200",
    }
    mark = len(bot.slack.calls)
    for retry in (None, 1, 2):
        await bot.driver.event(event, event_id="Ev0CREATE1", retry_num=retry)
    await bot.slack.wait_for_call("chat.postMessage", after=mark)
    await bot.container.work.settle()
    confirmations = [
        c
        for c in bot.slack.calls_to("chat.postMessage")[-3:]
        if "Shall I open" in str(c.args.get("text"))
    ]
    assert len(confirmations) == 1


async def test_double_click_on_create_opens_one_incident(bot: BotHarness) -> None:
    """Two concurrent presses of Create open exactly one incident."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    await asyncio.gather(
        bot.driver.press("Create", user_id=ABEL), bot.driver.press("Create", user_id=ABEL)
    )
    await bot.slack.wait_for_response()
    await bot.container.work.settle()
    assert len(new_incidents(bot)) == 1


async def test_double_submitted_modal_opens_one_incident(bot: BotHarness) -> None:
    """The same modal submitted twice at once opens exactly one incident."""
    await connected(bot, "abel.tuter")
    await bot.driver.slash_command("/snow", "new", user_id=ABEL)
    await bot.slack.wait_for_call("views.open")
    request = submission_request(bot, ABEL, {"Short description": "Monitor flickers"})
    first, second = await asyncio.gather(bot.driver.send(request), bot.driver.send(request))
    assert first.status_code == second.status_code == 200
    await bot.slack.wait_for_call("chat.postMessage")
    await bot.container.work.settle()
    assert len(new_incidents(bot)) == 1


async def test_message_shortcut_puts_text_and_permalink_in_the_description(
    bot: BotHarness,
) -> None:
    """The message shortcut's modal carries the message and its permalink into the incident."""
    await connected(bot, "abel.tuter")
    said = "The 3rd floor printer prints blank pages for everyone"
    message = bot.slack.add_message(
        Message(
            channel=GENERAL_CHANNEL,
            ts=bot.slack.new_ts(),
            user=BOW,
            text=said,
            blocks=[],
            source="user",
            seq=bot.slack.next_seq(),
        )
    )
    await bot.driver.message_shortcut(
        "create_incident_from_message", user_id=ABEL, channel_id=GENERAL_CHANNEL,
        message_ts=message.ts,
    )
    await bot.slack.wait_for_call("views.open")
    await bot.slack.wait_for_call("chat.getPermalink")
    await bot.container.work.settle()
    await shown_after(bot, ABEL, bot.driver.submit_view({}, user_id=ABEL))
    [row] = new_incidents(bot)
    assert said in row["description"]
    assert "slack.com/archives/" in row["description"]


async def test_second_create_while_the_first_runs_is_told_to_wait(bot: BotHarness) -> None:
    """Create pressed again while ServiceNow is still creating says so and creates nothing more."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    bot.servicenow.faults.add(
        path="/api/now/v2/table/incident", kind="hang", method="POST", times=1
    )
    await bot.driver.press("Create", user_id=ABEL)
    await bot.servicenow.faults.wait_hanging()
    mark = bot.slack.mark
    await bot.driver.press("Create", user_id=ABEL)
    for _ in range(250):  # the first create still hangs: wait for the second answer only
        said = [render_surface(s) for s in bot.slack.changes_since(mark, user_id=ABEL)]
        if any("already creating" in text for text in said):
            break
        await asyncio.sleep(0.02)
    assert any("already creating" in text for text in said)
    bot.servicenow.faults.release()
    await bot.container.work.settle()
    assert len(new_incidents(bot)) == 1


async def test_create_from_a_mention_stays_private(bot: BotHarness) -> None:
    """A problem told by mention gets a private confirmation; the channel sees only a note."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.mention(PROBLEM, user_id=ABEL))
    assert "Shall I open this incident?" in shown
    public = [m for m in bot.slack.messages_in(GENERAL_CHANNEL) if m.ephemeral_to is None]
    assert all("Shall I open" not in str(m.text) for m in public)
    await shown_after(bot, ABEL, bot.driver.press("Create", user_id=ABEL))
    assert len(new_incidents(bot)) == 1


async def test_edit_after_create_says_which_incident_it_became(bot: BotHarness) -> None:
    """Edit on a draft that was already created names that incident and opens no modal."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm(PROBLEM, user_id=ABEL))
    surface, edit = bot.driver.find_button("Edit", user_id=ABEL)
    await shown_after(bot, ABEL, bot.driver.press("Create", user_id=ABEL))
    [row] = new_incidents(bot)
    bot.slack.add_message(
        Message(
            channel=dm_channel_id(ABEL),
            ts=bot.slack.new_ts(),
            user=surface.user if isinstance(surface, Message) else "",
            text="old confirmation",
            blocks=[{"type": "actions", "elements": [edit.element]}],
            source="chat.postMessage",
            seq=bot.slack.next_seq(),
        )
    )
    shown = await shown_after(bot, ABEL, bot.driver.press("Edit", user_id=ABEL))
    assert f"already opened *{row['number']}*" in shown
    assert bot.slack.calls_to("views.open") == []
