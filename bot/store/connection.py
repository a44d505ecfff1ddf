"""Opening Redis: a URL, Sentinel, or the embedded ``memory://`` store.

Time-outs and retries are set explicitly so that a Redis that is down or stalled
turns into ``StoreError`` in under two seconds,
and callers fail closed with a sentence for the user.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.settings import Settings

_CLIENT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "health_check_interval": 15,
    "decode_responses": False,
}


def _retry() -> Retry:
    # Three attempts of at most 0.5 s with at most 0.4 s of backoff: ~1.9 s worst case.
    return Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=2)


def open_redis(settings: Settings) -> Redis:
    """A Redis client for the configured store; nothing is connected until first use."""
    if settings.redis_sentinels:
        hosts = []
        for entry in settings.redis_sentinels:
            host, _, port = entry.rpartition(":")
            hosts.append((host or entry, int(port or 26379)))
        sentinel = Sentinel(hosts, **_CLIENT_OPTIONS)
        master: Redis = sentinel.master_for(
            settings.redis_sentinel_master,
            retry=_retry(),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
        return master
    if settings.uses_memory_store:
        from fakeredis import FakeAsyncRedis, FakeServer

        memory: Redis = FakeAsyncRedis(server=FakeServer(), decode_responses=False)
        return memory
    return Redis.from_url(
        settings.redis_url,
        retry=_retry(),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        **_CLIENT_OPTIONS,
    )
