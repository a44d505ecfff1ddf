"""Every store fails closed with StoreError, promptly, when Redis cannot be reached."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from pydantic import BaseModel, SecretStr
from redis.asyncio import Redis

from bot.errors import StoreError
from bot.models import SlackUser
from bot.servicenow.models import TokenSet
from bot.settings import Settings
from bot.store.connection import open_redis
from bot.store.conversation import ConversationStore
from bot.store.crypto import RecordCipher
from bot.store.feedback import FeedbackEntry, FeedbackLog
from bot.store.instance_config import InstanceConfig, InstanceConfigStore
from bot.store.keys import Keys
from bot.store.oauth_state import OAuthStateStore
from bot.store.refresh import TokenRefresher
from bot.store.vault import RedisTokenVault

from .conftest import INSTANCE

USER = SlackUser(team_id="T01", user_id="U01")


class Slots(BaseModel):
    """Some conversation state."""

    step: str = "x"


@pytest.fixture
async def down() -> AsyncIterator[Redis]:
    """A client configured like production, pointed at a port where nothing listens."""
    client = open_redis(Settings.for_tests(redis_url="redis://127.0.0.1:1/0"))
    yield client
    await client.aclose()


async def fails_closed(call: Callable[[], Awaitable[object]]) -> None:
    """``call`` raises StoreError well within the two-second budget (a generous bound)."""
    async with asyncio.timeout(5):
        with pytest.raises(StoreError):
            await call()


async def never_called(refresh_token: str) -> TokenSet:
    """A refresh that must not happen."""
    raise AssertionError(refresh_token)


async def test_refresher_fails_closed(down: Redis, cipher: RecordCipher) -> None:
    """Asking for a token with Redis down raises StoreError and calls nobody."""
    keys = Keys(prefix="unused")
    vault = RedisTokenVault(down, keys=keys, cipher=cipher)
    refresher = TokenRefresher(vault=vault, redis=down, keys=keys)
    await fails_closed(refresher.source(USER, refresh_call=never_called).access_token)


async def test_oauth_state_fails_closed(down: Redis, cipher: RecordCipher) -> None:
    """Starting or finishing a consent with Redis down raises StoreError."""
    store = OAuthStateStore(down, keys=Keys(prefix="unused"), cipher=cipher)
    await fails_closed(lambda: store.begin(USER, instance_url=INSTANCE))
    await fails_closed(lambda: store.consume("s", browser_nonce="n"))


async def test_conversation_fails_closed(down: Redis) -> None:
    """Reading or saving conversation state with Redis down raises StoreError."""
    store = ConversationStore(down, keys=Keys(prefix="unused"))
    await fails_closed(lambda: store.load(USER, Slots))
    await fails_closed(lambda: store.save(USER, Slots()))


async def test_instance_config_fails_closed(down: Redis, cipher: RecordCipher) -> None:
    """Reading or replacing the connection with Redis down raises StoreError."""
    store = InstanceConfigStore(down, keys=Keys(prefix="unused"), cipher=cipher)
    config = InstanceConfig(instance_url=INSTANCE, client_id="c", client_secret=SecretStr("s"))
    await fails_closed(lambda: store.get(None, "T01"))
    await fails_closed(lambda: store.replace(config, enterprise_id=None, team_id="T01"))


async def test_feedback_fails_closed(down: Redis) -> None:
    """Appending or summarising feedback with Redis down raises StoreError."""
    log = FeedbackLog(down, keys=Keys(prefix="unused"))
    entry = FeedbackEntry(team_id="T01", user_id="U01", rating=5, at=0.0)
    await fails_closed(lambda: log.append(entry))
    await fails_closed(lambda: log.summary(None, "T01"))
