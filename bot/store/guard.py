"""Turning redis-py failures into ``StoreError`` at the edge of every store.

Every store wraps its Redis calls in ``redis_errors("what it was doing")``: a Redis
that is down, slow or refusing becomes ``StoreError`` with a detail for the logs (never
a value), so callers fail closed with one sentence for the user. A lost WATCH
(another replica wrote first) becomes ``ConcurrencyError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, WatchError

from bot.errors import ConcurrencyError, StoreError


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
