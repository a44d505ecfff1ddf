"""A link over its life: refused refreshes (asked once, admins told when many fail),
uninstall, revoked tokens and deactivated people purge what is theirs; all audited."""

from __future__ import annotations

import pytest

from bot.store.instance_config import InstanceConfig
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import TEAM_ID
from tests.app.linkkit import (
    ABEL,
    ADMIN,
    BOW,
    ask,
    audit_events,
    connect_prompts,
    dms_to,
    live_tokens_of,
    slack_user,
)
from tests.conftest import StartBot

pytestmark = pytest.mark.usefixtures("cleanup")  # the `bot` prefix's keys go afterwards

TOKEN_ENDPOINT = "/oauth_token.do"


def refuse_refreshes(bot: BotHarness) -> None:
    """ServiceNow stops accepting refresh tokens, and every access token has expired."""
    bot.servicenow.faults.add(path=TOKEN_ENDPOINT, kind="access_denied", grant_type="refresh_token")
    bot.servicenow.expire_access_tokens()


async def test_refused_refresh_flags_the_link_and_asks_once(bot: BotHarness) -> None:
    """A refused refresh keeps the record, flagged; two lookups bring one Reconnect prompt."""
    await bot.connect("abel.tuter")
    prompts = connect_prompts(bot, ABEL)
    refuse_refreshes(bot)
    first = await ask(bot, "INC0010001")
    second = await ask(bot, "mine")
    assert "Your ServiceNow link has expired or was revoked" in first
    assert "Your ServiceNow link has expired or was revoked" in second
    assert connect_prompts(bot, ABEL) == prompts + 1
    record = await bot.container.vault.get(slack_user(ABEL))
    assert record is not None
    assert record.status == "needs_reconnect"
    assert bot.servicenow.token_calls(grant_type="refresh_token") == 1


async def test_reconnecting_after_a_refusal_answers_again(bot: BotHarness) -> None:
    """After a refused refresh, connecting again clears the flag and lookups work."""
    await bot.connect("abel.tuter")
    refuse_refreshes(bot)
    await ask(bot, "mine")
    bot.servicenow.faults.clear()
    await bot.connect("abel.tuter")
    shown = await ask(bot, "INC0010001")
    assert "VPN drops every few minutes" in shown


async def test_refused_refresh_is_audited(bot: BotHarness) -> None:
    """A refresh ServiceNow refuses leaves an audit event."""
    await bot.connect("abel.tuter")
    refuse_refreshes(bot)
    await ask(bot, "mine")
    assert "token.refresh_refused" in await audit_events(bot)


async def test_many_refused_refreshes_tell_admins_once(start_bot: StartBot) -> None:
    """When several people's refreshes are refused together, admins get one DM about it."""
    people = {"abel.tuter": ABEL, "bow.ruggeri": BOW, "carol.coughlin": "U0CAROLC",
              "beth.anglin": "U0BETH"}
    async with start_bot(admins=[ADMIN]) as bot:
        for name in people:
            await bot.connect(name)
        refuse_refreshes(bot)
        for user_id in people.values():
            await ask(bot, "mine", user_id=user_id)
        alerts = [t for t in dms_to(bot, ADMIN) if "couldn't renew their ServiceNow link" in t]
        assert len(alerts) == 1
        assert "client's secret has probably changed" in alerts[0]
        assert "alert.refresh_failures" in await audit_events(bot)


async def test_one_refused_refresh_does_not_alert_admins(start_bot: StartBot) -> None:
    """A single person's refused refresh tells no admin."""
    async with start_bot(admins=[ADMIN]) as bot:
        await bot.connect("abel.tuter")
        refuse_refreshes(bot)
        await ask(bot, "mine")
        assert not [t for t in dms_to(bot, ADMIN) if "ServiceNow link" in t]


async def test_app_uninstalled_purges_every_link(bot: BotHarness) -> None:
    """`app_uninstalled` deletes every link of the workspace, and is audited."""
    await bot.connect("abel.tuter")
    await bot.connect("bow.ruggeri")
    await bot.driver.app_uninstalled()
    await bot.container.work.settle()
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert await bot.container.vault.get(slack_user(BOW)) is None
    assert await bot.container.vault.list_linked(None, TEAM_ID) == []
    assert "workspace_purged" in await audit_events(bot)


async def test_tokens_revoked_purges_every_link(bot: BotHarness) -> None:
    """`tokens_revoked` deletes every link of the workspace."""
    await bot.connect("abel.tuter")
    await bot.connect("bow.ruggeri")
    await bot.driver.tokens_revoked()
    await bot.container.work.settle()
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert await bot.container.vault.get(slack_user(BOW)) is None


async def _stored_configuration(bot: BotHarness) -> None:
    """The workspace's connection as `/snow setup` stores it (client secret encrypted)."""
    env = InstanceConfig.from_settings(bot.container.settings)
    assert env is not None
    await bot.container.instances.replace(
        env.model_copy(update={"configured_by": ADMIN}), enterprise_id=None, team_id=TEAM_ID
    )
    assert await bot.container.instances.stored(None, TEAM_ID) is not None


async def test_app_uninstalled_purges_the_instance_configuration(bot: BotHarness) -> None:
    """`app_uninstalled` deletes the workspace's stored instance and client secret."""
    await _stored_configuration(bot)
    await bot.driver.app_uninstalled()
    await bot.container.work.settle()
    assert await bot.container.instances.stored(None, TEAM_ID) is None


