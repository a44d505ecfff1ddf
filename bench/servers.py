"""Real servers for the benchmarks: ``snowbot serve`` and a Slack stand-in, as processes.

``running_snowbot()`` starts the Slack stand-in (``python -m snowbot_sandbox.slack``) and
``snowbot serve`` (this interpreter's ``python -m bot serve``) against the Redis on
127.0.0.1:6379 under a throwaway key prefix, waits for ``/readyz`` and stops both on
exit (SIGTERM, as Kubernetes would). ``signed_request`` builds the exact bytes of a
Slack-signed POST to ``/slack/events``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 - a throwaway local value
TEAM_ID = "T0SANDBOX"
READY_WITHIN_S = 120.0


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 10.0) -> int:
    """The status of a GET on loopback."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
        response.read()
        return int(response.status)


def wait_ready(
    url: str, process: subprocess.Popen[bytes], *, any_status: bool = False
) -> None:
    """Block until ``url`` answers 200 (any status with ``any_status``), or fail when the
    process ends or time runs out."""
    deadline = time.monotonic() + READY_WITHIN_S
    while True:
        try:
            if get(url) == 200:
                return
        except urllib.error.HTTPError:
            if any_status:
                return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            msg = f"{url} did not become ready"
            raise RuntimeError(msg)
        time.sleep(0.2)


def signed_request(
    port: int, body: bytes, content_type: str, *, path: str = "/slack/events"
) -> bytes:
    """The raw HTTP/1.1 bytes of a Slack-signed POST (keep-alive)."""
    ts = str(int(time.time()))
    digest = hmac.new(
        SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: v0={digest}\r\n\r\n"
    )
    return head.encode() + body


def snow_command_body(text: str, *, response_url: str) -> bytes:
    """The form body of ``/snow <text>`` from the seeded user Abel in his DM."""
    return urllib.parse.urlencode(
        {
            "team_id": TEAM_ID,
            "user_id": "U0ABEL",
            "channel_id": "D0ABEL",
            "command": "/snow",
            "text": text,
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    ).encode()


@dataclass(frozen=True)
class Servers:
    """The running snowbot and its Slack stand-in."""

    port: int
    slack_port: int
    pid: int

    @property
    def base(self) -> str:
        """snowbot's base URL."""
        return f"http://127.0.0.1:{self.port}"


def snowbot_env(port: int, slack_port: int) -> dict[str, str]:
    """The environment of a benchmarked ``snowbot serve``."""
    return {
        **os.environ,
        "PORT": str(port),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SNOWBOT_REDIS_PREFIX": f"snowbot-bench-{secrets.token_hex(4)}",
        "SLACK_BOT_TOKEN": "xoxb-placeholder",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{slack_port}/api/",
        "SNOWBOT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SNOWBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SNOWBOT_LOG_LEVEL": "WARNING",
        "SNOWBOT_METRICS_PORT": "0",
    }


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Ask a process to stop and wait for it."""
    if process.poll() is None:
        process.send_signal(sig)
        process.wait(timeout=60)


@contextlib.contextmanager
def running_snowbot() -> Iterator[Servers]:
    """``snowbot serve`` and a Slack stand-in, ready, stopped on exit."""
    port, slack_port = free_port(), free_port()
    slack = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "snowbot_sandbox.slack", "--port", str(slack_port),
         "--token", "xoxb-placeholder"],
        cwd=ROOT, stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], env=snowbot_env(port, slack_port), cwd=ROOT
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}/readyz", server)
        yield Servers(port=port, slack_port=slack_port, pid=server.pid)
    finally:
        stop(server)
        stop(slack, signal.SIGINT)
