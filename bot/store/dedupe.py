"""Doing things once: Slack event de-duplication and idempotency keys for writes.

Slack redelivers events it thinks were not acknowledged in time (up to three retries
over about five minutes, sometimes while the first delivery is still running), and
people double-click. ``EventDeduper`` lets the first delivery of ``team``+``event_id``
through (``SET NX EX``) and drops the rest.

``IdempotencyKeys`` is the one exactly-once primitive of every write (the ServiceNow
client's creates, and the handlers' click claims on cards and modals), Stripe-style:
``claim`` marks a key *pending* unless it exists;
``remember`` stores the result (say the new incident's sys_id) as *done*; a retry
that finds *pending* says "still working", one that finds *done* answers with the
result; ``release`` gives the key back after a failure that changed nothing. The key
(``idempotency_key(team, user, event)``) is also what goes into the incident's
``correlation_id``, so a create whose answer was lost can be found, not repeated.

A pending claim whose attempt died with its process (older than the caller's stale
rule), or ended without knowing whether ServiceNow wrote (``unsettle``: pending since
0, so stale at once), may be taken over by exactly one later attempt
(``take_over``, compare-and-set on the value read, under WATCH: no Lua, which the
``memory://`` store refuses); that attempt looks for the write before doing it again.
Every entry has a TTL; Redis failures are ``StoreError``, so callers fail closed
(no dedupe, no create).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from redis.asyncio import Redis

from bot.store.guard import compare_and_delete, compare_and_set, redis_errors, text
from bot.store.keys import EVENT_DEDUPE_TTL, IDEMPOTENCY_TTL, Keys

Clock = Callable[[], float]
ClaimStatus = Literal["claimed", "pending", "done"]



def idempotency_key(*parts: str) -> str:
    """A stable hex key from the parts that identify one user intent (64 hex chars)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class EventDeduper:
    """Lets each Slack event through once per ``EVENT_DEDUPE_TTL``."""

    def __init__(self, redis: Redis, *, keys: Keys, ttl_s: int = EVENT_DEDUPE_TTL) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_s = ttl_s

    async def first_delivery(self, team_id: str, event_id: str) -> bool:
        """True for the first delivery of this event; False for every redelivery."""
        with redis_errors("de-duplicating a Slack event"):
            claimed = await self._redis.set(
                self._keys.event_seen(team_id, event_id), b"1", nx=True, ex=self._ttl_s
            )
        return bool(claimed)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming an idempotency key."""

    status: ClaimStatus  # claimed: go ahead; pending: another attempt runs; done: see result
    result: str | None = None
    since: float | None = None  # when the pending attempt started (done: when it ended)
    raw: str = ""  # the stored value, for ``take_over``

    @property
    def won(self) -> bool:
        """Whether this caller should do the work."""
        return self.status == "claimed"


class IdempotencyKeys:
    """Claim / remember / look up one write's idempotency key, with a TTL."""

    def __init__(
        self,
        redis: Redis,
        *,
        keys: Keys,
        clock: Clock = time.time,
        ttl_s: int = IDEMPOTENCY_TTL,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._ttl_s = ttl_s

    async def claim(self, scope: str, key: str) -> Claim:
        """Mark ``key`` pending if nobody has; otherwise say what the first attempt left."""
        name = self._keys.idempotency(scope, key)
        now = self._clock()
        pending = json.dumps({"status": "pending", "since": now})
        for _attempt in range(2):
            with redis_errors("claiming an idempotency key"):
                if await self._redis.set(name, pending, nx=True, ex=self._ttl_s):
                    return Claim("claimed", since=now, raw=pending)
                existing = await self._read(name)
            if existing is not None:
                return existing
            # Expired between SET and GET: claim again.
        return Claim("pending")

    async def remember(self, scope: str, key: str, *, value: str) -> None:
        """Record the result of the claimed work (a sys_id, an incident number ...)."""
        name = self._keys.idempotency(scope, key)
        done = json.dumps({"status": "done", "result": value, "since": self._clock()})
        with redis_errors("remembering an idempotent result"):
            await self._redis.set(name, done, ex=self._ttl_s)

    def is_stale(self, claim: Claim, *, after: float) -> bool:
        """Whether a pending claim is ``after`` seconds old: its attempt surely ended."""
        return claim.status == "pending" and self._clock() - (claim.since or 0.0) >= after

    async def take_over(self, scope: str, key: str, seen: Claim) -> Claim | None:
        """Own a pending claim whose attempt is over (None when another caller moved first)."""
        if not seen.raw:
            return None
        now = self._clock()
        mine = json.dumps({"status": "pending", "since": now})
        won = await compare_and_set(
            self._redis,
            self._keys.idempotency(scope, key),
            seen.raw,
            mine,
            action="taking over an idempotency key",
            ttl_s=self._ttl_s,
        )
        return Claim("claimed", since=now, raw=mine) if won else None

    async def unsettle(self, scope: str, key: str) -> None:
        """Keep a claim whose write may or may not have happened: pending, stale at once."""
        name = self._keys.idempotency(scope, key)
        with redis_errors("marking an idempotency key unsettled"):
            await self._redis.set(
                name, json.dumps({"status": "pending", "since": 0.0}), ex=self._ttl_s
            )

    async def lookup(self, scope: str, key: str) -> Claim | None:
        """What is recorded for ``key``: pending, done with its result, or None."""
        with redis_errors("looking up an idempotency key"):
            return await self._read(self._keys.idempotency(scope, key))

    async def release(self, scope: str, key: str, owned: Claim | None = None) -> None:
        """Forget a claim whose work failed without side effects, so a retry may run.

        With ``owned`` (the claim this caller won), only while the key still holds it.
        """
        name = self._keys.idempotency(scope, key)
        if owned is not None:
            await compare_and_delete(
                self._redis, name, owned.raw, action="releasing an idempotency key"
            )
            return
        with redis_errors("releasing an idempotency key"):
            await self._redis.delete(name)

    async def _read(self, name: str) -> Claim | None:
        raw = text(await self._redis.get(name))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            since = data.get("since")
            if data.get("status") == "done":
                return Claim("done", result=str(data.get("result")), since=since, raw=raw)
            return Claim("pending", since=since, raw=raw)
        except (ValueError, AttributeError):
            return Claim("pending", raw=raw)
