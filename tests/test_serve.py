"""`snowbot serve` as its own process: started, answering, stopping cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.settings import Settings
from snowbot_sandbox.server import serve_app
from snowbot_sandbox.slack import SlackDriver, SlackSandbox, render_blocks
from tests.conftest import REDIS_URL

BOT_TOKEN = "xoxb-serve-test-0000"
SIGNING = "serve-test-signing-secret"


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_until_up(url: str, process: asyncio.subprocess.Process) -> None:
    """Poll ``url`` until it answers or the process dies."""
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            if process.returncode is not None:
                output = await process.stdout.read() if process.stdout else b""
                pytest.fail(f"process exited early: {output.decode()[-2000:]}")
            try:
                await client.get(url, timeout=0.5)
            except httpx.TransportError:
                await asyncio.sleep(0.05)
                continue
            return
    pytest.fail(f"{url} never answered")


@pytest.fixture
async def sandbox_instance() -> AsyncIterator[str]:
    """The sandbox ServiceNow run on its own, as `python -m snowbot_sandbox.servicenow`."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "snowbot_sandbox.servicenow", "--port", str(port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    await wait_until_up(f"{url}/sandbox/health", process)
    yield url
    process.terminate()
    await process.wait()


async def test_serve_answers_a_signed_snow_help_and_stops_on_sigterm(
    sandbox_instance: str, redis_prefix: str
) -> None:
    """A started `snowbot serve` answers a signed `/snow help` and exits 0 on SIGTERM."""
    slack = SlackSandbox(bot_token=BOT_TOKEN)
    port = free_port()
    async with serve_app(slack.app) as slack_url, httpx.AsyncClient() as http:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING,
            "SLACK_API_URL": f"{slack_url}/api/",
            "REDIS_URL": REDIS_URL,
            "SNOWBOT_REDIS_PREFIX": redis_prefix,
            "SNOWBOT_ENCRYPTION_KEYS": Settings.generate_key(),
            "SNOWBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "SERVICENOW_INSTANCE": sandbox_instance,
            "SERVICENOW_CLIENT_ID": "snowbot-local",
            "SERVICENOW_CLIENT_SECRET": "not-a-real-secret",
            "SNOWBOT_ALLOW_INSECURE_INSTANCE": "true",
            "PORT": str(port),
            "SNOWBOT_METRICS_PORT": "0",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
            driver = SlackDriver(
                bot_url=f"http://127.0.0.1:{port}/slack/events",
                signing_secret=SIGNING, slack=slack, slack_url=slack_url, http=http,
            )
            response = await driver.slash_command("/snow", "help", user_id="U0ABEL")
            assert response.status_code == 200
            assert "/snow mine" in render_blocks(response.json()["blocks"])
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=30)
            output = await process.stdout.read() if process.stdout else b""
    assert code == 0, output.decode()[-3000:]


async def _serve_without_slack(
    port: int, redis_prefix: str, *, metrics_port: int = 0
) -> asyncio.subprocess.Process:
    """`snowbot serve` on ``port`` with a Web API URL where nothing listens."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/",
        "REDIS_URL": REDIS_URL,
        "SNOWBOT_REDIS_PREFIX": redis_prefix,
        "SNOWBOT_ENCRYPTION_KEYS": Settings.generate_key(),
        "PORT": str(port),
        "SNOWBOT_METRICS_PORT": str(metrics_port),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )


async def test_serve_answers_metrics_on_their_own_port_only(redis_prefix: str) -> None:
    """`snowbot serve` answers /metrics on SNOWBOT_METRICS_PORT, and 404 on PORT."""
    port, metrics_port = free_port(), free_port()
    process = await _serve_without_slack(port, redis_prefix, metrics_port=metrics_port)
    try:
        await wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        await wait_until_up(f"http://127.0.0.1:{metrics_port}/metrics", process)
        async with httpx.AsyncClient() as http:
            public = await http.get(f"http://127.0.0.1:{port}/metrics")
            private = await http.get(f"http://127.0.0.1:{metrics_port}/metrics")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=30)
    assert public.status_code == 404
    assert private.status_code == 200
    assert "snowbot_redis_up" in private.text
    assert code == 0


async def test_serve_refuses_the_memory_store_without_trial() -> None:
    """`snowbot serve` with REDIS_URL=memory:// refuses to start unless --trial is given."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "REDIS_URL": "memory://",
        "SNOWBOT_ENCRYPTION_KEYS": Settings.generate_key(),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert b"memory://" in output
    assert b"Traceback" not in output


async def _serve_output(env: dict[str, str], *args: str) -> tuple[int | None, str]:
    """Run `snowbot serve` with exactly ``env``; its exit status and everything it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", *args,
        env={"PATH": os.environ.get("PATH", ""), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:  # it did not refuse: stop it, leave nothing behind
            process.kill()
            await process.wait()
    return process.returncode, output.decode()


async def test_serve_lists_every_missing_setting_at_once() -> None:
    """`snowbot serve --trial` with only the key set names every missing setting, no traceback."""
    code, output = await _serve_output(
        {"REDIS_URL": "memory://", "SNOWBOT_ENCRYPTION_KEYS": Settings.generate_key()}, "--trial"
    )
    assert code == 2
    assert "SLACK_BOT_TOKEN" in output
    assert "SLACK_SIGNING_SECRET" in output
    assert "Traceback" not in output


async def test_serve_in_socket_mode_without_a_signing_secret_refuses_with_one_line() -> None:
    """Socket Mode without SLACK_SIGNING_SECRET: `serve` refuses to start, in one line."""
    code, output = await _serve_output(
        {
            "REDIS_URL": "memory://",
            "SNOWBOT_ENCRYPTION_KEYS": Settings.generate_key(),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-serve-test",
            "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/",
            "PORT": str(free_port()),
        },
        "--trial",
    )
    assert code == 2
    assert output.strip().count("\n") == 0, output
    assert "SLACK_SIGNING_SECRET" in output
    assert "Traceback" not in output


async def test_serve_refuses_headers_that_run_past_16_kb(redis_prefix: str) -> None:
    """`snowbot serve` answers 400 to headers that go on past 16 KB, without buffering more."""
    port = free_port()
    process = await _serve_without_slack(port, redis_prefix)
    try:
        await wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        # Headers that never end: 100 KB and no blank line.
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-A: aaaa\r\n" * 10_000)
        answer = await asyncio.wait_for(reader.read(100), timeout=10)
        writer.close()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
    assert answer.startswith(b"HTTP/1.1 400")
