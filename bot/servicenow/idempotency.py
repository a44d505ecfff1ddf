"""Idempotent creates: one Redis key per create, mirrored in the record's correlation_id.

The Table API has no idempotency header, so the bot does it client-side
For an idempotency key (the caller derives it from
the Slack side: team, user, event or view):

* ``correlation_for(key)`` is written to the new incident's ``correlation_id``, so
  the incident can be found again by that value with the user's own token;
* the key ``"create"``/``key`` of ``bot.store.dedupe.IdempotencyKeys`` (the one
  exactly-once primitive) is pending while a create is in flight, then done with the
  sys_id; it is released when ServiceNow refused the create for certain (a 4xx or a
  connection that never opened), so the user may simply try again;
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
from collections.abc import Mapping
from typing import Any

import httpx

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
from bot.store.dedupe import Claim, IdempotencyKeys
from bot.store.keys import digest

log = logging.getLogger(__name__)

CORRELATION_PREFIX = "snowbot-"
CORRELATION_FIELD = "correlation_id"
SCOPE = "create"
STALE_AFTER = 90.0  # seconds after which a pending create surely ended
POLL_SECONDS = 0.1
FINAL_LOOKUP_RESERVE = 0.4  # seconds kept for a last lookup while waiting on another attempt

def correlation_for(idempotency_key: str) -> str:
    """The ``correlation_id`` written on the incident (hex only: safe in any query)."""
    if not idempotency_key:
        msg = "an idempotency key is required"
        raise ValueError(msg)
    return CORRELATION_PREFIX + digest(idempotency_key)


class IdempotentCreate:
    """Creates that happen once per idempotency key, through the Table API and the keys."""

    def __init__(
        self, *, table_api: TableApi, keys: IdempotencyKeys, stale_after: float = STALE_AFTER
    ) -> None:
        self._api = table_api
        self._keys = keys
        self._stale_after = stale_after

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
        claim = await self._keys.claim(SCOPE, idempotency_key)
        while not claim.won:
            if claim.status == "done":
                return await self._created(
                    table, claim=claim, correlation=correlation, fields=fields, deadline=deadline
                )
            found = await self._lookup(
                table, correlation=correlation, fields=fields, deadline=deadline
            )
            if found is not None:
                await self._done(idempotency_key, value(found, "sys_id"))
                return found
            if self._keys.is_stale(claim, after=self._stale_after):
                taken = await self._keys.take_over(SCOPE, idempotency_key, claim)
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
                await self._keys.release(SCOPE, idempotency_key, claim)  # never reached ServiceNow
                raise
            return await self._reconcile(
                table, idempotency_key=idempotency_key, fields=fields, deadline=deadline, exc=exc
            )
        except (ServiceNowError, AuthError):
            # A certain refusal (4xx, long 429, reconnect): nothing was created.
            await self._keys.release(SCOPE, idempotency_key, claim)
            raise
        if value(record, CORRELATION_FIELD) != correlation:
            log.warning("%s: correlation_id was not stored (field ACL?)", operation)
        try:
            await self._done(idempotency_key, value(record, "sys_id"))
        except StoreError:
            # The record exists: say so. A repeat finds it by correlation_id.
            log.warning("%s: created, but the idempotency key could not be updated", operation)
        return record

    async def _done(self, idempotency_key: str, sys_id: str) -> None:
        await self._keys.remember(SCOPE, idempotency_key, value=sys_id)

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
                table, claim.result or "", fields=fields, deadline=deadline, operation="create.read"
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
            current = await self._keys.lookup(SCOPE, idempotency_key)
            if current is None:
                return await self._keys.claim(SCOPE, idempotency_key)
            if current.status != "pending":
                return current
        found = await self._found(
            table, idempotency_key=idempotency_key, fields=fields, deadline=deadline
        )
        if found is not None:
            return Claim("done", result=value(found, "sys_id"))
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
        found = await self._found(
            table, idempotency_key=idempotency_key, fields=fields, deadline=deadline
        )
        if found is None:
            msg = "create: the answer was lost and the record is not found yet"
            raise WriteOutcomeUnknownError(msg) from exc
        return found

    async def _found(
        self, table: str, *, idempotency_key: str, fields: tuple[str, ...], deadline: Deadline
    ) -> dict[str, Any] | None:
        """The record of this key, looked up by correlation_id (and recorded as done);
        None when it is not there yet or ServiceNow does not answer."""
        found = None
        with contextlib.suppress(ServiceNowUnavailableError):
            found = await self._lookup(
                table,
                correlation=correlation_for(idempotency_key),
                fields=fields,
                deadline=deadline,
            )
        if found is not None:
            await self._done(idempotency_key, value(found, "sys_id"))
        return found
