"""Notification controls and the buttons of a notification DM.

- ``/snow watch INC…``: DMs about an incident the user can read (read as them first, so
  ServiceNow decides); ``/snow unwatch INC…``; ``/snow notifications on|off``: DMs about
  the incidents they raised (on by default; watched incidents always notify).
- [It's fixed]: the caller accepts the resolution: closed where ServiceNow lets them,
  otherwise a comment tells the desk, and the answer says which. Once per incident
  (``SET NX``), however often it is pressed.
- [Still broken]: a modal asks what is still wrong; submitting reopens through the
  reopen path (``bot.handlers.reopen.reopen_once``).
- 1-5: one feedback record linked to the incident (``record_feedback``), once per user
  and incident; a second press says it was rated already.
- [Reply] is the incident card's Add comment (``ids.INCIDENT_ADD_COMMENT``).
"""

from __future__ import annotations

import logging

from bot import errors, texts
from bot.blocks import ids
from bot.blocks.notify import notify_line, still_broken_modal
from bot.blocks.parts import escape_mrkdwn, state_label
from bot.grammar import SnowCommand
from bot.handlers.account import acting_as
from bot.handlers.confirm import plain_text
from bot.handlers.feedback import Feedback, record_feedback
from bot.handlers.reopen import reopen_once
from bot.notify.notifier import Notifier
from bot.notify.store import NotifyStore
from bot.servicenow.client import reopen_comment
from bot.servicenow.models import AcceptOutcome
from bot.settings import Settings
from bot.turn import (
    Action,
    ActionHandler,
    CommandHandler,
    Submission,
    Turn,
    ViewHandler,
)
from intents.entities import canonical_number

log = logging.getLogger(__name__)

SOURCE_NOTIFICATION = "slack_notification"


def _store(turn: Turn) -> NotifyStore:
    return turn.c.notify


def _number(turn: Turn, value: str | None) -> str | None:
    if not value:
        return None
    return canonical_number(value, digits=turn.c.settings.incident_digits)


async def _say(turn: Turn, sentence: str, **data: str) -> None:
    line = sentence.format(**{k: escape_mrkdwn(v) for k, v in data.items()})
    await turn.reply.private(notify_line(line))


async def handle_watch(turn: Turn, command: SnowCommand) -> None:
    """``/snow watch INC…``: read it as the user, then DMs about its changes."""
    number = _number(turn, command.number)
    if number is None:
        await turn.reply.private(notify_line(texts.NUMBER_INVALID))
        return
    client = await acting_as(turn, pending=command)
    if client is None:
        return
    incident = await client.incidents.get_incident(number)  # not theirs: "not found"
    store = _store(turn)
    if not await store.watch(turn.user, incident.sys_id, incident.number):
        await _say(turn, texts.WATCH_ALREADY, number=incident.number)
        return
    version = await client.incidents.incident_version(incident.sys_id)
    await Notifier(turn.c).consider(turn.user, client, version, notify=False)  # baseline
    await turn.c.audit.record("notify.watch", user=turn.user, number=incident.number)
    await _say(turn, texts.WATCH_ADDED, number=incident.number)


async def handle_unwatch(turn: Turn, command: SnowCommand) -> None:
    """``/snow unwatch INC…``."""
    number = _number(turn, command.number)
    if number is None:
        await turn.reply.private(notify_line(texts.NUMBER_INVALID))
        return
    if await _store(turn).unwatch(turn.user, number) is None:
        await _say(turn, texts.UNWATCH_NOT_WATCHED, number=number)
        return
    await turn.c.audit.record("notify.unwatch", user=turn.user, number=number)
    await _say(turn, texts.UNWATCH_DONE, number=number)


