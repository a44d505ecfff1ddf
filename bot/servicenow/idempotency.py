"""Idempotent creates: one Redis key per create, mirrored in the record's correlation_id.

The Table API has no idempotency header, so the bot does it client-side
For an idempotency key (the caller derives it from
the Slack side: team, user, event or view):

* ``correlation_for(key)`` is written to the new incident's ``correlation_id``, so
  the incident can be found again by that value with the user's own token;
* the Redis key ``Keys.idempotency("create", key)`` holds ``pending:<unix time>``
  while a create is in flight (``SET NX``, TTL ``IDEMPOTENCY_TTL``), then
  ``done:<sys_id>``; it is deleted when ServiceNow refused the create for certain
  (a 4xx or a connection that never opened), so the user may simply try again;
* a pending key older than ``stale_after`` seconds, whose incident is still not
  found, may be taken over (compare-and-set) by one new attempt.

``IdempotentCreate.create`` runs the whole flow: claim the key; if it is done, read
the record; if another attempt is pending, look the record up by correlation_id and
otherwise wait for that attempt (within the deadline); when owned, POST once, and if
the answer is lost, look the record up before anything else. A create whose answer
was lost is thus found, not repeated; when it is not found (yet),
``WriteOutcomeUnknownError`` leaves the key pending for the next call.

Redis failures are ``StoreError``: without the guard there is no create (fail closed).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.errors import (
    AuthError,
    ServiceNowError,
    ServiceNowNotFoundError,
    ServiceNowUnavailableError,
    StoreError,
    WriteOutcomeUnknownError,
)
from bot.servicenow.http import was_sent
from bot.servicenow.query import Eq, Query
from bot.servicenow.records import value
from bot.servicenow.session import Deadline
from bot.servicenow.table import TableApi
from bot.store.keys import IDEMPOTENCY_TTL, Keys, digest

log = logging.getLogger(__name__)

CORRELATION_PREFIX = "snowbot-"
CORRELATION_FIELD = "correlation_id"
SCOPE = "create"
POLL_SECONDS = 0.1
FINAL_LOOKUP_RESERVE = 0.4  # seconds kept for a last lookup while waiting on another attempt

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


class IdempotentCreate:
    """Creates that happen once per idempotency key, through the Table API and the guard."""

    def __init__(self, *, table_api: TableApi, guard: CreateGuard) -> None:
        self._api = table_api
        self._guard = guard

    async def create(
        self,
        table: str,
        body: Mapping[str, str],
        *,
        idempotency_key: str,
        fields: tuple[str, ...],
        deadline: Deadline,
        operation: str,
    ) -> dict[str, Any]:
        """The record created for this key: made now, found again, or already known."""
        correlation = correlation_for(idempotency_key)
        claim = await self._guard.claim(idempotency_key)
        while claim.state is not ClaimState.OWNED:
            if claim.state is ClaimState.DONE:
                return await self._created(
                    table, claim=claim, correlation=correlation, fields=fields, deadline=deadline
                )
            found = await self._lookup(
                table, correlation=correlation, fields=fields, deadline=deadline
            )
            if found is not None:
                await self._guard.done(idempotency_key, value(found, "sys_id"))
                return found
            if self._guard.is_stale(claim):
                taken = await self._guard.take_over(idempotency_key, claim)
                if taken is not None:
                    claim = taken
                    continue
            claim = await self._wait_for_other(
                table, idempotency_key=idempotency_key, fields=fields, deadline=deadline
            )
        payload = {**body, CORRELATION_FIELD: correlation}
        try:
            record = await self._api.insert(
                table, payload, fields=fields, deadline=deadline, operation=operation
            )
        except ServiceNowUnavailableError as exc:
            cause = exc.__cause__
            if isinstance(cause, httpx.HTTPError) and not was_sent(cause):
                await self._guard.release(idempotency_key, claim)  # never reached ServiceNow
                raise
            return await self._reconcile(
                table, idempotency_key=idempotency_key, fields=fields, deadline=deadline, exc=exc
            )
        except (ServiceNowError, AuthError):
            # A certain refusal (4xx, long 429, reconnect): nothing was created.
            await self._guard.release(idempotency_key, claim)
            raise
        if value(record, CORRELATION_FIELD) != correlation:
            log.warning("%s: correlation_id was not stored (field ACL?)", operation)
        try:
            await self._guard.done(idempotency_key, value(record, "sys_id"))
        except StoreError:
            # The record exists: say so. A repeat finds it by correlation_id.
            log.warning("%s: created, but the idempotency key could not be updated", operation)
        return record

    async def _lookup(
        self, table: str, *, correlation: str, fields: tuple[str, ...], deadline: Deadline
    ) -> dict[str, Any] | None:
        rows = await self._api.select(
            table,
            query=Query.of(Eq(CORRELATION_FIELD, correlation)),
            fields=fields,
            limit=1,
            deadline=deadline,
            operation="create.lookup",
        )
        return rows.records[0] if rows.records else None

    async def _created(
        self,
        table: str,
        *,
        claim: Claim,
        correlation: str,
        fields: tuple[str, ...],
        deadline: Deadline,
    ) -> dict[str, Any]:
        try:
            return await self._api.get(
                table, claim.sys_id, fields=fields, deadline=deadline, operation="create.read"
            )
        except ServiceNowNotFoundError:
            found = await self._lookup(
                table, correlation=correlation, fields=fields, deadline=deadline
            )
            if found is None:
                raise
            return found

    async def _wait_for_other(
        self, table: str, *, idempotency_key: str, fields: tuple[str, ...], deadline: Deadline
    ) -> Claim:
        """Poll while another attempt is in flight: its result, or a last lookup."""
        while deadline.remaining() > FINAL_LOOKUP_RESERVE:
            await self._api.session.sleep(POLL_SECONDS)
            current = await self._guard.read(idempotency_key)
            if current is None:
                return await self._guard.claim(idempotency_key)
            if current.state is not ClaimState.PENDING:
                return current
        with contextlib.suppress(ServiceNowUnavailableError):
            found = await self._lookup(
                table,
                correlation=correlation_for(idempotency_key),
                fields=fields,
                deadline=deadline,
            )
            if found is not None:
                sys_id = value(found, "sys_id")
                await self._guard.done(idempotency_key, sys_id)
                return Claim(ClaimState.DONE, raw=f"done:{sys_id}", sys_id=sys_id)
        msg = "create: another attempt with this key is still unresolved"
        raise WriteOutcomeUnknownError(msg)

    async def _reconcile(
        self,
        table: str,
        *,
        idempotency_key: str,
        fields: tuple[str, ...],
        deadline: Deadline,
        exc: ServiceNowUnavailableError,
    ) -> dict[str, Any]:
        """After a lost answer: look the record up before anything else is tried."""
        found = None
        with contextlib.suppress(ServiceNowUnavailableError):
            found = await self._lookup(
                table,
                correlation=correlation_for(idempotency_key),
                fields=fields,
                deadline=deadline,
            )
        if found is None:
            msg = "create: the answer was lost and the record is not found yet"
            raise WriteOutcomeUnknownError(msg) from exc
        await self._guard.done(idempotency_key, value(found, "sys_id"))
        return found
