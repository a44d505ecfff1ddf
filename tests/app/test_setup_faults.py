"""Each sandbox fault, walked through the guided connection test: the matching fix ranks
first or second in the checklist the admin is shown."""

from __future__ import annotations

import socket

from bot.setup.causes import finding
from snowbot_sandbox.harness import CLIENT_ID, CLIENT_SECRET, BotHarness
from snowbot_sandbox.slack import TEAM_ID
from tests.app.setupkit import (
    ABEL,
    consent,
    create_feedback_table,
    diagnosis,
    enter_credentials,
    latest,
    press,
    run_test,
    scheduled_checks_done,
    sign_in_link,
    unconfigured_bot,
)
from tests.conftest import StartBot


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _ranked(bot: BotHarness, cause: str) -> int:
    """Where ``cause`` ranks (1-based) in the diagnosis, and that the admin saw its title."""
    causes = list((await diagnosis(bot)).causes)
    assert cause in causes, causes
    title = finding(cause).title
    assert title in latest(bot), latest(bot)
    return causes.index(cause) + 1


async def test_a_504_on_the_sign_in_page_ranks_the_hardened_checklist_first(
    start_bot: StartBot
) -> None:
    """A 504 Gateway Time-out on the authorize page leads to the hardened-instance checklist."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot)
        bot.servicenow.faults.add(path="/oauth_auth.do", kind="504")
        await run_test(bot, sign_in=False)
        assert await _ranked(bot, "hardened") == 1
        assert "oauth_credential.*" in latest(bot)
        assert "snc_internal" in latest(bot)


async def test_access_denied_on_the_token_call_ranks_the_hardened_checklist_second(
    start_bot: StartBot
) -> None:
    """access_denied on every code exchange, with and without PKCE, leads to the checklist."""
    async with unconfigured_bot(start_bot) as bot:
        create_feedback_table(bot)
        await enter_credentials(bot)
        bot.servicenow.faults.add(
            path="/oauth_token.do", kind="access_denied", grant_type="authorization_code"
        )
        await run_test(bot)
        await consent(bot, sign_in_link(bot, label="Sign in again without PKCE"))
        assert await _ranked(bot, "hardened") <= 2
        assert "oauth_credential.*" in latest(bot)


async def test_a_403_on_incidents_for_ordinary_users_ranks_the_rest_role_first(
    start_bot: StartBot
) -> None:
    """The admin passes, a colleague's link gets 403 on incidents: the REST API role ranks first."""
    async with unconfigured_bot(start_bot) as bot:
        create_feedback_table(bot)
        bot.servicenow.faults.add(
            path="/api/now/v2/table/incident", kind="403", only_ess=True
        )
        await enter_credentials(bot)
        await run_test(bot)
        assert "Everything works" in latest(bot)
        await press(bot, "Test as an ordinary user")
        response = await bot.driver.submit_view(
            {"Colleague without admin roles": ABEL}, user_id="U0ADMIN"
        )
        assert response.status_code == 200
        await bot.container.work.settle()
        link = await bot.connect_link(ABEL)
        await bot.browse_consent(link, consent_as="abel.tuter")
        await bot.container.work.settle()
        assert await _ranked(bot, "rest_role") == 1


async def test_a_missing_feedback_table_ranks_creating_it_first(
    start_bot: StartBot
) -> None:
    """Without the feedback table, the fix is to create it (with its columns)."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot)
        await run_test(bot)
        assert await _ranked(bot, "feedback_missing") == 1
        assert "u_rating" in latest(bot)


async def test_a_redirect_url_mismatch_is_found_when_no_callback_comes(
    start_bot: StartBot
) -> None:
    """ServiceNow sends the browser to another registered URL: no callback, redirect ranks first."""
    async with unconfigured_bot(start_bot) as bot:
        settings = bot.container.settings
        bot.servicenow.register_client(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=[f"{bot.bot_url}/old/oauth/callback"],
        )
        await enter_credentials(bot)
        await run_test(bot)  # the browser lands on /old/oauth/callback; the bot hears nothing
        await scheduled_checks_done(bot)
        assert await _ranked(bot, "redirect") == 1
        assert settings.redirect_uri in latest(bot)


async def test_a_wrong_secret_ranks_the_secret_first(start_bot: StartBot) -> None:
    """A wrong client secret fails the exchange with and without PKCE: the secret ranks first."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot, secret="not-the-secret-9876")
        await run_test(bot)
        assert await _ranked(bot, "secret") == 2  # PKCE is tried away first
        await consent(bot, sign_in_link(bot, label="Sign in again without PKCE"))
        assert await _ranked(bot, "secret") == 1


async def test_an_instance_refusing_pkce_is_saved_with_pkce_off(
    start_bot: StartBot
) -> None:
    """PKCE refused: PKCE ranks first, the retry without it works and is saved."""
    async with unconfigured_bot(start_bot) as bot:
        create_feedback_table(bot)
        bot.servicenow.register_client(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=[bot.container.settings.redirect_uri],
            pkce_refused=True,
        )
        await enter_credentials(bot)
        await run_test(bot)
        assert await _ranked(bot, "pkce") == 1
        await consent(bot, sign_in_link(bot, label="Sign in again without PKCE"))
        assert "Everything works" in latest(bot), latest(bot)
        stored = await bot.container.instances.stored(None, TEAM_ID)
        assert stored is not None
        assert stored.pkce is False


async def test_an_unreachable_instance_ranks_reachability_first(
    start_bot: StartBot
) -> None:
    """An instance on a closed loopback port: nothing answers, reachability ranks first."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot, instance=f"http://127.0.0.1:{_closed_port()}")
        await run_test(bot, sign_in=False)
        assert await _ranked(bot, "unreachable") == 1
        assert bot.servicenow.requests == []


async def test_a_sign_in_page_that_hangs_is_cut_off_and_read_as_hardened(
    start_bot: StartBot
) -> None:
    """A consent page that never answers is given up on and ranks the hardened checklist."""
    async with unconfigured_bot(start_bot, servicenow_timeout=0.3) as bot:
        await enter_credentials(bot)
        bot.servicenow.faults.add(path="/oauth_auth.do", kind="hang")
        try:
            await run_test(bot, sign_in=False)
            assert await _ranked(bot, "hardened") == 1
            assert "❌ The sign-in page loads" in latest(bot)
        finally:
            bot.servicenow.faults.clear()


async def test_a_wrong_client_id_is_found_before_anyone_signs_in(
    start_bot: StartBot
) -> None:
    """The sign-in page refuses an unknown client id: the client id ranks first, no link."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot, client_id="not-the-client-id")
        await run_test(bot, sign_in=False)
        assert await _ranked(bot, "client_id") == 1
        assert "Sign in to ServiceNow" not in latest(bot)
