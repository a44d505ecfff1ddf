"""``snowbot demo``: the whole bot in a terminal, against the sandbox ServiceNow.

Nothing to set up: both sandboxes and the bot run in this process on loopback ports,
with the embedded ``memory://`` store unless ``REDIS_URL`` is set, a fresh encryption
key per run, and the Connect flow walked for real for the chosen seeded user
(``--as``, default ``abel.tuter``).

- On a terminal it is a chat (``snowbot_sandbox.demo.console``).
- When stdin is not a terminal it reads a script (``snowbot_sandbox.demo.script`` has the syntax)
  and prints every reply as text (``snowbot_sandbox.demo.plain``): exit 0 at the end of the script,
  1 at the first line that cannot be applied.
- ``python -m snowbot_sandbox.demo record`` re-records the transcripts of ``docs/demo/*.txt``
  (``snowbot_sandbox.demo.record``).

The bot's own logs go to a file (``log_path()``), not to the terminal.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from bot.errors import BotError
from bot.logs import configure_logging
from bot.settings import Settings
from intents import IntentEngine
from snowbot_sandbox.demo.session import DemoError, DemoSession, Note, Step, open_demo

__all__ = ["DemoError", "DemoSession", "Note", "Step", "demo_redis_url", "log_path",
           "open_demo", "run_demo"]

DEFAULT_USER = "abel.tuter"


def demo_redis_url(settings: Settings) -> str:
    """``REDIS_URL`` when it is set in the environment, else the embedded store."""
    return settings.redis_url if "redis_url" in settings.model_fields_set else "memory://"


def log_path() -> Path:
    """Where the demo writes the bot's logs."""
    return Path(tempfile.gettempdir()) / "snowbot-demo.log"


def store_label(redis_url: str) -> str:
    """How the store is named to the user (never the URL: it may carry a password)."""
    if redis_url.startswith("memory://"):
        return "embedded store (memory://)"
    return "Redis from REDIS_URL (keys removed at exit)"


@contextlib.contextmanager
def _logging_to(stream: TextIO) -> Iterator[None]:
    configure_logging(level="INFO", stream=stream)
    try:
        yield
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "_snowbot", False):
                root.removeHandler(handler)


async def run_demo(
    settings: Settings,
    *,
    user_name: str = DEFAULT_USER,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    interactive: bool | None = None,
    engine: IntentEngine | None = None,
) -> int:
    """Run the demo; interactive when ``stdin`` is a terminal (unless told otherwise)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if interactive is None:
        interactive = stdin.isatty()
    redis_url = demo_redis_url(settings)
    with log_path().open("a", encoding="utf-8") as log_file, _logging_to(log_file):
        try:
            async with open_demo(
                user_name=user_name, redis_url=redis_url, engine=engine
            ) as session:
                if interactive:
                    from snowbot_sandbox.demo.console import ChatConsole

                    status = await ChatConsole(session).run(store=store_label(redis_url))
                    print(f"(the bot's logs are in {log_path()})", file=stderr)
                    return status
                from snowbot_sandbox.demo.plain import run_script

                return await run_script(
                    session, stdin, out=stdout, err=stderr, store=store_label(redis_url)
                )
        except (DemoError, BotError) as exc:
            print(f"snowbot demo: {exc}", file=stderr)
            return 2
