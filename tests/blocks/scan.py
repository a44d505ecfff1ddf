"""Helpers for the view tests: walk Block Kit output, collect mrkdwn, check Slack's limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from bot.blocks import Message

HOSTILE = "<!channel> <https://evil.example|x> & <@U123> <!here> <#C1|general>"
FORBIDDEN = ("<!", "<@", "<http", "<#")
_BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside ``node``, depth first, ``node`` itself included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def mrkdwn_texts(output: Message | dict[str, Any] | list[dict[str, Any]]) -> list[str]:
    """Every string Slack parses as mrkdwn: mrkdwn objects and a message's fallback text."""
    if isinstance(output, Message):
        return [output.text, *mrkdwn_texts(output.blocks)]
    return [
        d["text"] for d in walk(output) if d.get("type") == "mrkdwn" and isinstance(d["text"], str)
    ]


def injection_problems(
    output: Message | dict[str, Any] | list[dict[str, Any]], *, allowed: tuple[str, ...] = ()
) -> list[str]:
    """mrkdwn strings holding a Slack control sequence or a bare "&" (``allowed`` removed first)."""
    problems = []
    for text in mrkdwn_texts(output):
        cleaned = text
        for ok in allowed:
            cleaned = cleaned.replace(ok, "")
        if any(bad in cleaned for bad in FORBIDDEN) or _BARE_AMPERSAND.search(cleaned):
            problems.append(text)
    return problems


def _text_len(obj: Any) -> int:
    return len(obj["text"]) if isinstance(obj, dict) and "text" in obj else 0


def _section(d: dict[str, Any]) -> list[str]:
    fields = d.get("fields", [])
    bad = _text_len(d.get("text")) > 3000 or len(fields) > 10
    return ["section over limits"] if bad or any(_text_len(f) > 2000 for f in fields) else []


def _header(d: dict[str, Any]) -> list[str]:
    return ["header over 150"] if _text_len(d["text"]) > 150 else []


def _context(d: dict[str, Any]) -> list[str]:
    elements = d["elements"]
    bad = len(elements) > 10 or any(_text_len(e) > 2000 for e in elements)
    return ["context over limits"] if bad else []


def _actions(d: dict[str, Any]) -> list[str]:
    return ["actions over 25 elements"] if len(d["elements"]) > 25 else []


def _button(d: dict[str, Any]) -> list[str]:
    bad = (
        _text_len(d["text"]) > 75
        or len(d.get("value", "")) > 2000
        or len(d.get("url", "")) > 3000
        or "action_id" not in d
    )
    return ["button over limits"] if bad else []


def _options(d: dict[str, Any]) -> list[str]:
    options = d.get("options", [])
    bad = len(options) > 100 or any(
        _text_len(o["text"]) > 75 or len(o["value"]) > 150 for o in options
    )
    return ["options over limits"] if bad else []


def _input(d: dict[str, Any]) -> list[str]:
    return ["input label over 2000"] if _text_len(d["label"]) > 2000 else []


def _image(d: dict[str, Any]) -> list[str]:
    return ["image alt text over 2000"] if len(d.get("alt_text", "")) > 2000 else []


_CHECKS = {
    "section": _section,
    "header": _header,
    "context": _context,
    "actions": _actions,
    "button": _button,
    "static_select": _options,
    "radio_buttons": _options,
    "checkboxes": _options,
    "input": _input,
    "image": _image,
}


def _surface_problems(output: Message | dict[str, Any], *, max_blocks: int) -> list[str]:
    problems: list[str] = []
    if isinstance(output, Message):
        blocks = output.blocks
        if len(output.text) > 3000:
            problems.append("fallback text over 3000")
    else:
        blocks = output["blocks"]
        if len(output.get("private_metadata", "")) > 3000:
            problems.append("private_metadata over 3000")
        for key in ("title", "submit", "close"):
            if output.get(key) and _text_len(output[key]) > 24:
                problems.append(f"{key} over 24")
    if not 0 < len(blocks) <= max_blocks:
        problems.append(f"{len(blocks)} blocks")
    if len(json.dumps(output.model_dump() if isinstance(output, Message) else output)) > 250_000:
        problems.append("payload over 250 kB")
    return problems


def limit_problems(output: Message | dict[str, Any], *, max_blocks: int) -> list[str]:
    """Every way ``output`` breaks one of Slack's Block Kit limits (empty when none)."""
    problems = _surface_problems(output, max_blocks=max_blocks)
    blocks = output.blocks if isinstance(output, Message) else output["blocks"]
    for d in walk(blocks):
        for key in ("action_id", "block_id", "callback_id"):
            if key in d and len(d[key]) > 255:
                problems.append(f"{key} over 255")
        check = _CHECKS.get(str(d.get("type")))
        if check is not None:
            problems += check(d)
    return problems
