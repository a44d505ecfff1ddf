"""The Slack driver signs and shapes requests as Slack does (checked by an echo app)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from snowbot_sandbox.slack import BOT_USER_ID, SlackDriver, SlackSandbox
from snowbot_sandbox.slack.methods import views_open, views_publish
from tests.conftest import Serve

SECRET = "sandbox-signing-secret"


class Echo:
    """A stand-in bot: records each request, says whether its signature verifies, acks."""

    def __init__(self) -> None:
        self.requests: list[tuple[bytes, dict[str, str], bool]] = []
        self.ack: dict[str, Any] = {}
        self.app = Starlette(routes=[Route("/slack/events", self.handle, methods=["POST"])])

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        valid = SignatureVerifier(SECRET).is_valid_request(body, headers)
        self.requests.append((body, headers, valid))
        return JSONResponse(self.ack) if self.ack else Response(status_code=200)

    @property
    def last_valid(self) -> bool:
        return self.requests[-1][2]

    @property
    def last_headers(self) -> dict[str, str]:
        return self.requests[-1][1]

    def last_form(self) -> dict[str, str]:
        return dict(parse_qsl(self.requests[-1][0].decode()))

    def last_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.last_form()["payload"])
        return payload

    def last_json(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[-1][0])
        return body


@pytest.fixture
def slack() -> SlackSandbox:
    """A fresh stand-in."""
    return SlackSandbox(bot_token="xoxb-test")


@pytest.fixture
def echo() -> Echo:
    """A fresh echo bot."""
    return Echo()


@pytest.fixture
async def driver(slack: SlackSandbox, echo: Echo, serve: Serve) -> AsyncIterator[SlackDriver]:
    """A driver aimed at the echo bot, with the stand-in served for response_urls."""
    async with serve(slack.app) as slack_url, serve(echo.app) as bot_url, \
            httpx.AsyncClient() as http:
        yield SlackDriver(bot_url=f"{bot_url}/slack/events", signing_secret=SECRET,
                          slack=slack, slack_url=slack_url, http=http)


async def test_slash_command_signature_verifies(driver: SlackDriver, echo: Echo) -> None:
    """A slash command carries a signature SignatureVerifier accepts."""
    response = await driver.slash_command("/snow", "help", user_id="U0ABEL")
    assert response.status_code == 200
    assert echo.last_valid


async def test_slash_command_is_slack_form(driver: SlackDriver, echo: Echo,
                                           slack: SlackSandbox) -> None:
    """A slash command is form-encoded with a live trigger_id and a stand-in response_url."""
    await driver.slash_command("/snow", "INC0010001", user_id="U0ABEL")
    form = echo.last_form()
    assert echo.last_headers["content-type"] == "application/x-www-form-urlencoded"
    assert (form["command"], form["text"], form["user_id"]) == ("/snow", "INC0010001", "U0ABEL")
    assert form["response_url"].startswith(driver.slack_url + "/response/")
    assert slack.check_trigger(form["trigger_id"]) == "U0ABEL"


async def test_dm_is_a_message_im_event(driver: SlackDriver, echo: Echo) -> None:
    """A DM arrives as a signed event_callback with a message.im event."""
    await driver.dm("my laptop won't boot", user_id="U0CAROL")
    envelope = echo.last_json()
    assert echo.last_valid
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == BOT_USER_ID
    event = envelope["event"]
    assert (event["type"], event["channel_type"], event["channel"]) == ("message", "im", "D0CAROL")


async def test_retry_repeats_event_id_with_retry_headers(driver: SlackDriver,
                                                         echo: Echo) -> None:
    """A retry carries the same event_id plus X-Slack-Retry-Num and -Reason, still signed."""
    event = {"type": "app_mention", "user": "U0ABEL", "text": "hi", "channel": "C0GENERAL"}
    await driver.event(event, event_id="Ev1")
    await driver.event(event, event_id="Ev1", retry_num=1, retry_reason="http_timeout")
    assert echo.last_json()["event_id"] == "Ev1"
    assert echo.last_headers["x-slack-retry-num"] == "1"
    assert echo.last_headers["x-slack-retry-reason"] == "http_timeout"
    assert echo.last_valid


async def test_url_verification_carries_challenge(driver: SlackDriver, echo: Echo) -> None:
    """url_verification sends the challenge in a signed JSON body."""
    await driver.url_verification("abc")
    assert echo.last_json() == {"token": "sandbox-verification-token", "challenge": "abc",
                                "type": "url_verification"}


async def test_altered_body_does_not_verify(driver: SlackDriver, echo: Echo) -> None:
    """A body changed after signing fails verification."""
    request = driver.command_request("/snow", "help", user_id="U0ABEL")
    await driver.send(request.altered())
    assert not echo.last_valid


async def test_stale_timestamp_does_not_verify(driver: SlackDriver, echo: Echo) -> None:
    """A request signed ten minutes ago fails verification."""
    request = driver.command_request("/snow", "help", user_id="U0ABEL")
    await driver.send(driver.stale(request, age=600))
    assert not echo.last_valid


async def test_forged_signature_does_not_verify(driver: SlackDriver, echo: Echo) -> None:
    """A request signed with another secret fails verification."""
    request = driver.command_request("/snow", "help", user_id="U0ABEL")
    await driver.send(driver.forged(request))
    assert not echo.last_valid


async def test_missing_signature_does_not_verify(driver: SlackDriver, echo: Echo) -> None:
    """A request without X-Slack-Signature fails verification."""
    request = driver.command_request("/snow", "help", user_id="U0ABEL")
    await driver.send(request.without_signature())
    assert not echo.last_valid


async def test_ack_text_becomes_an_ephemeral_message(driver: SlackDriver, echo: Echo,
                                                     slack: SlackSandbox) -> None:
    """A slash command's ack text shows to the invoking user only."""
    echo.ack = {"text": "Working on it…"}
    await driver.slash_command("/snow", "mine", user_id="U0ABEL", channel_id="C0GENERAL")
    [message] = slack.messages_in("C0GENERAL")
    assert (message.text, message.ephemeral_to, message.source) == ("Working on it…", "U0ABEL",
                                                                      "ack")


