"""Small pieces every builder uses: the Message model, escaping, clipping, time.

Escaping rule (Slack's): in mrkdwn, ``&``, ``<`` and ``>`` are control characters;
every user- or ServiceNow-supplied string goes through ``escape_mrkdwn`` (``&`` first)
before it is put into a mrkdwn text object or a message's fallback ``text``. Our own
sentences from ``bot.texts`` are trusted. ``plain_text`` objects (headers, buttons,
options, modal labels) are not parsed by Slack, so they take data unescaped.

Limits are enforced here too: ``clip`` shortens a string with "…" without cutting an
escape entity in half, and ``fit_blocks`` keeps a block list under a surface's cap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    LinkButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot import texts

# Slack's limits (docs.slack.dev/reference/block-kit, /reference/views).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_CONTEXT_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
MAX_MODAL_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_INPUT_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_FALLBACK_TEXT = 3000  # Slack allows ~40k; keep notifications short
ELLIPSIS = "…"

_DANGLING_ENTITY = re.compile(r"&[a-z]{0,3}$")
_SECRET_VISIBLE = 4


class Message(BaseModel):
    """A message ready for chat.postMessage / postEphemeral / respond: text + blocks."""

    model_config = ConfigDict(frozen=True)

    text: str
    blocks: list[dict[str, Any]]

    def to_kwargs(self) -> dict[str, Any]:
        """Arguments for chat.postMessage / postEphemeral / respond: text, blocks, and no
        unfurling (messages echo user and ServiceNow text)."""
        return {
            "text": self.text,
            "blocks": self.blocks,
            "unfurl_links": False,
            "unfurl_media": False,
        }


def escape_mrkdwn(text: str) -> str:
    """``text`` safe inside mrkdwn: ``&``, ``<`` and ``>`` escaped, ``&`` first."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut.

    Never leaves half an escape entity (``&am…``) behind.
    """
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 0)]
    cut = _DANGLING_ENTITY.sub("", cut)
    return cut + ELLIPSIS


def safe(text: str, limit: int) -> str:
    """Untrusted ``text`` clipped to ``limit`` and escaped for mrkdwn (within ``limit``)."""
    escaped = escape_mrkdwn(text)
    return clip(escaped, limit)


def one_line(text: str) -> str:
    """``text`` with runs of whitespace, newlines included, folded to one space."""
    return " ".join(text.split())


def mask_secret(secret: str) -> str:
    """A secret shown as its last four characters only ("••••wxyz"); short ones fully hidden."""
    if len(secret) <= _SECRET_VISIBLE * 2:
        return "••••"
    return "••••" + secret[-_SECRET_VISIBLE:]


def relative_time(then: datetime | None, *, now: datetime) -> str:
    """How long ago ``then`` was, in words ("5 min ago", "yesterday", "on 3 Mar 2026")."""
    if then is None:
        return texts.UNKNOWN
    then_utc = then if then.tzinfo else then.replace(tzinfo=UTC)
    now_utc = now if now.tzinfo else now.replace(tzinfo=UTC)
    minutes = int((now_utc - then_utc).total_seconds() // 60)
    hours, days = minutes // 60, minutes // (60 * 24)
    if minutes < 1:
        said = texts.JUST_NOW
    elif minutes < 60:
        said = texts.MINUTES_AGO.format(n=minutes)
    elif hours < 24:
        said = texts.HOURS_AGO.format(n=hours)
    elif days == 1:
        said = texts.YESTERDAY
    elif days < 7:
        said = texts.DAYS_AGO.format(n=days)
    else:
        said = texts.ON_DATE.format(date=short_date(then_utc))
    return said


def short_date(when: datetime) -> str:
    """A date as people read it: "3 Mar 2026"."""
    return f"{when.day} {when:%b %Y}"


def state_label(*, state: int, label: str) -> str:
    """The state as ServiceNow labels it, else our own name for the code."""
    return label or texts.STATE_LABELS.get(state, texts.UNKNOWN)


def is_web_url(url: str) -> bool:
    """Whether ``url`` may go on a link button (http(s) only, within Slack's limit)."""
    return url.startswith(("https://", "http://")) and len(url) <= 3000


# --- block constructors: data in, slack_sdk models out -----------------------------


def mrkdwn(text: str) -> MarkdownTextObject:
    """A mrkdwn text object of already-escaped text, verbatim (no auto-linking)."""
    return MarkdownTextObject(text=text, verbatim=True)


def section(text: str, *, accessory: Any = None, block_id: str | None = None) -> SectionBlock:
    """A section of already-escaped mrkdwn, clipped to Slack's 3000 characters."""
    return SectionBlock(
        text=mrkdwn(clip(text, MAX_SECTION_TEXT)), accessory=accessory, block_id=block_id
    )


def fields_section(fields: Sequence[str]) -> SectionBlock:
    """A two-column section of already-escaped mrkdwn fields (at most 10)."""
    return SectionBlock(fields=[mrkdwn(clip(f, MAX_FIELD_TEXT)) for f in fields[:10]])


def context(*lines: str) -> ContextBlock:
    """A context block of already-escaped mrkdwn lines (at most 10)."""
    return ContextBlock(
        elements=[mrkdwn(clip(line, MAX_CONTEXT_TEXT)) for line in lines[:MAX_CONTEXT_ELEMENTS]]
    )


def header(text: str) -> HeaderBlock:
    """A header (plain text, not parsed by Slack), clipped to 150 characters."""
    return HeaderBlock(text=PlainTextObject(text=clip(one_line(text), MAX_HEADER_TEXT)))


def button(
    text: str,
    *,
    action_id: str,
    value: str | None = None,
    style: str | None = None,
) -> ButtonElement:
    """An action button; its label is clipped to Slack's 75 characters."""
    return ButtonElement(
        text=PlainTextObject(text=clip(one_line(text), MAX_BUTTON_TEXT)),
        action_id=action_id,
        value=value,
        style=style,
    )


def link_button(
    text: str, *, url: str, action_id: str, style: str | None = None
) -> LinkButtonElement:
    """A button that opens ``url``; it still needs an action_id, and the app acks it."""
    return LinkButtonElement(
        text=PlainTextObject(text=clip(one_line(text), MAX_BUTTON_TEXT)),
        url=url,
        action_id=action_id,
        style=style,
    )


def actions(*elements: ButtonElement | None, block_id: str | None = None) -> ActionsBlock | None:
    """An actions block of the given buttons (``None`` skipped, at most 25); None if empty."""
    present = [e for e in elements if e is not None][:MAX_ACTIONS_ELEMENTS]
    if not present:
        return None
    return ActionsBlock(elements=present, block_id=block_id)


def fit_blocks(
    blocks: Sequence[Block | None], *, limit: int = MAX_MESSAGE_BLOCKS
) -> list[dict[str, Any]]:
    """Serialised blocks (``None`` skipped) kept under ``limit``.

    When there are too many, the tail is cut and the last kept block says so.
    """
    present = [b for b in blocks if b is not None]
    if len(present) > limit:
        present = [*present[: limit - 1], context(texts.MORE_NOT_SHOWN)]
    return [b.to_dict() for b in present]


def message(text: str, blocks: Sequence[Block | None]) -> Message:
    """A message: escaped fallback ``text`` (clipped) and at most 50 serialised blocks."""
    return Message(text=clip(text, MAX_FALLBACK_TEXT), blocks=fit_blocks(blocks))
