"""The shared HTTP client and the translation of transport failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from bot.servicenow.http import open_http_client, parse_retry_after, transport_error, was_sent
from bot.settings import Settings


async def test_the_shared_client_never_follows_redirects_or_reads_the_environment() -> None:
    """The client is built from Settings only: no redirects, no env, the configured time-out."""
    client = open_http_client(Settings.for_tests(servicenow_timeout=1.5))
    async with client:
        assert client.follow_redirects is False
        assert client.trust_env is False
        assert client.timeout.read == 1.5
        assert client.timeout.connect == 1.5


async def test_a_proxy_from_settings_carries_https_calls() -> None:
    """HTTPS_PROXY receives a CONNECT for an https:// instance; a refusal is a proxy error."""
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readline())
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings.for_tests(https_proxy=f"http://127.0.0.1:{port}")
    async with server, open_http_client(settings) as client:
        with pytest.raises(httpx.ProxyError) as caught:
            await client.get("https://dev1.service-now.com/api/now/v2/table/incident")
    assert seen == [b"CONNECT dev1.service-now.com:443 HTTP/1.1\r\n"]
    assert transport_error(caught.value, operation="op").detail == "op: proxy error"


def test_a_missing_ca_file_fails_at_start() -> None:
    """A configured SSL_CERT_FILE that does not exist is an error when the client opens."""
    with pytest.raises(OSError, match="No such file"):
        open_http_client(Settings.for_tests(ssl_cert_file="/nonexistent/ca.pem"))


async def test_clients_share_one_tls_context_for_the_process() -> None:
    """Every client and both of its transports verify with one context, built once."""
    first = open_http_client(Settings.for_tests())
    second = open_http_client(Settings.for_tests())
    async with first, second:
        contexts = {
            id(transport._pool._ssl_context)
            for client in (first, second)
            for transport in client._mounts.values()
            if isinstance(transport, httpx.AsyncHTTPTransport)
        }
    assert len(contexts) == 1


@pytest.mark.parametrize(
    ("exc", "words", "sent"),
    [
        (httpx.ReadTimeout("slow"), "timed out", True),
        (httpx.ConnectTimeout("slow"), "timed out", False),
        (httpx.ConnectError("refused"), "could not connect", False),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"), "TLS error", False),
        (httpx.ProxyError("407"), "proxy error", False),
        (httpx.RemoteProtocolError("reset"), "RemoteProtocolError", True),
    ],
)
def test_transport_failures_become_unavailable(
    exc: httpx.HTTPError, words: str, sent: bool
) -> None:
    """Each transport failure maps to ServiceNowUnavailableError, and says if it was sent."""
    error = transport_error(exc, operation="op")
    assert error.detail == f"op: {words}"
    assert was_sent(exc) is sent


def test_a_huge_retry_after_is_bounded_to_a_day() -> None:
    """A Retry-After too large for a float is read as the longest wait, a day."""
    assert parse_retry_after("9" * 400, now=0.0) == 86_400.0
    assert parse_retry_after("999999", now=0.0) == 86_400.0
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now=0.0) == 86_400.0


def test_retry_after_in_seconds_and_as_a_date() -> None:
    """Retry-After is read as seconds or as an HTTP date; garbage falls back to the default."""
    now = 1_800_000_000.0
    date = format_datetime(datetime.fromtimestamp(now + 30, tz=UTC), usegmt=True)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(date, now=now) == 30.0
    assert parse_retry_after("soon", now=now) == 1.0
    assert parse_retry_after(None, now=now) == 1.0
