"""The notification DM and its modal: pure builders, data in, dicts out.

One DM per incident per minute: its header names the incident, each change is a line
("Beth Anglin commented:" and the words quoted; "… set it to *Resolved*."; "… assigned
it to *Beth Anglin*."), then [Reply]. When the incident is resolved the DM also asks:
[It's fixed] / [Still broken], and a 1-5 rating. Every ServiceNow string is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import PlainTextObject
from slack_sdk.models.views import View

from bot import texts
from bot.blocks import ids
from bot.blocks.modal import COMMENT_MAX, _modal, _text_input
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
from bot.notify.business_rule import CONDITION, PROPERTY
from bot.notify.changes import Change
from bot.servicenow.models import IncidentState

_QUOTE_CHARS = 2500
_NAME_CHARS = 120


def _quote(text: str) -> str:
    lines = safe(text.strip(), _QUOTE_CHARS).splitlines() or [""]
    return "\n".join(f">{line}" for line in lines)


def change_line(change: Change, *, names: Mapping[str, str]) -> str:
    """One change as mrkdwn: who did what (names are ServiceNow's, escaped)."""
    who = safe(names.get(change.who) or change.who or texts.NOTIFY_SOMEONE, _NAME_CHARS)
    if change.kind == "comment":
        return f"{texts.NOTIFY_COMMENTED.format(who=who)}\n{_quote(change.text)}"
    if change.kind == "state":
        state = safe(change.state_label or str(change.state), 60)
        return texts.NOTIFY_STATE.format(who=who, state=state)
    return texts.NOTIFY_ASSIGNED.format(who=who, assignee=safe(change.assignee, _NAME_CHARS))


def _plain_line(change: Change, names: Mapping[str, str]) -> str:
    who = names.get(change.who) or change.who or texts.NOTIFY_SOMEONE
    if change.kind == "comment":
        return texts.NOTIFY_COMMENTED.format(who=who).rstrip(":")
    if change.kind == "state":
        return texts.NOTIFY_STATE.format(who=who, state=change.state_label).replace("*", "")
    return texts.NOTIFY_ASSIGNED.format(who=who, assignee=change.assignee).replace("*", "")


def notification(
    *,
    number: str,
    title: str,
    changes: Sequence[Change],
    names: Mapping[str, str],
    state: int,
) -> Message:
    """The DM about ``changes`` on one incident (several when they came within a minute)."""
    number_shown = safe(one_line(number), 40)
    head = f"*{number_shown}* · {safe(one_line(title), 200)}" if title else f"*{number_shown}*"
    blocks: list[Any] = [section(head)]
    blocks.extend(section(change_line(c, names=names)) for c in changes)
    value = clip(number, 40)
    blocks.append(actions(button(texts.NOTIFY_REPLY_BUTTON, action_id=ids.INCIDENT_ADD_COMMENT,
                                 value=value)))
    if state == IncidentState.RESOLVED:
        blocks.append(context(texts.NOTIFY_RESOLVED_ASK))
        blocks.append(
            actions(
                button(texts.NOTIFY_FIXED_BUTTON, action_id=ids.NOTIFY_FIXED, value=value,
                       style="primary"),
                button(texts.NOTIFY_BROKEN_BUTTON, action_id=ids.NOTIFY_BROKEN, value=value),
            )
        )
        blocks.append(context(texts.NOTIFY_RATE_ASK))
        blocks.append(
            actions(
                *(button(str(n), action_id=f"{ids.NOTIFY_RATE}{n}", value=value)
                  for n in range(1, 6)),
                block_id=ids.NOTIFY_RATE_BLOCK,
            )
        )
    what = "; ".join(_plain_line(c, names) for c in changes)
    fallback = texts.NOTIFY_FALLBACK.format(number=number, what=what)
    return message(fallback.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                   blocks)


def still_broken_modal(number: str) -> dict[str, Any]:
    """The reason for [Still broken]; submitting reopens through the reopen path."""
    return _modal(
        callback_id=ids.NOTIFY_BROKEN_MODAL,
        title=texts.NOTIFY_BROKEN_TITLE,
        submit=texts.NOTIFY_BROKEN_SUBMIT,
        private_metadata=clip(number, 40),
        blocks=[
            _text_input(
                block_id=ids.NOTIFY_REASON_BLOCK,
                action_id=ids.NOTIFY_REASON_INPUT,
                label=texts.NOTIFY_BROKEN_LABEL,
                multiline=True,
                max_length=COMMENT_MAX,
                hint=texts.NOTIFY_BROKEN_HINT.format(number=one_line(number)),
            )
        ],
    )


def _code(text: str) -> str:
    return f"```{escape_mrkdwn(text)}```"


def events_setup_modal(
    *,
    endpoint: str,
    rule: str,
    test: str,
    secret_state: str,
    new_secret: str | None = None,
    test_note: str = "",
) -> dict[str, Any]:
    """The Business Rule step: where to put the secret, the rule, the test script, and
    the secret itself only right after it was made (``new_secret``), never again."""
    blocks: list[Any] = [
        section(texts.SETUP_EVENTS_INTRO),
        section(texts.SETUP_EVENTS_STEPS.format(property=PROPERTY, condition=CONDITION)),
        section(_code(rule)),
        section(texts.SETUP_EVENTS_TEST_STEP),
        section(_code(test)),
    ]
    if new_secret is not None:
        blocks.append(section(texts.SETUP_EVENTS_KEY_SHOWN.format(
            property=PROPERTY, secret=escape_mrkdwn(new_secret))))
    else:
        blocks.append(context(secret_state))
    if test_note:
        blocks.append(context(test_note))
    label = (texts.SETUP_EVENTS_GENERATE if secret_state == texts.SETUP_EVENTS_KEY_NONE
             else texts.SETUP_EVENTS_ROTATE)
    rotate = None if secret_state == texts.SETUP_EVENTS_FROM_ENV else button(
        label, action_id=ids.SETUP_EVENTS_ROTATE)
    blocks.append(actions(rotate, button(texts.SETUP_EVENTS_CHECK,
                                         action_id=ids.SETUP_EVENTS_CHECK, value=endpoint[:150])))
    view = View(
        type="modal",
        callback_id=ids.SETUP_EVENTS_MODAL,
        title=PlainTextObject(text=texts.SETUP_EVENTS_TITLE),
        close=PlainTextObject(text=texts.SETUP_EVENTS_CLOSE),
        blocks=[b for b in blocks if b is not None],
    )
    return view.to_dict()


def notify_line(text: str) -> Message:
    """A one-sentence answer (already-escaped mrkdwn)."""
    return message(text, [section(text)])
