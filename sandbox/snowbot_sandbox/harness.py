"""The whole bot wired to both sandboxes, over real HTTP on loopback.

``running_sandboxes`` serves the sandbox ServiceNow, the Slack stand-in and two slots
(``AppSlot``) for the bot's web and metrics apps on free ports. ``bot_on`` builds
``Settings`` that point a bot at them, opens the real container (Redis, the httpx and
Slack clients, the intent engine) and puts the real Starlette app in the slot; the
sandboxes can outlive many bots, with ``Sandboxes.reset()`` between two (the test
suite starts them once per run). ``running_bot`` is both at once, for one bot: the demo
uses it, so what the demo shows is what the tests check.

``BotHarness.connect(user)`` walks the real Connect flow as a browser would: the
signed ``/snow connect``, the link from the ephemeral reply, the start route's page and
its cookie, its Continue button, the sandbox's consent (auto-consent for the chosen
seeded user), and the callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import secrets
import ssl
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

from bot.app import create_bolt_app, create_metrics_app, create_web_app
from bot.container import Container, open_container
from bot.logs import RedactionFilter
from bot.notify.poller import running_poller
from bot.settings import Settings
from snowbot_sandbox.server import AppSlot, serve_apps
from snowbot_sandbox.servicenow import ServiceNowSandbox
from snowbot_sandbox.slack import SlackDriver, SlackSandbox, find_button

CLIENT_ID = "snowbot-sandbox"
CLIENT_SECRET = "sandbox-client-secret-0451"
SIGNING_SECRET = "sandbox-signing-secret-8e2f"
BOT_TOKEN = "xoxb-sandbox-0000-snowbot"

# Slack people of the stand-in and the ServiceNow account each of them owns.
SLACK_USER_FOR: dict[str, str] = {
    "abel.tuter": "U0ABEL",
    "beth.anglin": "U0BETH",
    "admin": "U0ADMIN",
    "bow.ruggeri": "U0BOW",
    "carol.coughlin": "U0CAROLC",
}


@dataclass
class BotHarness:
    """Everything running: both sandboxes, the bot, and a driver to talk to it."""

    servicenow: ServiceNowSandbox
    servicenow_url: str
    slack: SlackSandbox
    slack_url: str
    bot_url: str
    metrics_url: str
    container: Container
    driver: SlackDriver
    http: httpx.AsyncClient

    async def connect(self, user_name: str, *, slack_user_id: str | None = None) -> httpx.Response:
        """Link ``slack_user_id`` (default: the seeded owner of ``user_name``) through
        the real browser flow, consenting as ServiceNow user ``user_name``; returns the
        callback's page once the work the link started (the DM, App Home, the first read
        of the user's incidents for notifications) is done, so a test's next step starts
        from a quiet bot."""
        user_id = slack_user_id or SLACK_USER_FOR[user_name]
        mark = self.slack.mark
        await self.driver.slash_command("/snow", "connect", user_id=user_id)
        url = await self.connect_link(user_id, after=mark)
        page = await self.browse_consent(url, consent_as=user_name)
        await self.container.work.settle()
        return page

    async def connect_link(self, user_id: str, *, after: int = 0, within: float = 3.0) -> str:
        """The newest Connect link shown to ``user_id`` after timeline mark ``after``."""
        deadline = time.monotonic() + within
        while True:
            for surface in self.slack.changes_since(after, user_id=user_id):
                for label in ("Connect ServiceNow", "Reconnect"):
                    button = find_button(surface.blocks, label)
                    if button is not None and button.url:
                        return button.url
            if time.monotonic() > deadline:
                msg = f"no Connect link was shown to {user_id}"
                raise TimeoutError(msg)
            await _pause()

    async def browse_consent(self, start_url: str, *, consent_as: str) -> httpx.Response:
        """Open a Connect link in a fresh browser, press Continue on the page that names
        whose link it is, and consent as ``consent_as``; the last page the browser shows."""
        self.servicenow.auto_consent_user = consent_as
        async with httpx.AsyncClient(
            follow_redirects=True, timeout=10, verify=loopback_tls()
        ) as browser:
            start = await browser.get(start_url)
            if start.status_code != 200 or 'id="continue"' not in start.text:
                return start
            return await browser.get(continue_url(start.text))


@functools.cache
def loopback_tls() -> ssl.SSLContext:
    """One default TLS context for the harness's clients, which only talk plain HTTP on
    loopback: building one per client reads the CA bundle each time (about 40 ms)."""
    return httpx.create_ssl_context()


def continue_url(page: str) -> str:
    """Where the Connect page's Continue button goes (the instance's consent page)."""
    marker = 'id="continue" href="'
    start = page.index(marker) + len(marker)
    return html.unescape(page[start : page.index('"', start)])


async def _pause() -> None:
    await asyncio.sleep(0.02)


def sandbox_settings(
    *,
    bot_url: str,
    servicenow_url: str,
    slack_url: str,
    redis_url: str,
    redis_prefix: str,
    **overrides: Any,
) -> Settings:
    """Settings for a bot talking to the sandboxes (explicit values, no environment)."""
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": f"{slack_url}/api/",
        "redis_url": redis_url,
        "redis_key_prefix": redis_prefix,
        "public_url": bot_url,
        "encryption_keys": Settings.generate_key(),
        "servicenow_instance": servicenow_url,
        "servicenow_client_id": CLIENT_ID,
        "servicenow_client_secret": CLIENT_SECRET,
        "allow_insecure_instance": True,
        # Tests and the demo hear about changes through signed events (the sandbox posts
        # them like a Business Rule); a test that polls sets SNOWBOT_POLL_INTERVAL.
        "poll_interval": 0,
    }
    values.update(overrides)
    return Settings.for_tests(**values)


@dataclass
class Sandboxes:
    """Both sandboxes and the slots the bot and its metrics app are served in, running.

    Started once, they serve one bot after another (``bot_on``); ``reset()`` between
    two bots puts both sandboxes back to the seed.
    """

    servicenow: ServiceNowSandbox
    servicenow_url: str
    slack: SlackSandbox
    slack_url: str
    bot_slot: AppSlot
    bot_url: str
    metrics_slot: AppSlot
    metrics_url: str

    def reset(self) -> None:
        """ServiceNow's records, tokens, faults, settings and clients back to the seed (a
        hanging request is let go), the stand-in's recordings cleared, its people re-added."""
        self.servicenow.reset(clients=True)
        self.slack.reset()
        _add_slack_people(self.servicenow, self.slack)


