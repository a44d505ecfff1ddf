"""The request body cap: pure ASGI, in front of every route.

Nothing in snowbot takes a large body: Slack's events, commands and interactions are
a few kilobytes, and ``POST /servicenow/events`` is at most 64 KB (README, HTTP routes). So a
request whose body is over its route's cap is answered ``413`` before anything reads
it, and before Bolt parses it or checks its signature:

- a ``Content-Length`` over the cap is refused at once, unread (uvicorn holds at most
  its 64 KB flow-control buffer of it);
- a body without one (chunked) is read here, counting, and refused the moment it
  passes the cap;
- a body within the cap is handed on unchanged (it is at most the cap, in memory).

``MAX_BODY_BYTES`` applies to every path; ``ROUTE_BODY_LIMITS`` lowers it per path.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024  # 1 MB, every route
ROUTE_BODY_LIMITS: Mapping[str, int] = {
    "/servicenow/events": 64 * 1024,  # README, HTTP routes: at most 64 KB
}

_TOO_LARGE = b"Request body too large.\n"
_BAD_LENGTH = b"Bad Content-Length.\n"


class BodyLimitMiddleware:
    """Refuses request bodies over the cap of their path with 413, unread."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int = MAX_BODY_BYTES,
        limits: Mapping[str, int] = ROUTE_BODY_LIMITS,
    ) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits)

    def limit_for(self, path: str) -> int:
        """The cap of ``path`` (bytes)."""
        return self.limits.get(path.rstrip("/") or "/", self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(str(scope.get("path") or "/"))
        declared = _content_length(scope)
        if declared == -1:
            await _answer(send, 400, _BAD_LENGTH)
            return
        if declared is not None and declared > limit:
            await _answer(send, 413, _TOO_LARGE)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away before the body was complete: nothing to answer.
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await _answer(send, 413, _TOO_LARGE)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, replay_body(bytes(body), receive), send)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent, -1 when unreadable."""
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) <= 18 else -1
    return None


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the whole body once, then whatever the server says next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
