"""Serve the Slack stand-in alone and print every Web API call as it arrives.

``python -m snowbot_sandbox.slack [--port 8765] [--token xoxb-test]``: point a bot's
``SLACK_API_URL`` at ``http://127.0.0.1:PORT/api/`` and watch what it sends. Ctrl-C stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json

from snowbot_sandbox.server import serve_app
from snowbot_sandbox.slack.records import ApiCall
from snowbot_sandbox.slack.render import render_blocks, render_view
from snowbot_sandbox.slack.webapi import SlackSandbox


def describe(call: ApiCall) -> str:
    """One call as a few readable lines."""
    args = call.args
    status = "ok" if call.ok else f"error: {call.error}"
    lines = [f"{call.method} ({status})"]
    view, blocks = args.get("view"), args.get("blocks")
    if isinstance(view, dict):
        lines.append(render_view(view))
    elif isinstance(blocks, list):
        lines.append(render_blocks(blocks))
    elif isinstance(args.get("text"), str):
        lines.append(str(args["text"]))
    else:
        lines.append(json.dumps(args, default=str)[:200])
    return "\n  ".join("\n".join(lines).splitlines())


async def run(*, port: int, token: str) -> None:
    """Serve until cancelled, printing calls."""
    slack = SlackSandbox(bot_token=token)
    async with serve_app(slack.app, port=port) as url:
        print(f"Slack stand-in on {url} (Web API base URL {url}/api/)", flush=True)
        shown = 0
        while True:
            for call in slack.calls[shown:]:
                print(describe(call), flush=True)
            shown = len(slack.calls)
            await asyncio.sleep(0.1)


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m snowbot_sandbox.slack")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="xoxb-test")
    options = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(port=options.port, token=options.token))


if __name__ == "__main__":
    main()
