"""Running a use case after the ack: tracked, timed, and never ending in a stack trace.

Every listener acks first, then hands its work to ``start_turn``, which spawns it in the
container's ``WorkRegistry`` (so shutdown drains it) under the request's id. Whatever
the use case raises ends as one sentence for the user: a ``BotError`` through
``bot.blocks.error_message``, anything else (a bug) as the generic apology while the
traceback goes to the log. Outcomes are counted in ``snowbot_slack_requests_total``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot import errors, texts
from bot.blocks import Message, error_message
from bot.container import Container
from bot.handlers.account import ask_to_reconnect
from bot.models import SlackUser
from bot.reply import Origin, SlackReply
from bot.turn import Turn

log = logging.getLogger(__name__)


def outcome_of(exc: BaseException | None) -> str:
    """A small closed label for how a request ended."""
    if exc is None:
        return "ok"
    if isinstance(exc, errors.UserInputError | errors.AuthError | errors.ConfigError):
        return "user_error"
    if isinstance(exc, errors.ServiceNowError):
        return "servicenow_error"
    if isinstance(exc, errors.StoreError):
        return "store_error"
    if isinstance(exc, errors.SlackError):
        return "slack_error"
    if isinstance(exc, errors.BotError):
        return "error"
    return "bug"


async def tell_error(reply: SlackReply, c: Container, exc: BaseException) -> None:
    """Send the user the one sentence for ``exc``; a failure to send is only logged."""
    message: Message
    if isinstance(exc, errors.ReconnectRequiredError):
        c.metrics.errors.labels(error=exc.__class__.__name__).inc()
        if await _ask_to_reconnect(reply, c, exc=exc):
            return
        message = error_message(exc)
    elif isinstance(exc, errors.BotError):
        c.metrics.errors.labels(error=exc.__class__.__name__).inc()
        message = error_message(exc)
    else:
        c.metrics.errors.labels(error="unexpected").inc()
        message = Message(text=texts.GENERIC_APOLOGY, blocks=[])
    try:
        await reply.private(message)
    except errors.SlackError as slack_exc:
        log.warning("could not tell the user about an error: %s", slack_exc.detail)


async def _ask_to_reconnect(
    reply: SlackReply, c: Container, *, exc: errors.ReconnectRequiredError
) -> bool:
    """A refresh refused mid-request: prompt once (not on every request); False if that failed."""
    try:
        await ask_to_reconnect(Turn(c=c, user=reply.user, reply=reply), exc)
    except errors.BotError as other:
        log.warning("could not ask the user to reconnect: %s", other.__class__.__name__)
        return False
    return True


async def run_guarded(
    c: Container,
    *,
    kind: str,
    reply: SlackReply | None,
    work: Callable[[], Awaitable[None]],
) -> None:
    """Await ``work``; turn any failure into a sentence for the user (if there is one)."""
    failure: BaseException | None = None
    try:
        await work()
    except errors.BotError as exc:
        failure = exc
        log.info("%s ended with %s: %s", kind, exc.__class__.__name__, exc.detail)
        if reply is not None:
            await tell_error(reply, c, exc)
    except Exception as exc:
        failure = exc
        log.exception("%s failed unexpectedly", kind)
        if reply is not None:
            await tell_error(reply, c, exc)
    finally:
        c.metrics.requests.labels(kind=kind, outcome=outcome_of(failure)).inc()


def start_turn(
    c: Container,
    *,
    user: SlackUser,
    origin: Origin,
    kind: str,
    name: str,
    work: Callable[[Turn], Awaitable[None]],
) -> None:
    """Start ``work`` for one user's request in the background (after the ack), tracked
    for shutdown, answering wherever ``origin`` says."""
    reply = SlackReply(client=c.slack, user=user, origin=origin)
    turn = Turn(c=c, user=user, reply=reply)
    c.work.spawn(run_guarded(c, kind=kind, reply=reply, work=lambda: work(turn)), name=name)
