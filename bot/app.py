"""The Slack app and the HTTP app around it.

``create_bolt_app(container)`` builds the Bolt ``AsyncApp`` and registers the thin
listeners; ``create_web_app(container, bolt)`` puts it behind Starlette with the
routes of the README (HTTP routes):

    POST /slack/events                 Events API, slash commands, interactivity (Bolt)
    GET  /servicenow/oauth/start       Connect link: cookie + redirect to consent
    GET  /servicenow/oauth/callback    consent comes back here
    GET  /healthz                      liveness, with Redis health as detail
    GET  /readyz                       configuration and model loaded (not Redis)
    GET  /charts/feedback.png          the admin's feedback chart (signed URL, bot/charts.py)
    POST /servicenow/events            an incident changed (signed pointer, bot/notify/events.py)

``create_metrics_app(container)`` serves ``GET /metrics`` (Prometheus text format) on
its own port (``SNOWBOT_METRICS_PORT``), never on the public one.

Every request body is capped (``bot.limits``: 1 MB, less on some routes) and refused
with 413 before anything reads it, Bolt's signature check included.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.charts import chart_routes
from bot.connect import oauth_routes
from bot.container import Container
from bot.errors import ConfigError
from bot.limits import BodyLimitMiddleware
from bot.listeners import register_all
from bot.logs import new_request_id, request_id_var
from bot.metrics import CONTENT_TYPE_LATEST
from bot.notify.events import event_routes

log = logging.getLogger(__name__)


def create_bolt_app(container: Container) -> AsyncApp:
    """The Bolt app with every listener registered; no network I/O happens here.

    Every request that reaches it over HTTP is verified with the signing secret, in
    every mode: Socket Mode only adds the websocket (whose messages Bolt does not sign),
    it never turns the HTTP check off. Without a signing secret and a bot token there
    is no app (``ConfigError``), never one that accepts unsigned requests.

    Bolt answers Slack when a listener returns (``process_before_response``): every
    listener acks and hands its work to ``start_turn`` (background) before it returns,
    so that is the moment it acks. Left False, Bolt would start the listener as a task
    and poll for its ack every 10 ms, adding 10 ms or more to every ack.
    """
    settings = container.settings
    missing = [name for name in settings.missing() if name.startswith("SLACK_")]
    if missing or settings.slack_signing_secret is None:
        msg = f"missing settings: {', '.join(missing or ['SLACK_SIGNING_SECRET'])}"
        raise ConfigError(msg)
    bolt = AsyncApp(
        client=container.slack,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        logger=_bolt_logger(),
        process_before_response=True,
        request_verification_enabled=True,
    )
    register_all(bolt, container)
    return bolt


def _bolt_logger() -> logging.Logger:
    """Bolt's logger, its own level set to the one ``slack_bolt`` has now
    (``configure_logging`` sets it before the app is built).

    Bolt tests ``logger.level`` itself, not the effective level, before it formats a
    debug line; a logger left at NOTSET formats one for every middleware of every
    request (about 5 µs), only for the handler to drop it.
    """
    logger = logging.getLogger("slack_bolt.AsyncApp")
    logger.setLevel(logging.getLogger("slack_bolt").getEffectiveLevel())
    if not any(isinstance(f, _ClientGivenFilter) for f in logger.filters):
        logger.addFilter(_ClientGivenFilter())
    return logger


class _ClientGivenFilter(logging.Filter):
    """Drops Bolt's "`token` will be unused" warning. Bolt reads ``SLACK_BOT_TOKEN`` from
    the environment itself and warns on every start that the ``client=`` we give it (the
    container's, holding that same token) wins: true by design, so not worth a line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


class RequestIdMiddleware:
    """Gives every HTTP request a request id (from ``X-Request-Id`` or a new one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = request_id_var.set(_incoming_request_id(scope) or new_request_id())
        try:
            await self.app(scope, receive, send)
        finally:
            request_id_var.reset(token)


def _incoming_request_id(scope: Scope) -> str | None:
    """The caller's ``X-Request-Id`` when it is a sane one (letters and digits, ≤ 64)."""
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id":
            incoming = value.decode("latin-1")
            return incoming if incoming.isalnum() and len(incoming) <= 64 else None
    return None


async def redis_healthy(container: Container, within: float = 1.0) -> bool:
    """Whether Redis answers a PING within ``within`` seconds."""
    try:
        async with asyncio.timeout(within):
            await container.redis.ping()
    except Exception:  # any failure means "down" for a health probe
        container.metrics.redis_up.set(0)
        return False
    container.metrics.redis_up.set(1)
    return True


def create_web_app(container: Container, bolt: AsyncApp, *, ready: bool = True) -> Starlette:
    """The Starlette app serving Slack, the OAuth pages and health (not metrics)."""
    handler = AsyncSlackRequestHandler(bolt)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        redis_up = await redis_healthy(container)
        container.metrics.work_in_flight.set(container.work.in_flight)
        return JSONResponse(
            {
                "status": "ok",
                "redis": "up" if redis_up else "down",
                "work_in_flight": container.work.in_flight,
            }
        )

    async def readyz(_: Request) -> Response:
        problems = readiness_problems(container) if ready else ["starting"]
        if problems:
            return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *oauth_routes(container),
        *chart_routes(container),  # GET /charts/feedback.png (signed, expiring)
        *event_routes(container),  # POST /servicenow/events (signed, 64 KB)
    ]
    app = Starlette(routes=routes)
    app.add_middleware(RequestIdMiddleware)
    # Added last, so it runs first: an oversized body is refused before anything reads it.
    app.add_middleware(BodyLimitMiddleware)
    return app


def create_metrics_app(container: Container) -> Starlette:
    """``GET /metrics`` alone, for the metrics port (Prometheus scrapes it there)."""

    async def metrics(_: Request) -> Response:
        container.metrics.work_in_flight.set(container.work.in_flight)
        return Response(container.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app = Starlette(routes=[Route("/metrics", metrics, methods=["GET"])])
    app.add_middleware(BodyLimitMiddleware)
    return app


def readiness_problems(container: Container) -> list[str]:
    """What keeps this process from serving users (empty when ready)."""
    problems: list[str] = []
    settings = container.settings
    problems.extend(f"{name} is not set" for name in settings.missing())
    engine: Any = getattr(container, "engine", None)
    if engine is None:
        problems.append("the intent model is not loaded")
    return problems
