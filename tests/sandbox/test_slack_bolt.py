"""A real Bolt AsyncApp (a toy bot) works end to end against the Slack stand-in and driver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from snowbot_sandbox.server import serve_app
from snowbot_sandbox.slack import SlackDriver, SlackSandbox, render_blocks, render_view

SECRET = "toy-signing-secret"
TOKEN = "xoxb-toy"
CONNECT = [{"type": "actions", "block_id": "connect", "elements": [
    {"type": "button", "action_id": "connect", "value": "go",
     "text": {"type": "plain_text", "text": "Connect"}}]}]
MODAL = {
    "type": "modal", "callback_id": "new_incident", "private_metadata": "from-button",
    "title": {"type": "plain_text", "text": "New incident"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [{"type": "input", "block_id": "short",
                "label": {"type": "plain_text", "text": "Short description"},
                "element": {"type": "plain_text_input", "action_id": "text"}}],
}


def toy_bot(slack_url: str) -> Starlette:
    """A small Bolt app: echoes DMs, answers /snow with a Connect button, opens a modal."""
    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=f"{slack_url}/api/"),
                    signing_secret=SECRET)

    @bolt.event("message")
    async def on_dm(event: dict[str, Any], say: AsyncSay) -> None:
        await say(f"You said: {event['text']}")

    @bolt.command("/snow")
    async def on_snow(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack("Working on it…")
        await respond(text="Connect first", blocks=CONNECT, replace_original=True)

    @bolt.action("connect")
    async def on_connect(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @bolt.view("new_incident")
    async def on_submit(ack: AsyncAck, view: dict[str, Any], body: dict[str, Any],
                        client: AsyncWebClient) -> None:
        await ack()
        text = view["state"]["values"]["short"]["text"]["value"]
        await client.chat_postMessage(channel=body["user"]["id"],
                                      text=f"Created: {text} ({view['private_metadata']})")

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


@pytest.fixture
def slack() -> SlackSandbox:
    """A stand-in that knows the toy bot's token."""
    return SlackSandbox(bot_token=TOKEN)


@pytest.fixture
async def driver(slack: SlackSandbox) -> AsyncIterator[SlackDriver]:
    """The stand-in and the toy bot served on loopback, and a driver between them."""
    async with serve_app(slack.app) as slack_url, \
            serve_app(toy_bot(slack_url)) as bot_url, httpx.AsyncClient() as http:
        yield SlackDriver(bot_url=f"{bot_url}/slack/events", signing_secret=SECRET,
                          slack=slack, slack_url=slack_url, http=http)


async def test_dm_gets_a_reply(driver: SlackDriver, slack: SlackSandbox) -> None:
    """A DM is acked at once and the bot's reply lands in the user's DM."""
    response = await driver.dm("hello", user_id="U0ABEL")
    call = await slack.wait_for_call("chat.postMessage")
    assert response.status_code == 200
    assert call.ok
    assert [m.text for m in slack.messages_in("D0ABEL")] == ["hello", "You said: hello"]


async def test_bolt_refuses_the_drivers_stale_request(driver: SlackDriver) -> None:
    """Bolt answers 401 to a request the driver signed ten minutes ago."""
    response = await driver.send(driver.stale(driver.command_request("/snow", "",
                                                                     user_id="U0ABEL")))
    assert response.status_code == 401


async def test_command_button_modal_submit(driver: SlackDriver, slack: SlackSandbox) -> None:
    """/snow → respond() with a button → press → views.open → submit → a DM with the value."""
    response = await driver.slash_command("/snow", "connect", user_id="U0ABEL")
    assert response.text == "Working on it…"
    await slack.wait_for_response()
    assert render_blocks(slack.visible_to("U0ABEL")[0].blocks) == "[Connect]"

    await driver.press("Connect", user_id="U0ABEL")
    await slack.wait_for_call("views.open")
    modal = slack.top_modal("U0ABEL")
    assert modal is not None
    assert render_view(modal.payload).startswith("== New incident ==")

    await driver.submit_view({"Short description": "VPN down"}, user_id="U0ABEL")
    call = await slack.wait_for_call("chat.postMessage")
    assert call.args["text"] == "Created: VPN down (from-button)"
    assert slack.top_modal("U0ABEL") is None
