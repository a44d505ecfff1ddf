"""Request bodies over the cap are refused with 413 before anything reads them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.limits import MAX_BODY_BYTES, BodyLimitMiddleware
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.server import serve_app

MB = 1024 * 1024


def _problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records at ERROR, or carrying a traceback."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR or record.exc_info is not None
    ]


@pytest.mark.parametrize("size", [30 * MB, 60 * MB])
async def test_a_huge_body_with_a_content_length_gets_413_and_no_traceback(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, size: int
) -> None:
    """An unsigned 30 MB (or 60 MB) POST to /slack/events is answered 413, nothing logged."""
    caplog.set_level(logging.WARNING)
    response = await bot.http.post(
        f"{bot.bot_url}/slack/events",
        content=b"x" * size,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )
    assert response.status_code == 413
    assert _problems(caplog) == []


async def test_a_chunked_body_over_the_cap_gets_413_while_streaming(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """A body sent in chunks without a Content-Length is cut off at the cap with 413."""
    caplog.set_level(logging.WARNING)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b"y" * MB

    response = await bot.http.post(
        f"{bot.bot_url}/slack/events",
        content=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert _problems(caplog) == []


async def test_a_body_within_the_cap_still_reaches_the_signature_check(bot: BotHarness) -> None:
    """An unsigned body just under the cap is read and refused by Bolt's check (401)."""
    response = await bot.http.post(
        f"{bot.bot_url}/slack/events",
        content=b"z" * (MAX_BODY_BYTES - 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401


async def test_a_route_can_have_a_smaller_cap() -> None:
    """A per-route cap (like the 64 KB of POST /servicenow/events) applies to that path only."""

    async def echo(request: Request) -> Response:
        return PlainTextResponse(str(len(await request.body())))

    routes = [Route(path, echo, methods=["POST"]) for path in ("/small", "/large")]
    app = BodyLimitMiddleware(Starlette(routes=routes), limits={"/small": 64 * 1024})
    async with serve_app(app) as url, httpx.AsyncClient() as client:
        small = await client.post(f"{url}/small", content=b"a" * (70 * 1024))
        large = await client.post(f"{url}/large", content=b"a" * (70 * 1024))
    assert small.status_code == 413
    assert large.text == str(70 * 1024)
