"""What the Slack stand-in remembers: Web API calls, response_url posts, messages and views."""

from __future__ import annotations

import copy
import dataclasses
import secrets
from typing import Any

from snowbot_sandbox.slack.directory import APP_ID, BOT_ID, BOT_USER_ID

Blocks = list[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class ApiCall:
    """One Web API call the bot made: method, decoded arguments (blocks/view as objects), answer."""

    method: str
    args: dict[str, Any]
    response: dict[str, Any]
    status: int
    at: float

    @property
    def ok(self) -> bool:
        """Whether the stand-in answered ``"ok": true``."""
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """The ``error`` code of a refused call."""
        error = self.response.get("error")
        return error if isinstance(error, str) else None


@dataclasses.dataclass(frozen=True)
class ResponsePost:
    """One POST the bot made to a ``response_url`` (``respond()`` in Bolt)."""

    token: str
    body: dict[str, Any]
    status: int
    at: float

    @property
    def text(self) -> str | None:
        """The ``text`` field, if any."""
        text = self.body.get("text")
        return text if isinstance(text, str) else None

    @property
    def blocks(self) -> Blocks:
        """The ``blocks`` field (empty when absent)."""
        blocks = self.body.get("blocks")
        return blocks if isinstance(blocks, list) else []

    @property
    def replace_original(self) -> bool:
        """Whether the bot asked to replace the message the interaction came from."""
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        """Whether the bot asked to delete the message the interaction came from."""
        return _truthy(self.body.get("delete_original"))

    @property
    def response_type(self) -> str:
        """``ephemeral`` (Slack's default) or ``in_channel``."""
        kind = self.body.get("response_type")
        return kind if isinstance(kind, str) else "ephemeral"


@dataclasses.dataclass
class Message:
    """A message as a user would see it; ``ephemeral_to`` is set for ephemeral ones.

    ``source`` says how it got there: ``chat.postMessage``, ``chat.postEphemeral``,
    ``response_url``, ``ack`` (a slash command's ack body) or ``user`` (sent by the driver).
    """

    channel: str
    ts: str
    user: str
    text: str | None
    blocks: Blocks
    source: str
    seq: int
    thread_ts: str | None = None
    ephemeral_to: str | None = None
    response_url: str | None = None
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        """The message object Slack puts in ``chat.*`` answers and interaction payloads."""
        body: dict[str, Any] = {"type": "message", "user": self.user, "ts": self.ts,
                                "text": self.text or ""}
        if self.user == BOT_USER_ID:
            body["bot_id"] = BOT_ID
            body["app_id"] = APP_ID
        if self.blocks:
            body["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        return body


def new_hash() -> str:
    """A fresh view hash, like Slack's ``1712345678.AbCdEf12``."""
    return f"1700000000.{secrets.token_hex(4)}"


@dataclasses.dataclass
class View:
    """A modal (in a user's stack) or a user's Home tab, with the payload the bot sent."""

    id: str
    user: str
    team_id: str
    payload: dict[str, Any]
    seq: int
    hash: str = dataclasses.field(default_factory=new_hash)
    root_view_id: str | None = None
    previous_view_id: str | None = None
    closed: bool = False
    errors: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def type(self) -> str:
        """``modal`` or ``home``."""
        return str(self.payload.get("type", "modal"))

    @property
    def blocks(self) -> Blocks:
        """The view's blocks."""
        blocks = self.payload.get("blocks")
        return blocks if isinstance(blocks, list) else []

    @property
    def callback_id(self) -> str:
        """The bot's ``callback_id`` (empty when it set none)."""
        return str(self.payload.get("callback_id", ""))

    @property
    def private_metadata(self) -> str:
        """The bot's ``private_metadata`` (empty when it set none)."""
        return str(self.payload.get("private_metadata", ""))

    @property
    def title(self) -> str:
        """The title text (empty for Home views)."""
        title = self.payload.get("title")
        return str(title.get("text", "")) if isinstance(title, dict) else ""

    def to_api(self, *, state: dict[str, Any] | None = None) -> dict[str, Any]:
        """The view object as ``views.*`` answers and interaction payloads carry it."""
        body = copy.deepcopy(self.payload)
        body.update({
            "id": self.id,
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "app_installed_team_id": self.team_id,
            "hash": self.hash,
            "root_view_id": self.root_view_id or self.id,
            "previous_view_id": self.previous_view_id,
            "state": state if state is not None else {"values": {}},
        })
        for key, default in (("private_metadata", ""), ("callback_id", ""),
                             ("external_id", ""), ("clear_on_close", False),
                             ("notify_on_close", False), ("close", None), ("submit", None)):
            body.setdefault(key, default)
        return body


def new_id(prefix: str, length: int = 10) -> str:
    """An upper-case Slack-looking id (``V0A1B2C3D4``)."""
    return prefix + secrets.token_hex(length).upper()[: length - len(prefix) + 1]


def with_ids(blocks: Blocks) -> Blocks:
    """A copy of ``blocks`` where every block and interactive element has an id, as Slack adds."""
    out = copy.deepcopy(blocks)
    for block in out:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", secrets.token_hex(3))
        elements: list[Any] = []
        if isinstance(block.get("elements"), list) and block.get("type") == "actions":
            elements = block["elements"]
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        for element in elements:
            if isinstance(element, dict) and element.get("type") not in (None, "image"):
                element.setdefault("action_id", secrets.token_hex(3))
    return out


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)
