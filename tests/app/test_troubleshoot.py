"""`troubleshoot.connection`: the user's own link is checked and the fix comes with Reconnect."""

from __future__ import annotations

from bot.grammar import SnowCommand
from bot.models import SlackUser
from bot.reply import Origin, SlackReply
from bot.router import INTENT_COMMANDS, route_command
from bot.turn import Turn
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import TEAM_ID, render_surface
from snowbot_sandbox.slack.render import find_button

ABEL = "U0ABEL"
INCIDENTS = "/api/now/v2/table/incident"


async def _troubleshoot(bot: BotHarness, user_id: str = ABEL) -> str:
    """Run the intent's use case as ``user_id``; what they are shown, as text."""
    user = SlackUser(enterprise_id=None, team_id=TEAM_ID, user_id=user_id)
    reply = SlackReply(client=bot.container.slack, user=user, origin=Origin(kind="home"))
    kind = INTENT_COMMANDS["troubleshoot.connection"]
    await route_command(Turn(c=bot.container, user=user, reply=reply), SnowCommand(kind=kind))
    await bot.container.work.settle()
    surface = bot.slack.visible_to(user_id)[0]
    assert find_button(surface.blocks, "Reconnect") is not None
    return render_surface(surface)


async def test_no_link_is_found_and_reconnect_offered(bot: BotHarness) -> None:
    """Someone who never linked is told so, with a Reconnect button."""
    assert "haven't linked" in await _troubleshoot(bot)


async def test_a_working_link_is_confirmed(bot: BotHarness) -> None:
    """A link that reads incidents is reported as working."""
    await bot.connect("abel.tuter")
    assert "Your link works" in await _troubleshoot(bot)


async def test_a_link_refused_on_refresh_asks_to_reconnect(bot: BotHarness) -> None:
    """A link whose refresh ServiceNow refused is reported with the reconnect fix."""
    await bot.connect("abel.tuter")
    bot.servicenow.expire_access_tokens("abel.tuter")
    bot.servicenow.expire_refresh_tokens("abel.tuter")
    assert "refused to renew your link" in await _troubleshoot(bot)


async def test_a_401_when_used_is_reported(bot: BotHarness) -> None:
    """A link ServiceNow answers 401 to, even after a renewal, is reported as not accepted."""
    await bot.connect("abel.tuter")
    bot.servicenow.faults.add(path=INCIDENTS, kind="401")
    assert "no longer accepts your link" in await _troubleshoot(bot)


async def test_a_403_when_used_points_at_the_rest_role(bot: BotHarness) -> None:
    """A link refused the incident table (403) gets the role fix, not a reconnect."""
    await bot.connect("abel.tuter")
    bot.servicenow.faults.add(path=INCIDENTS, kind="403", only_ess=True)
    shown = await _troubleshoot(bot)
    assert "(403)" in shown
    assert "snc_platform_rest_api_access" in shown
