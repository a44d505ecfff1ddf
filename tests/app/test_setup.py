"""The guided setup, walked in Slack as an admin, against the sandbox ServiceNow."""

from __future__ import annotations

from typing import Any

import pytest

from snowbot_sandbox.harness import CLIENT_SECRET, BotHarness
from snowbot_sandbox.slack import TEAM_ID
from tests.app.linkkit import ask
from tests.app.setupkit import (
    ABEL,
    ADMIN,
    create_feedback_table,
    diagnosis,
    enter_credentials,
    latest,
    open_credentials_modal,
    press,
    record,
    run_test,
    unconfigured_bot,
)
from tests.conftest import StartBot


async def test_an_admin_connects_the_workspace_end_to_end(start_bot: StartBot) -> None:
    """Credentials, the test with the admin's consent, and every check ticked."""
    async with unconfigured_bot(start_bot) as bot:
        create_feedback_table(bot)
        await enter_credentials(bot)
        stored = await bot.container.instances.stored(None, TEAM_ID)
        assert stored is not None
        assert stored.client_secret.get_secret_value() == CLIENT_SECRET
        await run_test(bot)
        assert "Everything works" in latest(bot)
        assert (await record(bot)).connection_ok is True
        assert not (await diagnosis(bot)).failed


async def test_waiting_for_the_sign_in_callback_is_no_work_in_flight(
    start_bot: StartBot
) -> None:
    """After the admin signs in, the long wait for a missing callback holds up nothing."""
    async with unconfigured_bot(start_bot, setup_callback_wait=180.0) as bot:
        await enter_credentials(bot)
        await run_test(bot)
        assert (await record(bot)).connection_ok is True
        assert bot.container.work.in_flight == 0


async def test_done_and_back_move_between_steps(start_bot: StartBot) -> None:
    """Done shows the next step and Back the previous one, with the progress line."""
    async with unconfigured_bot(start_bot) as bot:
        await bot.driver.slash_command("/snow", "setup", user_id=ADMIN)
        await bot.container.work.settle()
        assert "Step 1 of 4" in latest(bot)
        assert bot.container.settings.redirect_uri in latest(bot)
        await press(bot, "Done, next step")
        assert "Step 2 of 4" in latest(bot)
        await press(bot, "Back")
        assert "Step 1 of 4" in latest(bot)


async def test_a_non_admin_is_told_who_can_set_up(start_bot: StartBot) -> None:
    """`/snow setup` from an ordinary member is refused politely, naming who can do it."""
    async with unconfigured_bot(start_bot) as bot:
        await bot.driver.slash_command("/snow", "setup", user_id=ABEL)
        await bot.container.work.settle()
        shown = latest(bot, ABEL)
        assert "for workspace admins" in shown
        assert "a workspace admin or owner" in shown
        assert "Step 1" not in shown


async def test_a_setup_submission_replayed_by_a_non_admin_is_refused(
    start_bot: StartBot
) -> None:
    """The admin's credentials modal submitted as someone else stores nothing."""
    async with unconfigured_bot(start_bot) as bot:
        await bot.driver.slash_command("/snow", "setup", user_id=ADMIN)
        await bot.container.work.settle()
        await press(bot, "Done, next step")
        await press(bot, "Enter client id and secret")
        view = bot.slack.top_modal(ADMIN)
        assert view is not None
        response = await bot.driver.submit_view(
            {"Instance": bot.servicenow_url, "Client ID": "x", "Client secret": "replayed-1"},
            user_id=ABEL,
            view_id=view.id,
        )
        assert response.status_code == 200
        await bot.container.work.settle()
        assert await bot.container.instances.stored(None, TEAM_ID) is None
        assert "for workspace admins" in latest(bot, ABEL)


@pytest.mark.parametrize(
    "instance",
    [
        "acme.service-now.com.evil.com",  # a lookalike: refused by the built-in rules
        "servicenow.example.com",  # a custom domain the operator did not allow-list
    ],
)
async def test_a_refused_instance_keeps_the_modal_open_with_the_error(
    start_bot: StartBot, instance: str
) -> None:
    """A refused instance gets a field error in the ack: the modal stays open with what
    was typed, nothing is saved or staged, and no request leaves the bot."""
    async with unconfigured_bot(start_bot) as bot:
        await open_credentials_modal(bot)
        response = await bot.driver.submit_view(
            {"Instance": instance, "Client ID": "abc", "Client secret": "s3cret-value"},
            user_id=ADMIN,
        )
        assert response.json()["response_action"] == "errors"
        assert "snow_instance" in response.json()["errors"]
        modal = bot.slack.top_modal(ADMIN)
        assert modal is not None
        assert not modal.closed
        assert await bot.container.instances.stored(None, TEAM_ID) is None
        assert await bot.container.instances.staged(None, TEAM_ID) is None
        assert bot.servicenow.requests == []


