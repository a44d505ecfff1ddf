"""Feedback on the bot and the IT service: where it starts and where it goes.

Where feedback starts:
- ``/snow feedback [text]`` (and the feedback intent typed after ``/snow``): the modal
  opens at once (the request has a trigger_id), the comment prefilled from the text and
  the rating preselected when the text names one.
- The feedback intent in a DM or a mention (no trigger_id, so no modal): when the text
  carries one clear rating ("5 stars", "4/5", "3 out of 5") it is recorded straight
  away and the thanks says how it was read; otherwise the answer holds a "Rate us"
  button that opens the modal, prefilled with what they wrote (kept in Redis for
  ``FEEDBACK_DRAFT_TTL``, never in the button's value).
- "How did we do?" on a resolved incident's card, and the home tab's button.

Words from a message are kept as plain text (Slack markup converted) before they can
reach ServiceNow.

Where it goes (``record_feedback``), always with the user's own token: a row in the
workspace's feedback table (``InstanceConfig.feedback_table``: ``u_rating``,
``u_comment``, ``u_incident`` (the incident's sys_id), ``u_slack_user``, ``u_source``);
a comment on the incident only when the user ticked the box; and always the
workspace's bounded Redis stream (``delivered``/``refusal``), which feeds the admin's
summary. When ServiceNow refuses (table missing, no create ACL, an outage), the
feedback stays in the stream, the user is thanked honestly, and the admins get a DM
saying why (``bot.handlers.feedback_admin``, which also builds the admin's summary).
A user with no ServiceNow link has their feedback kept in the stream and is offered
Connect.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import errors, markup, texts
from bot.blocks import feedback_invite, feedback_modal, feedback_thanks, ids
from bot.blocks.feedback import stars
from bot.grammar import SnowCommand
from bot.handlers.account import prompt_connect
from bot.handlers.confirm import plain_text
from bot.handlers.feedback_admin import alert_admins
from bot.services import UserClient
from bot.store.drafts import FeedbackDraft
from bot.store.feedback import FeedbackEntry as StoredFeedback
from bot.turn import (
    Action,
    ActionHandler,
    CommandHandler,
    ShortcutHandler,
    Submission,
    Turn,
    ViewHandler,
)
from intents.entities import canonical_number

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

COMMENT_MAX = 3000  # the stream's and the modal's limit
SOURCE_MODAL = "slack_modal"
SOURCE_MESSAGE = "slack_message"
_RATING = re.compile(
    r"(?<![\d.])([1-5])\s*(?:/\s*5(?!\d)|out\s+of\s+(?:5|five)\b|stars?\b|★)", re.IGNORECASE
)


def rating_in(text: str) -> int | None:
    """The one rating ``text`` names ("5 stars", "4/5", "3 out of 5"), else None."""
    found = {int(match.group(1)) for match in _RATING.finditer(text)}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class Feedback:
    """One piece of feedback, as the user gave it."""

    rating: int
    comment: str = ""
    incident_number: str | None = None
    as_comment: bool = False
    source: str = SOURCE_MODAL


# --- starting points -----------------------------------------------------------------


def _valid_number(turn: Turn, number: str | None) -> str | None:
    if not number:
        return None
    return canonical_number(number, digits=turn.c.settings.incident_digits)


async def handle_feedback(turn: Turn, command: SnowCommand) -> None:
    """``/snow feedback [text]`` and the feedback intent: the modal, or a rating read from
    the text, or a button that opens the modal."""
    number = _valid_number(turn, command.number)
    if turn.reply.origin.trigger_id:  # the modal opens at once: nobody is looked up
        text = markup.plain(command.text).strip()[:COMMENT_MAX]
        modal = feedback_modal(number, comment=text or None, rating=rating_in(text))
        await turn.reply.open_modal(modal)
        return
    text = (await plain_text(turn, command.text))[:COMMENT_MAX] if command.text.strip() else ""
    rating = rating_in(text)
    if rating is not None:
        feedback = Feedback(
            rating=rating, comment=text, incident_number=number, source=SOURCE_MESSAGE
        )
        await record_feedback(turn, feedback, read_from_text=True)
        return
    if text:
        await _save_draft(turn, text)
    await turn.reply.private(feedback_invite(incident_number=number))


async def _save_draft(turn: Turn, text: str) -> None:
    try:
        await turn.c.feedback_drafts.save(turn.user, "draft", FeedbackDraft(text=text))
    except errors.StoreError as exc:  # the draft is a convenience: the button still works
        log.info("could not keep the feedback draft: %s", exc.detail)


async def _take_draft(turn: Turn) -> str | None:
    try:
        draft = await turn.c.feedback_drafts.take(turn.user, "draft")
    except errors.StoreError as exc:
        log.info("could not read the feedback draft: %s", exc.detail)
        return None
    return draft.text if draft is not None else None


async def _open_modal(turn: Turn, number: str | None) -> None:
    draft = await _take_draft(turn)
    await turn.reply.open_modal(
        feedback_modal(number, comment=draft, rating=rating_in(draft or ""))
    )


async def action_give_feedback(turn: Turn, _: Action) -> None:
    """The "Rate us" / "How did we do?" button without an incident."""
    await _open_modal(turn, None)


async def action_incident_feedback(turn: Turn, action: Action) -> None:
    """"How did we do?" on a resolved incident's card (value: its number)."""
    await _open_modal(turn, _valid_number(turn, action.value))


