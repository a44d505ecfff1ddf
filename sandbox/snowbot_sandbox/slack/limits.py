"""Block Kit limits the Slack stand-in enforces, so tests catch what Slack would refuse.

Numbers from Slack's documented limits. ``check_message`` returns ``msg_too_long`` or
``invalid_blocks`` (what ``chat.*`` answer), ``check_view`` returns ``invalid_arguments``
or ``view_too_large`` (what ``views.*`` answer); each with Slack-style detail messages
(``[ERROR] … [json-pointer:/blocks/0/text]``) that the Web API puts in
``response_metadata.messages``.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_VIEW_BYTES = 250_000
MAX_ID = 255

BLOCK_TYPES = frozenset({
    "section", "header", "divider", "context", "actions", "input", "image",
    "markdown", "rich_text", "video", "file", "context_actions", "table",
})
INTERACTIVE_ELEMENTS = frozenset({
    "button", "static_select", "external_select", "users_select", "conversations_select",
    "channels_select", "multi_static_select", "multi_external_select", "multi_users_select",
    "multi_conversations_select", "multi_channels_select", "overflow", "datepicker",
    "timepicker", "datetimepicker", "checkboxes", "radio_buttons", "plain_text_input",
    "email_text_input", "url_text_input", "number_input", "rich_text_input", "file_input",
    "workflow_button",
})


class _Checker:
    """Collects ``[ERROR] … [json-pointer:…]`` messages while walking a payload."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, pointer: str, message: str) -> None:
        self.errors.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    def text(self, obj: Any, pointer: str, *, limit: int, plain_only: bool = False,
             required: bool = True) -> None:
        if obj is None:
            if required:
                self.fail(pointer, "missing required field: text")
            return
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            self.fail(pointer, "must be a text object")
            return
        kind = obj.get("type")
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if kind not in allowed:
            self.fail(f"{pointer}/type", f"must be one of {', '.join(allowed)}")
        text: str = obj["text"]
        if not text:
            self.fail(f"{pointer}/text", "must be more than 0 characters")
        elif len(text) > limit:
            self.fail(f"{pointer}/text", f"must be less than {limit + 1} characters")

    def length(self, value: Any, pointer: str, *, limit: int) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.fail(pointer, "must be a string")
        elif len(value) > limit:
            self.fail(pointer, f"must be less than {limit + 1} characters")

    def options(self, options: Any, pointer: str, *, most: int) -> None:
        if not isinstance(options, list):
            self.fail(pointer, "must be an array")
            return
        if len(options) > most:
            self.fail(pointer, f"must provide at most {most} items")
        for i, option in enumerate(options):
            p = f"{pointer}/{i}"
            if not isinstance(option, dict):
                self.fail(p, "must be an option object")
                continue
            self.text(option.get("text"), f"{p}/text", limit=75)
            self.length(option.get("value"), f"{p}/value", limit=150)

    def element(self, element: Any, pointer: str) -> None:
        if not isinstance(element, dict):
            self.fail(pointer, "must be an element object")
            return
        kind = element.get("type")
        if kind not in INTERACTIVE_ELEMENTS and kind not in ("image", "plain_text", "mrkdwn"):
            self.fail(f"{pointer}/type", f"unknown element type: {kind!r}")
            return
        self.length(element.get("action_id"), f"{pointer}/action_id", limit=MAX_ID)
        if "placeholder" in element:
            self.text(element["placeholder"], f"{pointer}/placeholder", limit=150,
                      plain_only=True)
        if kind == "button":
            self.text(element.get("text"), f"{pointer}/text", limit=75, plain_only=True)
            self.length(element.get("value"), f"{pointer}/value", limit=2000)
            self.length(element.get("url"), f"{pointer}/url", limit=3000)
            if element.get("style") not in (None, "primary", "danger"):
                self.fail(f"{pointer}/style", "must be one of primary, danger")
        elif kind in ("static_select", "multi_static_select", "checkboxes", "radio_buttons"):
            if "options" in element:
                self.options(element["options"], f"{pointer}/options", most=100)
            elif "option_groups" not in element:
                self.fail(pointer, "must provide either options or option_groups")
        elif kind == "overflow":
            self.options(element.get("options"), f"{pointer}/options", most=5)
        elif kind == "image":
            self.length(element.get("alt_text"), f"{pointer}/alt_text", limit=2000)
        if isinstance(element.get("confirm"), dict):
            confirm = element["confirm"]
            self.text(confirm.get("title"), f"{pointer}/confirm/title", limit=100,
                      plain_only=True)
            self.text(confirm.get("text"), f"{pointer}/confirm/text", limit=300)
            self.text(confirm.get("confirm"), f"{pointer}/confirm/confirm", limit=30,
                      plain_only=True)
            self.text(confirm.get("deny"), f"{pointer}/confirm/deny", limit=30,
                      plain_only=True)

    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict):
            self.fail(pointer, "must be a block object")
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.fail(f"{pointer}/type", f"unknown block type: {kind!r}")
            return
        self.length(block.get("block_id"), f"{pointer}/block_id", limit=MAX_ID)
        if kind == "section":
            self._section(block, pointer)
        elif kind == "header":
            self.text(block.get("text"), f"{pointer}/text", limit=150, plain_only=True)
        elif kind == "markdown":
            self.length(block.get("text"), f"{pointer}/text", limit=12_000)
        elif kind == "context":
            self._elements(block, pointer, most=10)
        elif kind == "actions":
            self._elements(block, pointer, most=25)
        elif kind == "input":
            self.text(block.get("label"), f"{pointer}/label", limit=2000, plain_only=True)
            self.text(block.get("hint"), f"{pointer}/hint", limit=2000, plain_only=True,
                      required=False)
            if "element" not in block:
                self.fail(pointer, "missing required field: element")
            else:
                self.element(block["element"], f"{pointer}/element")
        elif kind == "image":
            self.length(block.get("image_url"), f"{pointer}/image_url", limit=3000)
            if not block.get("alt_text"):
                self.fail(pointer, "missing required field: alt_text")
            self.length(block.get("alt_text"), f"{pointer}/alt_text", limit=2000)

    def _section(self, block: dict[str, Any], pointer: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail(pointer, "must provide either text or fields")
        if "text" in block:
            self.text(block["text"], f"{pointer}/text", limit=3000)
        fields = block.get("fields")
        if fields is not None:
            if not isinstance(fields, list) or not fields:
                self.fail(f"{pointer}/fields", "must be a non-empty array")
            else:
                if len(fields) > 10:
                    self.fail(f"{pointer}/fields", "must provide at most 10 items")
                for i, field in enumerate(fields):
                    self.text(field, f"{pointer}/fields/{i}", limit=2000)
        if "accessory" in block:
            self.element(block["accessory"], f"{pointer}/accessory")

    def _elements(self, block: dict[str, Any], pointer: str, *, most: int) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            self.fail(f"{pointer}/elements", "must be a non-empty array")
            return
        if len(elements) > most:
            self.fail(f"{pointer}/elements", f"must provide at most {most} items")
        seen: set[str] = set()
        for i, element in enumerate(elements):
            self.element(element, f"{pointer}/elements/{i}")
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if isinstance(action_id, str):
                if action_id in seen:
                    self.fail(f"{pointer}/elements/{i}/action_id",
                              f"duplicate action_id: {action_id}")
                seen.add(action_id)

    def blocks(self, blocks: Any, pointer: str, *, most: int) -> None:
        if not isinstance(blocks, list):
            self.fail(pointer, "must be an array")
            return
        if len(blocks) > most:
            self.fail(pointer, f"must provide at most {most} items")
        seen: set[str] = set()
        for i, block in enumerate(blocks):
            self.block(block, f"{pointer}/{i}")
            block_id = block.get("block_id") if isinstance(block, dict) else None
            if isinstance(block_id, str):
                if block_id in seen:
                    self.fail(f"{pointer}/{i}/block_id", f"duplicate block_id: {block_id}")
                seen.add(block_id)


def check_message(*, text: Any, blocks: Any) -> tuple[str, list[str]] | None:
    """Why Slack would refuse a message (``(error, details)``), or None when it would accept it."""
    if text is not None and not isinstance(text, str):
        return "invalid_arguments", ["[ERROR] must be a string [json-pointer:/text]"]
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        return "msg_too_long", []
    if blocks is None:
        return None
    checker = _Checker()
    checker.blocks(blocks, "/blocks", most=MAX_MESSAGE_BLOCKS)
    if checker.errors:
        return "invalid_blocks", checker.errors
    return None


def check_view(view: Any) -> tuple[str, list[str]] | None:
    """Why Slack would refuse a modal or Home view, or None when it would accept it."""
    if not isinstance(view, dict):
        return "invalid_arguments", ["[ERROR] must be an object [json-pointer:/view]"]
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        return "view_too_large", []
    checker = _Checker()
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("/view/type", "must be one of modal, home")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", limit=24, plain_only=True)
        checker.text(view.get("submit"), "/view/submit", limit=24, plain_only=True,
                     required=False)
        checker.text(view.get("close"), "/view/close", limit=24, plain_only=True,
                     required=False)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            checker.fail("/view", "a view with input blocks must have a submit button")
    checker.length(view.get("private_metadata"), "/view/private_metadata", limit=3000)
    checker.length(view.get("callback_id"), "/view/callback_id", limit=MAX_ID)
    checker.length(view.get("external_id"), "/view/external_id", limit=MAX_ID)
    checker.blocks(view.get("blocks"), "/view/blocks", most=MAX_VIEW_BLOCKS)
    if checker.errors:
        return "invalid_arguments", checker.errors
    return None