async def test_press_sends_block_actions_from_latest_message(
    driver: SlackDriver, echo: Echo, slack: SlackSandbox,
) -> None:
    """Pressing a labelled button sends its action_id, value and block_id from the message."""
    blocks = [{"type": "actions", "block_id": "choose", "elements": [
        {"type": "button", "action_id": "connect", "value": "v1",
         "text": {"type": "plain_text", "text": "Connect"}}]}]
    echo.ack = {"text": "Pick one", "blocks": blocks}
    await driver.slash_command("/snow", "connect", user_id="U0ABEL")
    await driver.press("Connect", user_id="U0ABEL")
    payload = echo.last_payload()
    assert echo.last_valid
    assert payload["type"] == "block_actions"
    action = payload["actions"][0]
    assert (action["action_id"], action["value"], action["block_id"]) == ("connect", "v1",
                                                                          "choose")
    assert payload["container"]["is_ephemeral"] is True
    assert slack.check_trigger(payload["trigger_id"]) == "U0ABEL"
    assert payload["response_url"].startswith(driver.slack_url)


async def test_press_of_missing_button_names_the_visible_ones(driver: SlackDriver,
                                                              echo: Echo) -> None:
    """Pressing a label nobody shows raises LookupError listing the buttons on screen."""
    echo.ack = {"blocks": [{"type": "actions", "elements": [
        {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Yes"}}]}]}
    await driver.slash_command("/snow", "x", user_id="U0ABEL")
    with pytest.raises(LookupError, match="Yes"):
        await driver.press("No", user_id="U0ABEL")


def _open_modal(slack: SlackSandbox, user_id: str, *, notify: bool = False) -> str:
    view = {
        "type": "modal", "callback_id": "new_incident", "private_metadata": "meta-1",
        "notify_on_close": notify,
        "title": {"type": "plain_text", "text": "New incident"},
        "submit": {"type": "plain_text", "text": "Create"},
        "blocks": [
            {"type": "input", "block_id": "short", "label": {"type": "plain_text",
             "text": "Short description"},
             "element": {"type": "plain_text_input", "action_id": "text"}},
            {"type": "input", "block_id": "urgency", "label": {"type": "plain_text",
             "text": "Urgency"},
             "element": {"type": "static_select", "action_id": "pick", "options": [
                 {"text": {"type": "plain_text", "text": "High"}, "value": "1"},
                 {"text": {"type": "plain_text", "text": "Low"}, "value": "3"}]}},
        ],
    }
    answer = views_open(slack, {"trigger_id": slack.issue_trigger_id(user_id), "view": view})
    view_id: str = answer["view"]["id"]
    return view_id


async def test_submit_view_builds_state_values(driver: SlackDriver, echo: Echo,
                                               slack: SlackSandbox) -> None:
    """view_submission carries typed values by block and action id, callback_id and metadata."""
    _open_modal(slack, "U0ABEL")
    await driver.submit_view({"Short description": "VPN down", "urgency": "High"},
                             user_id="U0ABEL")
    payload = echo.last_payload()
    values = payload["view"]["state"]["values"]
    assert payload["type"] == "view_submission"
    assert values["short"]["text"]["value"] == "VPN down"
    assert values["urgency"]["pick"]["selected_option"]["value"] == "1"
    assert (payload["view"]["callback_id"], payload["view"]["private_metadata"]) == (
        "new_incident", "meta-1")


async def test_submit_view_with_unknown_field_raises(driver: SlackDriver,
                                                     slack: SlackSandbox) -> None:
    """Typing into an input the modal does not have raises LookupError."""
    _open_modal(slack, "U0ABEL")
    with pytest.raises(LookupError, match="Short description"):
        await driver.submit_view({"Colour": "blue"}, user_id="U0ABEL")


async def test_plain_ack_closes_the_modal(driver: SlackDriver, slack: SlackSandbox) -> None:
    """A submission acked without response_action closes the modal."""
    _open_modal(slack, "U0ABEL")
    await driver.submit_view({"Short description": "x"}, user_id="U0ABEL")
    assert slack.top_modal("U0ABEL") is None


async def test_errors_ack_keeps_the_modal_open(driver: SlackDriver, echo: Echo,
                                               slack: SlackSandbox) -> None:
    """A response_action errors ack keeps the modal open with the errors on it."""
    view_id = _open_modal(slack, "U0ABEL")
    echo.ack = {"response_action": "errors", "errors": {"short": "Say a bit more."}}
    await driver.submit_view({"Short description": "x"}, user_id="U0ABEL")
    modal = slack.top_modal("U0ABEL")
    assert modal is not None
    assert modal.id == view_id
    assert modal.errors == {"short": "Say a bit more."}


async def test_update_ack_replaces_the_modal(driver: SlackDriver, echo: Echo,
                                             slack: SlackSandbox) -> None:
    """A response_action update ack replaces the modal's content."""
    _open_modal(slack, "U0ABEL")
    echo.ack = {"response_action": "update", "view": {
        "type": "modal", "title": {"type": "plain_text", "text": "Created"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "INC0010009"}}]}}
    await driver.submit_view({"Short description": "x"}, user_id="U0ABEL")
    modal = slack.top_modal("U0ABEL")
    assert modal is not None
    assert modal.title == "Created"


async def test_close_view_sends_view_closed(driver: SlackDriver, echo: Echo,
                                            slack: SlackSandbox) -> None:
    """Closing a modal sends view_closed and removes it from the stack."""
    _open_modal(slack, "U0ABEL", notify=True)
    await driver.close_view(user_id="U0ABEL")
    assert echo.last_payload()["type"] == "view_closed"
    assert slack.top_modal("U0ABEL") is None


async def test_message_shortcut_carries_the_message(driver: SlackDriver, echo: Echo) -> None:
    """A message shortcut sends callback_id, trigger_id, response_url and the message."""
    await driver.dm("printer on fire", user_id="U0BETH")
    await driver.message_shortcut("create_ticket_from_message", user_id="U0BETH")
    payload = echo.last_payload()
    assert payload["type"] == "message_action"
    assert payload["callback_id"] == "create_ticket_from_message"
    assert payload["message"]["text"] == "printer on fire"
    assert payload["trigger_id"]
    assert payload["response_url"]


async def test_app_home_opened_names_the_user(driver: SlackDriver, echo: Echo) -> None:
    """app_home_opened carries the user, their DM channel and the tab."""
    await driver.app_home_opened(user_id="U0ABEL")
    event = echo.last_json()["event"]
    assert (event["type"], event["user"], event["tab"]) == ("app_home_opened", "U0ABEL", "home")


async def test_tokens_revoked_lists_the_bot(driver: SlackDriver, echo: Echo) -> None:
    """tokens_revoked lists the revoked bot user."""
    await driver.tokens_revoked()
    assert echo.last_json()["event"]["tokens"]["bot"] == [BOT_USER_ID]


async def test_user_change_carries_the_profile(driver: SlackDriver, echo: Echo,
                                               slack: SlackSandbox) -> None:
    """user_change carries the user's current profile."""
    slack.users["U0ABEL"].email = "abel.new@example.com"
    await driver.user_change("U0ABEL")
    assert echo.last_json()["event"]["user"]["profile"]["email"] == "abel.new@example.com"


async def test_press_in_home_view_sends_the_view(driver: SlackDriver, echo: Echo,
                                                 slack: SlackSandbox) -> None:
    """Pressing a button on the Home tab sends a view container and no response_url."""
    home = {"type": "home", "blocks": [{"type": "actions", "elements": [
        {"type": "button", "action_id": "connect_home",
         "text": {"type": "plain_text", "text": "Connect ServiceNow"}}]}]}
    views_publish(slack, {"user_id": "U0ABEL", "view": home})
    await driver.press("Connect ServiceNow", user_id="U0ABEL")
    payload = echo.last_payload()
    assert payload["container"]["type"] == "view"
    assert payload["view"]["type"] == "home"
    assert "response_url" not in payload


async def test_mention_is_an_app_mention_with_the_bot_id(driver: SlackDriver,
                                                         echo: Echo) -> None:
    """A mention is an app_mention event whose text starts with the bot's mention."""
    await driver.mention("is email down?", user_id="U0BETH")
    event = echo.last_json()["event"]
    assert event["type"] == "app_mention"
    assert event["text"] == f"<@{BOT_USER_ID}> is email down?"


async def test_global_shortcut_has_a_trigger(driver: SlackDriver, echo: Echo,
                                             slack: SlackSandbox) -> None:
    """A global shortcut sends its callback_id and a live trigger_id."""
    await driver.global_shortcut("new_incident", user_id="U0ABEL")
    payload = echo.last_payload()
    assert (payload["type"], payload["callback_id"]) == ("shortcut", "new_incident")
    assert slack.check_trigger(payload["trigger_id"]) == "U0ABEL"


async def test_external_user_carries_their_own_team(driver: SlackDriver, echo: Echo) -> None:
    """An interaction by a user from another workspace names that workspace as their team."""
    await driver.global_shortcut("new_incident", user_id="U0EXTERNAL")
    payload = echo.last_payload()
    assert payload["user"]["team_id"] == "T0PARTNER"
    assert payload["team"]["id"] == "T0SANDBOX"
