"""Writes that come from free text: a card first, then one press does it, exactly once.

A comment, a close request, a reopen or unlinking asked for in a DM, a mention,
``/snow <free text>`` or an answer to the bot's question is not done at once: the use
case reads the incident as the user, then ``propose`` keeps the write in Redis under a
fresh id (``ConfirmationStore``, ``PENDING_WRITE_TTL``) and shows a card naming the
action and the incident and quoting exactly what will be written. Typing an exact
``/snow`` command, or pressing a button Slack already asked about, needs no card.

The card's button (``action_write_confirm``) does the write exactly once, however
often Slack redelivers or the user clicks, with the create path's guarantee: a click
claim on the card's id (``IdempotencyKeys``). A second press while the first runs is
told so; a pending claim older than ``STALE_CLICK_S`` was lost with its process, and
a write whose answer was lost leaves its claim unsettled (stale at once): the next
press takes the claim over and the write looks for itself (the incident's recent
comments) before writing again. A refusal that certainly changed nothing releases
the claim, so the user may press again. Cancel claims the same key, so Cancel and
the button cannot both win. A press after the card expired, after Cancel, or after
the write says so and writes nothing; the card is replaced by the outcome.

``plain_text`` is what every write from Slack text goes through first: Slack markup
becomes plain text with people's and channels' names (``bot.names``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import errors, texts
from bot.blocks import ids
from bot.blocks.confirm import write_confirmation
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import notice
from bot.handlers import dialogue
from bot.handlers.writes import STALE_CLICK_S
from bot.interactions import Action, ActionHandler
from bot.names import SlackNames
from bot.servicenow.models import Incident
from bot.store.confirmations import ConfirmationStore, PendingWrite, WriteKind, new_write_id
from bot.store.dedupe import Claim, IdempotencyKeys, idempotency_key

if TYPE_CHECKING:
    from bot.router import Turn

log = logging.getLogger(__name__)

CLICK_SCOPE = "write_click"
DONE = "done"
CANCELLED = "cancelled"


def confirmations(turn: Turn) -> ConfirmationStore:
    """The pending-write store over the container's Redis."""
    return ConfirmationStore(turn.c.redis, keys=turn.c.keys)


def names(turn: Turn) -> SlackNames:
    """Slack names for the turn's workspace (cached in Redis)."""
    return SlackNames(slack=turn.c.slack, redis=turn.c.redis, keys=turn.c.keys, user=turn.user)


async def plain_text(turn: Turn, text: str) -> str:
    """``text`` from Slack as the plain text ServiceNow should store (no markup)."""
    return (await names(turn).plain(text)).strip()


async def propose(turn: Turn, write: PendingWrite, *, account: str = "") -> None:
    """Keep ``write`` under a fresh id and show its confirmation card."""
    write_id = new_write_id()
    await confirmations(turn).save(turn.user, write_id, write)
    card = write_confirmation(
        write.kind,
        write_id=write_id,
        number=write.number,
        title=write.title,
        text=write.text,
        account=account,
    )
    await dialogue.tell(turn, card)


async def propose_on(turn: Turn, incident: Incident, *, kind: WriteKind, text: str) -> None:
    """Show the card for writing ``text`` (as a ``kind``) on ``incident``, read as the user."""
    await propose(
        turn,
        PendingWrite(kind=kind, number=incident.number, title=incident.short_description,
                     text=text),
    )


def _click_key(turn: Turn, write_id: str) -> str:
    user = turn.user
    return idempotency_key(user.enterprise_id or "", user.team_id, user.user_id, "write", write_id)


def is_stale(turn: Turn, claim: Claim) -> bool:
    """Whether a pending claim's attempt is surely over (lost process, or unsettled)."""
    return turn.c.idempotency.is_stale(claim, after=STALE_CLICK_S)


async def own(
    turn: Turn, clicks: IdempotencyKeys, scope: str, key: str
) -> tuple[Claim, bool] | None:
    """Claim ``key`` (or take a stale claim over): the claim and whether to recover.

    None when another attempt is running; a ``done`` claim is returned for the caller
    to read. ``recover`` is True when an earlier attempt may have written already.
    """
    claim = await clicks.claim(scope, key)
    if claim.status != "pending":
        return claim, False
    if not is_stale(turn, claim):
        return None
    taken = await clicks.take_over(scope, key, claim)
    return (taken, True) if taken is not None else None


