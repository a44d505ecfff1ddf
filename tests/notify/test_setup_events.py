"""Setup's Business Rule step: script, secret shown once, rotation, test event (item 2)."""

from __future__ import annotations

import re

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import render_view
from tests.app.setupkit import ADMIN, latest, press

SHOWN = re.compile(r"shown this once \(copy it into `snowbot\.events_secret` now\): `([^`]+)`")


async def _events_modal(bot: BotHarness) -> str:
    await bot.driver.slash_command("/snow", "setup", user_id=ADMIN)
    await bot.container.work.settle()
    for _ in range(3):
        if "Step 4 of 4" in latest(bot):
            break
        await press(bot, "Done, next step")
    await press(bot, "Notifications (Business Rule)")
    modal = bot.slack.top_modal(ADMIN)
    assert modal is not None
    return render_view(modal.to_api())


async def test_the_step_gives_the_business_rule_script(bot: BotHarness) -> None:
    """The modal holds the rule: async after insert/update, RESTMessageV2, both headers."""
    shown = await _events_modal(bot)
    assert "current.comments.changes() || current.state.changes()" in shown
    assert "sn_ws.RESTMessageV2()" in shown
    assert "X-Snowbot-Request-Timestamp" in shown
    assert "X-Snowbot-Signature" in shown
    assert f"{bot.bot_url}/servicenow/events" in shown
    assert "No secret yet" in shown


async def test_a_generated_secret_is_shown_once_and_signs_the_test_event(
    bot: BotHarness,
) -> None:
    """Generate: the secret appears in the modal only; a test event signed with it is
    accepted, and the check says so; rotating makes the old secret useless."""
    await _events_modal(bot)
    await press(bot, "Generate secret")
    modal = bot.slack.top_modal(ADMIN)
    assert modal is not None
    found = SHOWN.search(render_view(modal.to_api()))
    assert found is not None
    secret = found.group(1)
    posted = [str(c.args) for c in bot.slack.calls if c.method != "views.update"]
    assert not [c for c in posted if secret in c]  # only the modal ever had it
    bot.servicenow.rule.install(url=f"{bot.bot_url}/servicenow/events", secret=secret,
                                team_id="T0SANDBOX")
    bot.servicenow.rule.fire_test()
    await bot.servicenow.rule.settle()
    assert bot.servicenow.rule.answers == [200]
    await press(bot, "Check for the test event")
    modal = bot.slack.top_modal(ADMIN)
    assert modal is not None
    shown = render_view(modal.to_api())
    assert "A signed test event arrived" in shown
    assert secret not in shown  # shown once: not again
    await press(bot, "Rotate secret")
    bot.servicenow.rule.fire_test()
    await bot.servicenow.rule.settle()
    assert bot.servicenow.rule.answers == [200, 401]
