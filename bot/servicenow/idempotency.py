"""Create idempotency: one Redis key per create, mirrored in the incident's correlation_id.

The Table API has no idempotency header, so the bot does it client-side
(security-and-reliability §5.4). For an idempotency key (the caller derives it from
the Slack side: team, user, event or view):

* ``correlation_for(key)`` is written to the new incident's ``correlation_id``, so
  the incident can be found again by that value with the user's own token;
* the Redis key ``Keys.idempotency("create", key)`` holds ``pending:<unix time>``
  while a create is in flight (``SET NX``, TTL ``IDEMPOTENCY_TTL``), then
  ``done:<sys_id>``; it is deleted when ServiceNow refused the create for certain
  (a 4xx or a connection that never opened), so the user may simply try again;
* a pending key older than ``stale_after`` seconds, whose incident is still not
  found, may be taken over (compare-and-set) by one new attempt.

Redis failures are ``StoreError``: without the guard there is no create (fail closed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.errors import StoreError
from bot.store.keys import IDEMPOTENCY_TTL, Keys, digest

CORRELATION_PREFIX = "snowbot-"
SCOPE = "create"

# Replace the value only if it is still the one we read.
_CAS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


def correlation_for(idempotency_key: str) -> str:
    """The ``correlation_id`` written on the incident (hex only: safe in any query)."""
    if not idempotency_key:
        msg = "an idempotency key is required"
        raise ValueError(msg)
    return CORRELATION_PREFIX + digest(idempotency_key)


class ClaimState(Enum):
    """What the guard found for a key."""

    OWNED = "owned"  # this caller may send the create
    PENDING = "pending"  # another attempt is (or was) in flight
    DONE = "done"  # the incident exists: ``sys_id``


@dataclass(frozen=True)
class Claim:
    """The guard's answer: the state, the stored value, and (when done) the sys_id."""

    state: ClaimState
    raw: str = ""
    sys_id: str = ""
    started_at: float = 0.0


class CreateGuard:
    """The Redis side of idempotent creates."""

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        wall_clock: Callable[[], float] = time.time,
        ttl: int = IDEMPOTENCY_TTL,
        stale_after: float = 90.0,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._wall_clock = wall_clock
        self._ttl = ttl
        self.stale_after = stale_after

    def _key(self, idempotency_key: str) -> str:
        return self._keys.idempotency(SCOPE, idempotency_key)

    def _pending(self) -> str:
        return f"pending:{self._wall_clock():.3f}"

    async def claim(self, idempotency_key: str) -> Claim:
        """Own the key if it is new; otherwise report what it holds."""
        key = self._key(idempotency_key)
        mine = self._pending()
        try:
            if await self._redis.set(key, mine, nx=True, ex=self._ttl):
                return Claim(ClaimState.OWNED, raw=mine, started_at=self._wall_clock())
            stored = await self._redis.get(key)
        except RedisError as exc:
            msg = "idempotency claim failed"
            raise StoreError(msg) from exc
        if stored is None:  # released in between: try once more
            return await self.claim(idempotency_key)
        return parse_claim(stored.decode() if isinstance(stored, bytes) else str(stored))

    async def read(self, idempotency_key: str) -> Claim | None:
        """The key's current state (None when it is gone)."""
        try:
            stored = await self._redis.get(self._key(idempotency_key))
        except RedisError as exc:
            msg = "idempotency read failed"
            raise StoreError(msg) from exc
        if stored is None:
            return None
        return parse_claim(stored.decode() if isinstance(stored, bytes) else str(stored))

    def is_stale(self, claim: Claim) -> bool:
        """Whether a pending claim is old enough that its attempt surely ended."""
        return (
            claim.state is ClaimState.PENDING
            and self._wall_clock() - claim.started_at >= self.stale_after
        )

    async def take_over(self, idempotency_key: str, claim: Claim) -> Claim | None:
        """Own a stale pending key (None when another caller changed it first)."""
        mine = self._pending()
        try:
            won = await self._redis.eval(
                _CAS, 1, self._key(idempotency_key), claim.raw, mine, str(self._ttl)
            )
        except RedisError as exc:
            msg = "idempotency take-over failed"
            raise StoreError(msg) from exc
        if not won:
            return None
        return Claim(ClaimState.OWNED, raw=mine, started_at=self._wall_clock())

    async def done(self, idempotency_key: str, sys_id: str) -> None:
        """Record the created incident."""
        try:
            await self._redis.set(self._key(idempotency_key), f"done:{sys_id}", ex=self._ttl)
        except RedisError as exc:
            msg = "idempotency completion failed"
            raise StoreError(msg) from exc

    async def release(self, idempotency_key: str, claim: Claim) -> None:
        """Forget an owned claim after a certain refusal (only if still ours)."""
        try:
            await self._redis.eval(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then "
                "return redis.call('DEL', KEYS[1]) end return 0",
                1,
                self._key(idempotency_key),
                claim.raw,
            )
        except RedisError as exc:
            msg = "idempotency release failed"
            raise StoreError(msg) from exc


def parse_claim(raw: str) -> Claim:
    """A stored value as a ``Claim`` (an unreadable value counts as pending now)."""
    kind, _, rest = raw.partition(":")
    if kind == "done" and rest:
        return Claim(ClaimState.DONE, raw=raw, sys_id=rest)
    try:
        started = float(rest)
    except ValueError:
        started = 0.0
    return Claim(ClaimState.PENDING, raw=raw, started_at=started)
