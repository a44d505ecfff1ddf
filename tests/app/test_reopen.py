"""Reopening incidents, end to end against the sandbox's rules (issue 11, item 3).

Resolved → In Progress with the reason as a comment where the caller may; refused by
an ACL → a comment asking the desk; closed or canceled → a new incident that names the
old one is offered; still open → nothing written. Each test checks the sandbox's
record of writes.
"""

from __future__ import annotations

from bot.blocks import clarify_intent
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import BOT_USER_ID, Message, dm_channel_id
from tests.app.flows import (
    ABEL,
    BETH,
    comment_texts,
    connected,
    new_incidents,
    shown_after,
    table_writes,
    writes_to,
)

ASKED = "The caller asked from Slack (snowbot) for this incident to be reopened"


def state_of(bot: BotHarness, number: str) -> str:
    """An incident's raw state code in the sandbox."""
    row = bot.servicenow.get_incident(number)
    assert row is not None
    return row["state"]


async def _snow(bot: BotHarness, text: str, *, user_id: str = ABEL) -> str:
    return await shown_after(bot, user_id, bot.driver.slash_command("/snow", text, user_id=user_id))


async def test_snow_reopen_sets_a_resolved_incident_in_progress_with_the_reason(
    bot: BotHarness,
) -> None:
    """`/snow reopen INC… reason` on Abel's resolved incident: In Progress, one comment, one
    write."""
    await connected(bot, "abel.tuter")
    shown = await _snow(bot, "reopen INC0010004 the new monitor flickers again")
    assert state_of(bot, "INC0010004") == "2"
    assert comment_texts(bot, "INC0010004")[0] == f"{ASKED}: the new monitor flickers again"
    assert len(writes_to(bot, "INC0010004")) == 1
    assert "*INC0010004* is open again" in shown


async def test_reopen_refused_by_the_acl_adds_a_comment_asking_the_desk(bot: BotHarness) -> None:
    """Abel may not reopen INC0010015 (he is not its caller): the comment asks the desk, and
    the reply says so."""
    row = bot.servicenow.get_incident("INC0010015")
    assert row is not None
    beth = bot.servicenow.user_by_name("beth.anglin")
    bot.servicenow.store.update("incident", row["sys_id"], {"state": "6"}, user=beth)
    await connected(bot, "abel.tuter")
    shown = await _snow(bot, "reopen INC0010015 the projector flickers again")
    assert state_of(bot, "INC0010015") == "6"
    assert comment_texts(bot, "INC0010015") == [f"{ASKED}: the projector flickers again"]
    assert len(writes_to(bot, "INC0010015")) == 1  # state and comment in one PATCH
    assert "doesn't let your account reopen *INC0010015*" in shown


async def test_reopen_refused_with_a_403_adds_the_comment_instead(bot: BotHarness) -> None:
    """A 403 on the reopen (nothing written) is followed by the comment asking the desk."""
    row = bot.servicenow.get_incident("INC0010004")
    assert row is not None
    bot.servicenow.faults.add(
        path=f"/api/now/v2/table/incident/{row['sys_id']}", kind="403", method="PATCH", times=1
    )
    await connected(bot, "abel.tuter")
    shown = await _snow(bot, "reopen INC0010004")
    assert state_of(bot, "INC0010004") == "6"
    assert comment_texts(bot, "INC0010004")[0] == f"{ASKED}."
    assert "asking the team to reopen it" in shown


async def test_closed_incident_is_not_reopened_and_a_follow_up_is_offered(
    bot: BotHarness,
) -> None:
    """Closed INC0010006 stays closed; the offered draft names it and opens only on Create."""
    await connected(bot, "abel.tuter")
    shown = await _snow(bot, "reopen INC0010006 I lost access to S: again")
    assert "can't be reopened" in shown
    assert "Follow-up to INC0010006" in shown
    assert table_writes(bot) == []
    await shown_after(bot, ABEL, bot.driver.press("Create", user_id=ABEL))
    [row] = new_incidents(bot)
    assert "INC0010006" in row["description"]
    assert "I lost access to S: again" in row["description"]
    assert state_of(bot, "INC0010006") == "7"


async def test_canceled_incident_is_final_for_an_agent_too(bot: BotHarness) -> None:
    """Beth's reopen of canceled INC0010009 writes nothing."""
    await connected(bot, "beth.anglin")
    shown = await _snow(bot, "reopen INC0010009 keys fell off again", user_id=BETH)
    assert "Canceled" in shown
    assert table_writes(bot) == []


async def test_open_incident_is_still_open_and_nothing_is_written(bot: BotHarness) -> None:
    """Reopening an incident that is in progress says so and writes nothing."""
    await connected(bot, "abel.tuter")
    shown = await _snow(bot, "reopen INC0010001")
    assert "still open (In Progress)" in shown
    assert table_writes(bot) == []


async def test_agent_reopens_someone_elses_resolved_incident(bot: BotHarness) -> None:
    """Beth (itil) reopens Carol's resolved INC0010013."""
    await connected(bot, "beth.anglin")
    await _snow(bot, "reopen INC0010013 garage gate still refuses the badge", user_id=BETH)
    assert state_of(bot, "INC0010013") == "2"


async def test_reopen_chosen_in_words_waits_for_the_reopen_button(bot: BotHarness) -> None:
    """A reopen from free text (here the clarify button) shows a card; Reopen does it once."""
    await connected(bot, "abel.tuter")
    question = clarify_intent(
        [("incident.reopen", 0.5), ("incident.comment", 0.4)],
        "INC0010004: the monitor is dead again",
    )
    bot.slack.add_message(
        Message(channel=dm_channel_id(ABEL), ts=bot.slack.new_ts(), user=BOT_USER_ID,
                text=question.text, blocks=question.blocks, source="chat.postMessage",
                seq=bot.slack.next_seq())
    )
    shown = await shown_after(bot, ABEL, bot.driver.press("Reopen an incident", user_id=ABEL))
    assert "Shall I reopen *INC0010004*?" in shown
    assert f">{ASKED}: the monitor is dead again" in shown
    assert table_writes(bot) == []
    await shown_after(bot, ABEL, bot.driver.press("Reopen", user_id=ABEL))
    assert state_of(bot, "INC0010004") == "2"
    assert len(writes_to(bot, "INC0010004")) == 1


async def test_reopen_is_an_audit_event_without_the_reason(bot: BotHarness) -> None:
    """A reopen is audited with its number and outcome, never the user's words."""
    await connected(bot, "abel.tuter")
    await _snow(bot, "reopen INC0010004 private words")
    [event] = [e for e in await bot.container.audit.recent() if e.event == "incident_reopen"]
    assert (event.fields["number"], event.fields["outcome"]) == ("INC0010004", "reopened")
    assert "private" not in str(event.fields)
