"""Writes that come from free text: a card first, then one press does it, exactly once.

A comment, a close request, a reopen or unlinking asked for in a DM, a mention,
``/snow <free text>`` or an answer to the bot's question is not done at once: the use
case reads the incident as the user, then ``propose`` keeps the write in Redis under a
fresh id (``ConfirmationStore``, ``PENDING_WRITE_TTL``) and shows a card naming the
action and the incident and quoting exactly what will be written. Typing an exact
``/snow`` command, or pressing a button Slack already asked about, needs no card.

The card's button (``bot.handlers.confirmed``) does the write exactly once, however
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

from bot import errors
from bot.blocks.confirm import write_confirmation
from bot.handlers import dialogue
from bot.servicenow.models import Incident
from bot.store.confirmations import PendingWrite, WriteKind, new_write_id
from bot.store.dedupe import Claim, IdempotencyKeys
from bot.turn import Turn

log = logging.getLogger(__name__)

STALE_CLICK_S = 120.0  # a pending click older than this was lost with its process


async def plain_text(turn: Turn, text: str) -> str:
    """``text`` from Slack as the plain text ServiceNow should store (no markup)."""
    return (await turn.c.names(turn.user).plain(text)).strip()


async def propose(turn: Turn, write: PendingWrite, *, account: str = "") -> None:
    """Keep ``write`` under a fresh id and show its confirmation card."""
    write_id = new_write_id()
    await turn.c.confirmations.save(turn.user, write_id, write)
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
