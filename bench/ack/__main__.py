"""``python -m bench.ack``: signed ``/snow help`` acks, snowbot against bare Bolt, one run.

Both servers run as their own processes on the same stack (uvicorn, Starlette, Bolt
with signature verification): ``snowbot serve`` against a Slack stand-in and the local
Redis, and ``bench.ack.bare``, a Bolt app whose only listener acks ``/snow`` with the
same help message. The load (``bench.ack.load``) keeps ``--concurrency`` keep-alive
connections busy with one signed request each, for ``--seconds`` per round, rounds
alternating between the two apps so drift on the machine hits both alike. Prints
throughput, p50 and p99 ack latency of each, and snowbot's share of bare Bolt's
throughput. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys

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


def main() -> int:
    """Measure both apps and print the comparison."""
    parser = argparse.ArgumentParser(prog="python -m bench.ack")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round")
    parser.add_argument("--rounds", type=int, default=3, help="per app")
    args = parser.parse_args()

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
            targets = {
                "snowbot": (snow.port, signed_request(snow.port, body, _FORM)),
                "bare Bolt": (bare_port, signed_request(bare_port, body, _FORM)),
            }
            runs: dict[str, list[Run]] = {name: [] for name in targets}
            for _ in range(args.rounds):
                for name, (port, request) in targets.items():
                    run = asyncio.run(
                        load(port, request, concurrency=args.concurrency, seconds=args.seconds)
                    )
                    runs[name].append(run)
        finally:
            stop(bare)
    snowbot, bolt = _merge(runs["snowbot"]), _merge(runs["bare Bolt"])
    print(
        f"signed /snow help, concurrency {args.concurrency}, {args.rounds} x {args.seconds:g} s "
        "per app, rounds alternating"
    )
    print(_line("snowbot", snowbot))
    print(_line("bare Bolt", bolt))
    ratio = snowbot.throughput / bolt.throughput if bolt.throughput else float("nan")
    print(f"snowbot / bare Bolt throughput: {ratio:.2f}x")
    return 0


_FORM = "application/x-www-form-urlencoded"

if __name__ == "__main__":
    raise SystemExit(main())
