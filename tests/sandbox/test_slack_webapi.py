"""The Slack stand-in's Web API answers slack_sdk's AsyncWebClient as Slack does."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from snowbot_sandbox.server import serve_app
from snowbot_sandbox.slack import BOT_ID, BOT_USER_ID, GENERAL_CHANNEL, SlackSandbox, render_surface
from tests.conftest import Serve

TOKEN = "xoxb-test"
MODAL = {
    "type": "modal",
    "callback_id": "new_incident",
    "title": {"type": "plain_text", "text": "New incident"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [{"type": "input", "block_id": "short", "label": {"type": "plain_text",
                "text": "Short description"},
                "element": {"type": "plain_text_input", "action_id": "value"}}],
}


@pytest.fixture
def slack() -> SlackSandbox:
    """A fresh stand-in."""
    return SlackSandbox(bot_token=TOKEN)


@pytest.fixture
async def url(slack: SlackSandbox, serve: Serve) -> AsyncIterator[str]:
    """The stand-in served on loopback."""
    async with serve(slack.app) as base:
        yield base


@pytest.fixture
def client(url: str) -> AsyncWebClient:
    """slack_sdk's client pointed at the stand-in, as the bot's would be."""
    return AsyncWebClient(token=TOKEN, base_url=f"{url}/api/")


async def test_auth_test_names_the_bot(client: AsyncWebClient) -> None:
    """auth.test answers the bot's user id, bot id, team and url."""
    answer = await client.auth_test()
    assert answer["user_id"] == BOT_USER_ID
    assert answer["bot_id"] == BOT_ID
    assert answer["team_id"] == "T0SANDBOX"
    assert answer["url"].startswith("https://")


async def test_wrong_token_is_invalid_auth(url: str) -> None:
    """A token other than the bot's is refused with invalid_auth."""
    client = AsyncWebClient(token="xoxb-wrong", base_url=f"{url}/api/")
    with pytest.raises(SlackApiError) as caught:
        await client.auth_test()
    assert caught.value.response["error"] == "invalid_auth"


async def test_post_message_returns_ts_and_channel(client: AsyncWebClient,
                                                   slack: SlackSandbox) -> None:
    """chat.postMessage answers ts and channel and records decoded blocks."""
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]
    answer = await client.chat_postMessage(channel=GENERAL_CHANNEL, text="hi", blocks=blocks)
    assert answer["channel"] == GENERAL_CHANNEL
    assert answer["ts"]
    call = slack.calls_to("chat.postMessage")[0]
    assert call.args["blocks"][0]["text"]["text"] == "hello"


async def test_post_message_to_a_user_lands_in_their_dm(client: AsyncWebClient) -> None:
    """A user id as channel posts into the bot's DM with that user, as in Slack."""
    answer = await client.chat_postMessage(channel="U0ABEL", text="hi")
    assert answer["channel"] == "D0ABEL"


async def test_unknown_channel_is_channel_not_found(client: AsyncWebClient) -> None:
    """Posting to a channel that does not exist is channel_not_found."""
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="C0NOPE", text="hi")
    assert caught.value.response["error"] == "channel_not_found"


async def test_form_body_with_json_blocks_is_decoded(url: str, slack: SlackSandbox) -> None:
    """A form-encoded call with blocks as a JSON string is accepted and decoded."""
    blocks = [{"type": "divider"}]
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{url}/api/chat.postMessage",
            data={"channel": GENERAL_CHANNEL, "text": "x", "blocks": json.dumps(blocks)},
            headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.json()["ok"] is True
    assert slack.calls[0].args["blocks"][0]["type"] == "divider"


async def test_ephemeral_needs_channel_membership(client: AsyncWebClient) -> None:
    """chat.postEphemeral to a user outside the channel is user_not_in_channel."""
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postEphemeral(channel="D0ABEL", user="U0CAROL", text="secret")
    assert caught.value.response["error"] == "user_not_in_channel"


async def test_ephemeral_returns_message_ts(client: AsyncWebClient, slack: SlackSandbox) -> None:
    """chat.postEphemeral answers message_ts and only its user sees the message."""
    answer = await client.chat_postEphemeral(channel=GENERAL_CHANNEL, user="U0ABEL", text="x")
    assert answer["message_ts"]
    assert [m.text for m in slack.messages_in(GENERAL_CHANNEL)] == ["x"]
    assert len(slack.visible_to("U0ABEL")) == 1
    assert slack.visible_to("U0CAROL") == []


async def test_update_replaces_a_message(client: AsyncWebClient, slack: SlackSandbox) -> None:
    """chat.update changes the text of the bot's message."""
    posted = await client.chat_postMessage(channel=GENERAL_CHANNEL, text="before")
    await client.chat_update(channel=GENERAL_CHANNEL, ts=posted["ts"], text="after")
    assert [m.text for m in slack.messages_in(GENERAL_CHANNEL)] == ["after"]


