"""The one pooled ``httpx.AsyncClient`` for ServiceNow calls, and the error translation.

``open_http_client(settings)`` is opened once in the composition root and shared by
every ``ServiceNowIncidents`` and ``ServiceNowOAuth``. It never follows redirects
(a 3xx from an instance is an error, never a hop to another host), takes its time-out
from ``SNOWBOT_SERVICENOW_TIMEOUT``, sends ``https://`` calls through ``HTTPS_PROXY``
when one is set, trusts ``SSL_CERT_FILE`` when one is set, and reads nothing else from
the environment (``trust_env=False``: settings are the only reader of the environment).

``transport_error`` turns an httpx exception into ``ServiceNowUnavailableError``
with a short, secret-free detail; ``parse_retry_after`` reads ``Retry-After``.
"""

from __future__ import annotations

import functools
import ssl
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from bot.errors import ServiceNowUnavailableError
from bot.settings import Settings

USER_AGENT = "snowbot/0.1 (+https://github.com/snowbot)"
CONNECT_TIMEOUT_CAP = 2.0
POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30)


@functools.cache
def tls_context(cafile: str | None) -> ssl.SSLContext:
    """One TLS context per CA file for the process: the system's (certifi) when ``None``.

    Building a context loads the whole CA bundle (tens of milliseconds); a context is safe
    to share, so every client and both of its transports use the same one.
    """
    if cafile:
        return ssl.create_default_context(cafile=cafile)
    return httpx.create_ssl_context(trust_env=False)


def open_http_client(settings: Settings, **overrides: Any) -> httpx.AsyncClient:
    """The shared client for ServiceNow: pooled, no redirects, proxy and CA from settings.

    ``overrides`` are passed to ``httpx.AsyncClient`` (tests use ``timeout=``).
    """
    seconds = settings.servicenow_timeout
    timeout = httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT_CAP))
    verify = tls_context(settings.ssl_cert_file or None)
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {
        "https://": httpx.AsyncHTTPTransport(
            verify=verify, proxy=settings.https_proxy, limits=POOL_LIMITS
        ),
        "http://": httpx.AsyncHTTPTransport(verify=verify, limits=POOL_LIMITS),
    }
    options: dict[str, Any] = {
        "timeout": timeout,
        "follow_redirects": False,
        "trust_env": False,
        "mounts": mounts,
        "verify": verify,
        "headers": {"User-Agent": USER_AGENT},
    }
    options.update(overrides)
    return httpx.AsyncClient(**options)


def transport_error(exc: httpx.HTTPError, *, operation: str) -> ServiceNowUnavailableError:
    """``ServiceNowUnavailableError`` for a time-out, refused connection, TLS or proxy error."""
    if isinstance(exc, httpx.TimeoutException):
        kind = "timed out"
    elif isinstance(exc, httpx.ProxyError):
        kind = "proxy error"
    elif isinstance(exc, httpx.ConnectError) and "SSL" in str(exc).upper():
        kind = "TLS error"
    elif isinstance(exc, httpx.ConnectError):
        kind = "could not connect"
    else:
        kind = type(exc).__name__
    # Never str(exc) on a request error in full: its URL could carry a query.
    return ServiceNowUnavailableError(f"{operation}: {kind}")


def was_sent(exc: httpx.HTTPError) -> bool:
    """Whether the request may have reached ServiceNow (False only for connect failures)."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.ProxyError)


MAX_RETRY_AFTER = 86_400.0  # a day: any longer wait is read as this one


def parse_retry_after(value: str | None, *, now: float, default: float = 1.0) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date), at most
    ``MAX_RETRY_AFTER`` (a huge value would otherwise be infinite)."""
    if not value:
        return default
    text = value.strip()
    if text.isascii() and text.isdigit():
        return min(float(text), MAX_RETRY_AFTER) if len(text) <= 12 else MAX_RETRY_AFTER
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(when.timestamp() - now, 0.0), MAX_RETRY_AFTER)
