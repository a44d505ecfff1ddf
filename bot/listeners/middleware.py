"""Global Bolt middleware: request ids, request metrics, and event de-duplication.

Slack redelivers an event when it did not see a 2xx within 3 seconds, with the same
``event_id``. The first delivery claims ``{team}:{event_id}`` in Redis (``SET NX``
with a TTL); later deliveries get an empty 200 and nothing runs, whichever replica
receives them. When Redis cannot be reached the event still runs: every handler
that writes fails closed on its own idempotency key, and reads are harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.container import Container
from bot.errors import StoreError
from bot.logs import new_request_id, request_id_var

log = logging.getLogger(__name__)

Next = Callable[[], Awaitable[BoltResponse]]


def request_kind(body: dict[str, Any]) -> str:
    """A small closed label for what Slack sent (for logs and metrics)."""
    if "command" in body:
        return "command"
    kind = str(body.get("type", "unknown"))
    return {
        "event_callback": "event",
        "block_actions": "action",
        "view_submission": "view",
        "view_closed": "view",
        "message_action": "shortcut",
        "shortcut": "shortcut",
        "block_suggestion": "options",
        "url_verification": "url_verification",
    }.get(kind, "other")


class RequestContext(AsyncMiddleware):
    """Gives a request that arrived without one (Socket Mode) a request id; over HTTP the
    ASGI ``RequestIdMiddleware`` has set it already."""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        if request_id_var.get() == "-":
            request_id_var.set(new_request_id())
        # Bolt's next() only marks the chain as continued; it returns nothing, so
        # outcomes are counted where the work ends (bot.listeners.runner).
        return await next()


class EventDeduplication(AsyncMiddleware):
    """Lets the first delivery of an event through and answers redeliveries with an
    empty 200 (the module docstring says how). Commands and interactions carry no
    ``event_id`` and pass straight on, without a Redis round trip."""

    def __init__(self, c: Container) -> None:
        self.c = c

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id")
        team_id = body.get("team_id")
        if body.get("type") != "event_callback" or not event_id or not team_id:
            return await next()
        try:
            first = await self.c.events.first_delivery(str(team_id), str(event_id))
        except StoreError:
            log.warning("event de-duplication unavailable: Redis did not answer")
            return await next()
        if not first:
            log.info("duplicate delivery of event %s ignored", event_id)
            self.c.metrics.requests.labels(kind="event", outcome="duplicate").inc()
            return BoltResponse(status=200, body="")
        return await next()


def register_middleware(bolt: AsyncApp, c: Container) -> None:
    """Install the global middleware on ``bolt``.

    Both are ``AsyncMiddleware`` classes, not decorated functions: Bolt calls a class's
    ``async_process`` as it is, where for a function it first builds every argument a
    listener could ask for (``say``, ``respond``, ``complete``...), which cost more than
    the rest of snowbot's ack path on top of Bolt.
    """
    bolt.middleware(RequestContext())
    bolt.middleware(EventDeduplication(c))