async def test_update_of_unknown_message_is_message_not_found(client: AsyncWebClient) -> None:
    """chat.update of a ts that does not exist is message_not_found."""
    with pytest.raises(SlackApiError) as caught:
        await client.chat_update(channel=GENERAL_CHANNEL, ts="1.000001", text="x")
    assert caught.value.response["error"] == "message_not_found"


async def test_delete_removes_a_message(client: AsyncWebClient, slack: SlackSandbox) -> None:
    """chat.delete removes the bot's message from the channel."""
    posted = await client.chat_postMessage(channel=GENERAL_CHANNEL, text="oops")
    await client.chat_delete(channel=GENERAL_CHANNEL, ts=posted["ts"])
    assert slack.messages_in(GENERAL_CHANNEL) == []


async def test_get_permalink_points_at_the_message(client: AsyncWebClient) -> None:
    """chat.getPermalink answers a link naming the channel and ts."""
    posted = await client.chat_postMessage(channel=GENERAL_CHANNEL, text="x")
    answer = await client.chat_getPermalink(channel=GENERAL_CHANNEL, message_ts=posted["ts"])
    assert answer["permalink"].endswith(posted["ts"].replace(".", ""))


async def test_views_open_returns_a_view_id(client: AsyncWebClient, slack: SlackSandbox) -> None:
    """views.open with a fresh trigger_id answers a view with an id and hash."""
    answer = await client.views_open(trigger_id=slack.issue_trigger_id("U0ABEL"), view=MODAL)
    assert answer["view"]["id"].startswith("V")
    assert answer["view"]["hash"]
    assert slack.top_modal("U0ABEL") is not None


async def test_unknown_trigger_is_expired(client: AsyncWebClient) -> None:
    """views.open with a trigger_id the stand-in never issued is expired_trigger_id."""
    with pytest.raises(SlackApiError) as caught:
        await client.views_open(trigger_id="123.456.abc", view=MODAL)
    assert caught.value.response["error"] == "expired_trigger_id"


async def test_old_trigger_is_expired() -> None:
    """views.open more than 3 s after the trigger_id was issued is expired_trigger_id."""
    now = [1_000.0]
    slack = SlackSandbox(bot_token=TOKEN, clock=lambda: now[0])
    async with serve_app(slack.app) as base:
        client = AsyncWebClient(token=TOKEN, base_url=f"{base}/api/")
        trigger_id = slack.issue_trigger_id("U0ABEL")
        now[0] += 3.5
        with pytest.raises(SlackApiError) as caught:
            await client.views_open(trigger_id=trigger_id, view=MODAL)
    assert caught.value.response["error"] == "expired_trigger_id"


async def test_views_update_by_id(client: AsyncWebClient, slack: SlackSandbox) -> None:
    """views.update replaces the view with that id and gives it a new hash."""
    opened = await client.views_open(trigger_id=slack.issue_trigger_id("U0ABEL"), view=MODAL)
    view = opened["view"]
    loading = {**MODAL, "title": {"type": "plain_text", "text": "Done"}}
    answer = await client.views_update(view_id=view["id"], hash=view["hash"], view=loading)
    assert answer["view"]["hash"] != view["hash"]
    assert slack.views[view["id"]].title == "Done"


async def test_views_update_with_stale_hash_conflicts(client: AsyncWebClient,
                                                      slack: SlackSandbox) -> None:
    """views.update with an outdated hash is hash_conflict."""
    opened = await client.views_open(trigger_id=slack.issue_trigger_id("U0ABEL"), view=MODAL)
    with pytest.raises(SlackApiError) as caught:
        await client.views_update(view_id=opened["view"]["id"], hash="1.stale", view=MODAL)
    assert caught.value.response["error"] == "hash_conflict"


async def test_views_push_stacks_a_modal(client: AsyncWebClient, slack: SlackSandbox) -> None:
    """views.push puts a second view on the user's stack, rooted at the first."""
    first = await client.views_open(trigger_id=slack.issue_trigger_id("U0ABEL"), view=MODAL)
    pushed = await client.views_push(trigger_id=slack.issue_trigger_id("U0ABEL"), view=MODAL)
    assert pushed["view"]["root_view_id"] == first["view"]["id"]
    assert slack.modal_stacks["U0ABEL"] == [first["view"]["id"], pushed["view"]["id"]]


async def test_views_publish_sets_the_home_tab(client: AsyncWebClient,
                                               slack: SlackSandbox) -> None:
    """views.publish stores a Home view for the user."""
    home = {"type": "home", "blocks": [{"type": "section",
                                        "text": {"type": "mrkdwn", "text": "Welcome"}}]}
    answer = await client.views_publish(user_id="U0ABEL", view=home)
    assert answer["view"]["type"] == "home"
    assert slack.home_views["U0ABEL"] == answer["view"]["id"]


