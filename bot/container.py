"""The composition root: every long-lived client, opened once and closed once.

``open_container(settings)`` is the only place that builds Redis, HTTP and Slack
clients, the intent engine and the stores; everything else receives what it needs
from the ``Container`` as arguments. Nothing here runs at import time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiohttp
import httpx
from redis.asyncio import Redis
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.admins import AdminNotifier
from bot.blocks import Message
from bot.errors import IntentModelError
from bot.logs import RedactionFilter
from bot.metrics import Metrics
from bot.models import SlackUser
from bot.names import SlackNames
from bot.reply import Origin, SlackReply, tell
from bot.servicenow.http import open_http_client
from bot.services import ServiceNowAccess, SlackDirectory
from bot.settings import Settings
from bot.setup.records import SetupRecords
from bot.store.audit import AuditLog
from bot.store.confirmations import ConfirmationStore
from bot.store.connection import open_redis
from bot.store.conversation import ConversationStore
from bot.store.crypto import RecordCipher
from bot.store.dedupe import EventDeduper, IdempotencyKeys
from bot.store.drafts import DraftStore, FeedbackDraftStore
from bot.store.feedback import FeedbackLog
from bot.store.instance_config import InstanceConfig, InstanceConfigStore
from bot.store.keys import REFRESH_LOCK_TTL, Keys
from bot.store.oauth_state import OAuthStateStore
from bot.store.refresh import TokenRefresher
from bot.store.vault import RedisTokenVault
from bot.work import WorkRegistry
from intents import IntentEngine, IntentError, load_engine


@dataclass(kw_only=True)
class Container:
    """What the app needs at run time; built by ``open_container`` or by tests."""

    settings: Settings
    redis: Redis
    keys: Keys
    http: httpx.AsyncClient
    slack: AsyncWebClient
    metrics: Metrics
    work: WorkRegistry
    redaction: RedactionFilter
    cipher: RecordCipher
    vault: RedisTokenVault
    refresher: TokenRefresher
    states: OAuthStateStore
    instances: InstanceConfigStore
    audit: AuditLog
    feedback: FeedbackLog
    conversations: ConversationStore
    idempotency: IdempotencyKeys
    events: EventDeduper
    servicenow: ServiceNowAccess
    directory: SlackDirectory
    admins: AdminNotifier
    drafts: DraftStore
    feedback_drafts: FeedbackDraftStore
    confirmations: ConfirmationStore
    setup_records: SetupRecords
    engine: IntentEngine
    clock: Callable[[], float] = time.time
    started_at: float = field(default_factory=time.time)

    def home_reply(self, user: SlackUser) -> SlackReply:
        """A reply to ``user`` outside any request: their DM with the bot, their Home tab."""
        return SlackReply(client=self.slack, user=user, origin=Origin(kind="home"))

    async def tell(self, user: SlackUser, message: Message, *, about: str) -> bool:
        """DM ``message`` to ``user``; a Slack failure is logged (False), never raised."""
        return await tell(self.slack, user, message, about=about)

    def names(self, user: SlackUser) -> SlackNames:
        """Slack names for ``user``'s workspace (cached in Redis)."""
        return SlackNames(slack=self.slack, redis=self.redis, keys=self.keys, user=user)


def slack_retry_handlers() -> list[AsyncRetryHandler]:
    """Retries for Slack Web API calls: rate limits, dropped connections, 5xx."""
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


def load_intent_engine() -> IntentEngine:
    """The bot's own intent model, checked on load (``IntentModelError`` if unusable).

    A bundled model whose recorded scikit-learn version or training-data hash does not
    match this installation is retrained in memory from the shipped data (a second
    or two) rather than trusted or refused.
    """
    try:
        return load_engine(rebuild=True)
    except IntentError as exc:
        msg = f"the intent model cannot be loaded: {exc}"
        raise IntentModelError(msg) from exc


@contextlib.asynccontextmanager
async def open_container(
    settings: Settings,
    *,
    redaction: RedactionFilter | None = None,
    metrics: Metrics | None = None,
    engine: IntentEngine | None = None,
    clock: Callable[[], float] = time.time,
    refresh_lock_ttl: float | None = None,
) -> AsyncIterator[Container]:
    """Open every client for ``settings``; close them in reverse order on exit.

    ``refresh_lock_ttl`` (seconds) shortens the cross-replica refresh lock, for tests
    that kill a lock holder; it defaults to ``keys.REFRESH_LOCK_TTL``.
    """
    metrics = metrics or Metrics()
    if redaction is None:
        redaction = RedactionFilter(settings.secret_values(), on_redact=metrics.count_redactions)
    async with contextlib.AsyncExitStack() as stack:
        redis = open_redis(settings)
        stack.push_async_callback(redis.aclose)
        http = open_http_client(settings)
        stack.push_async_callback(http.aclose)
        session = aiohttp.ClientSession()
        stack.push_async_callback(session.close)
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        slack = AsyncWebClient(
            token=token,
            base_url=settings.slack_api_url,
            session=session,
            timeout=10,
            proxy=settings.https_proxy,
            retry_handlers=slack_retry_handlers(),
        )
        if engine is None:
            engine = load_intent_engine()
        work = WorkRegistry()
        keys = Keys(prefix=settings.redis_key_prefix)
        cipher = RecordCipher.from_settings(settings)
        vault = RedisTokenVault(redis, keys=keys, cipher=cipher)
        refresher = TokenRefresher(
            vault=vault,
            redis=redis,
            keys=keys,
            clock=clock,
            lock_ttl_s=refresh_lock_ttl or REFRESH_LOCK_TTL,
        )
        stack.push_async_callback(refresher.aclose)
        states = OAuthStateStore(redis, keys=keys, cipher=cipher, clock=clock)
        instances = InstanceConfigStore(
            redis, keys=keys, cipher=cipher, fallback=InstanceConfig.from_settings(settings)
        )
        idempotency = IdempotencyKeys(redis, keys=keys, clock=clock)
        directory = SlackDirectory(slack)
        audit = AuditLog(redis, keys=keys, clock=clock)
        container = Container(
            settings=settings,
            redis=redis,
            keys=keys,
            http=http,
            slack=slack,
            metrics=metrics,
            work=work,
            redaction=redaction,
            cipher=cipher,
            vault=vault,
            refresher=refresher,
            states=states,
            instances=instances,
            audit=audit,
            feedback=FeedbackLog(redis, keys=keys),
            conversations=ConversationStore(redis, keys=keys),
            idempotency=idempotency,
            events=EventDeduper(redis, keys=keys),
            servicenow=ServiceNowAccess(
                settings=settings,
                http=http,
                instances=instances,
                vault=vault,
                refresher=refresher,
                states=states,
                guard=idempotency,
                metrics=metrics,
                clock=clock,
                audit=audit,
            ),
            directory=directory,
            drafts=DraftStore(redis, keys=keys),
            feedback_drafts=FeedbackDraftStore(redis, keys=keys),
            confirmations=ConfirmationStore(redis, keys=keys),
            setup_records=SetupRecords(redis, keys=keys),
            admins=AdminNotifier(
                settings=settings,
                instances=instances,
                vault=vault,
                directory=directory,
                slack=slack,
                redis=redis,
                keys=keys,
            ),
            engine=engine,
            clock=clock,
        )
        try:
            yield container
        finally:
            await work.drain()
