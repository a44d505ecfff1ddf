"""Confirmation cards for writes that come from free text, and what a write says after.

A card names the action and the incident (number and title), quotes exactly what
will be written, and has one button that does it (Add comment, Close it, Reopen,
Disconnect) and Cancel. Both buttons carry only the pending write's id; the words
wait in Redis (``bot.store.confirmations``). Every string from the user or from
ServiceNow is escaped. Results of a reopen and the "incidents only" answer live here too.
"""

from __future__ import annotations

from typing import Literal

from slack_sdk.models.blocks import Block

from bot import texts
from bot.blocks import ids
from bot.blocks.incident import quote
from bot.blocks.parts import (
    Message,
    actions,
    button,
    clip,
    context,
    escape_mrkdwn,
    message,
    one_line,
    safe,
    section,
)

ConfirmKind = Literal["comment", "close", "reopen", "disconnect"]
ReopenShown = Literal["reopened", "comment_added", "still_open", "final"]

_NUMBER_CHARS = 40
_TITLE_CHARS = 300
_QUOTE_CHARS = 2500

_QUESTION: dict[str, str] = {
    "comment": texts.CONFIRM_COMMENT,
    "close": texts.CONFIRM_CLOSE,
    "reopen": texts.CONFIRM_REOPEN,
}
_HOW: dict[str, str] = {
    "comment": texts.COMMENT_VISIBLE,
    "close": texts.CONFIRM_CLOSE_HOW,
    "reopen": texts.CONFIRM_REOPEN_HOW,
}
_DO: dict[str, str] = {
    "comment": texts.ADD_COMMENT_BUTTON,
    "close": texts.CLOSE_IT_BUTTON,
    "reopen": texts.REOPEN_BUTTON,
    "disconnect": texts.DISCONNECT_BUTTON,
}


def _buttons(kind: ConfirmKind, write_id: str) -> Block | None:
    value = clip(write_id, 200)
    return actions(
        button(_DO[kind], action_id=ids.WRITE_CONFIRM, value=value, style="primary"),
        button(texts.CANCEL_BUTTON, action_id=ids.WRITE_CANCEL, value=value),
    )


def write_confirmation(
    kind: ConfirmKind,
    *,
    write_id: str,
    number: str = "",
    title: str = "",
    text: str = "",
    account: str = "",
) -> Message:
    """Ephemeral or DM: "Shall I …?" naming the incident, quoting the words, with the
    button that does it and Cancel (``disconnect`` names the account instead)."""
    if kind == "disconnect":
        line = texts.CONFIRM_DISCONNECT.format(name=safe(one_line(account), 200))
        blocks: list[Block | None] = [
            section(line),
            context(texts.CONFIRM_DISCONNECT_HOW),
            _buttons(kind, write_id),
        ]
        return message(line, blocks)
    shown = safe(one_line(number), _NUMBER_CHARS)
    summary = safe(one_line(title), _TITLE_CHARS) or texts.UNKNOWN
    line = _QUESTION[kind].format(number=shown)
    blocks = [
        section(line),
        section(f"*{shown}* · {summary}"),
        context(texts.CONFIRM_WRITES),
        section(quote(text, limit=_QUOTE_CHARS)),
        context(_HOW[kind]),
        _buttons(kind, write_id),
    ]
    return message(f"{line} {summary}", blocks)


def reopen_result(number: str, outcome: ReopenShown, *, state: str = "") -> Message:
    """Ephemeral or DM: reopened, a comment asking the desk instead, or why not at all."""
    shown = safe(one_line(number), _NUMBER_CHARS)
    label = safe(one_line(state), 60) or texts.UNKNOWN
    line = {
        "reopened": texts.REOPENED,
        "comment_added": texts.REOPEN_COMMENT_ADDED,
        "still_open": texts.REOPEN_STILL_OPEN,
        "final": texts.REOPEN_FINAL,
    }[outcome].format(number=shown, state=label, state_lower=label.lower())
    return message(line, [section(line)])


def other_record_message(number: str, kind: str) -> Message:
    """Ephemeral or DM: the bot works with incidents only, naming the record's type."""
    line = texts.OTHER_RECORD.format(
        number=safe(one_line(number), _NUMBER_CHARS), kind=safe(one_line(kind), 60)
    )
    return message(line, [section(line)])


def close_already_asked(number: str, *, when: str) -> Message:
    """Ephemeral or DM: a close request is already written and the incident still open.

    ``when`` is our own wording of the time ("at 14:02 (Europe/London)").
    """
    line = texts.CLOSE_ALREADY_ASKED.format(
        number=safe(one_line(number), _NUMBER_CHARS), when=escape_mrkdwn(when)
    )
    return message(line, [section(line)])
