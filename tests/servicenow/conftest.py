"""Fixtures: the sandbox ServiceNow over real HTTP, and clients acting as seeded users."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from bot.servicenow.client import ServiceNowIncidents
from bot.servicenow.http import open_http_client
from bot.servicenow.instance import Instance, parse_instance
from bot.servicenow.oauth import ServiceNowOAuth
from bot.servicenow.session import RetryPolicy, ServiceNowSession
from bot.settings import Settings
from bot.store.dedupe import IdempotencyKeys
from bot.store.keys import Keys
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.conftest import Serve

CLIENT_ID = "snowbot-test"
CLIENT_SECRET = "TESTSECRET-client-0001"
REDIRECT_URI = "http://127.0.0.1:3000/servicenow/oauth/callback"


@dataclass
class SandboxTokens:
    """A TokenSource over tokens minted by the sandbox, refreshed through the real endpoint."""

    oauth: ServiceNowOAuth
    access: str = field(repr=False)
    refresh: str = field(repr=False)
    refreshes: int = 0

    async def access_token(self) -> str:
        """The current access token."""
        return self.access

    async def refreshed_token(self, rejected: str) -> str:
        """Refresh once through /oauth_token.do (ReconnectRequiredError when refused)."""
        self.refreshes += 1
        tokens = await self.oauth.refresh(self.refresh)
        self.access = tokens.access_token
        self.refresh = tokens.refresh_token or self.refresh
        return self.access


@dataclass
class Acting:
    """A client acting as one seeded user, with its token source."""

    incidents: ServiceNowIncidents
    tokens: SandboxTokens
    user_name: str
    sys_id: str


class NoSleep:
    """An injected sleep that records the waits and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class LostAnswer:
    """One armed rule of ``Front``: which request, and when ServiceNow commits it."""

    method: str
    path: str
    commit_after: float
    times: int


class Front:
    """Test-only ASGI front of the sandbox that can lose an answer after the write.

    The sandbox's own latency fault ends when the client gives up (the write never
    happens); this front instead lets the sandbox process the request, ``commit_after``
    seconds later even if the client has left, and never delivers the answer: the
    "committed, but the answer was lost" case an idempotent create must survive.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rules: list[LostAnswer] = []
        self.background: set[asyncio.Task[None]] = set()

    def lose_answer(
        self, *, method: str, path: str, commit_after: float = 0.0, times: int = 1
    ) -> None:
        """Process the next ``times`` matching requests, but never answer them."""
        self.rules.append(LostAnswer(method.upper(), path, commit_after, times))

    async def settled(self) -> None:
        """Wait until every held request has been processed by the sandbox."""
        await asyncio.gather(*self.background)

    def _take(self, scope: dict[str, Any]) -> LostAnswer | None:
        for rule in self.rules:
            if rule.times > 0 and (scope.get("method"), scope.get("path")) == (
                rule.method,
                rule.path,
            ):
                rule.times -= 1
                return rule
        return None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """ASGI entry point."""
        rule = self._take(scope) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the sandbox never sees the client leave
            return {"type": "http.disconnect"}

        async def discard(message: Any) -> None:
            return None

        async def commit() -> None:
            await asyncio.sleep(rule.commit_after)
            await self.app(scope, replay, discard)

        task = asyncio.create_task(commit())
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        while (await receive())["type"] != "http.disconnect":
            pass


@pytest.fixture
def sandbox() -> ServiceNowSandbox:
    """A seeded sandbox with the bot's OAuth client registered."""
    sb = ServiceNowSandbox(rng_seed=7)
    sb.register_client(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI]
    )
    return sb


@pytest.fixture
def front(sandbox: ServiceNowSandbox) -> Front:
    """The sandbox app behind a front that can lose answers (pass-through by default)."""
    return Front(sandbox.app)


@pytest.fixture
async def instance(front: Front, serve: Serve) -> AsyncIterator[Instance]:
    """The sandbox served on loopback, as an accepted (insecure) instance."""
    async with serve(front) as url:
        yield parse_instance(url, allow_insecure=True)
    for task in front.background:
        task.cancel()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The shared client as the app opens it."""
    client = open_http_client(Settings.for_tests(servicenow_timeout=2.0))
    async with client:
        yield client


@pytest.fixture
def oauth(http: httpx.AsyncClient, instance: Instance) -> ServiceNowOAuth:
    """The token endpoint client for the registered test client."""
    return ServiceNowOAuth(
        http=http, instance=instance, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )


ActAs = Callable[..., Awaitable[Acting]]


@pytest.fixture
def act_as(
    sandbox: ServiceNowSandbox,
    http: httpx.AsyncClient,
    oauth: ServiceNowOAuth,
    redis: Redis,
    redis_prefix: str,
) -> ActAs:
    """Build a ServiceNowIncidents acting as a seeded user (policy, sleep, observer optional)."""

    async def build(
        user_name: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: NoSleep | None = None,
        observer: Callable[[str, float, str], None] | None = None,
        stale_after: float = 90.0,
    ) -> Acting:
        pair = sandbox.issue_tokens(user_name=user_name, client_id=CLIENT_ID)
        tokens = SandboxTokens(oauth=oauth, access=pair.access_token, refresh=pair.refresh_token)
        session = ServiceNowSession(
            http=http,
            instance=oauth.instance,
            tokens=tokens,
            policy=policy,
            rng=random.Random(3),
            sleep=sleep if sleep is not None else asyncio.sleep,
        )
        guard = IdempotencyKeys(redis, keys=Keys(prefix=redis_prefix))
        incidents = ServiceNowIncidents(
            session=session, guard=guard, stale_after=stale_after, observer=observer
        )
        user = sandbox.user_by_name(user_name)
        return Acting(incidents=incidents, tokens=tokens, user_name=user_name, sys_id=user.sys_id)

    return build
