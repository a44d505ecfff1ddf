"""The ``snowbot`` command: serve, demo, check, rotate-keys.

This is the only module that reads ``Settings`` from the environment and wires the
container, the Slack app and the HTTP server together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Coroutine, Iterator, Sequence
from typing import Any, TextIO

import uvicorn
from pydantic import ValidationError

from bot.app import create_bolt_app, create_metrics_app, create_web_app
from bot.container import Container, open_container
from bot.errors import BotError, StoreError
from bot.logs import configure_logging
from bot.metrics import Metrics
from bot.settings import Settings
from bot.store.connection import open_redis
from bot.store.crypto import RecordCipher
from bot.store.instance_config import InstanceConfigStore
from bot.store.keys import Keys
from bot.store.vault import RedisTokenVault

log = logging.getLogger("snowbot")

DEFAULT_USER = "abel.tuter"

# uvicorn's HTTP parser, named rather than "auto": h11 answers a header block over
# 16 KB with 400, while httptools (which "auto" picks whenever it is installed) keeps
# reading headers without a limit (50 MB of them grew a server by 56 MB).
HTTP_PARSER = "h11"


class _Server(uvicorn.Server):
    """uvicorn, with SIGTERM/SIGINT only asking it to stop.

    uvicorn re-raises a captured signal once it has stopped, which would end the
    process before the work in flight is drained; here the signal just sets
    ``should_exit`` and ``serve`` drains and returns normally.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


