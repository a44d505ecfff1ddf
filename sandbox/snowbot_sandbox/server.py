"""Run an ASGI app with uvicorn on a free loopback port inside the current event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

import uvicorn
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket on ``host`` (port 0: a free one), for ``serve_app(sock=...)``.

    Binding first lets a caller know its URL before building the app (the bot's
    public URL is in its settings).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def socket_url(sock: socket.socket) -> str:
    """The base URL of a bound loopback socket."""
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


class AppSlot:
    """An ASGI app that hands each request to whichever app is in the slot now.

    A server started once (for a whole test session) serves one test's bot after
    another: a test puts its app in with ``hold(app)``; with the slot empty a request
    gets 503. A request keeps the app it started with, whatever comes in after.
    """

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app
        if app is None:
            app = PlainTextResponse("no app in this slot", status_code=503)
        await app(scope, receive, send)

    @contextlib.contextmanager
    def hold(self, app: ASGIApp) -> Iterator[None]:
        """Serve ``app`` until the block exits (one at a time)."""
        if self.app is not None:
            raise RuntimeError("the slot already serves an app")
        self.app = app
        try:
            yield
        finally:
            self.app = None


@contextlib.asynccontextmanager
async def serve_app(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    sock: socket.socket | None = None,
    lifespan: Literal["auto", "on", "off"] = "auto",
) -> AsyncIterator[str]:
    """Serve ``app`` until the block exits; yields its base URL (no trailing slash)."""
    sock = sock or bind_socket(host, port)
    config = uvicorn.Config(
        app,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        timeout_graceful_shutdown=2,
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield socket_url(sock)
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
