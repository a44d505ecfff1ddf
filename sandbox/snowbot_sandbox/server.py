"""Run an ASGI app with uvicorn on a free loopback port inside the current event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
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
    # IPPROTO_TCP named, so asyncio turns Nagle off on each accepted connection (it does
    # so only for sockets whose protocol says TCP), and TCP_NODELAY set here for the same
    # end: without it every answer on a kept-alive connection waited for the client's
    # delayed ACK, 40 ms a call, most of the test suite's time.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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


class SlotPool:
    """Loopback servers that outlive the apps they serve (a test suite keeps one for the
    whole run): ``serve(app)`` puts an app in a free slot, starting a server only when
    every slot is taken, and frees the slot when the block exits."""

    def __init__(self) -> None:
        self._free: list[tuple[AppSlot, str]] = []
        self._servers = contextlib.AsyncExitStack()

    @contextlib.asynccontextmanager
    async def serve(self, app: ASGIApp) -> AsyncIterator[str]:
        """Serve ``app`` until the block exits; yields its base URL (no trailing slash)."""
        if self._free:
            slot, url = self._free.pop()
        else:
            slot = AppSlot()
            (url,) = await self._servers.enter_async_context(serve_apps(slot, lifespan="off"))
        try:
            with slot.hold(app):
                yield url
        finally:
            self._free.append((slot, url))

    async def aclose(self) -> None:
        """Stop every server of the pool."""
        await self._servers.aclose()


Lifespan = Literal["auto", "on", "off"]


@contextlib.asynccontextmanager
async def serve_app(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    sock: socket.socket | None = None,
    lifespan: Lifespan = "auto",
) -> AsyncIterator[str]:
    """Serve ``app`` until the block exits; yields its base URL (no trailing slash)."""
    async with serve_apps(app, socks=[sock or bind_socket(host, port)], lifespan=lifespan) as (
        url,
    ):
        yield url


@contextlib.asynccontextmanager
async def serve_apps(
    *apps: Any, socks: Sequence[socket.socket] = (), lifespan: Lifespan = "auto"
) -> AsyncIterator[tuple[str, ...]]:
    """Serve each app on its own socket (``socks``, else a free loopback port each) until
    the block exits; yields their base URLs in order.

    They are stopped together: each uvicorn server takes about 0.2 s to notice it should
    stop and to let its connections finish, and that is paid once, not once per app.
    """
    sockets = list(socks) or [bind_socket() for _ in apps]
    servers = [
        _QuietServer(
            uvicorn.Config(
                app,
                log_config=None,
                log_level="warning",
                access_log=False,
                lifespan=lifespan,
                timeout_graceful_shutdown=2,
            )
        )
        for app in apps
    ]
    tasks = [
        asyncio.create_task(server.serve(sockets=[sock]))
        for server, sock in zip(servers, sockets, strict=True)
    ]
    try:
        for server, task in zip(servers, tasks, strict=True):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield tuple(socket_url(sock) for sock in sockets)
    finally:
        for server in servers:
            server.should_exit = True
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for sock in sockets:
            sock.close()