async def settle_failure(clicks: IdempotencyKeys, scope: str, key: str, exc: BaseException) -> None:
    """After a failed write: free the claim if nothing was written, else mark it unsettled."""
    certain = isinstance(exc, errors.BotError) and not isinstance(
        exc, errors.ServiceNowUnavailableError
    )
    try:
        if certain:
            await clicks.release(scope, key)
        else:
            await clicks.unsettle(scope, key)
    except errors.StoreError:
        log.warning("a write's claim could not be settled: Redis did not answer")


async def _told(turn: Turn, claim: Claim) -> None:
    sentence = texts.WRITE_ALREADY_CANCELLED if claim.result == CANCELLED else (
        texts.WRITE_ALREADY_DONE
    )
    await turn.reply.private(notice(sentence), replace=True)


async def action_write_confirm(turn: Turn, action: Action) -> None:
    """The card's Add comment / Close it / Reopen / Disconnect: the write, exactly once."""
    clicks = turn.c.idempotency
    key = _click_key(turn, action.value)
    earlier = await clicks.lookup(CLICK_SCOPE, key)
    if earlier is not None and earlier.status == "done":
        await _told(turn, earlier)
        return
    write = await confirmations(turn).load(turn.user, action.value)
    if write is None:
        await turn.reply.private(notice(texts.WRITE_EXPIRED), replace=True)
        return
    owned = await own(turn, clicks, CLICK_SCOPE, key)
    if owned is None:
        await turn.reply.private(notice(texts.WRITE_IN_PROGRESS))
        return
    claim, recovering = owned
    if claim.status == "done":
        await _told(turn, claim)
        return
    try:
        done = await _run(turn, write, recovering=recovering)
    except BaseException as exc:
        await settle_failure(clicks, CLICK_SCOPE, key, exc)
        raise
    if done:
        await clicks.remember(CLICK_SCOPE, key, value=DONE)
        await confirmations(turn).delete(turn.user, action.value)  # the words are written
    else:
        await clicks.release(CLICK_SCOPE, key)


async def _run(turn: Turn, write: PendingWrite, *, recovering: bool) -> bool:
    """Do the confirmed write; False when nothing was done (the user must connect first)."""
    # Imported here: those modules propose through this one.
    from bot.handlers import account, reopen, updates
    from bot.handlers.account import acting_as

    if write.kind == "disconnect":
        await account.disconnect_now(turn, replace=True)
        return True
    client = await acting_as(turn)
    if client is None:
        return False
    if write.kind == "comment":
        await updates.write_comment(
            turn, client, number=write.number, text=write.text, recovering=recovering,
            replace=True,
        )
    elif write.kind == "close":
        await updates.close_once(
            turn, client, number=write.number, recovering=recovering, replace=True
        )
    else:
        await reopen.reopen_once(
            turn, client, number=write.number, comment=write.text, recovering=recovering,
            replace=True,
        )
    return True


async def action_write_cancel(turn: Turn, action: Action) -> None:
    """The card's Cancel: nothing is written, and a later press of the button says so."""
    clicks = turn.c.idempotency
    key = _click_key(turn, action.value)
    claim = await clicks.claim(CLICK_SCOPE, key)
    if claim.status == "pending":
        await turn.reply.private(notice(texts.WRITE_IN_PROGRESS))
        return
    if claim.status == "done":
        sentence = (
            texts.WRITE_ALREADY_CANCELLED if claim.result == CANCELLED else texts.WRITE_TOO_LATE
        )
        await turn.reply.private(notice(sentence), replace=True)
        return
    await clicks.remember(CLICK_SCOPE, key, value=CANCELLED)
    store = confirmations(turn)
    write = await store.load(turn.user, action.value)
    await store.delete(turn.user, action.value)
    if write is not None and write.kind == "disconnect":
        sentence = texts.DISCONNECT_CANCELLED
    elif write is not None:
        sentence = texts.WRITE_CANCELLED.format(number=escape_mrkdwn(write.number))
    else:
        sentence = texts.WRITE_CANCELLED_PLAIN
    await turn.reply.private(notice(sentence), replace=True)


ACTIONS: dict[str, ActionHandler] = {
    ids.WRITE_CONFIRM: action_write_confirm,
    ids.WRITE_CANCEL: action_write_cancel,
}
