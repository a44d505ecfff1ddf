"""The stand-in's response_url receiver records posts and applies them as Slack does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from slack_sdk.webhook.async_client import AsyncWebhookClient

from snowbot_sandbox.slack import BOT_USER_ID, GENERAL_CHANNEL, Message, SlackSandbox
from tests.conftest import Serve


@pytest.fixture
def slack() -> SlackSandbox:
    """A fresh stand-in."""
    return SlackSandbox(bot_token="xoxb-test")


@pytest.fixture
async def url(slack: SlackSandbox, serve: Serve) -> AsyncIterator[str]:
    """The stand-in served on loopback."""
    async with serve(slack.app) as base:
        yield base


def original(slack: SlackSandbox) -> Message:
    """A bot message in #general that a user interacts with."""
    return slack.add_message(Message(
        channel=GENERAL_CHANNEL, ts=slack.new_ts(), user=BOT_USER_ID, text="Pick one",
        blocks=[], source="chat.postMessage", seq=slack.next_seq()))


async def test_post_is_recorded(slack: SlackSandbox, url: str) -> None:
    """What the bot posts (as Bolt's respond() does) is recorded with its fields."""
    response_url = slack.issue_response_url(url, channel=GENERAL_CHANNEL, user="U0ABEL")
    answer = await AsyncWebhookClient(response_url).send(text="Done", response_type="ephemeral")
    assert answer.status_code == 200
    [post] = slack.responses
    assert (post.text, post.response_type, post.replace_original) == ("Done", "ephemeral",
                                                                      False)


async def test_default_post_is_a_new_ephemeral(slack: SlackSandbox, url: str) -> None:
    """A post without replace_original adds a message only the user sees."""
    response_url = slack.issue_response_url(url, channel=GENERAL_CHANNEL, user="U0ABEL")
    await AsyncWebhookClient(response_url).send(text="Only you")
    [message] = slack.messages_in(GENERAL_CHANNEL)
    assert (message.text, message.ephemeral_to) == ("Only you", "U0ABEL")


async def test_in_channel_post_is_public(slack: SlackSandbox, url: str) -> None:
    """response_type in_channel posts a message everyone in the channel sees."""
    response_url = slack.issue_response_url(url, channel=GENERAL_CHANNEL, user="U0ABEL")
    await AsyncWebhookClient(response_url).send(text="Shared", response_type="in_channel")
    [message] = slack.messages_in(GENERAL_CHANNEL)
    assert message.ephemeral_to is None


async def test_replace_original_replaces_the_message(slack: SlackSandbox, url: str) -> None:
    """replace_original swaps the content of the message the interaction came from."""
    message = original(slack)
    response_url = slack.issue_response_url(url, channel=GENERAL_CHANNEL, user="U0ABEL",
                                            message=message)
    await AsyncWebhookClient(response_url).send(text="Picked", replace_original=True)
    assert [m.text for m in slack.messages_in(GENERAL_CHANNEL)] == ["Picked"]


async def test_delete_original_deletes_the_message(slack: SlackSandbox, url: str) -> None:
    """delete_original removes the message the interaction came from."""
    message = original(slack)
    response_url = slack.issue_response_url(url, channel=GENERAL_CHANNEL, user="U0ABEL",
                                            message=message)
    await AsyncWebhookClient(response_url).send_dict({"delete_original": True})
    assert slack.messages_in(GENERAL_CHANNEL) == []


async def test_unknown_url_is_refused(url: str, slack: SlackSandbox) -> None:
    """A response_url the stand-in never issued answers 404."""
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{url}/response/nope", json={"text": "x"})
    assert response.status_code == 404
    assert slack.responses[0].status == 404


async def test_sixth_use_is_refused(slack: SlackSandbox, url: str) -> None:
    """A response_url takes five posts; the sixth answers 404 used_url."""
    response_url = slack.issue_response_url(url, channel=GENERAL_CHANNEL, user="U0ABEL")
    client = AsyncWebhookClient(response_url)
    for _ in range(5):
        await client.send(text="x")
    answer = await client.send(text="x")
    assert (answer.status_code, answer.body) == (404, "used_url")


async def test_invalid_blocks_are_refused(slack: SlackSandbox, url: str) -> None:
    """Blocks Slack would refuse answer 400 invalid_blocks and change nothing."""
    response_url = slack.issue_response_url(url, channel=GENERAL_CHANNEL, user="U0ABEL")
    answer = await AsyncWebhookClient(response_url).send(blocks=[{"type": "divider"}] * 51)
    assert (answer.status_code, answer.body) == (400, "invalid_blocks")
    assert slack.messages_in(GENERAL_CHANNEL) == []
