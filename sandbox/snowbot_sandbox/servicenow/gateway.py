"""The front door: records every request, then applies injected faults, then routes.

A plain ASGI middleware (not ``BaseHTTPMiddleware``) so that it can read the body
once, replay it to the routes, and, for a hanging fault, notice when the client
goes away. ``/sandbox/...`` control calls are neither recorded nor faulted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.limits import replay_body
from snowbot_sandbox.servicenow import responses
from snowbot_sandbox.servicenow.faults import Fault, Faults
from snowbot_sandbox.servicenow.state import User

SECRET_FIELDS = frozenset(
    {"client_secret", "code", "code_verifier", "refresh_token", "access_token", "token"}
)
REDACTED = "[redacted]"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sandbox received it.

    ``user_name`` is the bearer token's user; for a token call, the owner of the code or
    refresh token it carried. ``fault`` is the kind of the fault that hit it, if any.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    form: dict[str, list[str]] | None = None
    json: Any = None
    user_name: str | None = None
    at: float = 0.0
    fault: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "form": self.form,
            "json": self.json,
            "user_name": self.user_name,
            "at": self.at,
            "fault": self.fault,
        }


@dataclass
class Recorder:
    """Every request and every raw ``sysparm_query``, in arrival order."""

    redact_secrets: bool = False
    requests: list[RecordedRequest] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)

    def clear(self) -> None:
        """Forget everything recorded so far."""
        self.requests.clear()
        self.queries.clear()

    def token_calls(self, grant_type: str | None = None, user_name: str | None = None) -> int:
        """How many token-endpoint calls arrived (of one grant type and/or user, or all).

        A token call's user is the owner of the code or refresh token it carried.
        """
        count = 0
        for req in self.requests:
            if req.path != "/oauth_token.do" or req.method != "POST":
                continue
            sent = (req.form or {}).get("grant_type", [None])[0]
            if grant_type not in (None, sent) or user_name not in (None, req.user_name):
                continue
            count += 1
        return count

    def redact(self, values: dict[str, list[str]]) -> dict[str, list[str]]:
        """Secret fields replaced, when redaction is on."""
        if not self.redact_secrets:
            return values
        return {k: ([REDACTED] * len(v) if k in SECRET_FIELDS else v) for k, v in values.items()}


class Gateway:
    """Record, fault, then pass on to the routes."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        recorder: Recorder,
        faults: Faults,
        user_for_token: Callable[[str], User | None],
        token_call_owner: Callable[[dict[str, list[str]]], User | None],
        clock: Callable[[], float],
    ) -> None:
        self.app = app
        self.recorder = recorder
        self.faults = faults
        self.user_for_token = user_for_token
        self.token_call_owner = token_call_owner
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http" or scope["path"].startswith("/sandbox/"):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        user = self._user(headers.get("authorization", ""))
        form, payload = _parse_body(headers.get("content-type", ""), body)
        if user is None and form is not None and scope["path"] == "/oauth_token.do":
            user = self.token_call_owner(form)
        query = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        grant_type = (form or {}).get("grant_type", [None])[0]
        fault = self.faults.take(
            path=scope["path"],
            method=scope["method"],
            grant_type=grant_type,
            user_name=user.user_name if user else None,
            is_ess=bool(user and user.is_ess),
        )
        if "authorization" in headers:
            headers["authorization"] = headers["authorization"].split(" ")[0] + " " + REDACTED
        self.recorder.requests.append(
            RecordedRequest(
                method=scope["method"],
                path=scope["path"],
                query=self.recorder.redact(query),
                headers=headers,
                form=self.recorder.redact(form) if form is not None else None,
                json=payload,
                user_name=user.user_name if user else None,
                at=self.clock(),
                fault=fault.kind if fault else None,
            )
        )
        if "sysparm_query" in query:
            self.recorder.queries.extend(query["sysparm_query"])
        if fault is not None:
            answer = await self._apply(fault, scope=scope, receive=receive)
            if answer is _GONE:
                return
            if isinstance(answer, Response):
                await answer(scope, receive, send)
                return
        await self.app(scope, replay_body(body, receive), send)

    def _user(self, authorization: str) -> User | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.user_for_token(token.strip())

    async def _apply(self, fault: Fault, *, scope: Scope, receive: Receive) -> object:
        """A response for the fault, ``None`` to go on, or ``_GONE`` if the client left."""
        if fault.kind == "latency":
            try:
                await asyncio.wait_for(_wait_disconnect(receive), timeout=fault.seconds)
            except TimeoutError:
                return None  # the delay is over: answer normally
            return _GONE  # the client gave up first
        if fault.kind == "hang":
            return await self._hang(receive)
        return self._refusal(fault, path=scope["path"])

    def _refusal(self, fault: Fault, *, path: str) -> Response:
        """The response of a fault that answers at once."""
        kind = fault.kind
        if kind == "429":
            return responses.rate_limited(fault.retry_after, int(self.clock()) + fault.retry_after)
        if kind in ("504", "502"):
            return responses.gateway_page(int(kind))
        if kind == "unknown_table":
            parts = path.rstrip("/").split("/")
            name = parts[parts.index("table") + 1] if "table" in parts[:-1] else parts[-1]
            return responses.invalid_table(name)
        fixed: dict[str, Callable[[], Response]] = {
            "500": lambda: responses.envelope(
                500, "Internal server error", "Injected by the sandbox"
            ),
            "403": lambda: responses.envelope(
                403, "User Not Authorized", "ACL Exception: security constraints"
            ),
            "401": responses.not_authenticated,
            "405": lambda: responses.envelope(
                405, "Method not allowed", "Injected by the sandbox"
            ),
            "404": lambda: responses.envelope(
                404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval"
            ),
        }
        return fixed.get(kind, responses.token_error)()  # access_denied / server_error

    async def _hang(self, receive: Receive) -> object:
        gate = asyncio.ensure_future(self.faults.gate().wait())
        gone = asyncio.ensure_future(_wait_disconnect(receive))
        self.faults.hang_started()
        try:
            done, _ = await asyncio.wait({gate, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.faults.hang_ended()
            for task in (gate, gone):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return _GONE if gone in done else None


_GONE = object()


async def _wait_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, list[str]] | None, Any]:
    if not body:
        return None, None
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True), None
    try:
        return None, json.loads(body)
    except ValueError:
        return None, body.decode("utf-8", "replace")
