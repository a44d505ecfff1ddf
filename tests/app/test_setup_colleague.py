"""The ordinary-user half of the connection test: a colleague links, the admin hears back."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from tests.app.setupkit import (
    ABEL,
    ADMIN,
    create_feedback_table,
    diagnosis,
    enter_credentials,
    latest,
    press,
    run_test,
    unconfigured_bot,
)
from tests.conftest import StartBot

BETH = "U0BETH"


async def _ask(bot: BotHarness, colleague: str) -> None:
    """Set up, pass the admin's test, and name ``colleague`` for the ordinary-user test."""
    create_feedback_table(bot)
    await enter_credentials(bot)
    await run_test(bot)
    await press(bot, "Test as an ordinary user")
    response = await bot.driver.submit_view(
        {"Colleague without admin roles": colleague}, user_id=ADMIN
    )
    assert response.status_code == 200
    await bot.container.work.settle()


async def _colleague_links(bot: BotHarness, user_id: str, *, consent_as: str) -> None:
    link = await bot.connect_link(user_id)
    await bot.browse_consent(link, consent_as=consent_as)
    await bot.container.work.settle()


async def test_an_ordinary_colleague_passing_is_reported_to_the_admin(
    start_bot: StartBot
) -> None:
    """The colleague gets a Connect link; once linked, the admin sees their checks ticked."""
    async with unconfigured_bot(start_bot) as bot:
        await _ask(bot, ABEL)
        assert "asked you to link your ServiceNow account" in latest(bot, ABEL)
        await _colleague_links(bot, ABEL, consent_as="abel.tuter")
        shown = latest(bot)
        assert "✅ Abel Tuter can read incidents" in shown
        assert "Everything works" in shown
        assert not (await diagnosis(bot)).failed


async def test_a_colleague_with_itil_roles_is_flagged(start_bot: StartBot) -> None:
    """A colleague whose account has ITIL roles proves little: the admin is told so."""
    async with unconfigured_bot(start_bot) as bot:
        await _ask(bot, BETH)
        await _colleague_links(bot, BETH, consent_as="beth.anglin")
        assert (await diagnosis(bot)).causes[0] == "colleague_privileged"


async def test_a_colleague_whose_link_is_refused_is_reported(
    start_bot: StartBot
) -> None:
    """A refused colleague link reaches the admin with the hardened checklist ranked near."""
    async with unconfigured_bot(start_bot) as bot:
        await _ask(bot, ABEL)
        await _colleague_links(bot, ABEL, consent_as="bow.ruggeri")  # not Abel's account
        causes = (await diagnosis(bot)).causes
        assert causes[0] == "colleague_refused"
        assert "oauth_credential.*" in latest(bot)


async def test_a_slack_admin_cannot_be_the_colleague(start_bot: StartBot) -> None:
    """Naming a workspace admin for the ordinary-user test is refused politely."""
    async with unconfigured_bot(start_bot) as bot:
        await _ask(bot, "U0OWNER")
        assert "not an admin" in latest(bot)
