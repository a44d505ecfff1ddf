"""A small keep-alive HTTP/1.1 load generator on raw asyncio streams.

httpx or aiohttp would spend more CPU per request than the servers measured, on a
2-core machine where client and server share the cores; raw streams with one
prebuilt request per connection keep the client's share small. Each of ``concurrency``
connections sends the same signed request back to back and times every answer.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Run:
    """What one load run saw: per-request latencies (s), failures and the wall time."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        """Answered requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """The latency below which ``share`` of the answers came, in seconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    port: int, request: bytes, *, until: float, run: Run, warm_until: float
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            started = time.perf_counter()
            if started >= until:
                return
            writer.write(request)
            await writer.drain()
            status = await _read_response(reader)
            if started < warm_until:
                continue
            if status == 200:
                run.latencies.append(time.perf_counter() - started)
            else:
                run.failures += 1
    finally:
        writer.close()


async def load(
    port: int, request: bytes, *, concurrency: int, seconds: float, warmup: float = 1.0
) -> Run:
    """Send ``request`` on ``concurrency`` connections for ``warmup`` + ``seconds``."""
    run = Run()
    start = time.perf_counter()
    warm_until = start + warmup
    until = warm_until + seconds
    await asyncio.gather(
        *(
            _connection(port, request, until=until, run=run, warm_until=warm_until)
            for _ in range(concurrency)
        )
    )
    run.seconds = time.perf_counter() - warm_until
    return run
