"""The admin views ``bot.blocks`` does not have: the connection test's message with its
sign-in link, the colleague picker, and plain notes. Pure builders, like ``bot.blocks``.

Ids are ``snow_``-prefixed like ``bot.blocks.ids``; link buttons end in ``_link`` so
the app only acks them.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextObject, UserSelectElement
from slack_sdk.models.views import View

from bot import texts
from bot.blocks import Message, checklist_message
from bot.blocks.parts import actions, button, context, is_web_url, link_button, message, section
from bot.setup.diagnosis import Diagnosis

SIGN_IN_LINK = "snow_setup_signin_link"  # url button to the setup test's start route
COLLEAGUE_OPEN = "snow_setup_colleague"  # open the colleague picker
COLLEAGUE_MODAL = "snow_setup_colleague_modal"  # private_metadata: ""
COLLEAGUE_BLOCK = "snow_setup_colleague_user"
COLLEAGUE_INPUT = "snow_setup_colleague_user_input"  # users_select: a Slack user id

SIGN_IN_BUTTON = "Sign in to ServiceNow"
SIGN_IN_AGAIN_BUTTON = "Sign in again without PKCE"
SIGN_IN_NOTE = (
    "This opens your instance's real sign-in page. Sign in as an admin, choose *Allow*, "
    "then come back here: I'll finish the test and show the results. The link works "
    "once, for 10 minutes."
)
WAITING = "Waiting for you to sign in."
COLLEAGUE_BUTTON = "Test as an ordinary user"
COLLEAGUE_WHY = (
    "Your own account passes checks that ordinary users fail (the REST API role, table "
    "ACLs, the feedback table). Pick a colleague without admin roles: I'll send them a "
    "Connect link and report back here what their link can do."
)
COLLEAGUE_MODAL_TITLE = "Test as a colleague"
COLLEAGUE_LABEL = "Colleague without admin roles"
_SKIP, _WAIT = "⏭️", "⏳"


def checklist_view(
    diagnosis: Diagnosis,
    *,
    sign_in_url: str | None = None,
    retry_without_pkce: bool = False,
    offer_colleague: bool = False,
) -> Message:
    """The connection test's checklist (a tick or cross per step, ranked causes for any
    cross), with the sign-in link when the test waits for the admin, and the colleague
    test once the admin's part passed."""
    base = checklist_message(
        diagnosis.items, findings=diagnosis.findings, hardened=diagnosis.hardened
    )
    blocks: list[dict[str, Any]] = list(base.blocks)
    text = base.text
    if diagnosis.pending:
        blocks = [_waiting_marks(b) for b in blocks if _text_of(b) != texts.CHECKLIST_PASSED]
        text = f"{texts.CHECKLIST_TITLE}: {WAITING}"
    extra: list[Any] = []
    if sign_in_url and is_web_url(sign_in_url):
        label = SIGN_IN_AGAIN_BUTTON if retry_without_pkce else SIGN_IN_BUTTON
        extra += [
            actions(link_button(label, url=sign_in_url, action_id=SIGN_IN_LINK, style="primary")),
            context(SIGN_IN_NOTE),
        ]
    if offer_colleague:
        extra += [
            section(COLLEAGUE_WHY),
            actions(button(COLLEAGUE_BUTTON, action_id=COLLEAGUE_OPEN)),
        ]
    blocks += [b.to_dict() for b in extra if b is not None]
    return Message(text=text, blocks=blocks[:50])


def _waiting_marks(block: dict[str, Any]) -> dict[str, Any]:
    """A step that waits for someone reads "⏳ label: waiting…", not "skipped"."""
    inner = block.get("text")
    if block.get("type") != "section" or not isinstance(inner, dict):
        return block
    skipped = f" ({texts.CHECK_SKIPPED}): "
    lines = [
        _WAIT + line[len(_SKIP):].replace(skipped, ": ", 1)
        if line.startswith(_SKIP) and skipped in line
        else line
        for line in str(inner.get("text", "")).split("\n")
    ]
    return {**block, "text": {**inner, "text": "\n".join(lines)}}


def _text_of(block: dict[str, Any]) -> str:
    inner = block.get("text")
    return str(inner.get("text", "")) if isinstance(inner, dict) else ""


def note(line: str, *, extra: Message | None = None) -> Message:
    """A one-sentence note (already escaped), optionally followed by another message."""
    blocks: list[dict[str, Any]] = [section(line).to_dict()]
    if extra is not None:
        blocks += extra.blocks
    return Message(text=line, blocks=blocks[:50])


def colleague_modal() -> dict[str, Any]:
    """Modal (admins): pick a colleague for the ordinary-user test (a users select)."""
    view = View(
        type="modal",
        callback_id=COLLEAGUE_MODAL,
        title=PlainTextObject(text=COLLEAGUE_MODAL_TITLE),
        submit=PlainTextObject(text=texts.SEND),
        close=PlainTextObject(text=texts.CANCEL_BUTTON),
        blocks=[
            section(COLLEAGUE_WHY),
            InputBlock(
                block_id=COLLEAGUE_BLOCK,
                label=PlainTextObject(text=COLLEAGUE_LABEL),
                element=UserSelectElement(action_id=COLLEAGUE_INPUT),
            ),
        ],
    )
    return view.to_dict()


def plain(line: str) -> Message:
    """A message of one already-escaped sentence."""
    return message(line, [section(line)])
