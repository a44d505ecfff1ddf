"""The feedback chart: a PNG bar chart served at a signed, expiring URL.

Slack fetches an ImageBlock's picture itself, without Slack credentials, so the
admin's chart cannot sit behind a login. Instead the URL carries everything the
picture shows and a signature over it:

    GET /charts/feedback.png?t=<team>&w=<weeks>&exp=<unix seconds>&sig=<hex HMAC-SHA256>

``w`` is one ``count:average×10`` pair per week, oldest first (``5:38,0:,7:46``: five
ratings averaging 3.8, an empty week, seven averaging 4.6). The route reads nothing
else: no Redis, no names, no comments; it only draws the numbers it was given, and
only when the signature is right (else 403) and ``exp`` has not passed (else 410).
The signing key is derived from the encryption keys (HMAC with a fixed label, so the
keys themselves never sign anything that leaves the process); every configured key
verifies, so a rotation does not break a published home tab before it expires.

The PNG is written in pure Python (``zlib`` + ``struct``): count bars with the
count above each, a tick at each week's average (on a 0–5 scale), and axes.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from bot.container import Container
    from bot.settings import Settings

CHART_PATH = "/charts/feedback.png"
CHART_TTL = 3600  # seconds a signed chart URL stays valid
MAX_WEEKS = 26
MAX_COUNT = 1_000_000
_LABEL = b"snowbot/charts/feedback/v1"

WIDTH, HEIGHT = 560, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 36, 16, 24, 20
_BACKGROUND = (255, 255, 255)
_AXIS = (90, 90, 90)
_GRID = (230, 230, 230)
_BAR = (74, 144, 217)
_AVERAGE = (232, 125, 30)
_INK = (40, 40, 40)


class ChartError(ValueError):
    """A chart URL that is malformed, tampered with (``status`` 403) or expired (410)."""

    def __init__(self, detail: str, *, status: int) -> None:
        super().__init__(detail)
        self.status = status


@dataclass(frozen=True)
class ChartWeek:
    """What the chart shows of one week: how many ratings, and their average (1–5)."""

    count: int
    average: float | None


# --- signing -------------------------------------------------------------------------


def chart_keys(settings: Settings) -> list[bytes]:
    """Signing keys, newest first, derived from the encryption keys (or the signing secret)."""
    secrets = [key.get_secret_value() for key in settings.encryption_keys]
    if not secrets and settings.slack_signing_secret is not None:
        secrets = [settings.slack_signing_secret.get_secret_value()]
    return [hmac.new(secret.encode(), _LABEL, hashlib.sha256).digest() for secret in secrets]


def encode_weeks(weeks: Sequence[ChartWeek]) -> str:
    """The ``w`` parameter: ``count:average×10`` per week (empty average when no ratings)."""
    parts = []
    for week in weeks[-MAX_WEEKS:]:
        average = "" if week.average is None or week.count == 0 else str(round(week.average * 10))
        parts.append(f"{max(week.count, 0)}:{average}")
    return ",".join(parts)


def decode_weeks(value: str) -> list[ChartWeek]:
    """The weeks of a ``w`` parameter (``ChartError`` 400 when it is not one)."""
    weeks: list[ChartWeek] = []
    parts = value.split(",") if value else []
    if not parts or len(parts) > MAX_WEEKS:
        raise ChartError("wrong number of weeks", status=400)
    for part in parts:
        count_text, sep, average_text = part.partition(":")
        if not sep or not count_text.isdigit() or (average_text and not average_text.isdigit()):
            raise ChartError("malformed week", status=400)
        count = int(count_text)
        average = int(average_text) / 10 if average_text else None
        if count > MAX_COUNT or (average is not None and not 1 <= average <= 5):
            raise ChartError("week out of range", status=400)
        weeks.append(ChartWeek(count=count, average=average))
    return weeks


def _signature(key: bytes, *, team: str, weeks: str, expires: int) -> str:
    message = f"{team}\n{weeks}\n{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signed_chart_url(
    *, settings: Settings, team_id: str, weeks: Sequence[ChartWeek], now: float
) -> str | None:
    """The chart's URL, valid for ``CHART_TTL`` seconds; None when there is no key."""
    keys = chart_keys(settings)
    if not keys:
        return None
    encoded = encode_weeks(weeks)
    expires = int(now) + CHART_TTL
    sig = _signature(keys[0], team=team_id, weeks=encoded, expires=expires)
    query = urlencode({"t": team_id, "w": encoded, "exp": str(expires), "sig": sig})
    return f"{settings.public_url.rstrip('/')}{CHART_PATH}?{query}"