def validate_feedback(submission: Submission, settings: Settings) -> dict[str, str]:
    """A rating is required; everything else is optional."""
    if submission.text(ids.RATING_INPUT) not in {"1", "2", "3", "4", "5"}:
        return {ids.RATING_BLOCK: texts.FEEDBACK_RATING_REQUIRED}
    return {}


async def submit_feedback(turn: Turn, submission: Submission) -> None:
    """The modal's submission: record it everywhere it belongs and say thanks."""
    number = _valid_number(turn, submission.private_metadata)
    feedback = Feedback(
        rating=int(submission.text(ids.RATING_INPUT)),
        comment=submission.text(ids.FEEDBACK_TEXT_INPUT)[:COMMENT_MAX],
        incident_number=number,
        as_comment=bool(number)
        and ids.FEEDBACK_AS_COMMENT_VALUE in submission.choices(ids.FEEDBACK_AS_COMMENT_INPUT),
        source=SOURCE_MODAL,
    )
    await record_feedback(turn, feedback)


# --- recording -----------------------------------------------------------------------


def refusal_reason(exc: errors.BotError) -> str:
    """A short code for why ServiceNow did not take the row (a key of the alert texts)."""
    if isinstance(exc, errors.ServiceNowForbiddenError):
        return "forbidden"
    if isinstance(exc, errors.ServiceNowNotFoundError):
        return "table_missing"
    if isinstance(exc, errors.ServiceNowRejectedError):
        return "table_missing" if "invalid table" in exc.detail.lower() else "rejected"
    if isinstance(exc, errors.AuthError | errors.ServiceNowAuthError):
        return "auth"
    return "unavailable"


async def record_feedback(turn: Turn, feedback: Feedback, *, read_from_text: bool = False) -> None:
    """Write ``feedback`` to ServiceNow as the user, keep it in the stream, thank them."""
    client = await _client(turn)
    refusal = ""
    commented_on: str | None = None
    comment_refused: str | None = None
    if client is None:
        refusal = "not_linked"
    else:
        incident_sys_id = ""
        if feedback.incident_number:
            try:
                incident = await client.incidents.get_incident(feedback.incident_number)
                incident_sys_id = incident.sys_id
            except errors.ServiceNowError as exc:
                log.info("feedback: incident not readable: %s", type(exc).__name__)
        if feedback.as_comment and incident_sys_id and feedback.incident_number:
            try:
                await client.incidents.add_comment(
                    feedback.incident_number, _incident_comment(feedback)
                )
                commented_on = feedback.incident_number
            except errors.ServiceNowError as exc:
                log.info("feedback: comment refused: %s", type(exc).__name__)
                comment_refused = feedback.incident_number
        elif feedback.as_comment:
            comment_refused = feedback.incident_number
        table = client.config.feedback_table
        try:
            await client.incidents.table_insert(
                table,
                {
                    "u_rating": str(feedback.rating),
                    "u_comment": feedback.comment,
                    "u_incident": incident_sys_id,
                    "u_slack_user": turn.user.user_id,
                    "u_source": feedback.source,
                },
            )
        except (errors.ServiceNowError, errors.AuthError) as exc:
            refusal = refusal_reason(exc)
            log.info("feedback row refused (%s): %s", refusal, exc.detail)
    delivered = not refusal
    await turn.c.feedback.append(
        StoredFeedback(
            enterprise_id=turn.user.enterprise_id,
            team_id=turn.user.team_id,
            user_id=turn.user.user_id,
            rating=feedback.rating,
            comment=feedback.comment,
            incident=feedback.incident_number or "",
            at=turn.c.clock(),
            delivered=delivered,
            refusal=refusal,
        )
    )
    await turn.c.audit.record(
        "feedback_give",
        user=turn.user,
        rating=feedback.rating,
        incident=feedback.incident_number or "",
        source=feedback.source,
        delivered=delivered,
        refusal=refusal,
        as_comment=commented_on is not None,
    )
    await turn.reply.private(
        feedback_thanks(
            rating=feedback.rating,
            added_as_comment_to=commented_on,
            comment_refused_on=comment_refused,
            kept_for_admin=bool(refusal) and refusal != "not_linked",
            read_from_text=read_from_text,
        )
    )
    if refusal == "not_linked":
        await prompt_connect(turn, reason=texts.FEEDBACK_KEPT_NOT_LINKED)
    elif refusal and client is not None:
        table = client.config.feedback_table
        await alert_admins(turn.c, user=turn.user, table=table, reason=refusal)


async def _client(turn: Turn) -> UserClient | None:
    """A client acting as the user, or None when they have no usable link (no prompt yet:
    the feedback is kept first, then they are offered Connect)."""
    try:
        return await turn.c.servicenow.for_user(turn.user)
    except (errors.NotLinkedError, errors.ReconnectRequiredError):
        return None


def _incident_comment(feedback: Feedback) -> str:
    head = texts.FEEDBACK_INCIDENT_COMMENT.format(
        rating=feedback.rating, stars=stars(feedback.rating)
    )
    return f"{head}\n{feedback.comment}".strip()


COMMANDS: dict[str, CommandHandler] = {"feedback": handle_feedback}
ACTIONS: dict[str, ActionHandler] = {
    ids.GIVE_FEEDBACK: action_give_feedback,
    ids.INCIDENT_FEEDBACK: action_incident_feedback,
}
VIEWS: dict[str, ViewHandler] = {
    ids.FEEDBACK_MODAL: ViewHandler(validate=validate_feedback, run=submit_feedback),
}
SHORTCUTS: dict[str, ShortcutHandler] = {}
