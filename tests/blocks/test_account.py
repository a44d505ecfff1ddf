"""Connect, status, disconnect, errors and the non-admin refusal."""

from __future__ import annotations

from bot import errors, texts
from bot.blocks import (
    connect_prompt,
    connected_message,
    disconnected_message,
    error_message,
    ids,
    not_admin_message,
    status_message,
)
from bot.servicenow.models import ServiceNowUser
from tests.blocks.scan import mrkdwn_texts, walk

USER = ServiceNowUser(sys_id="a" * 32, user_name="abel.tuter", name="Abel Tuter",
                      email="abel.tuter@example.com")
START = "https://bot.example.com/servicenow/oauth/start?s=abc"
HOST = "dev98042.service-now.com"


def _buttons(blocks: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(d["action_id"]): d for d in walk(blocks) if d.get("type") == "button"}


def test_connect_prompt_has_a_link_button_with_an_action_id() -> None:
    """The Connect button opens the start URL and still carries an action_id to ack."""
    button = _buttons(connect_prompt(START).blocks)[ids.CONNECT_LINK]
    assert button["url"] == START


def test_connect_prompt_shows_the_reason_first() -> None:
    """A reason sentence is shown above the explanation."""
    msg = connect_prompt(START, reason="Your ServiceNow link has expired.")
    assert mrkdwn_texts(msg)[1] == "Your ServiceNow link has expired."


def test_connected_message_names_account_and_instance() -> None:
    """After the callback the user sees which account on which instance."""
    shown = "\n".join(mrkdwn_texts(connected_message(USER, HOST)))
    assert "Abel Tuter (abel.tuter@example.com)" in shown
    assert HOST in shown


def test_status_connected_offers_disconnect() -> None:
    """A linked user sees who they are connected as and a Disconnect button."""
    msg = status_message(user=USER, instance_host=HOST)
    assert "Abel Tuter" in msg.text
    assert ids.DISCONNECT in _buttons(msg.blocks)


def test_status_not_connected_offers_connect() -> None:
    """An unlinked user is told so and offered Connect."""
    msg = status_message(user=None, instance_host=HOST)
    assert msg.text == texts.STATUS_NOT_CONNECTED
    assert ids.CONNECT_START in _buttons(msg.blocks)


def test_status_needing_reconnect_offers_reconnect_link() -> None:
    """An expired link offers Reconnect, as a link when a start URL is given."""
    msg = status_message(user=USER, instance_host=HOST, needs_reconnect=True, start_url=START)
    assert msg.text == texts.STATUS_NEEDS_RECONNECT
    assert _buttons(msg.blocks)[ids.CONNECT_LINK]["text"]["text"] == texts.RECONNECT_BUTTON  # type: ignore[index]


def test_status_without_instance_points_to_setup() -> None:
    """With no instance the status says an admin must run setup."""
    assert "/snow setup" in status_message(user=None, instance_host=None).text


def test_disconnected_message_confirms() -> None:
    """Disconnect is confirmed in plain words."""
    assert "forgotten" in disconnected_message().text


def test_auth_error_offers_reconnect() -> None:
    """An auth error comes with a Reconnect button."""
    msg = error_message(errors.ReconnectRequiredError("refresh failed"))
    assert ids.CONNECT_START in _buttons(msg.blocks)


def test_auth_error_uses_a_reconnect_link_when_given() -> None:
    """With a fresh start URL the Reconnect button is a link."""
    msg = error_message(errors.ServiceNowAuthError("401"), reconnect_url=START)
    assert _buttons(msg.blocks)[ids.CONNECT_LINK]["url"] == START


def test_guest_refusal_offers_no_reconnect() -> None:
    """A refusal that reconnecting cannot fix offers no button."""
    msg = error_message(errors.LinkRefusedError(reason="guest"))
    assert _buttons(msg.blocks) == {}


def test_unavailable_error_carries_a_retry_hint() -> None:
    """A ServiceNow outage reads as temporary."""
    msg = error_message(errors.ServiceNowUnavailableError("504 Gateway Time-out"))
    assert texts.RETRY_HINT in "\n".join(mrkdwn_texts(msg))
    assert "504" not in msg.text


def test_store_error_suggests_retrying() -> None:
    """Redis being down reads as temporary too."""
    assert "try again in a minute" in "\n".join(mrkdwn_texts(error_message(errors.StoreError("x"))))


def test_forbidden_error_carries_the_acl_hint() -> None:
    """A 403 tells the user their admin can check roles and ACLs."""
    msg = error_message(errors.ServiceNowForbiddenError("ACL", status=403))
    assert texts.FORBIDDEN_HINT in mrkdwn_texts(msg)


def test_not_admin_message_is_polite_and_names_who_to_ask() -> None:
    """The refusal explains setup is for admins and suggests who to ask."""
    shown = "\n".join(mrkdwn_texts(not_admin_message("the IT team")))
    assert "admins" in shown
    assert "the IT team" in shown
