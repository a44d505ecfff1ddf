"""Replying to a user wherever they asked: the Slack side of every use case.

Handlers never see a Slack payload; they get a ``SlackReply`` that knows where the
question came from (``Origin``) and sends ``Message``s the right way:

- ``private``: only the asker sees it. A slash command or a button answers through
  its ``response_url`` (ephemeral); a DM answers in the DM; a mention in a channel
  answers ephemerally in that channel (thread kept); anything else goes to the
  user's DM with the bot.
- ``public_note``: a short note in the channel thread that reveals nothing personal.
- ``open_modal`` / ``update_modal``: modals need the ``trigger_id`` within 3 seconds.

A ``response_url`` is used only when it is on Slack's hooks host
(``https://hooks.slack.com``), or, when ``SLACK_API_URL`` points the Web API at a
stand-in, on that stand-in's host and port: the one setting moves both. Any other
``response_url`` is ignored and the answer goes through the Web API instead, so a
request can never make the bot post a user's data to a host of its choosing.

Slack failures become ``SlackError`` so the caller can log them; they are never
shown to the user as a stack trace. ``slack_errors("what it was doing")`` is that one
mapping, for every Web API call of the bot (it mirrors ``bot.store.guard.redis_errors``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal
from urllib.parse import urlsplit

from aiohttp import ClientError
from pydantic import BaseModel, ConfigDict
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.blocks import Message
from bot.errors import SlackError
from bot.models import SlackUser
from bot.settings import DEFAULT_SLACK_API_URL

log = logging.getLogger(__name__)

SLACK_HOOKS_ORIGIN = ("https", "hooks.slack.com", 443)
# What a Web API call raises when Slack refuses, fails or cannot be reached.
SLACK_FAILURES = (SlackApiError, SlackClientError, ClientError, TimeoutError)


@contextmanager
def slack_errors(action: str) -> Iterator[None]:
    """Re-raise any Slack failure inside the block as ``SlackError`` naming ``action``."""
    try:
        yield
    except SLACK_FAILURES as exc:
        raise SlackError(f"{action}: {slack_error_code(exc)}") from exc


def slack_error_code(exc: BaseException | None) -> str:
    """Slack's error code (``users_not_found``), else the exception's class name."""
    if isinstance(exc, SlackApiError):
        data: Any = exc.response.data if exc.response is not None else {}
        if isinstance(data, dict):
            return str(data.get("error", "unknown_error"))
    return exc.__class__.__name__


def _origin(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of a URL without user info, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    default = {"https": 443, "http": 80}.get(scheme)
    if default is None:
        return None
    return scheme, parts.hostname.lower(), port or default


def response_url_allowed(url: str, *, api_url: str) -> bool:
    """Whether replies may be posted to ``url``: Slack's hooks host, or the stand-in's
    host when ``api_url`` (``SLACK_API_URL``) is not Slack's own."""
    if api_url == DEFAULT_SLACK_API_URL:
        allowed = SLACK_HOOKS_ORIGIN
    else:
        stand_in = _origin(api_url)
        if stand_in is None:
            return False
        allowed = stand_in
    return _origin(url) == allowed


OriginKind = Literal["command", "dm", "mention", "action", "view", "home", "shortcut"]


class Origin(BaseModel):
    """Where a request came from, as far as replying is concerned."""

    model_config = ConfigDict(frozen=True)

    kind: OriginKind
    channel_id: str | None = None
    channel_is_dm: bool = False
    thread_ts: str | None = None
    message_ts: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None
    view_id: str | None = None


