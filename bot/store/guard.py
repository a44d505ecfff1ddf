"""Turning redis-py failures into ``StoreError`` at the edge of every store.

Every store wraps its Redis calls in ``redis_errors("what it was doing")``: a Redis
that is down, slow or refusing becomes ``StoreError`` with a detail for the logs (never
a value), so callers fail closed with one sentence for the user. A lost WATCH
(another replica wrote first) becomes ``ConcurrencyError``.

``watched_write`` is the one compare-and-set loop (WATCH, read, MULTI, write, retry on
a lost race) every store uses, and ``compare_and_set`` / ``compare_and_delete`` its
one-key forms. None of them runs Lua: the embedded ``memory://`` store has no
``EVAL``, and WATCH/MULTI is as safe.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, WatchError

from bot.errors import ConcurrencyError, StoreError

T = TypeVar("T")
CAS_ATTEMPTS = 3


@contextmanager
def redis_errors(action: str) -> Iterator[None]:
    """Re-raise any Redis failure inside the block as ``StoreError`` naming ``action``."""
    try:
        yield
    except WatchError as exc:
        msg = f"{action}: another writer changed the record first"
        raise ConcurrencyError(msg) from exc
    except RedisError as exc:
        msg = f"{action}: Redis failed ({type(exc).__name__}: {exc})"
        raise StoreError(msg) from exc
    except OSError as exc:
        msg = f"{action}: Redis unreachable ({type(exc).__name__})"
        raise StoreError(msg) from exc


def text(value: bytes | str | None) -> str | None:
    """A Redis reply as text (clients run with ``decode_responses=False``)."""
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else value


def begin(pipe: Pipeline) -> None:
    """Start the MULTI block of a WATCHed pipeline."""
    pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves multi() unannotated


async def watched_write(
    redis: Redis,
    key: str,
    step: Callable[[Pipeline], Awaitable[T]],
    *,
    action: str,
    attempts: int = CAS_ATTEMPTS,
    retry: bool = True,
) -> T:
    """Run ``step`` as a compare-and-set on ``key``; its result.

    ``step`` reads ``key`` through ``pipe`` (WATCHed); to write, it calls ``begin(pipe)``
    and queues the commands, which run only if nobody changed ``key`` meanwhile. When
    another writer was first, ``step`` runs again on what is there now, up to
    ``attempts`` times (once without ``retry``), then ``ConcurrencyError``. A
    ``ConcurrencyError`` that ``step`` raises itself (a version the caller did not
    expect) is not retried. Redis failures are ``StoreError``.
    """
    for _attempt in range(attempts if retry else 1):
        with redis_errors(action):
            async with redis.pipeline(transaction=True) as pipe:
                await pipe.watch(key)
                result = await step(pipe)
                if not pipe.explicit_transaction:
                    return result
                try:
                    await pipe.execute()
                except WatchError:
                    continue
                return result
    msg = f"{action}: another writer changed the record first"
    raise ConcurrencyError(msg)


async def compare_and_set(
    redis: Redis,
    key: str,
    expected: str,
    new: str | None,
    *,
    action: str,
    ttl_s: int | None = None,
) -> bool:
    """Set ``key`` to ``new`` (delete it when None) only if it still holds ``expected``.

    The TTL is ``ttl_s`` when given, else the key keeps its own. False when the value
    was another, or changed while this ran.
    """

    async def step(pipe: Pipeline) -> bool:
        if text(await pipe.get(key)) != expected:
            return False
        begin(pipe)
        if new is None:
            pipe.delete(key)
        elif ttl_s is None:
            pipe.set(key, new, keepttl=True)
        else:
            pipe.set(key, new, ex=ttl_s)
        return True

    try:
        return await watched_write(redis, key, step, action=action, retry=False)
    except ConcurrencyError:
        return False


async def compare_and_delete(redis: Redis, key: str, expected: str, *, action: str) -> bool:
    """Delete ``key`` only if it still holds ``expected``; whether it did."""
    return await compare_and_set(redis, key, expected, None, action=action)