def _add_slack_people(servicenow: ServiceNowSandbox, slack: SlackSandbox) -> None:
    """The Slack people of ``SLACK_USER_FOR``, with their ServiceNow accounts' details."""
    for user_name, slack_id in SLACK_USER_FOR.items():
        if slack_id not in slack.users:
            person = servicenow.user_by_name(user_name)
            slack.add_user(slack_id, email=person.email, real_name=person.name)


@contextlib.asynccontextmanager
async def running_sandboxes(
    *,
    clock: Callable[[], float] = time.time,
    servicenow: ServiceNowSandbox | None = None,
    servicenow_front: Callable[[ASGIApp], ASGIApp] | None = None,
) -> AsyncIterator[Sandboxes]:
    """Serve both sandboxes and two empty slots (the bot's, its metrics') on free ports.

    ``servicenow_front`` wraps the sandbox ServiceNow's app in front of the network
    (tests that lose answers on the way back).
    """
    sn = servicenow or ServiceNowSandbox(clock=clock)
    slack = SlackSandbox(bot_token=BOT_TOKEN, clock=clock)
    _add_slack_people(sn, slack)
    front = servicenow_front(sn.app) if servicenow_front is not None else sn.app
    bot_slot, metrics_slot = AppSlot(), AppSlot()
    async with serve_apps(front, slack.app, bot_slot, metrics_slot, lifespan="off") as (
        servicenow_url,
        slack_url,
        bot_url,
        metrics_url,
    ):
        try:
            yield Sandboxes(
                servicenow=sn,
                servicenow_url=servicenow_url,
                slack=slack,
                slack_url=slack_url,
                bot_slot=bot_slot,
                bot_url=bot_url,
                metrics_slot=metrics_slot,
                metrics_url=metrics_url,
            )
        finally:
            # A request still hanging on a fault would hold the server's shutdown.
            sn.faults.clear()