class _MetricsServer(uvicorn.Server):
    """The metrics port's uvicorn: stopped by ``serve`` with the main one, so it leaves
    the process's signal handlers alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _metrics_server(container: Container, settings: Settings) -> _MetricsServer | None:
    """``GET /metrics`` on ``SNOWBOT_METRICS_PORT`` (None when it is 0: no metrics)."""
    if settings.metrics_port == 0:
        return None
    config = uvicorn.Config(
        create_metrics_app(container),
        host="0.0.0.0",  # noqa: S104 - Prometheus scrapes the pod's address
        port=settings.metrics_port,
        http=HTTP_PARSER,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    return _MetricsServer(config)


def freeze_startup_heap() -> None:
    """Leave what startup built (the intent model, the libraries) out of every later
    garbage collection.

    Startup leaves some 180,000 long-lived objects (about half the imported libraries,
    SciPy and scikit-learn first, half the intent model). Each full collection walked
    all of them, 0.1 s or more with the event loop stopped, and the requests waiting
    meanwhile made the ack path's p99. Frozen, they are never scanned (nor freed: they
    live as long as the process anyway).
    """
    gc.collect()
    gc.freeze()


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        lines = ["snowbot: the configuration is not valid:"]
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            lines.append(f"  - {name}: {error['msg']}")
        raise SystemExit("\n".join(lines)) from None


async def serve(settings: Settings, *, trial: bool = False) -> int:
    """Run the production server until SIGTERM or SIGINT; drain work in flight first."""
    if settings.uses_memory_store and not trial:
        print(
            "snowbot: REDIS_URL=memory:// keeps everything in this one process and loses it "
            "on restart; use a real Redis, or add --trial to try it anyway.",
            file=sys.stderr,
        )
        return 2
    missing = settings.missing()
    if missing:
        print(_missing_line(settings, missing), file=sys.stderr)
        return 2
    metrics = Metrics()
    redaction = configure_logging(
        level=settings.log_level,
        secrets_=settings.secret_values(),
        on_redact=metrics.count_redactions,
    )
    async with open_container(settings, redaction=redaction, metrics=metrics) as container:
        bolt = create_bolt_app(container)
        web = create_web_app(container, bolt)
        config = uvicorn.Config(
            web,
            host="0.0.0.0",  # noqa: S104 - a server in a container listens on all interfaces
            port=settings.port,
            http=HTTP_PARSER,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=20,
        )
        server = _Server(config)
        metrics_server = _metrics_server(container, settings)
        metrics_task = (
            asyncio.create_task(metrics_server.serve(), name="metrics-server")
            if metrics_server is not None
            else None
        )
        socket_mode = None
        if settings.slack_app_token is not None:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            socket_mode = AsyncSocketModeHandler(
                bolt, settings.slack_app_token.get_secret_value()
            )
            await socket_mode.connect_async()  # type: ignore[no-untyped-call]
            log.info("connected to Slack in Socket Mode")
        freeze_startup_heap()
        log.info(
            "snowbot listening on port %s (metrics on %s)",
            settings.port,
            settings.metrics_port or "no port",
        )
        try:
            await server.serve()
        finally:
            if metrics_server is not None and metrics_task is not None:
                metrics_server.should_exit = True
                await metrics_task
            if socket_mode is not None:
                await socket_mode.close_async()  # type: ignore[no-untyped-call]
            cancelled = await container.work.drain(within=15)
            log.info("stopped; %d background task(s) cancelled at shutdown", cancelled)
    return 0


def _missing_line(settings: Settings, missing: list[str]) -> str:
    """One line naming every missing setting (``snowbot check`` explains the rest)."""
    line = f"snowbot serve: missing settings: {', '.join(missing)}."
    if "SLACK_SIGNING_SECRET" in missing and settings.slack_app_token is not None:
        line += (
            " Socket Mode needs SLACK_SIGNING_SECRET too: the HTTP server verifies every "
            "request it serves."
        )
    return f"{line} Set them and start again (`snowbot check` checks the rest)."


async def rotate_keys(settings: Settings, *, out: TextIO) -> int:
    """Re-seal every token and instance record under the newest key; 1 if any is left."""
    if not settings.encryption_keys:
        print("snowbot rotate-keys: SNOWBOT_ENCRYPTION_KEYS is not set.", file=out)
        return 2
    cipher = RecordCipher.from_settings(settings)
    keys = Keys(prefix=settings.redis_key_prefix)
    redis = open_redis(settings)
    try:
        vault = RedisTokenVault(redis, keys=keys, cipher=cipher)
        instances = InstanceConfigStore(redis, keys=keys, cipher=cipher, fallback=None)
        tokens = await vault.rotate_all()
        configs = await instances.rotate_all()
    except StoreError as exc:
        print(f"snowbot rotate-keys: the store cannot be reached: {exc}", file=out)
        return 2
    finally:
        await redis.aclose()
    total = tokens.merge(configs)
    print(f"newest key: {cipher.key_version} ({len(cipher.key_versions)} configured)", file=out)
    for name, report in (("token records", tokens), ("instance records", configs)):
        print(
            f"{name}: {report.rotated} rotated, {report.already_current} already current, "
            f"{report.failed} failed, {report.conflicts} changed during rotation",
            file=out,
        )
    if total.left:
        print(
            f"left: {total.left}. Keep the old keys; records that failed do not open with any "
            "configured key or belong to someone else (see the log), and changed ones need "
            "another run.",
            file=out,
        )
        return 1
    print("left: 0. Every record is sealed with the newest key; older keys can go.", file=out)
    return 0


async def _check(settings: Settings) -> int:
    from bot.check import run_check

    return await run_check(settings, out=sys.stdout)


SANDBOX_MISSING = (
    "snowbot demo: the sandbox is not installed (it is never part of the production "
    "package); from a checkout, run scripts/demo, or "
    "pip install --no-deps --editable ./sandbox"
)


def _demo(user_name: str) -> int:
    """``snowbot demo``: the sandbox distribution is imported here only, and its absence
    is one line."""
    try:
        from snowbot_sandbox.demo import run_demo
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "snowbot_sandbox":
            raise
        print(SANDBOX_MISSING, file=sys.stderr)
        return 2
    settings = _load_settings()
    with contextlib.suppress(KeyboardInterrupt):
        return _run(run_demo(settings, user_name=user_name))
    return 130


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(
        prog="snowbot", description="A Slack support assistant for ServiceNow."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="run the production server")
    p_serve.add_argument(
        "--trial",
        action="store_true",
        help="allow REDIS_URL=memory:// (one process, no persistence)",
    )
    p_demo = sub.add_parser(
        "demo",
        help="the whole bot against a sandbox ServiceNow, in this terminal",
        description=(
            "The whole bot against a local sandbox ServiceNow and a Slack stand-in, "
            "with no set-up. Interactive on a terminal; otherwise it reads a script from "
            "stdin: '/snow ...' is the slash command, '[Label]' presses a button, "
            "'field Label: value' fills a form field and 'submit' submits it, any other "
            "line is a direct message."
        ),
    )
    p_demo.add_argument(
        "--as",
        dest="user",
        default=DEFAULT_USER,
        metavar="USER",
        help=(
            "the seeded person you are: abel.tuter (default), bow.ruggeri, carol.coughlin, "
            "beth.anglin (itil) or admin"
        ),
    )
    sub.add_parser(
        "check", help="validate the configuration and probe Redis and the instance"
    )
    sub.add_parser(
        "rotate-keys",
        help="re-encrypt every stored record under the newest SNOWBOT_ENCRYPTION_KEYS key",
    )
    return parser


def _run(command: Coroutine[Any, Any, int]) -> int:
    """Run a command; an operational error (``BotError``) is one line, not a traceback."""
    try:
        return asyncio.run(command)
    except BotError as exc:
        print(f"snowbot: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``snowbot demo | head``): stop quietly, as a filter does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``snowbot`` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        settings = _load_settings()
        with contextlib.suppress(KeyboardInterrupt):
            return _run(serve(settings, trial=args.trial))
        return 0
    if args.command == "demo":
        return _demo(args.user)
    if args.command == "rotate-keys":
        return _run(rotate_keys(_load_settings(), out=sys.stdout))
    if args.command == "check":
        return _run(_check(_load_settings()))
    return 2


if __name__ == "__main__":  # pragma: no cover
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
