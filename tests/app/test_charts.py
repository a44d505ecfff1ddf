"""The feedback chart route: signed, expiring, aggregates only, a real PNG."""

from __future__ import annotations

import struct
import time
import zlib
from urllib.parse import parse_qs, urlsplit

from bot.charts import HEIGHT, WIDTH, ChartWeek, signed_chart_url
from snowbot_sandbox.harness import BotHarness

WEEKS = [ChartWeek(5, 3.8), ChartWeek(0, None), ChartWeek(7, 4.6), ChartWeek(1, 1.0)]


def _url(bot: BotHarness, *, now: float | None = None) -> str:
    url = signed_chart_url(
        settings=bot.container.settings,
        team_id="T0SANDBOX",
        weeks=WEEKS,
        now=time.time() if now is None else now,
    )
    assert url is not None
    return url


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    found = []
    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        data = png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        found.append((kind, data))
        at += 12 + length
    return found


async def test_a_signed_url_serves_a_png_of_the_stated_size(bot: BotHarness) -> None:
    """A freshly signed chart URL answers a valid PNG with its IHDR size."""
    response = await bot.http.get(_url(bot))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    png = response.content
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks = _chunks(png)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth, colour) == (WIDTH, HEIGHT, 8, 2)
    raw = zlib.decompress(chunks[1][1])
    assert len(raw) == height * (1 + width * 3)


async def test_a_tampered_url_is_refused_with_403(bot: BotHarness) -> None:
    """Changing the weeks of a signed URL gets 403 and no picture."""
    url = _url(bot).replace("w=5%3A38", "w=50%3A50")
    assert "w=50%3A50" in url
    response = await bot.http.get(url)
    assert response.status_code == 403
    assert not response.content.startswith(b"\x89PNG")


async def test_an_expired_url_is_gone_with_410(bot: BotHarness) -> None:
    """A URL signed more than an hour ago answers 410."""
    response = await bot.http.get(_url(bot, now=time.time() - 7200))
    assert response.status_code == 410


async def test_the_url_carries_only_aggregates(bot: BotHarness) -> None:
    """The chart URL holds the team, weekly numbers, expiry and signature, nothing personal."""
    url = _url(bot)
    query = parse_qs(urlsplit(url).query)
    assert set(query) == {"t", "w", "exp", "sig"}
    assert query["w"] == ["5:38,0:,7:46,1:10"]
    assert "U0" not in url
    assert "@" not in url
