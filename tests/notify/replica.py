"""A second bot process on the same Redis and sandboxes (``tests.app.procs.bot_process``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from snowbot_sandbox.harness import BotHarness

REPO = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def replica(bot: BotHarness, log: Path, **settings: Any) -> AsyncIterator[str]:
    """Run one more bot (its URL is yielded) with ``bot``'s prefix, key and sandboxes."""
    own = bot.container.settings
    config = {
        "servicenow_url": bot.servicenow_url,
        "slack_url": bot.slack_url,
        "redis_url": own.redis_url,
        "redis_prefix": own.redis_key_prefix,
        "encryption_key": own.encryption_keys[0].get_secret_value(),
        "settings": settings,
    }
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.app.procs.bot_process",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr,
            cwd=REPO,
        )
    try:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps(config).encode() + b"\n")
        await process.stdin.drain()
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        assert line, f"the replica did not start; its log is {log}"
        yield str(json.loads(line)["bot_url"])
    finally:
        if process.returncode is None and process.stdin is not None:
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
        await process.wait()
