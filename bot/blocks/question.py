"""Messages for a conversation in progress: a question the bot asks, and "which incident?".

Both carry a Cancel button (``ids.CONVERSATION_CANCEL``) so the user can drop the
question without typing "cancel". Picking an incident sends ``ids.PICK_INCIDENT`` with
``encode_value(number=, intent=)``: the number and the intent only, never the text the
user already typed (that waits in Redis conversation state).
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot import texts
from bot.blocks import ids
from bot.blocks.parts import (
    Message,
    actions,
    button,
    clip,
    context,
    message,
    one_line,
    section,
)
from bot.servicenow.models import Incident

MAX_PICKS = 10
_LABEL_CHARS = 60


def question_message(question: str, *, hint: str | None = None) -> Message:
    """Ephemeral or DM: one question (trusted, already-escaped mrkdwn) with Cancel."""
    blocks: list[Block | None] = [section(question)]
    if hint:
        blocks.append(context(hint))
    blocks.append(actions(button(texts.CANCEL_BUTTON, action_id=ids.CONVERSATION_CANCEL)))
    return message(question, blocks)


def notice(sentence: str) -> Message:
    """Ephemeral or DM: one sentence (trusted, already-escaped mrkdwn), no buttons."""
    return message(sentence, [section(sentence)])


def nothing_found(sentence: str, *, offer: bool = True) -> Message:
    """Ephemeral or DM: how an incident was (or was not) found by its words (trusted,
    already-escaped mrkdwn); when none was, Show my incidents and Report a problem."""
    blocks: list[Block | None] = [section(sentence)]
    if offer:
        blocks.append(
            actions(
                button(texts.SHOW_MINE_BUTTON, action_id=ids.LIST_MINE),
                button(texts.NEW_INCIDENT_BUTTON, action_id=ids.NEW_INCIDENT),
            )
        )
    return message(sentence, blocks)


def pick_incident(question: str, incidents: Sequence[Incident], *, intent: str) -> Message:
    """Ephemeral or DM: "Which incident?" with one button per open incident, and Cancel.

    Labels are plain text ("INC0010001 · VPN drops…"); values carry the number and the
    intent to carry on with.
    """
    picks = [
        button(
            clip(f"{i.number} · {one_line(i.short_description)}", _LABEL_CHARS),
            action_id=f"{ids.PICK_INCIDENT}_{n}",
            value=ids.encode_value(number=clip(i.number, 40), intent=clip(intent, 60)),
        )
        for n, i in enumerate(incidents[:MAX_PICKS])
    ]
    blocks: list[Block | None] = [
        section(question),
        context(texts.ASK_WHICH_HINT),
        actions(*picks),
        actions(button(texts.CANCEL_BUTTON, action_id=ids.CONVERSATION_CANCEL)),
    ]
    return message(question, blocks)
