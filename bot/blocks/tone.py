"""Replies whose tone fits what was said: a complaint, "who are you", and out-of-scope
requests the bot can name (a password reset, the VPN, the catalog, a person).

Pure: the portal link (the instance's ``/sp``) is passed in, or None when the workspace
has no instance yet; then the reply offers an incident only.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot import texts
from bot.blocks import ids
from bot.blocks.conversation import starting_points
from bot.blocks.parts import (
    Message,
    actions,
    button,
    context,
    is_web_url,
    link_button,
    message,
    section,
)

TOPICS = frozenset({"password_reset", "vpn", "catalog", "human"})


def complaint_message() -> Message:
    """Ephemeral or DM: empathy first, then an offer to look at their open incidents,
    with the feedback form one click away."""
    return message(
        texts.COMPLAINT,
        [
            section(texts.COMPLAINT),
            context(texts.COMPLAINT_NEXT),
            actions(
                button(texts.COMPLAINT_SHOW_OPEN, action_id=ids.LIST_MINE, style="primary"),
                button(texts.COMPLAINT_FEEDBACK, action_id=ids.GIVE_FEEDBACK),
            ),
        ],
    )


def identity_message() -> Message:
    """Ephemeral or DM: who the bot is, in one line, and what it can do."""
    return message(
        texts.IDENTITY,
        [
            section(texts.IDENTITY),
            context(texts.IDENTITY_CAN),
            starting_points(),
        ],
    )


def out_of_scope_message(topic: str, *, portal_url: str | None) -> Message:
    """Ephemeral or DM: what the bot can't do here for ``topic`` (one of ``TOPICS``), and
    the ways on: an incident, and the instance's portal when there is one."""
    sentence = texts.OUT_OF_SCOPE_TOPICS.get(topic, texts.FALLBACK)
    blocks: list[Block | None] = [
        section(sentence),
        actions(
            button(texts.NEW_INCIDENT_BUTTON, action_id=ids.NEW_INCIDENT, style="primary"),
            link_button(texts.PORTAL_BUTTON, url=portal_url, action_id=ids.PORTAL_LINK)
            if portal_url and is_web_url(portal_url)
            else None,
            button(texts.SHOW_MINE_BUTTON, action_id=ids.LIST_MINE),
        ),
    ]
    return message(sentence, blocks)
