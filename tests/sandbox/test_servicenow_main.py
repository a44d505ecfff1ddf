"""``python -m snowbot_sandbox.servicenow`` runs the sandbox on its own."""

from __future__ import annotations

import asyncio
import re
import sys

import httpx


async def test_module_runs_standalone_and_prints_url_and_credentials() -> None:
    """The module serves on the asked port and prints its URL and the client credentials."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "snowbot_sandbox.servicenow", "--port", "0",
        "--client-id", "demo-client", "--client-secret", "demo-secret",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines = [
            (await asyncio.wait_for(process.stdout.readline(), timeout=20)).decode()
            for _ in range(3)
        ]
        match = re.search(r"(http://127\.0\.0\.1:\d+)", lines[0])
        assert match is not None
        assert lines[1].strip() == "client_id=demo-client"
        assert lines[2].strip() == "client_secret=demo-secret"
        async with httpx.AsyncClient(base_url=match.group(1)) as http:
            assert (await http.get("/sandbox/health")).json() == {"ok": True}
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()
