"""Connect, answer as the user, show who they are, disconnect: end to end through the app."""

from __future__ import annotations

import pytest

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import render_surface
from tests.app.linkkit import (
    ABEL,
    ask,
    audit_events,
    connect_prompts,
    live_tokens_of,
    slack_user,
)

pytestmark = pytest.mark.usefixtures("cleanup")  # the `bot` prefix's keys go afterwards


async def test_lookup_of_someone_elses_incident_says_not_found(bot: BotHarness) -> None:
    """`/snow INC…` for an incident of another caller answers that it is not found."""
    await bot.connect("abel.tuter")
    bows = bot.servicenow.get_incident("INC0010007")
    assert bows is not None
    bow = bot.servicenow.user_by_name("bow.ruggeri").sys_id
    assert bows["caller_id"] == bow
    shown = await ask(bot, "INC0010007")
    assert "couldn't find that" in shown
    assert bows["short_description"] not in shown


async def test_lookup_of_own_incident_shows_it(bot: BotHarness) -> None:
    """`/snow INC…` for the user's own incident shows its card."""
    await bot.connect("abel.tuter")
    own = bot.servicenow.get_incident("INC0010001")
    assert own is not None
    shown = await ask(bot, "INC0010001")
    assert "INC0010001" in shown
    assert own["short_description"] in shown


async def test_disconnect_revokes_and_next_mine_offers_connect(bot: BotHarness) -> None:
    """`/snow disconnect` revokes the tokens, and the next `/snow mine` offers Connect."""
    await bot.connect("abel.tuter")
    assert live_tokens_of(bot, "abel.tuter")
    await ask(bot, "disconnect")
    assert live_tokens_of(bot, "abel.tuter") == []
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    before = connect_prompts(bot, ABEL)
    shown = await ask(bot, "mine")
    assert "Connect ServiceNow" in shown
    assert connect_prompts(bot, ABEL) == before + 1


REVOKE = "/oauth_revoke_token.do"


async def test_disconnect_revokes_with_the_token_in_the_body_only(bot: BotHarness) -> None:
    """Each revocation is a POST whose form carries the token; no URL ever holds it."""
    await bot.connect("abel.tuter")
    since = len(bot.servicenow.requests)
    await ask(bot, "disconnect")
    revokes = [r for r in bot.servicenow.requests[since:] if r.path == REVOKE]
    assert len(revokes) == 2  # the refresh token, then the access token
    assert all(r.method == "POST" and r.query == {} for r in revokes)
    assert all(r.form is not None and "token" in r.form for r in revokes)


async def test_a_revoke_refused_with_405_is_not_retried_with_the_token_in_the_url(
    bot: BotHarness,
) -> None:
    """An instance refusing the POST (405) gets no GET with ``?token=``; the link goes anyway."""
    await bot.connect("abel.tuter")
    bot.servicenow.faults.add(path=REVOKE, kind="405")
    since = len(bot.servicenow.requests)
    await ask(bot, "disconnect")
    revokes = [r for r in bot.servicenow.requests[since:] if r.path == REVOKE]
    assert revokes
    assert all(r.method == "POST" and r.query == {} for r in revokes)
    assert await bot.container.vault.get(slack_user(ABEL)) is None


async def test_status_shows_as_whom(bot: BotHarness) -> None:
    """`/snow status` names the ServiceNow account and the instance the user is linked to."""
    await bot.connect("abel.tuter")
    shown = await ask(bot, "status")
    assert "Abel Tuter" in shown
    assert bot.servicenow_url.split("//")[1] in shown


async def test_status_when_not_connected_offers_connect(bot: BotHarness) -> None:
    """`/snow status` before linking says so and offers Connect."""
    shown = await ask(bot, "status")
    assert "Abel Tuter" not in shown
    assert "Connect" in shown


async def test_home_tab_shows_link_disconnect_and_open_incidents(bot: BotHarness) -> None:
    """App Home shows whom the user is linked as, Disconnect, and their open incidents."""
    await bot.connect("abel.tuter")
    await bot.container.work.settle()
    seen = len(bot.slack.calls)
    await bot.driver.app_home_opened(user_id=ABEL)
    await bot.container.work.settle()
    published = [c for c in bot.slack.calls[seen:] if c.method == "views.publish"]
    assert published
    home = render_surface(bot.slack.views[bot.slack.home_views[ABEL]])
    assert "Abel Tuter" in home
    assert "Disconnect" in home
    assert "INC0010001" in home
    assert "INC0010006" not in home  # closed: not open


async def test_home_tab_before_linking_offers_connect(bot: BotHarness) -> None:
    """Opening App Home before linking shows a Connect button and no incidents."""
    await bot.driver.app_home_opened(user_id=ABEL)
    await bot.container.work.settle()
    home = render_surface(bot.slack.views[bot.slack.home_views[ABEL]])
    assert "Connect" in home
    assert "INC00" not in home


async def test_connect_and_disconnect_are_audited(bot: BotHarness) -> None:
    """Connect and disconnect each leave an audit event in the stream."""
    await bot.connect("abel.tuter")
    await ask(bot, "disconnect")
    events = await audit_events(bot)
    assert "connect" in events
    assert "disconnect" in events