class SlackReply:
    """Sends messages and modals back to one user for one request."""

    def __init__(self, *, client: AsyncWebClient, user: SlackUser, origin: Origin) -> None:
        self.client = client
        self.user = user
        self.origin = origin
        self.sent: list[Message] = []

    async def private(self, message: Message, *, replace: bool = False) -> None:
        """Show ``message`` to the asker only."""
        self.sent.append(message)
        origin = self.origin
        with slack_errors("could not reply"):
            if self._response_url() and origin.kind in ("command", "action", "shortcut"):
                await self._respond(message, replace=replace)
            elif origin.channel_id and origin.channel_is_dm:
                await self.client.chat_postMessage(
                    channel=origin.channel_id,
                    text=message.text,
                    blocks=message.blocks,
                    thread_ts=origin.thread_ts,
                    unfurl_links=False,
                )
            elif origin.channel_id and origin.kind in ("mention", "command", "shortcut"):
                await self.client.chat_postEphemeral(
                    channel=origin.channel_id,
                    user=self.user.user_id,
                    text=message.text,
                    blocks=message.blocks,
                    thread_ts=origin.thread_ts,
                )
            else:
                await self.direct(message)

    async def direct(self, message: Message) -> None:
        """Send ``message`` to the user's DM with the bot."""
        with slack_errors("could not send a DM"):
            opened = await self.client.conversations_open(users=self.user.user_id)
            channel = _channel_id(opened.data)
            await self.client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False
            )

    async def public_note(self, text: str) -> None:
        """Post a note that reveals nothing personal in the channel's thread."""
        origin = self.origin
        if not origin.channel_id or origin.channel_is_dm:
            return
        with slack_errors("could not post a note"):
            await self.client.chat_postMessage(
                channel=origin.channel_id,
                text=text,
                thread_ts=origin.thread_ts or origin.message_ts,
            )

    async def share(self, message: Message) -> None:
        """Post ``message`` for everyone, where the request came from (its thread kept)."""
        origin = self.origin
        if not origin.channel_id:
            raise SlackError("this request came from no channel to share in")
        with slack_errors("could not share a card"):
            await self.client.chat_postMessage(
                channel=origin.channel_id, thread_ts=origin.thread_ts, **message.to_kwargs()
            )

    async def permalink(self, *, channel_id: str, message_ts: str) -> str:
        """A message's permalink ("" when Slack cannot give one)."""
        if not channel_id or not message_ts:
            return ""
        try:
            with slack_errors("chat.getPermalink failed"):
                response = await self.client.chat_getPermalink(
                    channel=channel_id, message_ts=message_ts
                )
        except SlackError as exc:
            log.info("no permalink for a message: %s", exc.detail)
            return ""
        link = response.get("permalink")
        return link if isinstance(link, str) else ""

    async def open_modal(self, view: dict[str, Any]) -> str | None:
        """Open ``view`` with this request's trigger id; return the view id."""
        if not self.origin.trigger_id:
            raise SlackError("this request carries no trigger_id to open a modal with")
        with slack_errors("could not open a modal"):
            response = await self.client.views_open(trigger_id=self.origin.trigger_id, view=view)
        data: Any = response.data
        view_data = data.get("view") if isinstance(data, dict) else None
        return str(view_data.get("id")) if isinstance(view_data, dict) else None

    async def update_modal(self, view_id: str, view: dict[str, Any]) -> None:
        """Replace the content of an open modal."""
        with slack_errors("could not update a modal"):
            await self.client.views_update(view_id=view_id, view=view)

    async def publish_home(self, view: dict[str, Any]) -> None:
        """Publish the user's App Home tab."""
        with slack_errors("could not publish the home tab"):
            await self.client.views_publish(user_id=self.user.user_id, view=view)

    def _response_url(self) -> str | None:
        """The origin's response_url, if replies may go there (see the module docstring)."""
        url = self.origin.response_url
        if url is None:
            return None
        if response_url_allowed(url, api_url=self.client.base_url):
            return url
        log.warning("ignored a response_url that is not on Slack's hooks host")
        return None

    async def _respond(self, message: Message, *, replace: bool) -> None:
        url = self._response_url()
        assert url is not None
        webhook = AsyncWebhookClient(
            url,
            session=self.client.session,
            timeout=10,
            proxy=self.client.proxy,
        )
        response = await webhook.send(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=replace,
        )
        if response.status_code >= 400:
            raise SlackError(f"response_url answered {response.status_code}")


def _channel_id(data: Any) -> str:
    channel = data.get("channel") if isinstance(data, dict) else None
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    raise SlackError("conversations.open returned no channel")


async def tell(client: AsyncWebClient, user: SlackUser, message: Message, *, about: str) -> bool:
    """DM ``message`` to ``user`` outside any request; a Slack failure is logged (False)."""
    try:
        await SlackReply(client=client, user=user, origin=Origin(kind="home")).direct(message)
    except SlackError as exc:
        log.warning("could not tell %s about %s: %s", user.user_id, about, exc.detail)
        return False
    return True