@contextlib.asynccontextmanager
async def bot_on(
    sandboxes: Sandboxes,
    *,
    redis_url: str = "redis://127.0.0.1:6379/0",
    redis_prefix: str | None = None,
    engine: Any = None,
    redaction: RedactionFilter | None = None,
    preconfigured: bool = True,
    refresh_lock_ttl: float | None = None,
    **setting_overrides: Any,
) -> AsyncIterator[BotHarness]:
    """A fresh bot (container, Bolt and web app) served in the sandboxes' slots, on the
    sandbox ServiceNow's clock.

    ``preconfigured`` seeds the workspace's ServiceNow connection from the environment
    settings (as ``SERVICENOW_INSTANCE`` and friends would); without it an admin has to
    run ``/snow setup`` first. ``refresh_lock_ttl`` shortens the refresh lock (tests
    that kill a lock holder).
    """
    sn, slack = sandboxes.servicenow, sandboxes.slack
    clock = sn.clock
    prefix = redis_prefix or f"snowbot-sandbox-{secrets.token_hex(4)}"
    overrides = dict(setting_overrides)
    if not preconfigured:
        overrides.setdefault("servicenow_instance", None)
        overrides.setdefault("servicenow_client_id", None)
        overrides.setdefault("servicenow_client_secret", None)
    settings = sandbox_settings(
        bot_url=sandboxes.bot_url,
        servicenow_url=sandboxes.servicenow_url,
        slack_url=sandboxes.slack_url,
        redis_url=redis_url,
        redis_prefix=prefix,
        **overrides,
    )
    sn.register_client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[settings.redirect_uri],
    )
    async with (
        httpx.AsyncClient(timeout=10, verify=loopback_tls()) as http,
        open_container(
            settings,
            engine=engine,
            clock=clock,
            redaction=redaction,
            refresh_lock_ttl=refresh_lock_ttl,
        ) as container,
    ):
        bolt = create_bolt_app(container)
        with (
            sandboxes.bot_slot.hold(create_web_app(container, bolt)),
            sandboxes.metrics_slot.hold(create_metrics_app(container)),
        ):
            async with running_poller(container, tick=0.2):  # SNOWBOT_POLL_INTERVAL; 0: off
                driver = SlackDriver(
                    bot_url=f"{sandboxes.bot_url}/slack/events",
                    signing_secret=SIGNING_SECRET,
                    slack=slack,
                    slack_url=sandboxes.slack_url,
                    http=http,
                    clock=clock,
                )
                try:
                    yield BotHarness(
                        servicenow=sn,
                        servicenow_url=sandboxes.servicenow_url,
                        slack=slack,
                        slack_url=sandboxes.slack_url,
                        bot_url=sandboxes.bot_url,
                        metrics_url=sandboxes.metrics_url,
                        container=container,
                        driver=driver,
                        http=http,
                    )
                finally:
                    await container.work.drain(within=5)
                    if redis_prefix is None and not settings.uses_memory_store:
                        await _forget(container)


@contextlib.asynccontextmanager
async def running_bot(
    *,
    clock: Callable[[], float] = time.time,
    servicenow: ServiceNowSandbox | None = None,
    servicenow_front: Callable[[ASGIApp], ASGIApp] | None = None,
    **bot_options: Any,
) -> AsyncIterator[BotHarness]:
    """Start both sandboxes and a bot on them (``bot_on`` takes ``bot_options``); stop
    everything on exit."""
    async with (
        running_sandboxes(
            clock=clock, servicenow=servicenow, servicenow_front=servicenow_front
        ) as sandboxes,
        bot_on(sandboxes, **bot_options) as harness,
    ):
        yield harness


async def _forget(container: Container) -> None:
    """Delete the keys of a throwaway prefix."""
    async for key in container.redis.scan_iter(match=container.keys.all_pattern(), count=500):
        await container.redis.delete(key)
