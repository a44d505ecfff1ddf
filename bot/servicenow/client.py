"""``ServiceNowIncidents``: what the bot does in ServiceNow, as one user, in domain types.

Built per user (cheap: it shares the pooled ``httpx.AsyncClient``) from the
``Instance``, a ``TokenSource`` for that user and Redis (for idempotent creates).
Every operation runs within one time budget (``RetryPolicy.budget``) and reports
``(operation, seconds, outcome)`` to the optional observer. Reads go through the
Table API v2 with ``sysparm_limit``, ``sysparm_fields``,
``sysparm_display_value=all`` and ``sysparm_exclude_reference_link=true``; queries
come only from ``bot.servicenow.query``; errors are those of ``bot.errors`` (see
``session`` for the status mapping).

Operations: ``current_user``, ``get_incident``, ``list_mine``, ``create_incident``
(idempotent, see ``idempotency``), ``add_comment`` and ``request_close`` (both
confirmed by reading back), ``table_insert`` and ``table_probe``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from bot.errors import (
    AuthError,
    ServiceNowError,
    ServiceNowForbiddenError,
    ServiceNowNotFoundError,
    ServiceNowRejectedError,
    ServiceNowUnavailableError,
    UserInputError,
    WriteNotAppliedError,
    WriteOutcomeUnknownError,
)
from bot.servicenow import records
from bot.servicenow.http import was_sent
from bot.servicenow.idempotency import Claim, ClaimState, CreateGuard, correlation_for
from bot.servicenow.models import (
    CloseOutcome,
    CloseResult,
    Comment,
    Incident,
    IncidentDraft,
    IncidentPage,
    IncidentState,
    ServiceNowUser,
)
from bot.servicenow.query import (
    DEFAULT_INCIDENT_DIGITS,
    AnyOf,
    Eq,
    IncidentNumber,
    NotEq,
    OrderBy,
    Query,
    SysId,
)
from bot.servicenow.session import Deadline, ServiceNowSession, result_of

log = logging.getLogger(__name__)

Observer = Callable[[str, float, str], None]

CURRENT_USER_UI_PATH = "/api/now/ui/user/current_user"
MAX_PAGE = 100
POLL_SECONDS = 0.1
FINAL_LOOKUP_RESERVE = 0.4  # seconds kept for the last correlation lookup while waiting
DEFAULT_CLOSE_CODE = "Resolved by caller"
CLOSURE_COMMENT = "The caller asked from Slack (snowbot) for this incident to be closed."
_TABLE = re.compile(r"[a-z][a-z0-9_]*")
_CLOSED_STATES = frozenset({IncidentState.RESOLVED, IncidentState.CLOSED, IncidentState.CANCELED})


def table_path(table: str, sys_id: str | None = None) -> str:
    """``/api/now/v2/table/{table}[/{sys_id}]`` with the table name checked."""
    if not _TABLE.fullmatch(table):
        msg = f"not a table name: {table!r}"
        raise ValueError(msg)
    path = f"/api/now/v2/table/{table}"
    return f"{path}/{SysId(sys_id)}" if sys_id is not None else path


def _read_params(fields: tuple[str, ...], *, limit: int, query: Query | None) -> dict[str, str]:
    params = {
        "sysparm_fields": ",".join(fields),
        "sysparm_limit": str(limit),
        "sysparm_display_value": "all",
        "sysparm_exclude_reference_link": "true",
    }
    if query is not None:
        params["sysparm_query"] = query.encode()
    return params


def _write_params(fields: tuple[str, ...]) -> dict[str, str]:
    return {
        "sysparm_fields": ",".join(fields),
        "sysparm_display_value": "all",
        "sysparm_exclude_reference_link": "true",
    }


@dataclass(frozen=True)
class TableProbe:
    """What a setup check learned about a table: it answered, and how many rows it has."""

    table: str
    total: int | None


class ServiceNowIncidents:
    """Incidents (and a few generic table calls) on one instance, as one user."""

    def __init__(
        self,
        *,
        session: ServiceNowSession,
        guard: CreateGuard,
        incident_digits: int = DEFAULT_INCIDENT_DIGITS,
        close_code: str = DEFAULT_CLOSE_CODE,
        observer: Observer | None = None,
    ) -> None:
        self._session = session
        self._guard = guard
        self._digits = incident_digits
        self._close_code = close_code
        self._observer = observer
        self._base_url = session.instance.url

    # -- plumbing ---------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _operation(self, name: str) -> AsyncIterator[Deadline]:
        started = time.monotonic()
        outcome = "ok"
        try:
            yield self._session.deadline()
        except BaseException as exc:
            outcome = type(exc).__name__
            raise
        finally:
            if self._observer is not None:
                self._observer(name, time.monotonic() - started, outcome)

    async def _get(
        self,
        table: str,
        *,
        query: Query,
        fields: tuple[str, ...],
        limit: int,
        deadline: Deadline,
        operation: str,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], httpx.Response]:
        params = _read_params(fields, limit=limit, query=query)
        if offset:
            params["sysparm_offset"] = str(offset)
        response = await self._session.send(
            "GET",
            table_path(table),
            operation=operation,
            deadline=deadline,
            params=params,
            idempotent=True,
        )
        result = result_of(response, operation=operation)
        if not isinstance(result, list):
            msg = f"{operation}: expected a list"
            raise ServiceNowUnavailableError(msg)
        return [row for row in result if isinstance(row, dict)], response

    async def _find_incident(
        self, number: str, *, deadline: Deadline, operation: str
    ) -> dict[str, Any]:
        canonical = IncidentNumber(number, self._digits)
        rows, _ = await self._get(
            "incident",
            query=Query.of(Eq("number", canonical)),
            fields=records.INCIDENT_DETAIL_FIELDS,
            limit=1,
            deadline=deadline,
            operation=operation,
        )
        if not rows:
            msg = f"{operation}: {canonical} not found or not visible to this user"
            raise ServiceNowNotFoundError(msg, status=404)
        return rows[0]

    async def _read_incident(self, sys_id: str, *, deadline: Deadline, operation: str) -> Incident:
        response = await self._session.send(
            "GET",
            table_path("incident", sys_id),
            operation=operation,
            deadline=deadline,
            params=_write_params(records.INCIDENT_DETAIL_FIELDS),
            idempotent=True,
        )
        return self._incident(result_of(response, operation=operation))

    def _incident(self, record: Any) -> Incident:
        if not isinstance(record, dict):
            msg = "expected one record"
            raise ServiceNowUnavailableError(msg)
        return records.incident_from(record, base_url=self._base_url)

    # -- who am I ---------------------------------------------------------------------
    async def current_user(self) -> ServiceNowUser:
        """The ServiceNow account behind the token (sys_id, name, email, roles if readable).

        Uses the one identity query; if the instance drops its script clause (a
        guarded-script instance would, and the query would then match everyone),
        anything but exactly one row falls back to ``/api/now/ui/user/current_user``.
        """
        async with self._operation("current_user") as deadline:
            try:
                rows, response = await self._get(
                    "sys_user",
                    query=Query.current_user(),
                    fields=records.USER_FIELDS,
                    limit=2,
                    deadline=deadline,
                    operation="current_user",
                )
            except (ServiceNowForbiddenError, ServiceNowRejectedError):
                rows, response = [], None
            total = response.headers.get("X-Total-Count") if response is not None else None
            if len(rows) == 1 and total in (None, "1"):
                return records.user_from(rows[0])
            log.info("identity query gave %d rows; using the current_user endpoint", len(rows))
            return await self._current_user_fallback(deadline)

    async def _current_user_fallback(self, deadline: Deadline) -> ServiceNowUser:
        response = await self._session.send(
            "GET",
            CURRENT_USER_UI_PATH,
            operation="current_user.ui",
            deadline=deadline,
            idempotent=True,
        )
        result = result_of(response, operation="current_user.ui")
        sys_id = str(result.get("user_sys_id", "")) if isinstance(result, dict) else ""
        SysId(sys_id)  # refuse an answer without a proper sys_id
        full = await self._session.send(
            "GET",
            table_path("sys_user", sys_id),
            operation="current_user.record",
            deadline=deadline,
            params=_write_params(records.USER_FIELDS),
            idempotent=True,
        )
        return records.user_from(result_of(full, operation="current_user.record"))

    # -- reading incidents ------------------------------------------------------------
    async def get_incident(self, number: str) -> Incident:
        """One incident and its latest comment (``ServiceNowNotFoundError``: not yours/none)."""
        async with self._operation("get_incident") as deadline:
            record = await self._find_incident(number, deadline=deadline, operation="get_incident")
            incident = self._incident(record)
            if "comments" in record:
                return incident
            comment = await self._latest_journal(incident.sys_id, deadline=deadline)
            return incident.model_copy(update={"latest_comment": comment})

    async def _latest_journal(self, sys_id: str, *, deadline: Deadline) -> Comment | None:
        query = Query.of(
            Eq("element_id", SysId(sys_id)),
            Eq("element", "comments"),
            order=[OrderBy("sys_created_on", desc=True)],
        )
        try:
            rows, _ = await self._get(
                "sys_journal_field",
                query=query,
                fields=records.JOURNAL_FIELDS,
                limit=1,
                deadline=deadline,
                operation="get_incident.journal",
            )
        except (ServiceNowForbiddenError, ServiceNowRejectedError, ServiceNowNotFoundError):
            return None  # journal table closed to this user: show the incident without it
        return records.comment_from_journal(rows[0]) if rows else None

    async def list_mine(
        self, user_sys_id: str, *, open_only: bool = True, offset: int = 0, limit: int = 10
    ) -> IncidentPage:
        """Incidents the user raised, had raised for them, or is assigned, newest change first.

        ``open_only``: active and not resolved. The next page starts at
        ``page.next_offset`` (from the ``Link`` header), never after a short page.
        """
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            msg = f"limit must be 1..{MAX_PAGE} and offset non-negative"
            raise ValueError(msg)
        me = SysId(user_sys_id)
        where: list[AnyOf | Eq | NotEq] = [
            AnyOf(Eq("caller_id", me), Eq("opened_by", me), Eq("assigned_to", me))
        ]
        if open_only:  # resolved incidents stay active until closed: leave them out
            where += [Eq("active", True), NotEq("state", int(IncidentState.RESOLVED))]
        query = Query.of(*where, order=[OrderBy("sys_updated_on", desc=True)])
        async with self._operation("list_mine") as deadline:
            rows, response = await self._get(
                "incident",
                query=query,
                fields=records.INCIDENT_LIST_FIELDS,
                limit=limit,
                offset=offset,
                deadline=deadline,
                operation="list_mine",
            )
            next_offset = _next_offset(response)
            total_header = response.headers.get("X-Total-Count", "")
            if total_header.isdigit():
                total = int(total_header)
            else:  # no count: at least what we know exists
                total = offset + len(rows) + (1 if next_offset is not None else 0)
            return IncidentPage(
                incidents=[self._incident(row) for row in rows],
                total=total,
                offset=offset,
                limit=limit,
                next_offset=next_offset,
            )

    # -- creating ---------------------------------------------------------------------
    async def create_incident(
        self, draft: IncidentDraft, *, caller_sys_id: str, idempotency_key: str
    ) -> Incident:
        """Open an incident once per idempotency key, however often this is called.

        ``WriteOutcomeUnknownError`` means the create was sent, its answer lost, and
        it is not found yet; calling again with the same key returns it once
        ServiceNow has it, and never creates a second one.
        """
        caller = SysId(caller_sys_id)
        correlation = correlation_for(idempotency_key)
        async with self._operation("create_incident") as deadline:
            claim = await self._guard.claim(idempotency_key)
            while claim.state is not ClaimState.OWNED:
                if claim.state is ClaimState.DONE:
                    return await self._created(claim, correlation, deadline=deadline)
                found = await self._by_correlation(correlation, deadline=deadline)
                if found is not None:
                    await self._guard.done(idempotency_key, found.sys_id)
                    return found
                if self._guard.is_stale(claim):
                    taken = await self._guard.take_over(idempotency_key, claim)
                    if taken is not None:
                        claim = taken
                        continue
                claim = await self._wait_for_other(idempotency_key, claim, deadline=deadline)
            return await self._post_incident(
                draft,
                caller=caller,
                correlation=correlation,
                idempotency_key=idempotency_key,
                claim=claim,
                deadline=deadline,
            )

    async def _wait_for_other(
        self, idempotency_key: str, claim: Claim, *, deadline: Deadline
    ) -> Claim:
        """Poll while another attempt is in flight: its result, or a last lookup."""
        while deadline.remaining() > FINAL_LOOKUP_RESERVE:
            await self._session.sleep(POLL_SECONDS)
            current = await self._guard.read(idempotency_key)
            if current is None:
                return await self._guard.claim(idempotency_key)
            if current.state is not ClaimState.PENDING:
                return current
        with contextlib.suppress(ServiceNowUnavailableError):
            found = await self._by_correlation(
                correlation_for(idempotency_key), deadline=deadline
            )
            if found is not None:
                await self._guard.done(idempotency_key, found.sys_id)
                return Claim(ClaimState.DONE, raw=f"done:{found.sys_id}", sys_id=found.sys_id)
        msg = "create_incident: another attempt with this key is still unresolved"
        raise WriteOutcomeUnknownError(msg)

    async def _created(self, claim: Claim, correlation: str, *, deadline: Deadline) -> Incident:
        try:
            return await self._read_incident(
                claim.sys_id, deadline=deadline, operation="create_incident.read"
            )
        except ServiceNowNotFoundError:
            found = await self._by_correlation(correlation, deadline=deadline)
            if found is None:
                raise
            return found

    async def _by_correlation(self, correlation: str, *, deadline: Deadline) -> Incident | None:
        rows, _ = await self._get(
            "incident",
            query=Query.of(Eq("correlation_id", correlation)),
            fields=records.INCIDENT_FIELDS,
            limit=1,
            deadline=deadline,
            operation="create_incident.lookup",
        )
        return self._incident(rows[0]) if rows else None

    async def _post_incident(
        self,
        draft: IncidentDraft,
        *,
        caller: SysId,
        correlation: str,
        idempotency_key: str,
        claim: Claim,
        deadline: Deadline,
    ) -> Incident:
        body: dict[str, str] = {
            "short_description": draft.short_description,
            "description": draft.description,
            "urgency": str(draft.urgency),
            "impact": str(draft.impact),
            "caller_id": caller,
            "correlation_id": correlation,
            "correlation_display": "snowbot",
        }
        for name in ("category", "assignment_group", "contact_type"):
            if getattr(draft, name):
                body[name] = getattr(draft, name)
        try:
            response = await self._session.send(
                "POST",
                table_path("incident"),
                operation="create_incident",
                deadline=deadline,
                params=_write_params(records.INCIDENT_FIELDS),
                body=body,
                idempotent=False,
            )
        except ServiceNowUnavailableError as exc:
            cause = exc.__cause__
            if isinstance(cause, httpx.HTTPError) and not was_sent(cause):
                await self._guard.release(idempotency_key, claim)
                raise
            return await self._reconcile(idempotency_key, correlation, deadline=deadline, exc=exc)
        except (ServiceNowError, AuthError):
            # A certain refusal (4xx, long 429, reconnect): nothing was created.
            await self._guard.release(idempotency_key, claim)
            raise
        incident = self._incident(result_of(response, operation="create_incident"))
        if incident.correlation_id != correlation:
            log.warning("create_incident: correlation_id was not stored (field ACL?)")
        await self._guard.done(idempotency_key, incident.sys_id)
        return incident

    async def _reconcile(
        self, idempotency_key: str, correlation: str, *, deadline: Deadline, exc: Exception
    ) -> Incident:
        """After a lost answer: look the incident up before anything else is tried."""
        try:
            found = await self._by_correlation(correlation, deadline=deadline)
        except ServiceNowUnavailableError:
            found = None
        if found is None:
            msg = "create_incident: answer lost and the incident is not found yet"
            raise WriteOutcomeUnknownError(msg) from exc
        await self._guard.done(idempotency_key, found.sys_id)
        return found

    # -- writing to an incident -------------------------------------------------------
    async def add_comment(self, number: str, text: str) -> Incident:
        """Add an additional comment as the user; the incident read back, showing it."""
        if not text.strip():
            msg = "an empty comment"
            raise UserInputError(msg)
        async with self._operation("add_comment") as deadline:
            record = await self._find_incident(number, deadline=deadline, operation="add_comment")
            sys_id = records.value(record, "sys_id")
            return await self._comment(sys_id, text.strip(), deadline=deadline)

    async def _comment(self, sys_id: str, text: str, *, deadline: Deadline) -> Incident:
        try:
            await self._session.send(
                "PATCH",
                table_path("incident", sys_id),
                operation="add_comment",
                deadline=deadline,
                params=_write_params(("sys_id",)),
                body={"comments": text},
                idempotent=False,  # a comment appends: never sent twice
            )
        except ServiceNowUnavailableError:
            # The answer may be lost after the write: the read-back below decides.
            with contextlib.suppress(ServiceNowUnavailableError):
                after = await self._read_incident(
                    sys_id, deadline=deadline, operation="add_comment.read"
                )
                if _has_comment(after, text):
                    return after
            raise
        after = await self._read_incident(sys_id, deadline=deadline, operation="add_comment.read")
        if not _has_comment(after, text):
            msg = "add_comment: the comment is not on the incident after writing it"
            raise WriteNotAppliedError(msg)
        return after

    async def request_close(self, number: str, *, note: str = "") -> CloseResult:
        """Resolve the incident if ServiceNow lets the user; otherwise comment asking for it."""
        async with self._operation("request_close") as deadline:
            record = await self._find_incident(number, deadline=deadline, operation="request_close")
            incident = self._incident(record)
            if incident.state in _CLOSED_STATES:
                return CloseResult(outcome=CloseOutcome.ALREADY_CLOSED, incident=incident)
            notes = note.strip() or CLOSURE_COMMENT
            try:
                await self._session.send(
                    "PATCH",
                    table_path("incident", incident.sys_id),
                    operation="request_close",
                    deadline=deadline,
                    params=_write_params(("sys_id",)),
                    body={"state": "6", "close_code": self._close_code, "close_notes": notes},
                    idempotent=True,  # absolute values: repeating it changes nothing
                )
                after = await self._read_incident(
                    incident.sys_id, deadline=deadline, operation="request_close.read"
                )
                if after.state == IncidentState.RESOLVED:
                    return CloseResult(outcome=CloseOutcome.RESOLVED, incident=after)
                reason = "not_applied"
            except ServiceNowForbiddenError:
                reason = "forbidden"
            except ServiceNowRejectedError:
                reason = "rejected"
            text = CLOSURE_COMMENT if not note.strip() else f"{CLOSURE_COMMENT} {note.strip()}"
            after = await self._comment(incident.sys_id, text, deadline=deadline)
            return CloseResult(
                outcome=CloseOutcome.CLOSURE_REQUESTED, incident=after, reason=reason
            )

    # -- generic tables (feedback, setup checks) --------------------------------------
    async def table_insert(self, table: str, fields: Mapping[str, str]) -> dict[str, str]:
        """Insert one record (e.g. feedback); its raw values as ServiceNow stored them."""
        async with self._operation("table_insert") as deadline:
            response = await self._session.send(
                "POST",
                table_path(table),
                operation="table_insert",
                deadline=deadline,
                params={"sysparm_exclude_reference_link": "true"},
                body=dict(fields),
                idempotent=False,
            )
            result = result_of(response, operation="table_insert")
            if not isinstance(result, dict):
                msg = "table_insert: expected one record"
                raise ServiceNowUnavailableError(msg)
            return {name: records.value(result, name) for name in result}

    async def table_probe(self, table: str) -> TableProbe:
        """Read at most one row of ``table``: it exists and this user may use it, or the error."""
        async with self._operation("table_probe") as deadline:
            _, response = await self._get(
                table,
                query=Query.of(),
                fields=("sys_id",),
                limit=1,
                deadline=deadline,
                operation="table_probe",
            )
            total = response.headers.get("X-Total-Count", "")
            return TableProbe(table=table, total=int(total) if total.isdigit() else None)


def _has_comment(incident: Incident, text: str) -> bool:
    if incident.latest_comment is None:
        return False
    return records.same_text(incident.latest_comment.text, text)


def _next_offset(response: httpx.Response) -> int | None:
    link = response.links.get("next", {}).get("url")
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get("sysparm_offset", [])
    return int(values[0]) if values and values[0].isdigit() else None
