"""Incident drafts waiting for Create / Edit / Cancel, one Redis value per draft id.

A draft is personal data (what the user wrote), so it is kept only ``DRAFT_TTL`` and the
confirmation's buttons carry its id, never its content. Which incident a draft became
is the draft's idempotency key (``bot.handlers.writes``), not a field here. A feedback
draft (what a user said about the bot in a DM) waits the same way, one per user.
"""

from __future__ import annotations

import secrets

from pydantic import BaseModel
from redis.asyncio import Redis

from bot.servicenow.models import IncidentDraft
from bot.store.keys import DRAFT_TTL, FEEDBACK_DRAFT_TTL, Keys
from bot.store.models import UserRecords


class StoredDraft(BaseModel):
    """A draft, and the Slack message it started from (if any)."""

    draft: IncidentDraft | None = None
    permalink: str = ""  # the Slack message a shortcut started from


def new_draft_id() -> str:
    """A fresh, unguessable draft id (short enough for a button value)."""
    return "d" + secrets.token_urlsafe(12)


class FeedbackDraft(BaseModel):
    """What a user said in a DM about the bot, prefilled when they press "Rate us"."""

    text: str


class FeedbackDraftStore(UserRecords[FeedbackDraft]):
    """One feedback draft per user, kept ``FEEDBACK_DRAFT_TTL``."""

    def __init__(self, redis: Redis, *, keys: Keys, ttl_s: int = FEEDBACK_DRAFT_TTL) -> None:
        super().__init__(
            redis,
            model=FeedbackDraft,
            key=lambda enterprise, team, user, _id: keys.feedback_draft(enterprise, team, user),
            what="a feedback draft",
            ttl_s=ttl_s,
        )


class DraftStore(UserRecords[StoredDraft]):
    """Drafts by (user, draft id), each with a TTL."""

    def __init__(self, redis: Redis, *, keys: Keys, ttl_s: int = DRAFT_TTL) -> None:
        super().__init__(
            redis, model=StoredDraft, key=keys.draft, what="an incident draft", ttl_s=ttl_s
        )
