"""The Slack stand-in: a local Web API (Starlette) that records every call and answers as Slack.

``SlackSandbox.app`` serves:

- ``POST|GET /api/{method}``: the Web API (``AsyncWebClient(base_url=f"{url}/api/")``).
  Accepts JSON, form and query-string arguments (``blocks``/``view`` may be JSON strings
  inside a form), checks ``Authorization: Bearer <bot token>`` (or a ``token`` argument),
  and answers ``{"ok": true, ...}`` or ``{"ok": false, "error": ...}`` like Slack.
- ``POST /response/{token}``: the ``response_url`` receiver; what arrives is recorded in
  ``responses`` and applied to the conversation (replace/delete the original, or a new
  ephemeral or in-channel message).

The method implementations live in ``methods``; this module keeps the state and the HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from snowbot_sandbox.slack import methods
from snowbot_sandbox.slack.directory import BOT_USER_ID, TEAM_ID, Directory, SandboxUser
from snowbot_sandbox.slack.limits import check_message
from snowbot_sandbox.slack.records import (
    ApiCall,
    Message,
    ResponsePost,
    View,
    with_ids,
)

TRIGGER_TTL = 3.0
RESPONSE_URL_TTL = 30 * 60.0
RESPONSE_URL_USES = 5
JSON_ARGS = ("blocks", "view", "attachments", "metadata")


class _Fault:
    def __init__(self, *, error: str | None, status: int, retry_after: int | None,
                 delay: float, times: int) -> None:
        self.error = error
        self.status = status
        self.retry_after = retry_after
        self.delay = delay
        self.times = times


class _ResponseTarget:
    def __init__(self, *, channel: str, user: str, message: Message | None,
                 issued_at: float) -> None:
        self.channel = channel
        self.user = user
        self.message = message
        self.issued_at = issued_at
        self.uses = 0
        self.replaced_unbound = False


class SlackSandbox:
    """State and ASGI app of the Slack stand-in; see the package docstring for the whole API."""

    def __init__(self, *, bot_token: str = "xoxb-test",  # noqa: S107 - the sandbox's own
                 team_id: str = TEAM_ID,
                 clock: Callable[[], float] = time.time) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.clock = clock
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._ts = itertools.count(1)
        self.reset()
        self.app = Starlette(routes=[
            Route("/api/{method}", self._api, methods=["GET", "POST"]),
            Route("/response/{token}", self._response_url, methods=["POST"]),
            Route("/sandbox/reset", self._reset, methods=["POST"]),
        ])

    def reset(self) -> None:
        """Back to the seed: seeded people and channels only, no call, message, view,
        trigger, response URL or pending failure recorded. The timeline and timestamps go
        on rising, so nothing from before a reset compares as newer than after it."""
        self.directory = Directory(team_id=self.team_id)
        self.calls: list[ApiCall] = []
        self.responses: list[ResponsePost] = []
        self.messages: list[Message] = []
        self.views: dict[str, View] = {}
        self.modal_stacks: dict[str, list[str]] = {}
        self.home_views: dict[str, str] = {}
        self.triggers: dict[str, tuple[str, float]] = {}
        self._response_targets: dict[str, _ResponseTarget] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self.ack_problems: list[str] = []

    async def _reset(self, request: Request) -> Response:
        """``POST /sandbox/reset``: ``reset()`` for a test driving the stand-in from another
        process."""
        self.reset()
        return JSONResponse({"ok": True})

    # -- people and places -------------------------------------------------------------

    @property
    def users(self) -> dict[str, SandboxUser]:
        """Every user by id (seeded and added)."""
        return self.directory.users

    def add_user(self, user_id: str, *, email: str | None, real_name: str = "Test User",
                 name: str | None = None, **flags: Any) -> SandboxUser:
        """Add a user; ``flags`` are ``SandboxUser`` fields (``is_admin``, ``team_id``, …)."""
        user = SandboxUser(user_id, name or user_id.lower(), real_name, email, **flags)
        return self.directory.add_user(user)

    # -- ids, triggers and response URLs (the driver issues these) --------------------

    def next_seq(self) -> int:
        """The next position on the timeline of surfaces (newest is highest)."""
        self._last_seq = next(self._seq)
        return self._last_seq

    def new_ts(self) -> str:
        """A fresh, increasing message timestamp like ``1700000000.000001``."""
        return f"{int(self.clock())}.{next(self._ts):06d}"

    def issue_trigger_id(self, user_id: str) -> str:
        """A trigger_id for ``user_id``, valid for 3 s of the sandbox clock."""
        trigger_id = f"{int(self.clock())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = (user_id, self.clock())
        return trigger_id

    def check_trigger(self, trigger_id: Any) -> str | None:
        """The user a still-valid trigger_id belongs to, or None (unknown or older than 3 s)."""
        if not isinstance(trigger_id, str) or trigger_id not in self.triggers:
            return None
        user_id, issued = self.triggers[trigger_id]
        if self.clock() - issued > TRIGGER_TTL:
            return None
        return user_id

    def issue_response_url(self, base_url: str, *, channel: str, user: str,
                           message: Message | None = None) -> str:
        """A response_url on this stand-in for an interaction of ``user`` in ``channel``."""
        token = secrets.token_urlsafe(16)
        self._response_targets[token] = _ResponseTarget(
            channel=channel, user=user, message=message, issued_at=self.clock())
        return f"{base_url.rstrip('/')}/response/{token}"

    def bind_response_url(self, url: str, message: Message) -> None:
        """Tie a response_url to the message it answers (``replace_original`` replaces it)."""
        target = self._response_targets.get(url.rstrip("/").rsplit("/", 1)[-1])
        if target is not None:
            target.message = message
            if target.replaced_unbound:  # the bot replaced it before its ack arrived
                message.deleted = True

    # -- modal stacks (the driver applies the bot's view_submission acks) -------------

    def apply_view_ack(self, user_id: str, view: View, ack: dict[str, Any]) -> None:
        """Do what Slack does with a ``view_submission`` ack (see ``methods.apply_view_ack``)."""
        methods.apply_view_ack(self, user_id=user_id, view=view, ack=ack)

    def close_modal(self, user_id: str, view: View) -> None:
        """Close ``view`` (and anything pushed above it) in the user's stack."""
        methods.close_modal(self, user_id=user_id, view=view)

    # -- faults ------------------------------------------------------------------------

    def fail_next(self, method: str, error: str | None = "internal_error", *, status: int = 200,
                  retry_after: int | None = None, delay: float = 0.0, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``error``.

        ``fail_next("chat.postMessage", "ratelimited", status=429, retry_after=2)`` answers
        like Slack's rate limiter; ``delay`` holds the answer first (a slow or hanging
        Slack); ``error=None`` with a ``delay`` answers normally, only late.
        """
        self._faults.setdefault(method, []).append(
            _Fault(error=error, status=status, retry_after=retry_after, delay=delay,
                   times=times))

    # -- queries -----------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one Web API method, oldest first."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self, predicate: Callable[[list[ApiCall]], bool], *,
        timeout: float = 3.0,  # noqa: ASYNC109 - a poll deadline, not a cancellation scope
    ) -> list[ApiCall]:
        """Wait until ``predicate(calls)`` holds (the bot works after its ack); return the calls.

        Raises ``TimeoutError`` naming the calls seen so far.
        """
        deadline = time.monotonic() + timeout
        while not predicate(self.calls):
            if time.monotonic() > deadline:
                seen = ", ".join(call.method for call in self.calls) or "none"
                raise TimeoutError(f"the bot did not make the expected call; calls: {seen}")
            await asyncio.sleep(0.01)
        return self.calls

    async def wait_for_call(
        self, method: str, *, where: Callable[[ApiCall], bool] | None = None, after: int = 0,
        timeout: float = 3.0,  # noqa: ASYNC109 - a poll deadline, not a cancellation scope
    ) -> ApiCall:
        """The first call of ``method`` (from index ``after`` on) matching ``where``."""
        def found(calls: list[ApiCall]) -> bool:
            return any(self._matches(c, method, where) for c in calls[after:])
        await self.wait_for(found, timeout=timeout)
        return next(c for c in self.calls[after:] if self._matches(c, method, where))

    async def wait_for_response(
        self, *, after: int = 0,
        timeout: float = 3.0,  # noqa: ASYNC109 - a poll deadline, not a cancellation scope
    ) -> ResponsePost:
        """The first response_url post from index ``after`` on."""
        deadline = time.monotonic() + timeout
        while len(self.responses) <= after:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot posted nothing to a response_url")
            await asyncio.sleep(0.01)
        return self.responses[after]

    @staticmethod
    def _matches(call: ApiCall, method: str, where: Callable[[ApiCall], bool] | None) -> bool:
        return call.method == method and (where is None or where(call))

    def visible_to(self, user_id: str) -> list[Message | View]:
        """Messages and open views ``user_id`` can see, newest first (by last change)."""
        surfaces: list[Message | View] = []
        for message in self.messages:
            if message.deleted:
                continue
            if message.ephemeral_to is not None and message.ephemeral_to != user_id:
                continue
            channel = self.directory.resolve_channel(message.channel)
            if channel is not None and user_id in channel.members:
                surfaces.append(message)
        surfaces.extend(self.open_views(user_id))
        surfaces.sort(key=lambda s: s.seq, reverse=True)
        return surfaces

    def open_views(self, user_id: str) -> Iterable[View]:
        """The user's open modals (stack order) and Home view."""
        for view_id in self.modal_stacks.get(user_id, []):
            yield self.views[view_id]
        if user_id in self.home_views:
            yield self.views[self.home_views[user_id]]

    def top_modal(self, user_id: str) -> View | None:
        """The modal on top of the user's stack, if one is open."""
        stack = self.modal_stacks.get(user_id)
        return self.views[stack[-1]] if stack else None

    @property
    def mark(self) -> int:
        """A position on the timeline: pass it to ``changes_since`` later."""
        return self._last_seq

    def changes_since(self, mark: int, *, user_id: str) -> list[Message | View]:
        """Messages and open views ``user_id`` sees that appeared or changed after ``mark``,
        oldest first (what a terminal should print next)."""
        return sorted((s for s in self.visible_to(user_id) if s.seq > mark),
                      key=lambda s: s.seq)

    def messages_in(self, channel: str) -> list[Message]:
        """Live messages in ``channel`` (a user id means the DM with that user), oldest first."""
        resolved = self.directory.resolve_channel(channel)
        channel_id = resolved.id if resolved is not None else channel
        return [m for m in self.messages if m.channel == channel_id and not m.deleted]

    def add_message(self, message: Message) -> Message:
        """Record a message on the timeline (``methods`` and the driver use this)."""
        message.blocks = with_ids(message.blocks)
        self.messages.append(message)
        return message

    def find_message(self, channel: str, ts: str) -> Message | None:
        """A live message by channel and ts."""
        for message in self.messages:
            if message.channel == channel and message.ts == ts and not message.deleted:
                return message
        return None

    # -- HTTP --------------------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        args, token, bad_json = await _read_args(request)
        status, headers = 200, {}
        fault = self._take_fault(method)
        if fault is not None and fault.delay:
            await _hold(request, fault.delay)
        if token is None:
            result: dict[str, Any] = {"ok": False, "error": "not_authed"}
        elif token != self.bot_token:
            result = {"ok": False, "error": "invalid_auth"}
        elif fault is not None and fault.error is not None:
            result, status = {"ok": False, "error": fault.error}, fault.status
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        elif bad_json is not None:
            result = {"ok": False, "error": f"invalid_{bad_json}_format"
                      if bad_json == "blocks" else "invalid_arguments"}
        else:
            handler = methods.HANDLERS.get(method)
            if handler is None:
                result = {"ok": False, "error": "unknown_method", "req_method": method}
            else:
                result = handler(self, args)
        self.calls.append(ApiCall(method=method, args=args, response=result, status=status,
                                  at=self.clock()))
        return JSONResponse(result, status_code=status, headers=headers)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    async def _response_url(self, request: Request) -> Response:
        token = request.path_params["token"]
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = dict(parse_qsl(raw.decode(errors="replace")))
        if not isinstance(body, dict):
            body = {}
        target = self._response_targets.get(token)
        status, answer = 200, "ok"
        if target is None or self.clock() - target.issued_at > RESPONSE_URL_TTL:
            status, answer = 404, "expired_url"
        elif target.uses >= RESPONSE_URL_USES:
            status, answer = 404, "used_url"
        else:
            problem = check_message(text=body.get("text"), blocks=body.get("blocks"))
            if problem is not None:
                status, answer = 400, problem[0]
            else:
                target.uses += 1
                self._apply_response(target, body)
        self.responses.append(ResponsePost(token=token, body=body, status=status,
                                           at=self.clock()))
        return PlainTextResponse(answer, status_code=status)

    def _apply_response(self, target: _ResponseTarget, body: dict[str, Any]) -> None:
        post = ResponsePost(token="", body=body, status=200, at=0.0)
        original = target.message
        if original is None and (post.delete_original or post.replace_original):
            target.replaced_unbound = True
        if post.delete_original:
            if original is not None:
                original.deleted = True
            return
        blocks = post.blocks
        if post.replace_original and original is not None:
            original.text = post.text
            original.blocks = with_ids(blocks)
            original.seq = self.next_seq()
            return
        in_channel = post.response_type == "in_channel"
        self.add_message(Message(
            channel=target.channel, ts=self.new_ts(), user=BOT_USER_ID, text=post.text,
            blocks=blocks, source="response_url", seq=self.next_seq(),
            thread_ts=body.get("thread_ts"),
            ephemeral_to=None if in_channel else target.user))


async def _hold(request: Request, seconds: float) -> None:
    """Wait ``seconds`` before answering, or until the caller gives up and disconnects."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return
        await asyncio.sleep(0.02)


async def _read_args(request: Request) -> tuple[dict[str, Any], str | None, str | None]:
    """Arguments from query string and body, the token, and the name of a non-JSON JSON arg."""
    args: dict[str, Any] = dict(request.query_params)
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if raw:
        if "json" in content_type:
            try:
                decoded = json.loads(raw)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                args.update(decoded)
        else:
            args.update(parse_qsl(raw.decode(errors="replace"), keep_blank_values=True))
    token = args.pop("token", None)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    bad_json = None
    for key in JSON_ARGS:
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                bad_json = bad_json or key
    return args, token if isinstance(token, str) else None, bad_json
