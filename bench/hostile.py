"""Hostile traffic against a real ``snowbot serve``: ``python -m bench.hostile``.

Starts ``snowbot serve`` (this interpreter's ``python -m bot serve``) on a free HTTP
port, against the sandbox ServiceNow and the Slack stand-in (both served in this
process on loopback) and the Redis on 127.0.0.1:6379 under a throwaway key prefix,
then:

1. sends a signed direct message of 40,000 characters built from long runs of
   separators (the text that made the end-anchored patterns backtrack), while a
   second connection polls ``/healthz`` every few milliseconds; prints the worst and
   p99 ``/healthz`` latency and how long the DM took to be answered (the bot's
   ``chat.postMessage`` reaching the stand-in);
2. sends an unsigned 30 MB POST to ``/slack/events``; prints the status and the
   server's peak resident memory (``VmHWM`` from ``/proc/PID/status``) before and after.

It prints figures and asserts nothing (tests never time things).
Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from snowbot_sandbox.server import serve_app
from snowbot_sandbox.servicenow import ServiceNowSandbox
from snowbot_sandbox.slack import ApiCall, SlackDriver, SlackSandbox

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "bench-hostile-signing-secret"  # noqa: S105 - a throwaway local value
BOT_TOKEN = "xoxb-bench-hostile"  # noqa: S105 - the stand-in's own token
CLIENT_ID = "snowbot-bench"
CLIENT_SECRET = "bench-client-secret-0451"  # noqa: S105 - the sandbox's own client
USER = "U0ABEL"
DM_CHARS = 40_000
HUGE_BODY = 30 * 1024 * 1024
POLL_EVERY = 0.005  # seconds between /healthz requests


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hostile_text(length: int = DM_CHARS) -> str:
    """Words, then one long run of separators (`` -,``) that does not reach the end of
    the text: what made the intent engine's end-anchored patterns backtrack."""
    head = "my laptop is broken"
    body = (" -," * (length // 3 + 1))[: length - len(head) - 1]
    return f"{head}{body}x"


def status_kib(pid: int, field: str) -> int:
    """One ``kB`` field of ``/proc/PID/status`` (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


@contextlib.asynccontextmanager
async def snowbot_serve(env: dict[str, str], base: str) -> AsyncIterator[int]:
    """``python -m bot serve`` with ``env`` until the block ends; yields its pid once
    ``/readyz`` answers 200."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            for _ in range(600):
                if process.returncode is not None:
                    msg = f"snowbot serve exited with {process.returncode}"
                    raise RuntimeError(msg)
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{base}/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.2)
            else:
                msg = "snowbot serve did not become ready in 120 s"
                raise RuntimeError(msg)
        yield process.pid
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=60)


async def poll_healthz(base: str, stop: asyncio.Event, latencies: list[float]) -> None:
    """GET /healthz on its own connection every ``POLL_EVERY`` s until ``stop``."""
    async with httpx.AsyncClient(timeout=1800) as client:  # a stall is what we measure
        while not stop.is_set():
            started = time.perf_counter()
            await client.get(f"{base}/healthz")
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(POLL_EVERY)


def _dm_answer(call: ApiCall) -> bool:
    return call.args.get("channel") == "D" + USER.removeprefix("U")


async def hostile_dm(
    base: str, driver: SlackDriver, slack: SlackSandbox, *, wait: float
) -> None:
    """Part 1: the 40,000-character DM while /healthz is polled."""
    latencies: list[float] = []
    stop = asyncio.Event()
    poller = asyncio.create_task(poll_healthz(base, stop, latencies))
    await asyncio.sleep(0.5)  # a baseline before the DM
    text = hostile_text()
    seen = len(slack.calls)
    started = time.perf_counter()
    ack = await driver.dm(text, user_id=USER)
    acked = time.perf_counter() - started
    try:
        await slack.wait_for_call("chat.postMessage", where=_dm_answer, after=seen,
                                  timeout=wait)
        answered = f"answered in {time.perf_counter() - started:.2f} s"
    except TimeoutError:
        answered = f"NOT answered within {wait:.0f} s"
    await asyncio.sleep(0.5)
    stop.set()
    await poller
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"signed DM of {len(text):,} characters: HTTP {ack.status_code} ack in "
          f"{acked * 1000:.0f} ms, {answered}")
    print(f"/healthz while it ran: {len(latencies)} requests, worst "
          f"{ordered[-1] * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, median "
          f"{statistics.median(ordered) * 1000:.1f} ms")


async def huge_post(base: str, pid: int) -> None:
    """Part 2: an unsigned 30 MB POST and the server's peak-memory growth."""
    rss_before, peak_before = status_kib(pid, "VmRSS"), status_kib(pid, "VmHWM")
    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        response = await client.post(
            f"{base}/slack/events",
            content=b"x" * HUGE_BODY,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        took = time.perf_counter() - started
    await asyncio.sleep(0.5)
    rss_after, peak_after = status_kib(pid, "VmRSS"), status_kib(pid, "VmHWM")
    print(f"unsigned {HUGE_BODY // (1024 * 1024)} MB POST /slack/events: HTTP "
          f"{response.status_code} in {took:.2f} s")
    print(f"server VmHWM (peak) {peak_before / 1024:.1f} -> {peak_after / 1024:.1f} MiB "
          f"(+{(peak_after - peak_before) / 1024:.1f} MiB), VmRSS {rss_before / 1024:.1f} -> "
          f"{rss_after / 1024:.1f} MiB")


async def run(*, dm_timeout: float) -> int:
    """Start everything, run both parts, print the figures."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    slack = SlackSandbox(bot_token=BOT_TOKEN)
    servicenow = ServiceNowSandbox()
    servicenow.register_client(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        redirect_uris=[f"{base}/servicenow/oauth/callback"],
    )
    async with (
        serve_app(slack.app) as slack_url,
        serve_app(servicenow.app) as servicenow_url,
        httpx.AsyncClient(timeout=300) as http,
    ):
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PORT": str(port),
            "SNOWBOT_METRICS_PORT": "0",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "SNOWBOT_REDIS_PREFIX": f"snowbot-hostile-{secrets.token_hex(4)}",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": f"{slack_url}/api/",
            "SNOWBOT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SNOWBOT_PUBLIC_URL": base,
            "SERVICENOW_INSTANCE": servicenow_url,
            "SERVICENOW_CLIENT_ID": CLIENT_ID,
            "SERVICENOW_CLIENT_SECRET": CLIENT_SECRET,
            "SNOWBOT_ALLOW_INSECURE_INSTANCE": "true",
            "SNOWBOT_LOG_LEVEL": "WARNING",
        }
        async with snowbot_serve(env, base) as pid:
            driver = SlackDriver(
                bot_url=f"{base}/slack/events", signing_secret=SIGNING_SECRET, slack=slack,
                slack_url=slack_url, http=http,
            )
            seen = len(slack.calls)
            await driver.dm("hi", user_id=USER)  # warm-up: the first answer loads lazily
            await slack.wait_for_call("chat.postMessage", where=_dm_answer, after=seen,
                                      timeout=60)
            print(f"snowbot serve (pid {pid}) on {base}, ready")
            await hostile_dm(base, driver, slack, wait=dm_timeout)
            await huge_post(base, pid)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.hostile [--dm-timeout SECONDS]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__)
    parser.add_argument("--dm-timeout", type=float, default=600.0,
                        help="how long to wait for the DM's answer (default 600 s)")
    args = parser.parse_args(argv)
    return asyncio.run(run(dm_timeout=args.dm_timeout))


if __name__ == "__main__":
    sys.exit(main())
