"""The Slack side of a conversation: signed requests built like Slack's, sent to the bot.

Every request is signed as Slack signs it (``v0=HMAC-SHA256(secret, "v0:{ts}:{raw body}")``
via ``slack_sdk.signature.SignatureVerifier``) over the exact bytes sent. Slash commands
are form-encoded; Events API envelopes are JSON; interactions are ``payload=<JSON>``
forms. trigger_ids are registered with the sandbox (valid 3 s); response_urls point at
the sandbox's receiver. What the bot answers in its ack is applied as Slack would: a
slash command's ack text/blocks become an ephemeral message, a ``view_submission``'s
``response_action`` updates, pushes, clears or shows errors on the modal stack.

Deliberately bad requests: ``driver.sign(...)``/``*_request(...)`` return a
``SignedRequest``; ``req.altered()``, ``req.without_signature()``, ``driver.stale(req)``
and ``driver.forged(req)`` spoil it; ``driver.send(req)`` sends anything.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from snowbot_sandbox.slack.directory import (
    APP_ID,
    BOT_USER_ID,
    GENERAL_CHANNEL,
    TEAM_DOMAIN,
    dm_channel_id,
)
from snowbot_sandbox.slack.interaction import (
    block_actions_payload,
    global_shortcut_payload,
    message_shortcut_payload,
    state_values,
    view_closed_payload,
    view_submission_payload,
)
from snowbot_sandbox.slack.records import Message, View
from snowbot_sandbox.slack.render import Button, find_button, iter_buttons
from snowbot_sandbox.slack.webapi import SlackSandbox

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclasses.dataclass(frozen=True)
class SignedRequest:
    """An exact request body and the headers Slack would send with it."""

    body: bytes
    headers: dict[str, str]

    def altered(self) -> SignedRequest:
        """The same headers over a body changed after signing (must be refused)."""
        return SignedRequest(body=self.body + b" ", headers=dict(self.headers))

    def without_signature(self) -> SignedRequest:
        """The request with no ``X-Slack-Signature`` header."""
        headers = {k: v for k, v in self.headers.items() if k != "X-Slack-Signature"}
        return SignedRequest(body=self.body, headers=headers)

    def with_headers(self, **headers: str) -> SignedRequest:
        """The request with headers replaced or added (``**{"X-Slack-Request-Timestamp": "x"}``)."""
        return SignedRequest(body=self.body, headers={**self.headers, **headers})


class SlackDriver:
    """Sends Slack's requests to the bot at ``bot_url``; applies the bot's acks to the sandbox."""

    def __init__(self, *, bot_url: str, signing_secret: str, slack: SlackSandbox,
                 slack_url: str, http: httpx.AsyncClient,
                 clock: Callable[[], float] = time.time, api_app_id: str = APP_ID) -> None:
        self.bot_url = bot_url
        self.slack = slack
        self.slack_url = slack_url.rstrip("/")
        self.http = http
        self.clock = clock
        self.api_app_id = api_app_id
        self._secret = signing_secret
        self._verifier = SignatureVerifier(signing_secret)

    # -- signing and sending -----------------------------------------------------------

    def sign(self, body: bytes | str, *, content_type: str, timestamp: int | None = None,
             secret: str | None = None) -> SignedRequest:
        """Sign ``body`` as Slack does (now, with the app's secret, unless told otherwise)."""
        raw = body.encode() if isinstance(body, str) else body
        ts = str(int(self.clock()) if timestamp is None else timestamp)
        verifier = self._verifier if secret is None else SignatureVerifier(secret)
        signature = verifier.generate_signature(timestamp=ts, body=raw)
        if signature is None:  # only when the secret is empty, which the verifier refuses
            raise ValueError("a signing secret is needed")
        return SignedRequest(body=raw, headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        })

    def stale(self, request: SignedRequest, *, age: int = 600) -> SignedRequest:
        """The request correctly signed, but ``age`` seconds ago (outside the 5-minute window)."""
        return self.sign(request.body, content_type=request.headers["Content-Type"],
                         timestamp=int(self.clock()) - age)

    def forged(self, request: SignedRequest) -> SignedRequest:
        """The request signed with a wrong secret."""
        return self.sign(request.body, content_type=request.headers["Content-Type"],
                         secret="not-" + self._secret)

    async def send(self, request: SignedRequest) -> httpx.Response:
        """POST the request to the bot as is; the bot's HTTP answer."""
        return await self.http.post(self.bot_url, content=request.body, headers=request.headers)

    # -- slash commands ----------------------------------------------------------------

    def command_request(self, command: str, text: str = "", *, user_id: str,
                        channel_id: str | None = None) -> SignedRequest:
        """A signed slash command; registers its trigger_id and response_url with the sandbox."""
        channel = channel_id or dm_channel_id(user_id)
        user = self.slack.users.get(user_id)
        form = {
            "token": "sandbox-verification-token",
            "team_id": self.slack.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else channel.lower(),
            "user_id": user_id,
            "user_name": user.name if user is not None else user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self.slack.issue_response_url(self.slack_url, channel=channel,
                                                          user=user_id),
            "trigger_id": self.slack.issue_trigger_id(user_id),
        }
        return self.sign(urlencode(form), content_type=FORM)

    async def slash_command(self, command: str, text: str = "", *, user_id: str,
                            channel_id: str | None = None) -> httpx.Response:
        """Run a slash command; an ack with text/blocks shows as an ephemeral message."""
        request = self.command_request(command, text, user_id=user_id, channel_id=channel_id)
        seq = self.slack.next_seq()  # the ack shows before anything the bot sends after it
        response = await self.send(request)
        form = dict(httpx.QueryParams(request.body.decode()))
        ack = _json_body(response)
        if response.status_code == 200 and (ack.get("text") or ack.get("blocks")):
            in_channel = ack.get("response_type") == "in_channel"
            message = self.slack.add_message(Message(
                channel=form["channel_id"], ts=self.slack.new_ts(), user=BOT_USER_ID,
                text=ack.get("text"), blocks=list(ack.get("blocks") or []), source="ack",
                seq=seq, ephemeral_to=None if in_channel else user_id,
                response_url=form["response_url"]))
            self.slack.bind_response_url(form["response_url"], message)
        return response

    # -- Events API --------------------------------------------------------------------

    def event_request(self, event: Mapping[str, Any], *, event_id: str | None = None,
                      team_id: str | None = None, retry_num: int | None = None,
                      retry_reason: str = "http_timeout") -> SignedRequest:
        """A signed ``event_callback`` envelope (with retry headers when ``retry_num``)."""
        team = team_id or self.slack.team_id
        envelope = {
            "token": "sandbox-verification-token",
            "team_id": team,
            "context_team_id": team,
            "api_app_id": self.api_app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or new_event_id(),
            "event_time": int(self.clock()),
            "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": BOT_USER_ID,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_hex(12),
        }
        request = self.sign(json.dumps(envelope), content_type=JSON)
        if retry_num is not None:
            request = request.with_headers(**{"X-Slack-Retry-Num": str(retry_num),
                                              "X-Slack-Retry-Reason": retry_reason})
        return request

    async def event(self, event: Mapping[str, Any], *, event_id: str | None = None,
                    team_id: str | None = None, retry_num: int | None = None,
                    retry_reason: str = "http_timeout") -> httpx.Response:
        """Deliver one event (send it again with the same ``event_id`` to retry)."""
        return await self.send(self.event_request(
            event, event_id=event_id, team_id=team_id, retry_num=retry_num,
            retry_reason=retry_reason))

    async def url_verification(self, challenge: str = "sandbox-challenge") -> httpx.Response:
        """Slack's first-time Request URL check."""
        body = {"token": "sandbox-verification-token", "challenge": challenge,
                "type": "url_verification"}
        return await self.send(self.sign(json.dumps(body), content_type=JSON))

    async def dm(self, text: str, *, user_id: str, thread_ts: str | None = None,
                 event_id: str | None = None) -> httpx.Response:
        """The user writes to the bot in their DM (``message.im``)."""
        channel = dm_channel_id(user_id)
        return await self.event(self._user_message(text, user_id=user_id, channel=channel,
                                                   thread_ts=thread_ts, channel_type="im"),
                                event_id=event_id)

    async def mention(self, text: str, *, user_id: str, channel_id: str = GENERAL_CHANNEL,
                      thread_ts: str | None = None) -> httpx.Response:
        """The user @mentions the bot in a channel (``app_mention``); the bot id is prefixed."""
        event = self._user_message(f"<@{BOT_USER_ID}> {text}", user_id=user_id,
                                   channel=channel_id, thread_ts=thread_ts, channel_type=None)
        event["type"] = "app_mention"
        return await self.event(event)

    def _user_message(self, text: str, *, user_id: str, channel: str, thread_ts: str | None,
                      channel_type: str | None) -> dict[str, Any]:
        message = self.slack.add_message(Message(
            channel=channel, ts=self.slack.new_ts(), user=user_id, text=text, blocks=[],
            source="user", seq=self.slack.next_seq(), thread_ts=thread_ts))
        user = self.slack.users.get(user_id)
        event: dict[str, Any] = {
            "type": "message", "user": user_id, "text": text, "ts": message.ts,
            "event_ts": message.ts, "channel": channel,
            "client_msg_id": str(uuid.uuid4()),
            "team": user.team_id if user is not None else self.slack.team_id,
            "blocks": [{"type": "rich_text", "block_id": secrets.token_hex(3), "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
        }
        if channel_type is not None:
            event["channel_type"] = channel_type
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        return event

    async def app_home_opened(self, *, user_id: str, tab: str = "home") -> httpx.Response:
        """The user opens the app's Home (or Messages) tab."""
        event: dict[str, Any] = {"type": "app_home_opened", "user": user_id,
                                 "channel": dm_channel_id(user_id), "tab": tab,
                                 "event_ts": f"{self.clock():.6f}"}
        home = self.slack.views.get(self.slack.home_views.get(user_id, ""))
        if home is not None:
            event["view"] = home.to_api()
        return await self.event(event)

    async def app_uninstalled(self) -> httpx.Response:
        """The workspace removes the app."""
        return await self.event({"type": "app_uninstalled", "event_ts": f"{self.clock():.6f}"})

    async def tokens_revoked(self, *, user_ids: list[str] | None = None,
                             bot: bool = True) -> httpx.Response:
        """Tokens of the app were revoked (user tokens for ``user_ids``, and the bot's)."""
        tokens: dict[str, list[str]] = {"oauth": list(user_ids or [])}
        if bot:
            tokens["bot"] = [BOT_USER_ID]
        return await self.event({"type": "tokens_revoked", "tokens": tokens,
                                 "event_ts": f"{self.clock():.6f}"})

    async def user_change(self, user_id: str) -> httpx.Response:
        """A user's profile changed (send after changing ``slack.users[user_id]``)."""
        return await self.event({"type": "user_change", "user": self.slack.users[user_id].to_api(),
                                 "event_ts": f"{self.clock():.6f}"})

    # -- interactivity -----------------------------------------------------------------

    def interaction_request(self, payload: Mapping[str, Any]) -> SignedRequest:
        """A signed ``payload=<JSON>`` interactivity request."""
        return self.sign(urlencode({"payload": json.dumps(payload)}), content_type=FORM)

    def find_button(self, label: str, *, user_id: str) -> tuple[Message | View, Button]:
        """The newest message or view ``user_id`` sees with a button labelled ``label``."""
        for surface in self.slack.visible_to(user_id):
            button = find_button(surface.blocks, label)
            if button is not None:
                return surface, button
        seen = [b.label for s in self.slack.visible_to(user_id) for b in iter_buttons(s.blocks)]
        raise LookupError(f"no button {label!r} visible to {user_id}; buttons: {seen}")

    async def press(self, button_label: str, *, user_id: str) -> httpx.Response:
        """Press the button (by label or action_id) in the newest message or view that has it."""
        return await self.send(self.press_request(button_label, user_id=user_id))

    def press_request(self, button_label: str, *, user_id: str) -> SignedRequest:
        """The signed press of a button, to send as often as Slack might (retries)."""
        surface, button = self.find_button(button_label, user_id=user_id)
        trigger_id = self.slack.issue_trigger_id(user_id)
        response_url = None
        if isinstance(surface, Message):
            response_url = self.slack.issue_response_url(
                self.slack_url, channel=surface.channel, user=user_id, message=surface)
        payload = block_actions_payload(
            slack=self.slack, surface=surface, button=button, user_id=user_id,
            trigger_id=trigger_id, response_url=response_url, api_app_id=self.api_app_id,
            action_ts=f"{self.clock():.6f}")
        return self.interaction_request(payload)

    async def submit_view(self, values: Mapping[str, Any] | None = None, *, user_id: str,
                          view_id: str | None = None) -> httpx.Response:
        """Submit the user's top modal; ``values`` keys are input labels, action_ids or block_ids.

        The ack's ``response_action`` is applied (errors/update/push/clear); without one the
        modal closes, as in Slack.
        """
        view = self._modal(user_id, view_id)
        state = state_values(view.blocks, dict(values or {}))
        payload = view_submission_payload(
            slack=self.slack, view=view, state=state, user_id=user_id,
            trigger_id=self.slack.issue_trigger_id(user_id), api_app_id=self.api_app_id)
        response = await self.send(self.interaction_request(payload))
        if response.status_code == 200:
            self.slack.apply_view_ack(user_id, view, _json_body(response))
        return response

    async def close_view(self, *, user_id: str, view_id: str | None = None) -> httpx.Response:
        """The user closes the top modal (Cancel/X); sends ``view_closed``."""
        view = self._modal(user_id, view_id)
        payload = view_closed_payload(slack=self.slack, view=view, user_id=user_id,
                                      api_app_id=self.api_app_id)
        self.slack.close_modal(user_id, view)
        return await self.send(self.interaction_request(payload))

    async def message_shortcut(self, callback_id: str, *, user_id: str,
                               channel_id: str | None = None,
                               message_ts: str | None = None) -> httpx.Response:
        """Run a message shortcut on a message (default: the newest in the channel)."""
        channel = channel_id or dm_channel_id(user_id)
        messages = [m for m in self.slack.messages_in(channel) if m.ephemeral_to is None
                    and (message_ts is None or m.ts == message_ts)]
        if not messages:
            raise LookupError(f"no message {message_ts or ''} in {channel}")
        message = messages[-1]
        payload = message_shortcut_payload(
            slack=self.slack, message=message, callback_id=callback_id, user_id=user_id,
            trigger_id=self.slack.issue_trigger_id(user_id),
            response_url=self.slack.issue_response_url(self.slack_url, channel=message.channel,
                                                       user=user_id),
            api_app_id=self.api_app_id, action_ts=f"{self.clock():.6f}")
        return await self.send(self.interaction_request(payload))

    async def global_shortcut(self, callback_id: str, *, user_id: str) -> httpx.Response:
        """Run a global shortcut (from the shortcuts menu)."""
        payload = global_shortcut_payload(
            slack=self.slack, callback_id=callback_id, user_id=user_id,
            trigger_id=self.slack.issue_trigger_id(user_id), api_app_id=self.api_app_id,
            action_ts=f"{self.clock():.6f}")
        return await self.send(self.interaction_request(payload))

    def _modal(self, user_id: str, view_id: str | None) -> View:
        view = self.slack.views.get(view_id) if view_id else self.slack.top_modal(user_id)
        if view is None or view.closed:
            raise LookupError(f"no open modal for {user_id}")
        return view


def new_event_id() -> str:
    """A fresh Events API ``event_id`` (``Ev…``)."""
    return "Ev" + secrets.token_hex(5).upper()


def _json_body(response: httpx.Response) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {"text": response.text}
    return body if isinstance(body, dict) else {}
