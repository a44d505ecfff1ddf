"""Helpers for the guided-setup tests (not fixtures, not tests): walk the guide as an admin."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.setup.diagnosis import Diagnosis, diagnose
from bot.setup.records import SetupRecord
from snowbot_sandbox.harness import CLIENT_ID, CLIENT_SECRET, BotHarness
from snowbot_sandbox.slack import TEAM_ID, render_surface
from snowbot_sandbox.slack.render import find_button
from tests.conftest import StartBot

ADMIN = "U0ADMIN"
ABEL = "U0ABEL"
FEEDBACK_COLUMNS = ["u_rating", "u_comment", "u_incident", "u_slack_user", "u_source"]
CALLBACK_WAIT = 0.5


@contextlib.asynccontextmanager
async def unconfigured_bot(start_bot: StartBot, **overrides: Any) -> AsyncIterator[BotHarness]:
    """A bot with no ServiceNow connection yet (an admin must run `/snow setup`)."""
    overrides.setdefault("setup_callback_wait", CALLBACK_WAIT)
    async with start_bot(preconfigured=False, **overrides) as bot:
        yield bot


def latest(bot: BotHarness, user_id: str = ADMIN) -> str:
    """What the user sees last, as text."""
    return render_surface(bot.slack.visible_to(user_id)[0])


async def press(bot: BotHarness, label: str, *, user_id: str = ADMIN) -> None:
    """Press a button and wait for what it started."""
    response = await bot.driver.press(label, user_id=user_id)
    assert response.status_code == 200, response.text
    await bot.container.work.settle()


async def open_credentials_modal(bot: BotHarness, *, user_id: str = ADMIN) -> None:
    """`/snow setup`, on to step 2 (from wherever the guide opens), and its modal."""
    await bot.driver.slash_command("/snow", "setup", user_id=user_id)
    await bot.container.work.settle()
    if "Step 1 of 4" in latest(bot, user_id):
        await press(bot, "Done, next step", user_id=user_id)
    for _ in range(2):  # from step 3 or 4
        if "Step 2 of 4" in latest(bot, user_id):
            break
        await press(bot, "Back", user_id=user_id)
    await press(bot, "Enter client id and secret", user_id=user_id)


async def enter_credentials(
    bot: BotHarness,
    *,
    instance: str | None = None,
    client_id: str = CLIENT_ID,
    secret: str = CLIENT_SECRET,
    user_id: str = ADMIN,
) -> None:
    """`/snow setup`, then step 2's modal filled in and submitted."""
    await open_credentials_modal(bot, user_id=user_id)
    response = await bot.driver.submit_view(
        {
            "Instance": instance or bot.servicenow_url,
            "Client ID": client_id,
            "Client secret": secret,
        },
        user_id=user_id,
    )
    assert response.status_code == 200, response.text
    await bot.container.work.settle()


def sign_in_link(bot: BotHarness, *, label: str = "Sign in to ServiceNow") -> str:
    """The newest setup-test sign-in link shown to the admin."""
    for surface in bot.slack.visible_to(ADMIN):
        button = find_button(surface.blocks, label)
        if button is not None and button.url:
            return button.url
    msg = f"no {label!r} link shown to the admin"
    raise LookupError(msg)


async def consent(bot: BotHarness, url: str, *, as_user: str = "admin") -> int:
    """Open a sign-in link in a fresh browser, consenting as ``as_user``; the final status."""
    page = await bot.browse_consent(url, consent_as=as_user)
    await bot.container.work.settle()
    return page.status_code


async def run_test(bot: BotHarness, *, sign_in: bool = True, as_user: str = "admin") -> None:
    """Press "Run the connection test" (after "Done" on step 2) and, when a sign-in link
    comes, consent."""
    if "Step 2 of 4" in latest(bot):
        await press(bot, "Done, next step")
    await press(bot, "Run the connection test")
    if sign_in:
        await consent(bot, sign_in_link(bot), as_user=as_user)


async def scheduled_checks_done(bot: BotHarness, *, within: float = 5.0) -> None:
    """Wait until the checks scheduled for later (the missing-callback report) have run."""
    for _ in range(int(within / 0.02)):
        if not bot.container.work.scheduled:
            break
        await asyncio.sleep(0.02)
    await bot.container.work.settle()


async def record(bot: BotHarness) -> SetupRecord:
    """The workspace's setup record."""
    return await bot.container.setup_records.get(None, TEAM_ID)


async def diagnosis(bot: BotHarness) -> Diagnosis:
    """The diagnosis of what the test saw so far."""
    current = await record(bot)
    return diagnose(current.observations, colleague=current.colleague_name)


def create_feedback_table(bot: BotHarness, *, ess_can_read: bool = True) -> None:
    """The feedback table as step 4 describes it."""
    bot.servicenow.create_table(
        "u_snowbot_feedback", FEEDBACK_COLUMNS, ess_can_create=True, ess_can_read=ess_can_read
    )
