"""``python -m bench.ack``: signed ``/snow help`` acks, snowbot against bare Bolt, one run.

Both servers run as their own processes on the same stack (uvicorn, Starlette, Bolt
with signature verification): ``snowbot serve`` against a Slack stand-in and the local
Redis, and ``bench.ack.bare``, a Bolt app whose only listener acks ``/snow`` with the
same help message. The load (``bench.ack.load``, in this process) keeps
``--concurrency`` keep-alive connections busy with the same signed request, for
``--seconds`` per round after a warm-up. Each round measures both apps, in the order
A B then B A on the next round, so drift on the shared machine hits both alike.

Prints one line per round: throughput of each and snowbot's share; answers per second
of server CPU (what each app would do on a core of its own, so the figure the other
work on a shared machine disturbs least); and the cores each server and the load
generator used (a server near 1.0 and a load generator well below it means the
server, not the load, set the pace). Then the figures over all rounds (throughput,
p50 and p99 ack latency) and the medians of the per-round ratios. Nothing is
asserted. Linux only (CPU from ``/proc``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from bench.ack.load import Run, load
from bench.servers import (
    ROOT,
    free_port,
    running_snowbot,
    signed_request,
    snow_command_body,
    snowbot_env,
    stop,
    wait_ready,
)

_FORM = "application/x-www-form-urlencoded"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_WARMUP = 0.5  # seconds of load before each round counts


@dataclass(frozen=True)
class Target:
    """One app under load: its name, port and process id."""

    name: str
    port: int
    pid: int


@dataclass(frozen=True)
class Measured:
    """One round of one app: what the load saw, and CPU seconds each side used meanwhile."""

    run: Run
    server_cpu: float
    client_cpu: float

    @property
    def per_cpu_second(self) -> float:
        """Answers per second of the server's CPU: throughput as if it had a core alone."""
        return len(self.run.latencies) / self.server_cpu if self.server_cpu else 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` so far (``/proc/PID/stat``)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


async def _measure(target: Target, request: bytes, *, concurrency: int, seconds: float) -> Measured:
    running = asyncio.create_task(
        load(target.port, request, concurrency=concurrency, seconds=seconds, warmup=_WARMUP)
    )
    await asyncio.sleep(_WARMUP)  # CPU is counted over the measured seconds only
    client, server = time.process_time(), cpu_seconds(target.pid)
    run = await running
    return Measured(
        run=run,
        server_cpu=cpu_seconds(target.pid) - server,
        client_cpu=time.process_time() - client,
    )


def measure(target: Target, body: bytes, *, concurrency: int, seconds: float) -> Measured:
    """One round against ``target``, signed now (Bolt refuses stale timestamps)."""
    request = signed_request(target.port, body, _FORM)
    return asyncio.run(_measure(target, request, concurrency=concurrency, seconds=seconds))


def _merge(runs: list[Run]) -> Run:
    merged = Run()
    for run in runs:
        merged.latencies += run.latencies
        merged.failures += run.failures
        merged.seconds += run.seconds
    return merged


def _line(name: str, run: Run) -> str:
    return (
        f"{name:10s} {run.throughput:8.0f} req/s   p50 {1000 * run.percentile(0.5):6.1f} ms   "
        f"p99 {1000 * run.percentile(0.99):6.1f} ms   answered {len(run.latencies)}"
        f"   failed {run.failures}"
    )


def _ratio(snowbot: Run, bolt: Run) -> float:
    return _share(snowbot.throughput, bolt.throughput)


def _share(snowbot: float, bolt: float) -> float:
    return snowbot / bolt if bolt else float("nan")


def main() -> int:
    """Measure both apps and print the comparison."""
    parser = argparse.ArgumentParser(prog="python -m bench.ack")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=2.0, help="per round and app")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    rounds: list[dict[str, Measured]] = []
    with running_snowbot() as snow:
        bare_port = free_port()
        bare = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "bench.ack.bare", str(bare_port)],
            env=snowbot_env(bare_port, snow.slack_port),
            cwd=ROOT,
        )
        try:
            # The bare app has no /readyz: any answer on its route means it listens.
            wait_ready(f"http://127.0.0.1:{bare_port}/healthz", bare, any_status=True)
            body = snow_command_body("help", response_url=f"{snow.base}/nowhere")
            targets = [
                Target("snowbot", snow.port, snow.pid),
                Target("bare Bolt", bare_port, bare.pid),
            ]
            print(
                f"signed /snow help, concurrency {args.concurrency}, {args.rounds} rounds of "
                f"{args.seconds:g} s per app, order alternating (A B, B A, ...)",
                flush=True,
            )
            for number in range(args.rounds):
                order = targets if number % 2 == 0 else targets[::-1]
                measured = {
                    t.name: measure(
                        t, body, concurrency=args.concurrency, seconds=args.seconds
                    )
                    for t in order
                }
                rounds.append(measured)
                print(_round_line(number + 1, measured), flush=True)
        finally:
            stop(bare)
    snowbot = _merge([r["snowbot"].run for r in rounds])
    bolt = _merge([r["bare Bolt"].run for r in rounds])
    print(_line("snowbot", snowbot))
    print(_line("bare Bolt", bolt))
    ratios = [_ratio(r["snowbot"].run, r["bare Bolt"].run) for r in rounds]
    per_cpu = [_share(r["snowbot"].per_cpu_second, r["bare Bolt"].per_cpu_second) for r in rounds]
    print(
        f"snowbot / bare Bolt throughput: median {statistics.median(ratios):.2f}x over "
        f"{len(ratios)} rounds (all rounds together {_ratio(snowbot, bolt):.2f}x); "
        f"per server CPU second: median {statistics.median(per_cpu):.2f}x"
    )
    return 0


def _round_line(number: int, measured: dict[str, Measured]) -> str:
    snowbot, bolt = measured["snowbot"], measured["bare Bolt"]
    return (
        f"round {number}: snowbot {snowbot.run.throughput:5.0f} req/s, "
        f"bare Bolt {bolt.run.throughput:5.0f} req/s, "
        f"ratio {_ratio(snowbot.run, bolt.run):.2f}; per server CPU second "
        f"{snowbot.per_cpu_second:5.0f} vs {bolt.per_cpu_second:5.0f}; "
        f"cores server/load: snowbot {_cores(snowbot)}, bare {_cores(bolt)}"
    )


def _cores(measured: Measured) -> str:
    seconds = measured.run.seconds
    return f"{measured.server_cpu / seconds:.2f}/{measured.client_cpu / seconds:.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
