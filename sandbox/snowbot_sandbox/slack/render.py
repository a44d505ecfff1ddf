"""Block Kit → readable plain text, for tests and the terminal demo; and finding buttons.

Rendering (one line per block, blank-free):

- ``header`` → ``# Title``; ``section`` → its text, then each field as ``  Label: value``
  lines, then a button accessory as ``[Label]``; ``context`` → elements joined with ``  ·  ``;
  ``divider`` → ``---``; ``image`` → ``[image: alt text]``; ``actions`` → ``[Label] [Other]``
  (selects as ``[Placeholder ▾]``); ``input`` → ``field Label: <value or placeholder>``;
  ``markdown``/``rich_text`` → their text.
- mrkdwn links ``<https://x|label>`` become ``label (https://x)``, ``<@U1>`` becomes
  ``@U1``, ``<!here>`` becomes ``@here``, and ``&amp; &lt; &gt;`` are unescaped.
- A view adds a ``== Title ==`` line first and ``[Submit] [Close]`` last.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from snowbot_sandbox.slack.records import Message, View

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


@dataclasses.dataclass(frozen=True)
class Button:
    """A button found in some blocks: what a ``block_actions`` payload needs to press it."""

    label: str
    action_id: str
    block_id: str
    value: str | None
    url: str | None
    element: dict[str, Any]


def mrkdwn_to_text(text: str) -> str:
    """Slack mrkdwn with links, mentions and entities made readable."""
    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return label or target
        if target.startswith("!"):
            name = target[1:].split("^")[0]
            return label or f"@{name}"
        return f"{label} ({target})" if label else target
    out = _LINK.sub(link, text)
    return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: Any) -> str:
    if isinstance(obj, str):
        return mrkdwn_to_text(obj)
    if isinstance(obj, Mapping):
        if obj.get("type") == "plain_text":
            return str(obj.get("text", ""))
        if "text" in obj:
            return mrkdwn_to_text(str(obj.get("text", "")))
    return ""


def _choices(element: Mapping[str, Any]) -> str:
    options = element.get("options") or []
    return " ".join(f"( ) {_text(o.get('text'))}" for o in options if isinstance(o, Mapping))


def _select(element: Mapping[str, Any]) -> str:
    initial = element.get("initial_option")
    if isinstance(initial, Mapping):
        return f"[{_text(initial.get('text'))} ▾]"
    placeholder = _text(element.get("placeholder")) or str(element.get("type")).replace("_", " ")
    return f"[{placeholder} ▾]"


_ELEMENTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "button": lambda e: f"[{_text(e.get('text'))}]",
    "image": lambda e: f"[image: {e.get('alt_text', '')}]",
    "plain_text": _text,
    "mrkdwn": _text,
    "overflow": lambda e: "[…]",
    "checkboxes": _choices,
    "radio_buttons": _choices,
}


def _element(element: Any) -> str:
    if not isinstance(element, Mapping):
        return ""
    return _ELEMENTS.get(str(element.get("type")), _select)(element)


def _input_value(element: Any) -> str:
    if not isinstance(element, Mapping):
        return "..."
    for key in ("initial_value", "initial_date", "initial_time", "initial_user"):
        if element.get(key):
            return str(element[key])
    initial = element.get("initial_option")
    if isinstance(initial, Mapping):
        return _text(initial.get("text"))
    placeholder = _text(element.get("placeholder"))
    if placeholder:
        return f"<{placeholder}>"
    if element.get("type") in ("static_select", "radio_buttons", "checkboxes"):
        labels = [_text(o.get("text")) for o in element.get("options") or []
                  if isinstance(o, Mapping)]
        return "<one of: " + ", ".join(labels) + ">"
    return "..."


def _rich_text(node: Any) -> str:
    if isinstance(node, Mapping):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "link":
            return str(node.get("text") or node.get("url", ""))
        if node.get("type") == "user":
            return f"@{node.get('user_id', '')}"
        return "".join(_rich_text(child) for child in node.get("elements") or [])
    return ""


def _section(block: Mapping[str, Any]) -> list[str]:
    lines = _text(block.get("text")).splitlines() if block.get("text") else []
    lines += [f"  {line}" for f in block.get("fields") or [] for line in _text(f).splitlines()]
    if isinstance(block.get("accessory"), Mapping):
        lines.append(_element(block["accessory"]))
    return lines


def _input(block: Mapping[str, Any]) -> list[str]:
    optional = " (optional)" if block.get("optional") else ""
    label = _text(block.get("label"))
    return [f"field {label}{optional}: {_input_value(block.get('element'))}"]


def _joined(separator: str) -> Callable[[Mapping[str, Any]], list[str]]:
    def render(block: Mapping[str, Any]) -> list[str]:
        return [separator.join(p for p in map(_element, block.get("elements") or []) if p)]
    return render


_BLOCKS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "header": lambda b: [f"# {_text(b.get('text'))}"],
    "divider": lambda b: ["---"],
    "image": lambda b: [f"[image: {b.get('alt_text', '')}]"],
    "context": _joined("  ·  "),
    "actions": _joined(" "),
    "input": _input,
    "markdown": lambda b: str(b.get("text", "")).splitlines(),
    "rich_text": lambda b: _rich_text(b).splitlines(),
    "section": _section,
}


def _block(block: Mapping[str, Any]) -> list[str]:
    kind = str(block.get("type"))
    render = _BLOCKS.get(kind)
    return render(block) if render is not None else [f"[{kind} block]"]


def render_blocks(blocks: Sequence[Any] | None, *, text: str | None = None) -> str:
    """Readable text of ``blocks`` (or of the fallback ``text`` when there are no blocks)."""
    if not blocks:
        return mrkdwn_to_text(text or "")
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Mapping):
            lines.extend(_block(block))
    return "\n".join(lines)


def render_view(view: Mapping[str, Any]) -> str:
    """Readable text of a modal or Home view: title, blocks, then Submit/Close buttons."""
    lines: list[str] = []
    title = _text(view.get("title"))
    if title:
        lines.append(f"== {title} ==")
    body = render_blocks(view.get("blocks") or [])
    if body:
        lines.append(body)
    buttons = [f"[{_text(view[key])}]" for key in ("submit", "close")
               if isinstance(view.get(key), Mapping)]
    if view.get("type", "modal") == "modal" and "close" not in view:
        buttons.append("[Cancel]")
    if buttons:
        lines.append(" ".join(buttons))
    return "\n".join(lines)


def iter_buttons(blocks: Sequence[Any]) -> Iterator[Button]:
    """Every button in ``blocks`` (actions elements and section accessories), in order."""
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        elements: list[Any] = []
        if block.get("type") == "actions":
            elements = list(block.get("elements") or [])
        elif isinstance(block.get("accessory"), Mapping):
            elements = [block["accessory"]]
        for element in elements:
            if isinstance(element, Mapping) and element.get("type") == "button":
                yield Button(label=_text(element.get("text")),
                             action_id=str(element.get("action_id", "")),
                             block_id=str(block.get("block_id", "")),
                             value=element.get("value"), url=element.get("url"),
                             element=dict(element))


def find_button(blocks: Sequence[Any], label: str) -> Button | None:
    """The first button whose label (or action_id) is ``label``, ignoring case and brackets."""
    wanted = label.strip().strip("[]").strip().casefold()
    for button in iter_buttons(blocks):
        if wanted in (button.label.strip().casefold(), button.action_id.casefold()):
            return button
    return None


def render_surface(surface: Message | View) -> str:
    """A message (blocks, else text) or a view (with any submission errors) as text."""
    if isinstance(surface, View):
        text = render_view(surface.payload)
        errors = [f"! {block_id}: {message}" for block_id, message in surface.errors.items()]
        return "\n".join([text, *errors])
    return render_blocks(surface.blocks, text=surface.text)
