"""The audit trail: who connected, disconnected, changed setup or wrote to ServiceNow.

``AuditLog.record`` does two things for every event: it emits one structured log line
on the ``snowbot.audit`` logger (what an operator ships to a SIEM; it is emitted
first, so it exists even when Redis is down), and appends the event to a bounded
Redis stream (``XADD MAXLEN ~ AUDIT_STREAM_MAXLEN``) that the bot itself can show
(``recent``). Field names that smell of secrets are refused (a bug in the caller),
and string values pass through the same redaction as the logs, so a token can never
be recorded by accident.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis

from bot.logs import RedactionFilter
from bot.models import SlackUser
from bot.store.guard import redis_errors, text
from bot.store.keys import AUDIT_STREAM_MAXLEN, Keys

audit_logger = logging.getLogger("snowbot.audit")

AuditValue = str | int | float | bool | None
Clock = Callable[[], float]

_SECRET_FIELD = re.compile(
    r"(?i)(token|secret|password|passwd|verifier|cookie|nonce|authorization|credential|^code$)"
)
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")


class AuditEvent(BaseModel):
    """One recorded event, as read back from the stream."""

    model_config = ConfigDict(frozen=True)

    id: str
    event: str
    at: float
    enterprise_id: str | None
    team_id: str
    user_id: str
    fields: dict[str, AuditValue]


class AuditLog:
    """Records audit events to the log and a bounded stream."""

    def __init__(
        self,
        redis: Redis,
        *,
        keys: Keys,
        clock: Clock = time.time,
        maxlen: int = AUDIT_STREAM_MAXLEN,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._maxlen = maxlen
        self._redaction = RedactionFilter()

    def _clean(self, fields: dict[str, AuditValue]) -> dict[str, AuditValue]:
        cleaned: dict[str, AuditValue] = {}
        for name, value in fields.items():
            if _SECRET_FIELD.search(name):
                msg = f"audit field {name!r} looks like a secret: audit events never carry one"
                raise ValueError(msg)
            cleaned[name] = self._redaction.redact(value) if isinstance(value, str) else value
        return cleaned

    async def record(self, event: str, *, user: SlackUser, **fields: AuditValue) -> str:
        """Log and append one event (``connect``, ``setup.changed``, ``incident.create`` ...).

        Returns the stream id. The log line is written before the stream append, so a
        ``StoreError`` from a Redis that is down still leaves the event in the logs.
        """
        if not _EVENT_NAME.match(event):
            msg = f"audit event name {event!r} is not a lower-case dotted name"
            raise ValueError(msg)
        cleaned = self._clean(fields)
        at = self._clock()
        extra: dict[str, Any] = {
            "audit_event": event,
            "enterprise": user.enterprise_id or "-",
            "team": user.team_id,
            "slack_user": user.user_id,
        }
        extra.update({f"audit_{name}": value for name, value in cleaned.items()})
        audit_logger.info("audit %s", event, extra=extra)
        entry = {
            "event": event,
            "at": repr(at),
            "enterprise": user.enterprise_id or "-",
            "team": user.team_id,
            "user": user.user_id,
            "fields": json.dumps(cleaned, separators=(",", ":"), sort_keys=True),
        }
        with redis_errors("appending to the audit stream"):
            stream_id = await self._redis.xadd(
                self._keys.audit_stream(),
                entry,  # type: ignore[arg-type]  # a str-to-str mapping is what XADD takes
                maxlen=self._maxlen,
                approximate=True,
            )
        return str(text(stream_id))

    async def recent(self, n: int = 50) -> list[AuditEvent]:
        """The ``n`` latest events, newest first."""
        with redis_errors("reading the audit stream"):
            rows = await self._redis.xrevrange(self._keys.audit_stream(), count=n)
        events: list[AuditEvent] = []
        for stream_id, raw in rows or []:
            entry = {str(text(k)): str(text(v)) for k, v in (raw or {}).items()}
            enterprise = entry.get("enterprise", "-")
            events.append(
                AuditEvent(
                    id=str(text(stream_id)),
                    event=entry.get("event", ""),
                    at=float(entry.get("at", "0")),
                    enterprise_id=None if enterprise == "-" else enterprise,
                    team_id=entry.get("team", ""),
                    user_id=entry.get("user", ""),
                    fields=json.loads(entry.get("fields", "{}")),
                )
            )
        return events
