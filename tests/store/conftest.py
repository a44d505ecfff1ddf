"""Fixtures for the Redis stores: keys under the test's prefix, a cipher, the vault."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.models import SlackUser
from bot.servicenow.models import ServiceNowUser, TokenSet
from bot.settings import Settings
from bot.store.crypto import RecordCipher
from bot.store.keys import Keys
from bot.store.vault import RedisTokenVault, TokenRecord

INSTANCE = "https://dev98042.service-now.com"


@pytest.fixture
def settings() -> Settings:
    """Settings with one fresh encryption key."""
    return Settings.for_tests(encryption_keys=Settings.generate_key())


@pytest.fixture
def keys(redis_prefix: str) -> Keys:
    """Key names under the test's own prefix."""
    return Keys(prefix=redis_prefix)


@pytest.fixture
def cipher(settings: Settings) -> RecordCipher:
    """The cipher over the test settings' key."""
    return RecordCipher.from_settings(settings)


@pytest.fixture
def vault(redis: Redis, keys: Keys, cipher: RecordCipher) -> RedisTokenVault:
    """A token vault on the real Redis."""
    return RedisTokenVault(redis, keys=keys, cipher=cipher)


@pytest.fixture
def alice() -> SlackUser:
    """A Slack user in an Enterprise Grid workspace."""
    return SlackUser(enterprise_id="E01", team_id="T01", user_id="U0ALICE")


@pytest.fixture
def bob() -> SlackUser:
    """Another Slack user of the same workspace."""
    return SlackUser(enterprise_id="E01", team_id="T01", user_id="U0BOB")


def make_record(
    name: str = "alice", *, expires_at: float = 10_000.0, instance_url: str = INSTANCE
) -> TokenRecord:
    """A fresh link whose secrets are recognisable strings (TESTSECRET-...)."""
    return TokenRecord.linked(
        tokens=TokenSet(
            access_token=f"TESTSECRET-access-{name}",
            refresh_token=f"TESTSECRET-refresh-{name}",
            expires_at=expires_at,
        ),
        servicenow_user=ServiceNowUser(
            sys_id="6816f79cc0a8016401c5a33be04be441",
            user_name=name,
            name=name.title(),
            email=f"{name}@example.com",
        ),
        instance_url=instance_url,
        linked_at=1_000.0,
    )


def _raw(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode()


async def raw_dump(redis: Redis, prefix: str) -> bytes:
    """Every key name and value under ``prefix``, as raw bytes, whatever the key's type."""
    chunks: list[object] = []
    async for name in redis.scan_iter(match=f"{prefix}:*", count=500):
        chunks.append(name)
        kind = _raw(await redis.type(name))
        if kind == b"string":
            chunks.append(await redis.get(name))
        elif kind == b"hash":
            for field, value in (await redis.hgetall(name)).items():
                chunks += [field, value]
        elif kind == b"set":
            chunks += list(await redis.smembers(name))
        elif kind == b"zset":
            chunks += list(await redis.zrange(name, 0, -1))
        elif kind == b"list":
            chunks += list(await redis.lrange(name, 0, -1))
        elif kind == b"stream":
            for _id, entry in await redis.xrange(name) or []:
                for field, value in (entry or {}).items():
                    chunks += [field, value]
    return b"\n".join(_raw(chunk) for chunk in chunks)
