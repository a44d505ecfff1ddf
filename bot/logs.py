"""Structured logging with a request id on every line and secrets redacted.

``configure_logging`` installs one handler on the root logger with two filters:
``RequestIdFilter`` stamps the current request id (a context variable set by the
Slack middleware and the HTTP routes), and ``RedactionFilter`` masks the configured
secrets and anything shaped like a token before a line is formatted. The filter sits
on the handler, so Bolt's, httpx's, httpcore's and redis' loggers are covered too,
whatever level they run at; it counts what it masks (``redactions``) for tests and
for the ``snowbot_log_redactions_total`` metric.
"""

from __future__ import annotations

import contextvars
import json
import logging
import random
import re
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

REDACTED = "[redacted]"

# Token shapes that must never reach a log, whatever the configuration.
_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"xox[abpreo]-[A-Za-z0-9-]+"),
    re.compile(r"xapp-[A-Za-z0-9-]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)(\b(?:access_token|refresh_token|client_secret|code_verifier|token|code|"
        r"password|secret)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"
    ),
    re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}"),  # Fernet ciphertexts
)


# Request ids only tie log lines together: they need to differ, not to be unguessable,
# so a seeded PRNG does (``secrets`` cost a getrandom system call per request).
_request_ids = random.Random()  # noqa: S311 - a log correlation id, never a secret


def new_request_id() -> str:
    """A short random id (12 hex digits) for one request or one unit of background work."""
    return f"{_request_ids.getrandbits(48):012x}"


class RequestIdFilter(logging.Filter):
    """Stamps ``record.request_id`` from the current context."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactionFilter(logging.Filter):
    """Masks secrets in a record's message and arguments, and counts each mask."""

    def __init__(
        self,
        secrets_: Iterable[str] = (),
        *,
        on_redact: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: set[str] = {s for s in secrets_ if s}
        self._on_redact = on_redact
        self.redactions = 0

    def add_secret(self, value: str) -> None:
        """Also mask ``value`` from now on (a client secret entered during setup)."""
        if value and len(value) >= 6:
            with self._lock:
                self._secrets.add(value)

    def redact(self, text: str) -> str:
        """``text`` with every known secret and token shape masked."""
        count = 0
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                count += text.count(secret)
                text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text, n = pattern.subn(_mask, text)
            count += n
        if count:
            with self._lock:
                self.redactions += count
            if self._on_redact is not None:
                self._on_redact(count)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message or record.args:
            record.msg = redacted
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(formatted)
            record.exc_info = None
        return True


def _mask(match: re.Match[str]) -> str:
    if match.lastindex:
        return match.group(1) + REDACTED
    return REDACTED


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, extras."""

    _RESERVED: ClassVar[frozenset[str]] = frozenset(
        vars(logging.LogRecord("", 0, "", 0, "", None, None))
    ) | {"request_id", "message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._RESERVED and not key.startswith("_"):
                payload[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal, still with the request id."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")


def configure_logging(
    *,
    level: str = "INFO",
    secrets_: Iterable[str] = (),
    json_lines: bool = True,
    stream: Any = None,
    on_redact: Callable[[int], None] | None = None,
) -> RedactionFilter:
    """Install the root handler with request ids and redaction; return the redaction filter.

    Libraries that log request bodies or URLs (Bolt, httpx, httpcore, redis, aiohttp)
    are kept at WARNING unless ``level`` is DEBUG, and redacted either way.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_snowbot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._snowbot = True  # type: ignore[attr-defined]
    redaction = RedactionFilter(secrets_, on_redact=on_redact)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(redaction)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet = level.upper() != "DEBUG"
    for name in ("slack_bolt", "slack_sdk", "httpx", "httpcore", "redis", "aiohttp", "uvicorn"):
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.DEBUG)
    return redaction