async def handle_notifications(turn: Turn, command: SnowCommand) -> None:
    """``/snow notifications on|off``."""
    word = command.text.strip().lower()
    if word not in ("on", "off"):
        await turn.reply.private(notify_line(texts.NOTIFICATIONS_USAGE))
        return
    await _store(turn).set_enabled(turn.user, enabled=word == "on")
    await turn.c.audit.record("notify.setting", user=turn.user, enabled=word == "on")
    await turn.reply.private(
        notify_line(texts.NOTIFICATIONS_ON if word == "on" else texts.NOTIFICATIONS_OFF)
    )


async def action_fixed(turn: Turn, action: Action) -> None:
    """[It's fixed]: accept the resolution, once."""
    number = _number(turn, action.value)
    if number is None:
        return
    client = await acting_as(turn)
    if client is None:
        return
    store = _store(turn)
    if not await store.claim(turn.user, number, "accept"):
        log.info("It's fixed pressed again: nothing written")
        return
    try:
        result = await client.incidents.accept_resolution(number)
    except errors.BotError:
        await store.release(turn.user, number, ["accept"])
        raise
    await turn.c.audit.record(
        "incident_accept", user=turn.user, number=number, outcome=result.outcome.value,
        reason=result.reason,
    )
    if result.outcome == AcceptOutcome.NOT_RESOLVED:
        await store.release(turn.user, number, ["accept"])
        state = state_label(state=result.incident.state, label=result.incident.state_label)
        await _say(turn, texts.NOTIFY_ACCEPT_NOT_RESOLVED, number=number, state=state)
        return
    sentence = (
        texts.NOTIFY_ACCEPT_CLOSED
        if result.outcome == AcceptOutcome.CLOSED
        else texts.NOTIFY_ACCEPT_COMMENTED
    )
    await _say(turn, sentence, number=number)


async def action_broken(turn: Turn, action: Action) -> None:
    """[Still broken]: ask what is still wrong (the modal opens at once)."""
    number = _number(turn, action.value)
    if number is not None:
        await turn.reply.open_modal(still_broken_modal(number))


def validate_broken(submission: Submission, _: Settings) -> dict[str, str]:
    """A reason is required."""
    if not submission.text(ids.NOTIFY_REASON_INPUT):
        return {ids.NOTIFY_REASON_BLOCK: texts.NOTIFY_REASON_REQUIRED}
    return {}


async def submit_broken(turn: Turn, submission: Submission) -> None:
    """Reopen with the reason, through the reopen path."""
    number = _number(turn, submission.private_metadata)
    if number is None:
        return
    client = await acting_as(turn)
    if client is None:
        return
    reason = await plain_text(turn, submission.text(ids.NOTIFY_REASON_INPUT))
    await reopen_once(turn, client, number=number, comment=reopen_comment(reason), reason=reason)


def _rate(rating: int) -> ActionHandler:
    async def action_rate(turn: Turn, action: Action) -> None:
        """A 1-5 button: one feedback record linked to the incident."""
        number = _number(turn, action.value)
        if number is None:
            return
        store = _store(turn)
        if not await store.rated(turn.user, number):
            await _say(turn, texts.NOTIFY_RATED_ALREADY, number=number)
            return
        feedback = Feedback(rating=rating, incident_number=number, source=SOURCE_NOTIFICATION)
        try:
            await record_feedback(turn, feedback)
        except errors.BotError:
            await store.unrate(turn.user, number)
            raise

    return action_rate


COMMANDS: dict[str, CommandHandler] = {
    "watch": handle_watch,
    "unwatch": handle_unwatch,
    "notifications": handle_notifications,
}
ACTIONS: dict[str, ActionHandler] = {
    ids.NOTIFY_FIXED: action_fixed,
    ids.NOTIFY_BROKEN: action_broken,
    **{f"{ids.NOTIFY_RATE}{n}": _rate(n) for n in range(1, 6)},
}
VIEWS: dict[str, ViewHandler] = {
    ids.NOTIFY_BROKEN_MODAL: ViewHandler(validate=validate_broken, run=submit_broken),
}
