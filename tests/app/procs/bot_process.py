"""A second snowbot process for multi-process tests: the real app, sharing Redis and sandboxes.

The test process runs the sandboxes (ServiceNow and Slack) and its own bot; this program
runs one more bot, as another replica would: its own container (Redis pool, httpx and
Slack clients, vault, refresher) and its own HTTP server, pointed at the same sandbox
URLs, the same Redis key prefix and the same encryption key.

Protocol: one JSON line on stdin with ``servicenow_url``, ``slack_url``, ``redis_url``,
``redis_prefix``, ``encryption_key`` and optionally ``refresh_lock_ttl``; the program
answers with one JSON line ``{"bot_url": ...}`` once it serves, and runs until stdin
closes (or it is killed). The encryption key travels on stdin, never in argv.

The intent model is not loaded (it takes seconds): this replica serves ``/snow``
commands, which the grammar parses without it; free text would get the apology.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bot.app import create_bolt_app, create_web_app
from bot.container import open_container
from snowbot_sandbox.harness import sandbox_settings
from snowbot_sandbox.server import bind_socket, serve_app, socket_url


class CommandsOnlyEngine:
    """Stands in for the intent model in a replica that only gets `/snow` commands."""

    def predict(self, *_: Any, **__: Any) -> Any:
        """Free text is not served by this replica."""
        msg = "this test replica serves /snow commands only"
        raise RuntimeError(msg)


async def serve(config: dict[str, Any]) -> None:
    """Serve one bot replica until stdin closes."""
    sock = bind_socket()
    bot_url = socket_url(sock)
    settings = sandbox_settings(
        bot_url=bot_url,
        servicenow_url=config["servicenow_url"],
        slack_url=config["slack_url"],
        redis_url=config["redis_url"],
        redis_prefix=config["redis_prefix"],
        encryption_keys=config["encryption_key"],
    )
    engine: Any = CommandsOnlyEngine()
    async with open_container(
        settings, engine=engine, refresh_lock_ttl=config.get("refresh_lock_ttl")
    ) as container:
        web = create_web_app(container, create_bolt_app(container))
        async with serve_app(web, sock=sock):
            print(json.dumps({"bot_url": bot_url}), flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main() -> None:
    """Read the configuration line and serve."""
    config = json.loads(sys.stdin.readline())
    asyncio.run(serve(config))


if __name__ == "__main__":
    main()