async def test_conversations_open_gives_the_dm(client: AsyncWebClient) -> None:
    """conversations.open with one user answers the bot's DM channel id."""
    answer = await client.conversations_open(users="U0BETH")
    assert answer["channel"]["id"] == "D0BETH"


async def test_users_info_carries_email_and_flags(client: AsyncWebClient) -> None:
    """users.info answers profile email, admin flag and team id."""
    answer = await client.users_info(user="U0ADMIN")
    user = answer["user"]
    assert user["profile"]["email"] == "admin@example.com"
    assert user["is_admin"] is True
    assert user["team_id"] == "T0SANDBOX"


async def test_users_info_shows_guests_deleted_and_external(client: AsyncWebClient) -> None:
    """Seeded guest, deactivated and other-team users carry Slack's flags."""
    guest = (await client.users_info(user="U0GUEST"))["user"]
    gone = (await client.users_info(user="U0GONE"))["user"]
    external = (await client.users_info(user="U0EXTERNAL"))["user"]
    assert guest["is_restricted"] is True
    assert gone["deleted"] is True
    assert external["team_id"] != "T0SANDBOX"


async def test_unknown_user_is_user_not_found(client: AsyncWebClient) -> None:
    """users.info of an unknown id is user_not_found."""
    with pytest.raises(SlackApiError) as caught:
        await client.users_info(user="U0NOBODY")
    assert caught.value.response["error"] == "user_not_found"


async def test_lookup_by_email_finds_the_user(client: AsyncWebClient) -> None:
    """users.lookupByEmail finds a seeded user by their ServiceNow email."""
    answer = await client.users_lookupByEmail(email="abel.tuter@example.com")
    assert answer["user"]["id"] == "U0ABEL"


async def test_lookup_of_unknown_email_is_users_not_found(client: AsyncWebClient) -> None:
    """users.lookupByEmail of an unknown email is users_not_found."""
    with pytest.raises(SlackApiError) as caught:
        await client.users_lookupByEmail(email="nobody@example.com")
    assert caught.value.response["error"] == "users_not_found"


async def test_added_user_is_known(client: AsyncWebClient, slack: SlackSandbox) -> None:
    """A user a test adds answers users.info like a seeded one."""
    slack.add_user("U0NEW", email="new@example.com", real_name="New Person", is_owner=True)
    answer = await client.users_info(user="U0NEW")
    assert answer["user"]["is_owner"] is True


async def test_unknown_method_is_refused(client: AsyncWebClient) -> None:
    """A method the stand-in does not implement is unknown_method."""
    with pytest.raises(SlackApiError) as caught:
        await client.api_call("files.upload")
    assert caught.value.response["error"] == "unknown_method"


async def test_injected_rate_limit_answers_429(client: AsyncWebClient,
                                               slack: SlackSandbox) -> None:
    """fail_next makes the next call answer 429 ratelimited with Retry-After."""
    slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=GENERAL_CHANNEL, text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"


async def test_wait_for_call_returns_the_matching_call(client: AsyncWebClient,
                                                       slack: SlackSandbox) -> None:
    """wait_for_call returns the first recorded call that matches."""
    await client.chat_postMessage(channel=GENERAL_CHANNEL, text="x")
    call = await slack.wait_for_call("chat.postMessage", where=lambda c: c.args["text"] == "x")
    assert call.ok


async def test_delay_only_fault_answers_late_but_ok(client: AsyncWebClient,
                                                    slack: SlackSandbox) -> None:
    """fail_next with error=None and a delay answers normally after the delay."""
    slack.fail_next("auth.test", None, delay=0.2)
    answer = await client.auth_test()
    assert answer["ok"] is True


async def test_slow_slack_trips_the_clients_timeout(url: str, slack: SlackSandbox) -> None:
    """A Slack that hangs longer than the client's timeout makes the call fail."""
    slack.fail_next("chat.postMessage", None, delay=30.0)
    client = AsyncWebClient(token=TOKEN, base_url=f"{url}/api/", timeout=1)
    with pytest.raises(TimeoutError):
        await client.chat_postMessage(channel=GENERAL_CHANNEL, text="x")


async def test_changes_since_lists_new_surfaces(client: AsyncWebClient,
                                                slack: SlackSandbox) -> None:
    """changes_since gives what a user sees that appeared after the mark, rendered as text."""
    await client.chat_postMessage(channel="U0ABEL", text="old")
    mark = slack.mark
    await client.chat_postMessage(channel="U0ABEL", text="new *one*")
    assert [render_surface(s) for s in slack.changes_since(mark, user_id="U0ABEL")] == [
        "new *one*"]
