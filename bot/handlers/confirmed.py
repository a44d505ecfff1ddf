"""The confirmation card's buttons: the write, exactly once, or Cancel.

``action_write_confirm`` claims the card's id (``IdempotencyKeys``, ``write_click``)
and runs the write the card names through its use case (``updates``, ``reopen``,
``account``); ``action_write_cancel`` claims the same key, so Cancel and the button
cannot both win. How a card comes to be, and the claim's rules: ``bot.handlers.confirm``.
"""

from __future__ import annotations

import logging

from bot import texts
from bot.blocks import ids
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import notice
from bot.handlers import account, reopen, updates
from bot.handlers.account import acting_as
from bot.handlers.confirm import own, settle_failure
from bot.store.confirmations import PendingWrite
from bot.store.dedupe import Claim, idempotency_key
from bot.turn import Action, ActionHandler, Turn

log = logging.getLogger(__name__)

CLICK_SCOPE = "write_click"
DONE = "done"
CANCELLED = "cancelled"


def _click_key(turn: Turn, write_id: str) -> str:
    user = turn.user
    return idempotency_key(user.enterprise_id or "", user.team_id, user.user_id, "write", write_id)


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
    write = await turn.c.confirmations.load(turn.user, action.value)
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
        await turn.c.confirmations.delete(turn.user, action.value)  # the words are written
    else:
        await clicks.release(CLICK_SCOPE, key)


async def _run(turn: Turn, write: PendingWrite, *, recovering: bool) -> bool:
    """Do the confirmed write; False when nothing was done (the user must connect first)."""
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
    store = turn.c.confirmations
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
