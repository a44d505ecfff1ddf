"""Control: /snow watch, unwatch, notifications on|off, and App Home (issue 14, item 4)."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import render_view
from tests.app.flows import ABEL, BETH, BOW, connected, shown_after
from tests.notify.helpers import dms, settle


async def _snow(bot: BotHarness, text: str, user_id: str) -> str:
    return await shown_after(bot, user_id, bot.driver.slash_command("/snow", text,
                                                                     user_id=user_id))


async def test_watching_an_incident_brings_its_changes(pushed: BotHarness) -> None:
    """Beth (itil) watches Abel's incident; the admin's comment reaches her."""
    await connected(pushed, "beth.anglin")
    shown = await _snow(pushed, "watch INC0010001", BETH)
    assert "You'll get a DM when INC0010001 changes." in shown
    pushed.servicenow.desk.comment("INC0010001", "Escalated to the network team.",
                                   as_user="admin")
    await settle(pushed)
    assert len(dms(pushed, BETH)) == 1


async def test_an_incident_the_user_cannot_read_cannot_be_watched(pushed: BotHarness) -> None:
    """Bow may not read Abel's incident: not found, nothing watched."""
    await connected(pushed, "bow.ruggeri")
    await _snow(pushed, "watch INC0010001", BOW)
    pushed.servicenow.desk.comment("INC0010001", "Escalated.", as_user="admin")
    await settle(pushed)
    assert dms(pushed, BOW) == []


async def test_unwatching_stops_the_dms(pushed: BotHarness) -> None:
    """After /snow unwatch, changes no longer reach the watcher."""
    await connected(pushed, "beth.anglin")
    await _snow(pushed, "watch INC0010001", BETH)
    shown = await _snow(pushed, "unwatch INC0010001", BETH)
    assert "You no longer watch INC0010001." in shown
    pushed.servicenow.desk.comment("INC0010001", "Escalated.", as_user="admin")
    await settle(pushed)
    assert dms(pushed, BETH) == []


async def test_notifications_off_silences_the_incidents_the_user_raised(
    pushed: BotHarness,
) -> None:
    """Abel turns notifications off: a desk comment on his incident makes no DM."""
    await connected(pushed, "abel.tuter")
    shown = await _snow(pushed, "notifications off", ABEL)
    assert "Notifications are off" in shown
    pushed.servicenow.desk.comment("INC0010001", "Any news?")
    await settle(pushed)
    assert dms(pushed, ABEL) == []
    await _snow(pushed, "notifications on", ABEL)
    pushed.servicenow.desk.comment("INC0010001", "Any news now?")
    await settle(pushed)
    assert len(dms(pushed, ABEL)) == 1


async def test_app_home_shows_the_setting_and_the_watched_incidents(
    pushed: BotHarness,
) -> None:
    """The home tab says notifications are on and lists what the user watches."""
    await connected(pushed, "beth.anglin")
    await _snow(pushed, "watch INC0010003", BETH)
    await settle(pushed)
    seen = len(pushed.slack.calls)
    await pushed.driver.app_home_opened(user_id=BETH)
    call = await pushed.slack.wait_for_call(
        "views.publish", where=lambda c: c.args.get("user_id") == BETH, after=seen
    )
    shown = render_view(call.args["view"])
    assert "On for incidents you raised" in shown
    assert "Watching: INC0010003" in shown