async def test_bot_tokens_revoked_purges_the_instance_configuration(bot: BotHarness) -> None:
    """A revoked bot token deletes the workspace's stored instance and client secret."""
    await _stored_configuration(bot)
    await bot.driver.tokens_revoked()
    await bot.container.work.settle()
    assert await bot.container.instances.stored(None, TEAM_ID) is None


async def test_user_tokens_revoked_alone_keep_the_links(bot: BotHarness) -> None:
    """`tokens_revoked` listing only Slack user tokens (the bot holds none) keeps the links."""
    await bot.connect("abel.tuter")
    await bot.driver.tokens_revoked(user_ids=[ABEL], bot=False)
    await bot.container.work.settle()
    assert await bot.container.vault.get(slack_user(ABEL)) is not None


async def test_deactivated_slack_user_is_unlinked_and_revoked(bot: BotHarness) -> None:
    """A Slack user deactivated (`user_change` deleted) loses their link; others keep theirs."""
    await bot.connect("abel.tuter")
    await bot.connect("bow.ruggeri")
    bot.slack.users[ABEL].deleted = True
    await bot.driver.user_change(ABEL)
    await bot.container.work.settle()
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert live_tokens_of(bot, "abel.tuter") == []
    assert await bot.container.vault.get(slack_user(BOW)) is not None
    assert "disconnect" in await audit_events(bot)


def slack_calls_about(bot: BotHarness, user_id: str, since: int) -> list[str]:
    """Methods of the Web API calls since ``since`` that reach ``user_id`` or their DM."""
    channel = "D" + user_id.removeprefix("U")
    return [
        call.method
        for call in bot.slack.calls[since:]
        if user_id in (call.args.get("users"), call.args.get("user"))
        or call.args.get("channel") == channel
    ]


async def test_a_changed_slack_email_drops_the_link_and_tells_the_user(bot: BotHarness) -> None:
    """A new email on the Slack profile revokes and deletes the link, and the user is told."""
    await bot.connect("abel.tuter")
    bot.slack.users[ABEL].email = "abel.somebody-else@example.com"
    await bot.driver.user_change(ABEL)
    await bot.container.work.settle()
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert live_tokens_of(bot, "abel.tuter") == []
    assert any("email changed" in text for text in dms_to(bot, ABEL))


async def test_a_member_turned_guest_loses_the_link_and_is_told(bot: BotHarness) -> None:
    """A conversion to a guest (restricted) account revokes and deletes the link."""
    await bot.connect("abel.tuter")
    bot.slack.users[ABEL].is_restricted = True
    await bot.driver.user_change(ABEL)
    await bot.container.work.settle()
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert live_tokens_of(bot, "abel.tuter") == []
    assert any("guest" in text for text in dms_to(bot, ABEL))


async def test_a_deactivated_user_is_not_messaged(bot: BotHarness) -> None:
    """A deactivated person loses the link without the bot trying to DM them."""
    await bot.connect("abel.tuter")
    await bot.container.work.settle()
    since = len(bot.slack.calls)
    bot.slack.users[ABEL].deleted = True
    await bot.driver.user_change(ABEL)
    await bot.container.work.settle()
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert slack_calls_about(bot, ABEL, since) == []


async def test_an_unrelated_profile_change_keeps_the_link(bot: BotHarness) -> None:
    """A new display name (or status) changes nothing about the link."""
    await bot.connect("abel.tuter")
    bot.slack.users[ABEL].real_name = "Abel T."
    await bot.driver.user_change(ABEL)
    await bot.container.work.settle()
    assert await bot.container.vault.get(slack_user(ABEL)) is not None
    assert live_tokens_of(bot, "abel.tuter")


async def test_a_comment_written_through_the_bot_is_audited(bot: BotHarness) -> None:
    """A write to ServiceNow (a comment) leaves an audit event."""
    await bot.connect("abel.tuter")
    await ask(bot, "comment INC0010001 Still broken after a restart")
    assert bot.servicenow.comments_for("INC0010001")[0]["value"] == "Still broken after a restart"
    assert "incident_comment" in await audit_events(bot)


async def test_linked_admins_are_found_without_asking_slack_about_each_person(
    bot: BotHarness,
) -> None:
    """The admins among linked people come from their links, with no users.info per person."""
    for name in ("admin", "abel.tuter", "beth.anglin"):
        await bot.connect(name)
    asked_before = len(bot.slack.calls_to("users.info"))
    found = await bot.container.admins.recipients(slack_user(ABEL), linked_admins=True)
    assert ADMIN in found
    assert ABEL not in found
    assert len(bot.slack.calls_to("users.info")) == asked_before


async def test_a_member_made_admin_is_kept_on_the_link(bot: BotHarness) -> None:
    """A user_change that makes a linked member an admin keeps the link and marks it."""
    await bot.connect("abel.tuter")
    bot.slack.users[ABEL].is_admin = True
    await bot.driver.user_change(ABEL)
    await bot.container.work.settle()
    record = await bot.container.vault.get(slack_user(ABEL))
    assert record is not None
    assert record.slack_admin is True
    assert ABEL in await bot.container.admins.recipients(slack_user(ABEL), linked_admins=True)