def verify_chart_query(
    params: dict[str, str], *, keys: Sequence[bytes], now: float
) -> list[ChartWeek]:
    """The weeks a chart URL carries, once its signature and expiry are checked."""
    team, weeks, expires_text, sig = (params.get(k, "") for k in ("t", "w", "exp", "sig"))
    if not (team and weeks and expires_text.isdigit() and sig):
        raise ChartError("missing parameters", status=400)
    expires = int(expires_text)
    if not any(
        hmac.compare_digest(_signature(key, team=team, weeks=weeks, expires=expires), sig)
        for key in keys
    ):
        raise ChartError("bad signature", status=403)
    if now > expires:
        raise ChartError("expired", status=410)
    return decode_weeks(weeks)


# --- drawing -------------------------------------------------------------------------

# 3×5 digits, one string of 15 bits per glyph (rows top to bottom).
_DIGITS = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001001001001",
    "8": "111101111101111",
    "9": "111101111001111",
}
_SCALE = 2  # each font pixel drawn as 2×2


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(_BACKGROUND) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        """Fill [x0, x1) × [y0, y1), clipped to the canvas."""
        x0, x1 = max(x0, 0), min(x1, self.width)
        y0, y1 = max(y0, 0), min(y1, self.height)
        if x0 >= x1:
            return
        row = bytes(colour) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start : start + len(row)] = row

    def number(self, value: int, *, centre_x: int, bottom: int) -> None:
        text = str(value)
        glyph_w = 3 * _SCALE
        total = len(text) * (glyph_w + _SCALE) - _SCALE
        x = centre_x - total // 2
        top = bottom - 5 * _SCALE
        for char in text:
            bits = _DIGITS[char]
            for i, bit in enumerate(bits):
                if bit == "1":
                    gx, gy = x + (i % 3) * _SCALE, top + (i // 3) * _SCALE
                    self.rect(gx, gy, gx + _SCALE, gy + _SCALE, _INK)
            x += glyph_w + _SCALE

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * stride : (y + 1) * stride]) for y in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"".join(
            (
                b"\x89PNG\r\n\x1a\n",
                _chunk(b"IHDR", header),
                _chunk(b"IDAT", zlib.compress(raw, 6)),
                _chunk(b"IEND", b""),
            )
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def render_chart(weeks: Sequence[ChartWeek]) -> bytes:
    """A PNG: one bar per week (height: count), a tick at its average (0–5), and axes."""
    canvas = _Canvas(WIDTH, HEIGHT)
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    base = _TOP + plot_h
    for level in range(1, 6):  # grid lines for averages 1..5
        y = base - plot_h * level // 5
        canvas.rect(_LEFT, y, _LEFT + plot_w, y + 1, _GRID)
    most = max((week.count for week in weeks), default=0) or 1
    slot = plot_w // max(len(weeks), 1)
    bar_w = max(slot * 3 // 5, 2)
    for index, week in enumerate(weeks):
        x0 = _LEFT + index * slot + (slot - bar_w) // 2
        height = (plot_h - 14) * week.count // most
        canvas.rect(x0, base - height, x0 + bar_w, base, _BAR)
        canvas.number(week.count, centre_x=x0 + bar_w // 2, bottom=base - height - 3)
        if week.average is not None and week.count:
            y = base - round(plot_h * week.average / 5)
            canvas.rect(x0 - 3, y - 2, x0 + bar_w + 3, y + 2, _AVERAGE)
    canvas.rect(_LEFT - 1, _TOP, _LEFT + 1, base + 1, _AXIS)  # y axis
    canvas.rect(_LEFT - 1, base, _LEFT + plot_w, base + 2, _AXIS)  # x axis
    canvas.number(5, centre_x=_LEFT - 12, bottom=_TOP + 5)  # top of the average scale
    canvas.number(0, centre_x=_LEFT - 12, bottom=base)
    return canvas.png()


# --- the route -----------------------------------------------------------------------


def chart_routes(container: Container) -> list[Route]:
    """``GET /charts/feedback.png``: the chart a signed URL describes."""
    keys = chart_keys(container.settings)

    async def feedback_chart(request: Request) -> Response:
        params = {k: request.query_params.get(k, "") for k in ("t", "w", "exp", "sig")}
        try:
            weeks = verify_chart_query(params, keys=keys, now=container.clock())
        except ChartError as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)
        return Response(
            render_chart(weeks),
            media_type="image/png",
            headers={
                "Cache-Control": "private, max-age=300",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [Route(CHART_PATH, feedback_chart, methods=["GET"])]
