"""Callbacks that must not link: no cookie, reused or expired state, someone else's account,
guests and people of other workspaces. Each is refused and stores no token."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest

from bot.connect import COOKIE
from intents import IntentEngine
from snowbot_sandbox.harness import BotHarness, continue_url, running_bot
from snowbot_sandbox.slack.directory import TEAM_NAME
from tests.app.linkkit import (
    ABEL,
    ADMIN,
    BOW,
    ask,
    connect_prompts,
    dms_to,
    live_tokens_of,
    slack_user,
)
from tests.conftest import REDIS_URL, StartBot

pytestmark = pytest.mark.usefixtures("cleanup")  # the `bot` prefix's keys go afterwards

GUEST = "U0GUEST"
EXTERNAL = "U0EXTERNAL"


@dataclass
class Consent:
    """A consent walked up to the callback, not yet delivered."""

    callback_url: str
    cookie: str


async def consent_up_to_callback(bot: BotHarness, *, user_id: str, consent_as: str) -> Consent:
    """`/snow connect`, open the link, consent; stop before the browser reaches the callback."""
    mark = bot.slack.mark
    await bot.driver.slash_command("/snow", "connect", user_id=user_id)
    start_url = await bot.connect_link(user_id, after=mark)
    return await consent_from_link(bot, start_url, consent_as=consent_as)


async def consent_from_link(bot: BotHarness, start_url: str, *, consent_as: str) -> Consent:
    """Open a Connect link, continue from its page, and consent as ``consent_as``; stop
    before the callback."""
    bot.servicenow.auto_consent_user = consent_as
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as browser:
        start = await browser.get(start_url)
        assert start.status_code == 200, start.text
        consent = await browser.get(continue_url(start.text))
        assert consent.status_code in (302, 303), consent.text
        cookie = browser.cookies.get(COOKIE)
    assert cookie
    return Consent(callback_url=consent.headers["location"], cookie=cookie)


async def deliver(consent: Consent, *, with_cookie: bool = True) -> httpx.Response:
    """The browser arrives at the callback (with or without the flow's cookie)."""
    headers = {"Cookie": f"{COOKIE}={consent.cookie}"} if with_cookie else {}
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as browser:
        return await browser.get(consent.callback_url, headers=headers)


def without_email(bot: BotHarness, user_name: str) -> None:
    """The sandbox ServiceNow account ``user_name`` has no email address."""
    store = bot.servicenow.store
    person = store.users[user_name]
    store.users[user_name] = dataclasses.replace(person, email="")
    store.rows["sys_user"][person.sys_id]["email"] = ""


def code_exchanges(bot: BotHarness) -> int:
    """Authorization-code calls that reached the sandbox's token endpoint."""
    return bot.servicenow.token_calls(grant_type="authorization_code")


async def test_callback_without_cookie_is_refused(bot: BotHarness) -> None:
    """A callback without the flow's cookie is refused and stores no token."""
    consent = await consent_up_to_callback(bot, user_id=ABEL, consent_as="abel.tuter")
    page = await deliver(consent, with_cookie=False)
    assert page.status_code == 400
    assert "Not connected" in page.text
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert code_exchanges(bot) == 0


async def test_replayed_callback_is_refused(bot: BotHarness) -> None:
    """A callback replayed with a state already used is refused and changes nothing."""
    consent = await consent_up_to_callback(bot, user_id=ABEL, consent_as="abel.tuter")
    assert (await deliver(consent)).status_code == 200
    stored = await bot.container.vault.get(slack_user(ABEL))
    assert stored is not None
    replay = await deliver(consent)
    assert replay.status_code == 400
    after = await bot.container.vault.get(slack_user(ABEL))
    assert after is not None
    assert after.version == stored.version
    assert code_exchanges(bot) == 1


async def test_a_leaked_state_without_the_cookie_does_not_burn_the_sign_in(
    bot: BotHarness,
) -> None:
    """A callback with the right state but not the browser's cookie is refused without
    using the state up: the real browser's callback still links."""
    consent = await consent_up_to_callback(bot, user_id=ABEL, consent_as="abel.tuter")
    assert (await deliver(consent, with_cookie=False)).status_code == 400
    assert code_exchanges(bot) == 0
    again = await deliver(consent)
    assert again.status_code == 200, again.text
    assert await bot.container.vault.get(slack_user(ABEL)) is not None
    assert code_exchanges(bot) == 1


@pytest.fixture
async def clocked_bot(engine: IntentEngine) -> AsyncIterator[tuple[BotHarness, list[float]]]:
    """A bot whose clock (and the sandboxes') a test can move forward."""
    import time

    offset = [0.0]
    clock: Callable[[], float] = lambda: time.time() + offset[0]  # noqa: E731
    async with running_bot(redis_url=REDIS_URL, engine=engine, clock=clock) as h:
        yield h, offset


async def test_expired_state_is_refused(clocked_bot: tuple[BotHarness, list[float]]) -> None:
    """A callback arriving after the state's ten minutes is refused and stores no token."""
    bot, offset = clocked_bot
    consent = await consent_up_to_callback(bot, user_id=ABEL, consent_as="abel.tuter")
    offset[0] += 601
    page = await deliver(consent)
    assert page.status_code == 400
    assert "10 minutes" in page.text
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert code_exchanges(bot) == 0


async def test_consent_as_another_servicenow_user_is_refused(bot: BotHarness) -> None:
    """Slack Abel consenting as ServiceNow Bow (email mismatch) is refused, nothing stored."""
    page = await bot.connect("bow.ruggeri", slack_user_id=ABEL)
    assert page.status_code == 400
    assert await bot.container.vault.get(slack_user(ABEL)) is None
    assert live_tokens_of(bot, "bow.ruggeri") == []  # the refused link's token was revoked
    await bot.container.work.settle()
    told = [
        c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == "D0ABEL"
    ]
    assert any("email isn't the one" in str(c.args.get("text")) for c in told)


async def test_warn_policy_links_another_account_with_a_warning(start_bot: StartBot) -> None:
    """With the "warn" policy, an email mismatch links and tells the user it does not match."""
    async with start_bot(link_email_policy="warn") as bot:
        page = await bot.connect("bow.ruggeri", slack_user_id=ABEL)
        assert page.status_code == 200, page.text
        record = await bot.container.vault.get(slack_user(ABEL))
        assert record is not None
        assert record.servicenow_user.user_name == "bow.ruggeri"
        await bot.container.work.settle()
        told = " ".join(
            str(c.args.get("text"))
            for c in bot.slack.calls_to("chat.postMessage")
            if c.args.get("channel") == "D0ABEL"
        )
        assert "Bow Ruggeri" in told
        assert "isn't the one on your Slack profile" in told
        connects = [e for e in await bot.container.audit.recent(50) if e.event == "connect"]
        assert connects
        assert connects[0].fields.get("email_matches") is False


async def test_warn_policy_tells_the_servicenow_accounts_owner_and_the_admins(
    start_bot: StartBot,
) -> None:
    """Under "warn", a link to someone else's ServiceNow account is also reported to that
    account's owner in Slack (found by email) and to the admins."""
    async with start_bot(link_email_policy="warn", admins=[ADMIN]) as bot:
        page = await bot.connect("bow.ruggeri", slack_user_id=ABEL)
        assert page.status_code == 200, page.text
        await bot.container.work.settle()
        to_bow = " ".join(dms_to(bot, BOW))
        to_admin = " ".join(dms_to(bot, ADMIN))
        assert "Your ServiceNow account Bow Ruggeri was just linked" in to_bow
        assert "<@U0ABEL>" in to_bow
        assert "<@U0ABEL> linked the ServiceNow account Bow Ruggeri" in to_admin


@pytest.mark.parametrize("policy", ["refuse", "warn"])
async def test_empty_emails_on_both_sides_are_refused(start_bot: StartBot, policy: str) -> None:
    """A Slack profile and a ServiceNow account that both lack an email never link."""
    async with start_bot(link_email_policy=policy) as bot:
        bot.slack.users[ABEL].email = None
        without_email(bot, "abel.tuter")
        page = await bot.connect("abel.tuter")
        assert page.status_code == 400
        assert "no email address" in page.text
        assert await bot.container.vault.get(slack_user(ABEL)) is None
        assert live_tokens_of(bot, "abel.tuter") == []


async def test_the_connect_page_names_the_slack_user_and_the_workspace(bot: BotHarness) -> None:
    """Opening a Connect link shows whose Slack account, in which workspace, it links, and
    only then goes on to ServiceNow."""
    mark = bot.slack.mark
    await bot.driver.slash_command("/snow", "connect", user_id=ABEL)
    start_url = await bot.connect_link(ABEL, after=mark)
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as browser:
        start = await browser.get(start_url)
    assert start.status_code == 200
    assert "Abel Tuter" in start.text
    assert TEAM_NAME in start.text
    assert "Continue to ServiceNow" in start.text
    assert continue_url(start.text).startswith(f"{bot.servicenow_url}/oauth_auth.do?")


async def test_the_result_page_names_the_slack_user_and_the_workspace(bot: BotHarness) -> None:
    """The page after consent says which Slack account, in which workspace, was linked."""
    page = await bot.connect("abel.tuter")
    assert page.status_code == 200
    assert "The Slack account of Abel Tuter in Sandbox is now linked" in page.text


async def test_guest_cannot_get_a_connect_link(bot: BotHarness) -> None:
    """A guest's `/snow connect` is refused with a sentence and no Connect button."""
    shown = await ask(bot, "connect", user_id=GUEST)
    assert "Guest accounts can't link" in shown
    assert connect_prompts(bot, GUEST) == 0


async def test_guest_link_is_refused_at_the_callback(bot: BotHarness) -> None:
    """A Connect link that ends up with a guest is refused at the callback; nothing stored."""
    link = await bot.container.servicenow.connect_url(slack_user(GUEST))
    consent = await consent_from_link(bot, link, consent_as="abel.tuter")
    page = await deliver(consent)
    assert page.status_code == 400
    assert await bot.container.vault.get(slack_user(GUEST)) is None
    assert code_exchanges(bot) == 0


async def test_user_of_another_workspace_cannot_link(bot: BotHarness) -> None:
    """Someone from another workspace (Slack Connect) is refused and gets no Connect button."""
    shown = await ask(bot, "connect", user_id=EXTERNAL)
    assert "other workspaces" in shown
    assert connect_prompts(bot, EXTERNAL) == 0
    link = await bot.container.servicenow.connect_url(slack_user(EXTERNAL))
    page = await deliver(await consent_from_link(bot, link, consent_as="abel.tuter"))
    assert page.status_code == 400
    assert await bot.container.vault.get(slack_user(EXTERNAL)) is None
