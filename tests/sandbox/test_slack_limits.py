"""The Slack stand-in refuses Block Kit payloads that Slack would refuse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from snowbot_sandbox.server import serve_app
from snowbot_sandbox.slack import GENERAL_CHANNEL, SlackSandbox, check_message, check_view


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(label: str, action_id: str = "go") -> dict[str, Any]:
    """A button element."""
    return {"type": "button", "action_id": action_id,
            "text": {"type": "plain_text", "text": label}}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A minimal modal around ``blocks``."""
    return {"type": "modal", "title": {"type": "plain_text", "text": "Title"},
            "blocks": blocks, **extra}


def error_of(problem: tuple[str, list[str]] | None) -> str | None:
    """The error code of a check result."""
    return problem[0] if problem is not None else None


def test_fifty_blocks_are_accepted() -> None:
    """A message with exactly 50 blocks is accepted."""
    assert check_message(text="x", blocks=[section("a")] * 50) is None


def test_fifty_one_blocks_are_invalid() -> None:
    """A message with 51 blocks is invalid_blocks."""
    assert error_of(check_message(text="x", blocks=[{"type": "divider"}] * 51)) == \
        "invalid_blocks"


def test_long_message_text_is_msg_too_long() -> None:
    """Message text over 40,000 characters is msg_too_long."""
    assert error_of(check_message(text="x" * 40_001, blocks=None)) == "msg_too_long"


def test_section_text_over_3000_is_invalid() -> None:
    """Section text of 3001 characters is invalid_blocks, with a json-pointer detail."""
    problem = check_message(text=None, blocks=[section("x" * 3001)])
    assert problem is not None
    assert problem[0] == "invalid_blocks"
    assert "/blocks/0/text/text" in problem[1][0]


def test_header_over_150_is_invalid() -> None:
    """A header of 151 characters is invalid_blocks."""
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    assert error_of(check_message(text=None, blocks=[header])) == "invalid_blocks"


def test_mrkdwn_header_is_invalid() -> None:
    """A header must be plain_text."""
    header = {"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}
    assert error_of(check_message(text=None, blocks=[header])) == "invalid_blocks"


def test_button_text_over_75_is_invalid() -> None:
    """A button label of 76 characters is invalid_blocks."""
    block = {"type": "actions", "elements": [button("b" * 76)]}
    assert error_of(check_message(text=None, blocks=[block])) == "invalid_blocks"


def test_action_id_over_255_is_invalid() -> None:
    """An action_id of 256 characters is invalid_blocks."""
    block = {"type": "actions", "elements": [button("ok", action_id="a" * 256)]}
    assert error_of(check_message(text=None, blocks=[block])) == "invalid_blocks"


def test_duplicate_action_ids_are_invalid() -> None:
    """Two buttons with one action_id in a block are invalid_blocks."""
    block = {"type": "actions", "elements": [button("a"), button("b")]}
    assert error_of(check_message(text=None, blocks=[block])) == "invalid_blocks"


def test_duplicate_block_ids_are_invalid() -> None:
    """Two blocks with one block_id are invalid_blocks."""
    blocks = [{**section("a"), "block_id": "x"}, {**section("b"), "block_id": "x"}]
    assert error_of(check_message(text=None, blocks=blocks)) == "invalid_blocks"


def test_unknown_block_type_is_invalid() -> None:
    """A block of an unknown type is invalid_blocks."""
    assert error_of(check_message(text=None, blocks=[{"type": "banner"}])) == "invalid_blocks"


def test_empty_section_text_is_invalid() -> None:
    """A section with empty text is invalid_blocks."""
    assert error_of(check_message(text=None, blocks=[section("")])) == "invalid_blocks"


def test_eleven_fields_are_invalid() -> None:
    """A section with 11 fields is invalid_blocks."""
    block = {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}
    assert error_of(check_message(text=None, blocks=[block])) == "invalid_blocks"


def test_hundred_option_select_is_accepted_and_more_is_not() -> None:
    """A static select takes 100 options and not 101."""
    def select(n: int) -> dict[str, Any]:
        options = [{"text": {"type": "plain_text", "text": f"o{i}"}, "value": str(i)}
                   for i in range(n)]
        return {"type": "actions", "elements": [
            {"type": "static_select", "action_id": "s", "options": options}]}
    assert check_message(text=None, blocks=[select(100)]) is None
    assert error_of(check_message(text=None, blocks=[select(101)])) == "invalid_blocks"


def test_modal_takes_one_hundred_blocks() -> None:
    """A modal with 100 blocks is accepted."""
    assert check_view(modal([section("a")] * 100)) is None


def test_modal_over_one_hundred_blocks_is_invalid() -> None:
    """A modal with 101 blocks is invalid_arguments."""
    assert error_of(check_view(modal([{"type": "divider"}] * 101))) == "invalid_arguments"


def test_long_private_metadata_is_invalid() -> None:
    """private_metadata over 3000 characters is invalid_arguments."""
    assert error_of(check_view(modal([], private_metadata="m" * 3001))) == "invalid_arguments"


def test_long_modal_title_is_invalid() -> None:
    """A modal title over 24 characters is invalid_arguments."""
    view = modal([])
    view["title"]["text"] = "t" * 25
    assert error_of(check_view(view)) == "invalid_arguments"


def test_inputs_need_a_submit_button() -> None:
    """A modal with an input block and no submit button is invalid_arguments."""
    block = {"type": "input", "label": {"type": "plain_text", "text": "L"},
             "element": {"type": "plain_text_input", "action_id": "v"}}
    assert error_of(check_view(modal([block]))) == "invalid_arguments"


def test_huge_view_is_view_too_large() -> None:
    """A view over 250 kB is view_too_large."""
    assert error_of(check_view(modal([section("x" * 3000)] * 90))) == "view_too_large"


@pytest.fixture
async def client() -> AsyncIterator[AsyncWebClient]:
    """slack_sdk's client on a served stand-in."""
    slack = SlackSandbox(bot_token="xoxb-test")
    async with serve_app(slack.app) as url:
        yield AsyncWebClient(token="xoxb-test", base_url=f"{url}/api/")


async def test_post_message_refuses_too_many_blocks(client: AsyncWebClient) -> None:
    """chat.postMessage with 51 blocks answers invalid_blocks with detail messages."""
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=GENERAL_CHANNEL, text="x",
                                      blocks=[{"type": "divider"}] * 51)
    assert caught.value.response["error"] == "invalid_blocks"
    assert caught.value.response["response_metadata"]["messages"]


async def test_post_message_refuses_long_text(client: AsyncWebClient) -> None:
    """chat.postMessage with 40,001 characters answers msg_too_long."""
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=GENERAL_CHANNEL, text="x" * 40_001)
    assert caught.value.response["error"] == "msg_too_long"


async def test_post_message_needs_text_or_blocks(client: AsyncWebClient) -> None:
    """chat.postMessage with neither text nor blocks answers no_text."""
    with pytest.raises(SlackApiError) as caught:
        await client.api_call("chat.postMessage", json={"channel": GENERAL_CHANNEL})
    assert caught.value.response["error"] == "no_text"


async def test_publish_refuses_too_many_blocks(client: AsyncWebClient) -> None:
    """views.publish of a Home view with 101 blocks answers invalid_arguments."""
    home = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    with pytest.raises(SlackApiError) as caught:
        await client.views_publish(user_id="U0ABEL", view=home)
    assert caught.value.response["error"] == "invalid_arguments"
