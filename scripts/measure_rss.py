"""Resident memory of a warmed-up ``snowbot serve``: ``python scripts/measure_rss.py``.

Starts ``snowbot serve`` (the same interpreter's ``python -m bot serve``) against the
Redis on 127.0.0.1:6379 with a throwaway key prefix and placeholder Slack values,
waits for ``/readyz``, warms it up with ``/healthz``, ``/metrics`` signed
``/snow help`` commands and DMs (the bot answers through a local Slack stand-in, ``python
-m snowbot_sandbox.slack``), then prints
VmRSS and VmHWM from ``/proc/PID/status`` (Linux) and stops it with SIGTERM.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "measure-rss-signing-secret"  # noqa: S105 - a throwaway local value
ROUNDS = 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        response.read()
        return int(response.status)


def _signed(base: str, body: bytes, content_type: str) -> int:
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body,
                      hashlib.sha256).hexdigest()
    return get(f"{base}/slack/events", body, {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"})


def signed_dm(base: str, text: str) -> int:
    event = {"type": "message", "channel_type": "im", "channel": "D0ABEL", "user": "U0ABEL",
             "text": text, "ts": f"{time.time():.6f}"}
    body = json.dumps({"type": "event_callback", "team_id": "T0SANDBOX", "api_app_id": "A0RSS",
                       "event": event, "event_id": "Ev" + secrets.token_hex(5).upper(),
                       "event_time": int(time.time())}).encode()
    return _signed(base, body, "application/json")


def signed_help(base: str) -> int:
    body = urllib.parse.urlencode({
        "team_id": "T0SANDBOX", "user_id": "U0ABEL", "channel_id": "D0ABEL", "command": "/snow",
        "text": "help", "response_url": f"{base}/nowhere", "trigger_id": "1.2.3",
    }).encode()
    return _signed(base, body, "application/x-www-form-urlencoded")


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def main() -> int:
    port, slack_port, metrics_port = free_port(), free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "SNOWBOT_METRICS_PORT": str(metrics_port),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SNOWBOT_REDIS_PREFIX": f"snowbot-rss-{secrets.token_hex(4)}",
        "SLACK_BOT_TOKEN": "xoxb-placeholder",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{slack_port}/api/",
        "SNOWBOT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SNOWBOT_PUBLIC_URL": base,
        "SNOWBOT_LOG_LEVEL": "WARNING",
    }
    slack = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "snowbot_sandbox.slack", "--port", str(slack_port),
         "--token", "xoxb-placeholder"], cwd=ROOT, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(f"{base}/readyz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("snowbot serve did not become ready", file=sys.stderr)
                return 1
            time.sleep(0.2)
        for _ in range(ROUNDS):
            get(f"{base}/healthz")
            get(f"http://127.0.0.1:{metrics_port}/metrics")
            signed_help(base)
            signed_dm(base, "hi, what can you do?")
        time.sleep(0.5)
        rss, peak = status_kb(server.pid, "VmRSS"), status_kb(server.pid, "VmHWM")
        print(f"snowbot serve after {ROUNDS} x (/healthz, /metrics, signed /snow help, signed DM): "
              f"VmRSS {rss / 1024:.0f} MiB, VmHWM (peak) {peak / 1024:.0f} MiB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        slack.send_signal(signal.SIGINT)
        slack.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
