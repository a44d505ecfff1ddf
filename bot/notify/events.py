"""``POST /servicenow/events``: ServiceNow (a Business Rule, or the sandbox) says an
incident changed. The contract is DESIGN.md's:

- body: JSON, at most 64 KB (``bot.limits`` refuses more with 413, unread):
  ``{"team_id"?, "table": "incident", "sys_id", "number", "sys_mod_count", "changed"}``;
- ``X-Snowbot-Request-Timestamp: <unix seconds>`` and
  ``X-Snowbot-Signature: v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + raw body)>``;
- 401 when a header is missing, the time is outside ±300 s, no secret signs the body
  (``hmac.compare_digest``, constant time), or the same signature came before (a replay
  cache in Redis, ``SET NX``, kept past the window). Nothing is parsed as content and
  nothing is read from ServiceNow before the signature holds;
- 200 at once; the work happens after (``Notifier.on_event`` in the work registry).

The event is a pointer: only ``sys_id`` (checked to be one) and the workspace are used;
the bot reads the record with each affected user's own token. ``"test": true`` (the
setup step's test script) is recorded for the connection test and nothing else.

Secrets: ``SERVICENOW_EVENTS_SECRET``, or one per workspace generated in setup and kept
encrypted (``EventSecrets``). A workspace secret names its workspace; with the
environment's secret the body's ``team_id`` does (or, without one, every workspace
that has linked users). Secrets never reach a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import errors
from bot.notify.notifier import Notifier
from bot.store.crypto import RecordBinding, RecordCipher
from bot.store.guard import redis_errors, text
from bot.store.keys import EVENTS_REPLAY_TTL, EVENTS_TEST_TTL, Keys

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Snowbot-Request-Timestamp"
SIGNATURE_HEADER = "X-Snowbot-Signature"
WINDOW_S = 300
SECRET_BYTES = 32


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + body)>``."""
    base = b"v1:" + str(timestamp).encode() + b":" + body
    return "v1=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The two headers a sender (Business Rule, sandbox, tests) puts on ``body``."""
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def new_secret() -> str:
    """A fresh events secret (43 url-safe characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)


class Workspace(BaseModel):
    """Which workspace a secret belongs to (None: the environment's, any workspace)."""

    model_config = ConfigDict(frozen=True)

    enterprise_id: str | None = None
    team_id: str


class EventBody(BaseModel):
    """What the bot takes from a verified event: where, and which record."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    team_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,32}$")
    table: str = "incident"
    sys_id: str = Field(default="", pattern=r"^[0-9a-f]{32}$|^$")
    test: bool = False


class EventSecrets:
    """Per-workspace events secrets, sealed with the record cipher (no TTL)."""

    def __init__(self, redis: Redis, *, keys: Keys, cipher: RecordCipher) -> None:
        self._redis = redis
        self._keys = keys
        self._cipher = cipher

    @staticmethod
    def _binding(ws: Workspace) -> RecordBinding:
        return RecordBinding(purpose="events-secret", enterprise_id=ws.enterprise_id,
                             team_id=ws.team_id, subject="events", instance_url="")

    async def get(self, ws: Workspace) -> str | None:
        """The workspace's secret, if setup made one."""
        with redis_errors("reading the events secret"):
            raw = text(await self._redis.get(self._keys.events_secret(ws.enterprise_id,
                                                                      ws.team_id)))
        if raw is None:
            return None
        return str(self._cipher.open(raw, binding=self._binding(ws)).get("secret") or "")

    async def rotate(self, ws: Workspace) -> str:
        """Make (or replace) the workspace's secret and return it, to be shown once."""
        secret = new_secret()
        sealed = self._cipher.seal({"secret": secret}, binding=self._binding(ws))
        with redis_errors("keeping the events secret"):
            await self._redis.set(self._keys.events_secret(ws.enterprise_id, ws.team_id),
                                  sealed.ciphertext)
        return secret

    async def every(self) -> list[tuple[Workspace, str]]:
        """Every workspace's secret (unreadable ones skipped)."""
        found: list[tuple[Workspace, str]] = []
        with redis_errors("listing events secrets"):
            names = [k async for k in self._redis.scan_iter(
                match=self._keys.events_secret_pattern(), count=100)]
        for name in names:
            parsed = self._keys.parse_events_secret(name)
            if parsed is None:
                continue
            ws = Workspace(enterprise_id=parsed[0], team_id=parsed[1])
            try:
                secret = await self.get(ws)
            except errors.TokenRecordError:
                log.warning("an events secret does not decrypt with any configured key")
                continue
            if secret:
                found.append((ws, secret))
        return found


async def _signer(c: Container, timestamp: str, body: bytes, given: str
                  ) -> tuple[bool, Workspace | None]:
    """Whether a configured secret signs ``body``, and whose (None: the environment's)."""
    candidates: list[tuple[Workspace | None, str]] = []
    if c.settings.servicenow_events_secret is not None:
        candidates.append((None, c.settings.servicenow_events_secret.get_secret_value()))
    stored = EventSecrets(c.redis, keys=c.keys, cipher=c.cipher)
    candidates.extend(await stored.every())
    matched: tuple[bool, Workspace | None] = (False, None)
    for ws, secret in candidates:  # every candidate is compared: no early exit timing
        if secret and hmac.compare_digest(signature(secret, timestamp, body), given):
            matched = (True, ws)
    return matched


def _refused(c: Container, why: str) -> Response:
    c.metrics.servicenow_events.labels(outcome="refused").inc()
    log.info("ServiceNow event refused: %s", why)
    return JSONResponse({"ok": False}, status_code=401)


async def _workspaces(c: Container, event: EventBody, signer: Workspace | None
                      ) -> list[Workspace]:
    if signer is not None:
        return [signer]
    if event.team_id:
        return [Workspace(team_id=event.team_id)]
    found: list[Workspace] = []
    with redis_errors("listing workspaces"):
        async for key in c.redis.scan_iter(match=c.keys.token_index_pattern(), count=100):
            parsed = c.keys.parse_token_index(key)
            if parsed is not None:
                found.append(Workspace(enterprise_id=parsed[0], team_id=parsed[1]))
    return found


def event_routes(c: Container) -> list[Route]:
    """``POST /servicenow/events``."""

    async def servicenow_events(request: Request) -> Response:
        body = await request.body()
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return _refused(c, "unsigned")
        if not (given.isascii() and given.startswith("v1=") and len(given) <= 200):
            return _refused(c, "unsigned")
        if abs(c.clock() - int(timestamp)) > WINDOW_S:
            return _refused(c, "stale")
        try:
            signed, signer = await _signer(c, timestamp, body, given)
            if not signed:
                return _refused(c, "bad signature")
            with redis_errors("checking an event for replay"):
                first = await c.redis.set(c.keys.events_replay(given), b"1", nx=True,
                                          ex=EVENTS_REPLAY_TTL)
            if not first:
                return _refused(c, "replayed")
            try:
                event = EventBody.model_validate_json(body)
            except ValidationError:
                return JSONResponse({"ok": False, "error": "not an event"}, status_code=400)
            places = await _workspaces(c, event, signer)
            if event.test:
                for ws in places:
                    with redis_errors("recording a test event"):
                        await c.redis.set(c.keys.events_test(ws.enterprise_id, ws.team_id),
                                          str(c.clock()), ex=EVENTS_TEST_TTL)
                c.metrics.servicenow_events.labels(outcome="test").inc()
                return JSONResponse({"ok": True})
        except errors.StoreError as exc:
            log.warning("ServiceNow event not taken: %s", exc.detail)
            return JSONResponse({"ok": False}, status_code=503)
        if event.table != "incident" or not event.sys_id:
            return JSONResponse({"ok": True, "ignored": True})
        c.metrics.servicenow_events.labels(outcome="accepted").inc()
        notifier = Notifier(c)
        for ws in places:
            c.work.spawn(notifier.on_event(ws.enterprise_id, ws.team_id, event.sys_id),
                         name="servicenow-event")
        return JSONResponse({"ok": True})

    return [Route("/servicenow/events", servicenow_events, methods=["POST"])]