async def test_the_stored_secret_is_shown_only_as_its_last_four(
    start_bot: StartBot
) -> None:
    """After saving, step 2 shows the secret as its last four characters only."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot)
        await press(bot, "Back")
        shown = latest(bot)
        assert "••••0451" in shown
        assert CLIENT_SECRET not in shown


async def working_setup_with_abel_linked(bot: BotHarness) -> None:
    """Credentials saved and tested, and Abel linked through them."""
    await enter_credentials(bot)
    await run_test(bot)
    await bot.connect("abel.tuter")


async def test_new_credentials_take_over_only_when_their_test_passes(
    start_bot: StartBot
) -> None:
    """Another instance saved in step 2 is staged: links keep working until its test
    passes, then the switch happens and linked people are asked to reconnect."""
    async with unconfigured_bot(start_bot) as bot:
        await working_setup_with_abel_linked(bot)
        other = bot.servicenow_url.replace("127.0.0.1", "localhost")
        await enter_credentials(bot, instance=other)
        current = await bot.container.instances.require(None, TEAM_ID)
        assert current.instance_url == bot.servicenow_url
        abel = await bot.container.vault.get(_user(ABEL))
        assert abel is not None
        assert abel.status == "active"
        assert "VPN drops" in await ask(bot, "INC0010001")
        await run_test(bot)
        switched = await bot.container.instances.require(None, TEAM_ID)
        assert switched.instance_url == other
        assert await bot.container.instances.staged(None, TEAM_ID) is None
        abel = await bot.container.vault.get(_user(ABEL))
        assert abel is not None
        assert abel.status == "needs_reconnect"
        assert "another ServiceNow instance" in latest(bot, ABEL)


async def test_a_failing_test_of_new_credentials_keeps_the_connection_in_use(
    start_bot: StartBot
) -> None:
    """A wrong secret saved over a working setup fails its test and locks nobody out."""
    async with unconfigured_bot(start_bot) as bot:
        await working_setup_with_abel_linked(bot)
        await enter_credentials(bot, secret="a-typo-in-the-secret-0000")
        await run_test(bot)
        assert (await record(bot)).connection_ok is False
        current = await bot.container.instances.require(None, TEAM_ID)
        assert current.client_secret.get_secret_value() == CLIENT_SECRET
        abel = await bot.container.vault.get(_user(ABEL))
        assert abel is not None
        assert abel.status == "active"
        assert "VPN drops" in await ask(bot, "INC0010001")


async def test_after_saving_credentials_step_three_opens_by_itself(
    start_bot: StartBot
) -> None:
    """Submitting step 2's modal brings up step 3, the connection test."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot)
        shown = latest(bot)
        assert "Step 3 of 4" in shown
        assert "Run the connection test" in shown


async def test_a_new_client_without_its_secret_keeps_the_modal_open(
    start_bot: StartBot
) -> None:
    """Another client id with the secret left empty is a field error on the secret."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot)
        await open_credentials_modal(bot)
        response = await bot.driver.submit_view(
            {"Instance": bot.servicenow_url, "Client ID": "another-client", "Client secret": ""},
            user_id=ADMIN,
        )
        assert response.json()["response_action"] == "errors"
        assert "snow_client_secret" in response.json()["errors"]
        assert await bot.container.instances.staged(None, TEAM_ID) is None


async def test_finish_lists_linked_people_and_force_disconnect_removes_one(
    start_bot: StartBot
) -> None:
    """Finish shows who is linked; force-disconnect deletes the link and tells them."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot)
        await bot.connect("abel.tuter")
        for _ in range(2):
            await press(bot, "Done, next step")
        await press(bot, "Finish")
        assert "Abel Tuter" in latest(bot)
        await press(bot, "Disconnect Abel Tuter")
        assert await bot.container.vault.get(_user(ABEL)) is None
        assert "An admin disconnected your ServiceNow link" in latest(bot, ABEL)


async def test_an_account_with_admin_roles_linking_warns_the_admins(
    start_bot: StartBot
) -> None:
    """When someone links an account with admin roles, the configured admin is warned."""
    async with unconfigured_bot(start_bot, admins=["U0OWNER"]) as bot:
        await enter_credentials(bot)
        await bot.connect("admin")
        await bot.container.work.settle()
        assert "admin roles" in latest(bot, "U0OWNER")


async def test_incident_defaults_are_saved(start_bot: StartBot) -> None:
    """Step 4's defaults modal stores category, group and contact type."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot)
        await press(bot, "Done, next step")
        await press(bot, "Done, next step")
        await press(bot, "Set defaults")
        await bot.driver.submit_view(
            {"Category": "network", "Contact type": "chat"}, user_id=ADMIN
        )
        await bot.container.work.settle()
        stored = await bot.container.instances.stored(None, TEAM_ID)
        assert stored is not None
        assert stored.incident_defaults == {"category": "network", "contact_type": "chat"}
        assert "category network" in latest(bot)


def _user(user_id: str) -> Any:
    from bot.models import SlackUser

    return SlackUser(enterprise_id=None, team_id=TEAM_ID, user_id=user_id)


async def test_step_four_rechecks_the_feedback_table_after_it_is_created(
    start_bot: StartBot
) -> None:
    """Missing at first, the feedback table passes the re-check once it exists."""
    async with unconfigured_bot(start_bot) as bot:
        await enter_credentials(bot)
        await run_test(bot)
        assert (await record(bot)).feedback_ok is False
        create_feedback_table(bot)
        await bot.driver.slash_command("/snow", "setup", user_id=ADMIN)
        await bot.container.work.settle()
        assert "Step 4 of 4" in latest(bot)
        await press(bot, "Check again")
        assert (await record(bot)).feedback_ok is True
        assert "✅ The feedback table u_snowbot_feedback answers" in latest(bot)
