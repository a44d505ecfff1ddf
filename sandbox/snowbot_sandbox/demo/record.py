"""Re-record the demo transcripts: ``python -m snowbot_sandbox.demo record [NAME ...]``.

Every ``docs/demo/NAME.txt`` is a script of the demo's syntax; its transcript goes to
``docs/demo/NAME.out``, exactly what ``snowbot demo < docs/demo/NAME.txt`` prints
(stdout, then any error line). A first line ``# args: --as admin`` picks the user.
Each script runs in a fresh demo (fresh sandboxes and store); the intent model is
loaded once. Exit 1 when a script stops on a line it could not apply.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from intents import IntentEngine, load_engine
from snowbot_sandbox.demo.plain import run_script
from snowbot_sandbox.demo.session import open_demo

# The checkout's docs/demo (this file is sandbox/snowbot_sandbox/demo/record.py).
DOCS = Path(__file__).resolve().parents[3] / "docs" / "demo"
DEFAULT_USER = "abel.tuter"


def script_user(script: str) -> str:
    """The ``--as`` user named on a ``# args:`` first line, else the default."""
    first = script.splitlines()[0] if script else ""
    if first.startswith("# args:"):
        words = shlex.split(first.removeprefix("# args:"))
        if "--as" in words and words.index("--as") + 1 < len(words):
            return words[words.index("--as") + 1]
    return DEFAULT_USER


async def transcript(name: str, script: str, *, engine: IntentEngine) -> tuple[str, int]:
    """What ``snowbot demo < docs/demo/NAME.txt`` prints for ``script``, and its status."""
    out, err = io.StringIO(), io.StringIO()
    async with open_demo(user_name=script_user(script), redis_url="memory://",
                         engine=engine) as session:
        status = await run_script(session, script.splitlines(), out=out, err=err,
                                  store="embedded store (memory://)")
    header = f"$ snowbot demo < docs/demo/{name}.txt\n"
    return header + out.getvalue() + err.getvalue(), status


async def record_all(scripts: Sequence[Path]) -> list[tuple[Path, str, int]]:
    """The transcript and status of each script (one intent model for all)."""
    engine = load_engine(rebuild=True)
    done = []
    for path in scripts:
        text, status = await transcript(path.stem, path.read_text(encoding="utf-8"),
                                        engine=engine)
        done.append((path, text, status))
    return done


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m snowbot_sandbox.demo record [NAME ...] [--dir DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m snowbot_sandbox.demo")
    sub = parser.add_subparsers(dest="command", required=True)
    p_record = sub.add_parser("record", help="re-record docs/demo/*.out from the scripts")
    p_record.add_argument("names", nargs="*", help="script names without .txt (default: all)")
    p_record.add_argument("--dir", type=Path, default=DOCS, help="where the scripts are")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the bot's warnings would interleave with the report
    directory: Path = args.dir
    paths = [directory / f"{name}.txt" for name in args.names] or sorted(
        directory.glob("*.txt")
    )
    failed = 0
    for path, text, status in asyncio.run(record_all(paths)):
        path.with_suffix(".out").write_text(text, encoding="utf-8")
        print(f"{path.with_suffix('.out')}: {'ok' if status == 0 else 'stopped early'}")
        failed += status != 0
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
