"""``ServiceNowIncidents``: what the bot does in ServiceNow, as one user, in domain types.

Built per user (cheap: it shares the pooled ``httpx.AsyncClient``) from a
``ServiceNowSession`` (instance, the user's ``TokenSource``, time budget) and a
``IdempotencyKeys`` (Redis, for idempotent creates). Every operation runs within one
time budget (``RetryPolicy.budget``) and reports ``(operation, seconds, outcome)``
to the optional observer. Calls go through ``table.TableApi`` (v2, limits, fields,
display values, typed queries); errors are those of ``bot.errors`` (``session``
has the status mapping).

Operations: ``current_user``, ``get_incident``, ``list_mine``, ``create_incident``
(idempotent, see ``idempotency``), ``add_comment``, ``request_close`` and ``reopen``
(confirmed by reading back), ``table_insert`` and ``table_probe``.

A comment appends, so it is never sent twice by this client. When its answer is lost
and reading back does not show it, the outcome is unknown
(``WriteOutcomeUnknownError``); the caller's next attempt passes ``recovering=True``
and the write looks for its own comment among the incident's recent ones before
writing anything again.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.errors import (
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
from bot.servicenow.idempotency import STALE_AFTER, IdempotentCreate
from bot.servicenow.instance import Instance
from bot.servicenow.models import (
    AcceptOutcome,
    AcceptResult,
    CloseOutcome,
    CloseResult,
    Comment,
    Incident,
    IncidentDraft,
    IncidentFilter,
    IncidentPage,
    IncidentState,
    IncidentVersion,
    JournalEntry,
    ReopenOutcome,
    ReopenResult,
    ServiceNowUser,
    period_range,
)
from bot.servicenow.query import (
    DEFAULT_INCIDENT_DIGITS,
    AnyOf,
    Before,
    Clause,
    Eq,
    In,
    IncidentNumber,
    Like,
    NotEq,
    OnOrAfter,
    OrderBy,
    Query,
    SysId,
    UpdatedAfter,
)
from bot.servicenow.session import Deadline, ServiceNowSession, result_of
from bot.servicenow.table import TableApi
from bot.store.dedupe import IdempotencyKeys

log = logging.getLogger(__name__)

Observer = Callable[[str, float, str], None]

CURRENT_USER_UI_PATH = "/api/now/ui/user/current_user"
MAX_PAGE = 100
DEFAULT_CLOSE_CODE = "Resolved by caller"
CLOSURE_COMMENT = "The caller asked from Slack (snowbot) for this incident to be closed."
ACCEPT_COMMENT = "The caller confirmed from Slack (snowbot) that the resolution works."
REOPEN_COMMENT = "The caller asked from Slack (snowbot) for this incident to be reopened."
MAX_SEARCH_WORDS = 5  # words of a reference ANDed into one search
RECENT_COMMENTS = 20  # how far back a recovering write looks for its own comment
_CLOSED_STATES = frozenset({IncidentState.RESOLVED, IncidentState.CLOSED, IncidentState.CANCELED})
_FINAL_STATES = frozenset({IncidentState.CLOSED, IncidentState.CANCELED})


def closure_comment(note: str = "") -> str:
    """The comment a close request writes when ServiceNow does not let the caller resolve."""
    return f"{CLOSURE_COMMENT} {note.strip()}".strip()


def reopen_comment(reason: str = "") -> str:
    """The comment a reopen writes (in both outcomes): the request and the caller's reason."""
    said = reason.strip()
    return f"{REOPEN_COMMENT[:-1]}: {said}" if said else REOPEN_COMMENT


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
        guard: IdempotencyKeys,
        stale_after: float = STALE_AFTER,
        incident_digits: int = DEFAULT_INCIDENT_DIGITS,
        close_code: str = DEFAULT_CLOSE_CODE,
        observer: Observer | None = None,
    ) -> None:
        self._session = session
        self._api = TableApi(session)
        self._creates = IdempotentCreate(
            table_api=self._api, keys=guard, stale_after=stale_after
        )
        self._digits = incident_digits
        self._close_code = close_code
        self._observer = observer
        self._base_url = session.instance.url

    @property
    def instance(self) -> Instance:
        """The instance this client talks to."""
        return self._session.instance

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

    def _incident(self, record: Mapping[str, Any]) -> Incident:
        return records.incident_from(record, base_url=self._base_url)

    async def _find_incident(
        self, number: str, *, deadline: Deadline, operation: str
    ) -> dict[str, Any]:
        canonical = IncidentNumber(number, self._digits)
        rows = await self._api.select(
            "incident",
            query=Query.of(Eq("number", canonical)),
            fields=records.INCIDENT_DETAIL_FIELDS,
            limit=1,
            deadline=deadline,
            operation=operation,
        )
        if not rows.records:
            msg = f"{operation}: {canonical} not found or not visible to this user"
            raise ServiceNowNotFoundError(msg, status=404)
        return rows.records[0]

    async def _read_incident(self, sys_id: str, *, deadline: Deadline, operation: str) -> Incident:
        record = await self._api.get(
            "incident",
            sys_id,
            fields=records.INCIDENT_DETAIL_FIELDS,
            deadline=deadline,
            operation=operation,
        )
        return self._incident(record)

    # -- who am I ---------------------------------------------------------------------
    async def current_user(self) -> ServiceNowUser:
        """The ServiceNow account behind the token (sys_id, name, email, roles if readable).

        Uses the one identity query. If the instance drops its script clause (a
        guarded-script instance may, and the query then matches everyone), any
        answer but exactly one row falls back to ``/api/now/ui/user/current_user``:
        the bot never links a user to the first row of a widened query.
        """
        async with self._operation("current_user") as deadline:
            try:
                rows = await self._api.select(
                    "sys_user",
                    query=Query.current_user(),
                    fields=records.USER_FIELDS,
                    limit=2,
                    deadline=deadline,
                    operation="current_user",
                )
            except (ServiceNowForbiddenError, ServiceNowRejectedError):
                rows = None
            if rows is not None and len(rows.records) == 1 and rows.total in (None, 1):
                return records.user_from(rows.records[0])
            log.info("identity query was not conclusive; using the current_user endpoint")
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
        sys_id = SysId(str(result.get("user_sys_id", "")) if isinstance(result, dict) else "")
        record = await self._api.get(
            "sys_user",
            sys_id,
            fields=records.USER_FIELDS,
            deadline=deadline,
            operation="current_user.record",
        )
        return records.user_from(record)

    # -- reading incidents ------------------------------------------------------------
    async def get_incident(self, number: str) -> Incident:
        """One incident and its latest comments (``ServiceNowNotFoundError``: not yours/none).

        Comments come from the ``comments`` journal field read with display values (the
        raw value is always empty); only when the field is not readable at all does this
        ask ``sys_journal_field``. Work notes are never asked for.
        """
        async with self._operation("get_incident") as deadline:
            record = await self._find_incident(number, deadline=deadline, operation="get_incident")
            incident = self._incident(record)
            if "comments" in record:
                return incident
            entries = await self._journal(
                incident.sys_id, limit=records.CARD_COMMENTS, deadline=deadline
            )
            return incident.model_copy(
                update={"latest_comment": entries[0] if entries else None,
                        "comments": tuple(entries)}
            )

    async def _journal(self, sys_id: str, *, limit: int, deadline: Deadline) -> list[Comment]:
        """The newest comments from ``sys_journal_field`` ([] when it is closed to the user)."""
        rows = await self._journal_rows(
            sys_id, limit=limit, deadline=deadline, operation="get_incident.journal"
        )
        return [records.comment_from_journal(row) for row in rows]

    async def _journal_rows(
        self, sys_id: str, *, limit: int, deadline: Deadline, operation: str
    ) -> list[dict[str, Any]]:
        """The newest ``comments`` rows of ``sys_journal_field`` (never work notes), or []
        when the journal is closed to the user."""
        query = Query.of(
            Eq("element_id", SysId(sys_id)),
            Eq("element", "comments"),
            order=[OrderBy("sys_created_on", desc=True)],
        )
        try:
            rows = await self._api.select(
                "sys_journal_field",
                query=query,
                fields=records.JOURNAL_FIELDS,
                limit=limit,
                deadline=deadline,
                operation=operation,
            )
        except (ServiceNowForbiddenError, ServiceNowRejectedError, ServiceNowNotFoundError):
            return []  # the journal is closed to this user: show the incident without it
        return rows.records

    async def _has_recent_comment(
        self, record: Mapping[str, Any], text: str, *, deadline: Deadline
    ) -> bool:
        """Whether ``text`` is among the incident's recent comments (a recovering write)."""
        if "comments" in record:
            entries = records.journal_entries(records.display(record, "comments"))
        else:
            entries = await self._journal(
                records.value(record, "sys_id"), limit=RECENT_COMMENTS, deadline=deadline
            )
        return any(records.same_text(e.text, text) for e in entries[:RECENT_COMMENTS])

    async def list_mine(
        self,
        user_sys_id: str,
        *,
        open_only: bool = True,
        which: IncidentFilter | None = None,
        groups: tuple[str, ...] = (),
        now: datetime | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> IncidentPage:
        """The user's incidents, newest change first: all of theirs, or ``which`` of them.

        Without ``which``: raised by them, for them, or assigned to them; ``open_only``
        keeps active, unresolved ones. ``which`` filters state, period (opened in it,
        around ``now``) and scope (``groups``: the user's group sys_ids). ``page.total``
        is ServiceNow's ``X-Total-Count``. The next page starts at ``page.next_offset``
        (from the ``Link`` header), never after a short page.
        """
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            msg = f"limit must be 1..{MAX_PAGE} and offset non-negative"
            raise ValueError(msg)
        chosen = which or IncidentFilter(state="open" if open_only else "all")
        where = _mine_where(SysId(user_sys_id), chosen, groups=groups, now=now)
        if where is None:  # the user's groups, and they have none: nothing to ask
            return IncidentPage(incidents=[], total=0, offset=offset, limit=limit)
        return await self._page(
            Query.of(*where, order=[OrderBy("sys_updated_on", desc=True)]),
            operation="list_mine",
            offset=offset,
            limit=limit,
        )

    async def search_mine(
        self,
        user_sys_id: str,
        *,
        words: list[str],
        opened: tuple[datetime, datetime] | None = None,
        limit: int = 20,
    ) -> IncidentPage:
        """The user's own incidents (raised by or for them) whose short description or
        description holds every one of ``words``, opened within ``opened`` if given.

        Each word is one typed, cleaned ``LIKE`` value (``^`` and control characters
        cannot reach the query as syntax), so no word can widen the search.
        """
        me = SysId(user_sys_id)
        where: list[Clause] = [AnyOf(Eq("caller_id", me), Eq("opened_by", me))]
        for word in words[:MAX_SEARCH_WORDS]:
            where.append(AnyOf(Like("short_description", word), Like("description", word)))
        if opened is not None:
            where += [OnOrAfter("opened_at", opened[0]), Before("opened_at", opened[1])]
        query = Query.of(*where, order=[OrderBy("sys_updated_on", desc=True)])
        return await self._page(query, operation="search_mine", offset=0, limit=limit)

    async def _page(self, query: Query, *, operation: str, offset: int, limit: int) -> IncidentPage:
        async with self._operation(operation) as deadline:
            rows = await self._api.select(
                "incident",
                query=query,
                fields=records.INCIDENT_LIST_FIELDS,
                limit=limit,
                offset=offset,
                deadline=deadline,
                operation=operation,
            )
            total = rows.total
            if total is None:  # no count: at least what is known to exist
                total = offset + len(rows.records) + (1 if rows.next_offset is not None else 0)
            return IncidentPage(
                incidents=[self._incident(row) for row in rows.records],
                total=total,
                offset=offset,
                limit=limit,
                next_offset=rows.next_offset,
            )

    async def my_groups(self, user_sys_id: str) -> tuple[str, ...]:
        """The sys_ids of the user's groups (``sys_user_grmember``); () when not readable."""
        query = Query.of(Eq("user", SysId(user_sys_id)))
        async with self._operation("my_groups") as deadline:
            try:
                rows = await self._api.select(
                    "sys_user_grmember",
                    query=query,
                    fields=("group",),
                    limit=MAX_PAGE,
                    deadline=deadline,
                    operation="my_groups",
                )
            except (ServiceNowForbiddenError, ServiceNowRejectedError, ServiceNowNotFoundError):
                return ()
        found = (records.value(row, "group") for row in rows.records)
        return tuple(dict.fromkeys(g for g in found if g))

    # -- writing ----------------------------------------------------------------------
    async def create_incident(
        self, draft: IncidentDraft, *, caller_sys_id: str, idempotency_key: str
    ) -> Incident:
        """Open an incident once per idempotency key, however often this is called.

        ``WriteOutcomeUnknownError``: the create was sent, its answer lost, and it is
        not found yet; calling again with the same key returns it once ServiceNow
        has it, and never creates a second one.
        """
        body: dict[str, str] = {
            "short_description": draft.short_description,
            "description": draft.description,
            "urgency": str(draft.urgency),
            "impact": str(draft.impact),
            "caller_id": SysId(caller_sys_id),
            "correlation_display": "snowbot",
        }
        for name in ("category", "assignment_group", "contact_type"):
            if getattr(draft, name):
                body[name] = getattr(draft, name)
        async with self._operation("create_incident") as deadline:
            record = await self._creates.create(
                "incident",
                body,
                idempotency_key=idempotency_key,
                fields=records.INCIDENT_FIELDS,
                deadline=deadline,
                operation="create_incident",
            )
            return self._incident(record)

    async def add_comment(self, number: str, text: str, *, recovering: bool = False) -> Incident:
        """Add an additional comment as the user; the incident read back, showing it.

        ``recovering``: an earlier attempt may have written it (its answer was lost), so
        the incident's recent comments are searched first and the comment is not
        written again when it is there.
        """
        if not text.strip():
            msg = "an empty comment"
            raise UserInputError(msg)
        async with self._operation("add_comment") as deadline:
            record = await self._find_incident(number, deadline=deadline, operation="add_comment")
            sys_id = records.value(record, "sys_id")
            if recovering and await self._has_recent_comment(
                record, text.strip(), deadline=deadline
            ):
                return self._incident(record)
            return await self._comment(sys_id, text.strip(), deadline=deadline)

    async def _comment(self, sys_id: str, text: str, *, deadline: Deadline) -> Incident:
        found = await self._write_appending(
            sys_id, {"comments": text}, text=text, deadline=deadline, operation="add_comment"
        )
        after = found or await self._read_incident(
            sys_id, deadline=deadline, operation="add_comment.read"
        )
        if not _has_comment(after, text):
            msg = "add_comment: the comment is not on the incident after writing it"
            raise WriteNotAppliedError(msg)
        return after

    async def _write_appending(
        self,
        sys_id: str,
        changes: Mapping[str, str],
        *,
        text: str,
        deadline: Deadline,
        operation: str,
    ) -> Incident | None:
        """PATCH ``changes`` (which append the comment ``text``) once; never sent twice.

        None when ServiceNow answered. When the answer is lost, reading back decides:
        the incident when the comment is there, ``WriteOutcomeUnknownError`` when it is
        not (yet); a request that never left raises as it is (nothing was written).
        """
        try:
            await self._api.update(
                "incident",
                sys_id,
                changes=dict(changes),
                deadline=deadline,
                operation=operation,
                idempotent=False,
            )
        except ServiceNowUnavailableError as exc:
            cause = exc.__cause__
            if isinstance(cause, httpx.HTTPError) and not was_sent(cause):
                raise
            with contextlib.suppress(ServiceNowUnavailableError):
                after = await self._read_incident(
                    sys_id, deadline=deadline, operation=f"{operation}.read"
                )
                if _has_comment(after, text):
                    return after
            msg = f"{operation}: the answer was lost and the comment is not found (yet)"
            raise WriteOutcomeUnknownError(msg) from exc
        return None

    async def request_close(
        self, number: str, *, note: str = "", recovering: bool = False
    ) -> CloseResult:
        """Resolve the incident if ServiceNow lets the user; otherwise comment asking for it.

        The result says which happened: ``RESOLVED`` (read back in state 6),
        ``COMMENT_ADDED`` with ``reason`` ``forbidden`` (403), ``rejected`` (400)
        or ``not_applied`` (200 but a field ACL kept the state), or
        ``ALREADY_CLOSED`` (nothing written). ``recovering``: an earlier attempt's
        answer was lost, so a closure comment already there is not written again.
        """
        async with self._operation("request_close") as deadline:
            record = await self._find_incident(number, deadline=deadline, operation="request_close")
            incident = self._incident(record)
            if incident.state in _CLOSED_STATES:
                return CloseResult(outcome=CloseOutcome.ALREADY_CLOSED, incident=incident)
            if recovering and await self._has_recent_comment(
                record, closure_comment(note), deadline=deadline
            ):
                return CloseResult(
                    outcome=CloseOutcome.COMMENT_ADDED, incident=incident, reason="recovered"
                )
            changes = {
                "state": str(int(IncidentState.RESOLVED)),
                "close_code": self._close_code,
                "close_notes": note.strip() or CLOSURE_COMMENT,
            }
            after, reason = await self._set_state_or_comment(
                incident, changes, wanted=IncidentState.RESOLVED,
                comment=closure_comment(note), deadline=deadline, operation="request_close",
            )
            if reason is None:
                return CloseResult(outcome=CloseOutcome.RESOLVED, incident=after)
            return CloseResult(
                outcome=CloseOutcome.COMMENT_ADDED, incident=after, reason=reason
            )

    async def _set_state_or_comment(
        self,
        incident: Incident,
        changes: dict[str, str],
        *,
        wanted: IncidentState,
        comment: str,
        deadline: Deadline,
        operation: str,
    ) -> tuple[Incident, str | None]:
        """PATCH ``changes`` (absolute values, so repeating it changes nothing) and read
        back: the incident and None when it reached ``wanted``. Otherwise ``comment`` is
        added instead, and the reason comes back: ``forbidden`` (403), ``rejected`` (400)
        or ``not_applied`` (200, but a field ACL kept the state)."""
        try:
            await self._api.update(
                "incident", incident.sys_id, changes=changes,
                deadline=deadline, operation=operation, idempotent=True,
            )
            after = await self._read_incident(
                incident.sys_id, deadline=deadline, operation=f"{operation}.read"
            )
            if after.state == wanted:
                return after, None
            reason = "not_applied"
        except ServiceNowForbiddenError:
            reason = "forbidden"
        except ServiceNowRejectedError:
            reason = "rejected"
        return await self._comment(incident.sys_id, comment, deadline=deadline), reason

    async def reopen(self, number: str, comment: str, *, recovering: bool = False) -> ReopenResult:
        """Set a resolved incident back to In Progress with ``comment``, where the user may.

        One PATCH carries the state and the comment. The result says what happened:
        ``REOPENED`` (read back in state 2); ``COMMENT_ADDED`` when ServiceNow refused
        the state (``reason`` ``forbidden``, ``rejected``, or ``not_applied`` for a 200
        that kept it: the comment then asks the desk to reopen it); ``STILL_OPEN`` (new,
        in progress or on hold) and ``FINAL`` (closed or canceled), with nothing written.
        ``recovering``: an earlier attempt's answer was lost; a comment already there
        is not written again.
        """
        text = comment.strip()
        if not text:
            msg = "an empty reopen comment"
            raise UserInputError(msg)
        async with self._operation("reopen") as deadline:
            record = await self._find_incident(number, deadline=deadline, operation="reopen")
            incident = self._incident(record)
            if incident.state in _FINAL_STATES:
                return ReopenResult(outcome=ReopenOutcome.FINAL, incident=incident)
            written = recovering and await self._has_recent_comment(
                record, text, deadline=deadline
            )
            if incident.state != IncidentState.RESOLVED:
                if not recovering:
                    return ReopenResult(outcome=ReopenOutcome.STILL_OPEN, incident=incident)
                # An earlier attempt set it back: make sure its comment is there too.
                after = incident if written else await self._comment(
                    incident.sys_id, text, deadline=deadline
                )
                return ReopenResult(outcome=ReopenOutcome.REOPENED, incident=after)
            if written:  # the earlier attempt's comment is there and the state was kept
                return ReopenResult(
                    outcome=ReopenOutcome.COMMENT_ADDED, incident=incident, reason="not_applied"
                )
            return await self._reopen_resolved(incident, text, deadline=deadline)

    async def _reopen_resolved(
        self, incident: Incident, text: str, *, deadline: Deadline
    ) -> ReopenResult:
        changes = {"state": str(int(IncidentState.IN_PROGRESS)), "comments": text}
        try:
            lost = await self._write_appending(
                incident.sys_id, changes, text=text, deadline=deadline, operation="reopen"
            )
        except ServiceNowForbiddenError:
            reason = "forbidden"
        except ServiceNowRejectedError:
            reason = "rejected"
        else:
            after = lost or await self._read_incident(
                incident.sys_id, deadline=deadline, operation="reopen.read"
            )
            if after.state == IncidentState.IN_PROGRESS:
                return ReopenResult(outcome=ReopenOutcome.REOPENED, incident=after)
            if not _has_comment(after, text):  # neither the state nor the comment stuck
                after = await self._comment(incident.sys_id, text, deadline=deadline)
            return ReopenResult(
                outcome=ReopenOutcome.COMMENT_ADDED, incident=after, reason="not_applied"
            )
        after = await self._comment(incident.sys_id, text, deadline=deadline)
        return ReopenResult(outcome=ReopenOutcome.COMMENT_ADDED, incident=after, reason=reason)

    # -- notifications (bot.notify) -------------------------------------------------
    async def changed_incidents(
        self,
        *,
        caller_sys_id: str,
        watched: Sequence[str] = (),
        updated_after: datetime,
        tz: str = "UTC",
        active_only: bool = False,
        offset: int = 0,
        limit: int = MAX_PAGE,
    ) -> tuple[list[IncidentVersion], int | None]:
        """Incidents the user raised (or watches) updated after ``updated_after``, oldest
        change first, and where the next page starts (None: no more).

        ``sys_updated_on>javascript:gs.dateGenerate(...)`` at second precision, in the
        user's time zone ``tz``; ordered by ``sys_updated_on`` then ``sys_id``.
        ``active_only``: open and resolved (not yet closed) incidents only.
        """
        who: list[Eq | In] = [Eq("caller_id", SysId(caller_sys_id))]
        if watched:
            who.append(In("sys_id", tuple(SysId(s) for s in watched)))
        where: list[AnyOf | Eq | In | UpdatedAfter] = [
            AnyOf(*who) if len(who) > 1 else who[0],
            UpdatedAfter("sys_updated_on", updated_after, tz),
        ]
        if active_only:
            where.append(Eq("active", True))
        query = Query.of(*where, order=[OrderBy("sys_updated_on")])
        async with self._operation("changed_incidents") as deadline:
            rows = await self._api.select(
                "incident",
                query=query,
                fields=records.VERSION_FIELDS,
                limit=limit,
                offset=offset,
                deadline=deadline,
                operation="changed_incidents",
            )
            versions = [records.version_from(r, base_url=self._base_url) for r in rows.records]
            return versions, rows.next_offset

    async def incident_version(self, sys_id: str) -> IncidentVersion:
        """One incident by sys_id with its ``sys_mod_count`` (``ServiceNowNotFoundError``
        when it does not exist or the user may not read it)."""
        async with self._operation("incident_version") as deadline:
            record = await self._api.get(
                "incident",
                SysId(sys_id),
                fields=records.VERSION_FIELDS,
                deadline=deadline,
                operation="incident_version",
            )
            return records.version_from(record, base_url=self._base_url)

    async def comments_after(
        self, sys_id: str, *, after: datetime | None, limit: int = 20
    ) -> list[JournalEntry]:
        """Additional comments (never work notes) of an incident, newest ``limit``,
        created at or after ``after``; returned oldest first ([] when the journal is
        closed to the user)."""
        async with self._operation("comments_after") as deadline:
            rows = await self._journal_rows(
                sys_id, limit=limit, deadline=deadline, operation="comments_after"
            )
        entries = [records.journal_entry_from(row) for row in rows]
        if after is not None:
            entries = [e for e in entries if e.created is None or e.created >= after]
        return entries[::-1]

    async def display_names(self, user_names: Sequence[str]) -> dict[str, str]:
        """``user_name → name`` for the given logins, as far as the user may read them."""
        wanted = tuple(sorted({n for n in user_names if n and n != "system"}))
        if not wanted:
            return {}
        async with self._operation("display_names") as deadline:
            try:
                rows = await self._api.select(
                    "sys_user",
                    query=Query.of(In("user_name", wanted)),
                    fields=("user_name", "name"),
                    limit=len(wanted),
                    deadline=deadline,
                    operation="display_names",
                )
            except (ServiceNowForbiddenError, ServiceNowRejectedError, ServiceNowNotFoundError):
                return {}
        return {
            records.value(r, "user_name"): records.display(r, "name") for r in rows.records
        }

    async def time_zone(self, user_sys_id: str) -> str:
        """The user's ServiceNow time zone (``sys_user.time_zone``), "UTC" when unreadable."""
        async with self._operation("time_zone") as deadline:
            try:
                record = await self._api.get(
                    "sys_user",
                    SysId(user_sys_id),
                    fields=("time_zone",),
                    deadline=deadline,
                    operation="time_zone",
                )
            except (ServiceNowForbiddenError, ServiceNowRejectedError, ServiceNowNotFoundError):
                return "UTC"
        return records.value(record, "time_zone") or "UTC"

    async def accept_resolution(self, number: str) -> AcceptResult:
        """The caller accepts a resolved incident: close it where ServiceNow lets them,
        else a comment says they confirmed the fix (the desk closes it). Read back."""
        async with self._operation("accept_resolution") as deadline:
            record = await self._find_incident(
                number, deadline=deadline, operation="accept_resolution"
            )
            incident = self._incident(record)
            if incident.state != IncidentState.RESOLVED:
                return AcceptResult(outcome=AcceptOutcome.NOT_RESOLVED, incident=incident)
            after, reason = await self._set_state_or_comment(
                incident, {"state": str(int(IncidentState.CLOSED))},
                wanted=IncidentState.CLOSED, comment=ACCEPT_COMMENT,
                deadline=deadline, operation="accept_resolution",
            )
            if reason is None:
                return AcceptResult(outcome=AcceptOutcome.CLOSED, incident=after)
            return AcceptResult(outcome=AcceptOutcome.ACCEPTED, incident=after, reason=reason)

    # -- generic tables (feedback, setup checks) --------------------------------------
    async def table_insert(self, table: str, fields: Mapping[str, str]) -> dict[str, str]:
        """Insert one record (e.g. feedback); its raw values as ServiceNow stored them."""
        async with self._operation("table_insert") as deadline:
            record = await self._api.insert(
                table, fields, fields=None, deadline=deadline, operation="table_insert"
            )
            return {name: records.value(record, name) for name in record}

    async def table_probe(self, table: str) -> TableProbe:
        """Read at most one row of ``table``: it exists and this user may use it, or the error."""
        async with self._operation("table_probe") as deadline:
            rows = await self._api.select(
                table,
                query=Query.of(),
                fields=("sys_id",),
                limit=1,
                deadline=deadline,
                operation="table_probe",
            )
            return TableProbe(table=table, total=rows.total)


def _has_comment(incident: Incident, text: str) -> bool:
    if incident.latest_comment is None:
        return False
    return records.same_text(incident.latest_comment.text, text)


def _mine_where(
    me: SysId, which: IncidentFilter, *, groups: tuple[str, ...], now: datetime | None
) -> list[Clause] | None:
    """The conditions of one list of the user's incidents (None: nothing can match)."""
    # ^OR binds to its neighbours only: (caller OR opener OR assignee) AND the rest.
    where: list[Clause]
    if which.scope == "raised":
        where = [AnyOf(Eq("caller_id", me), Eq("opened_by", me))]
    elif which.scope == "assigned":
        where = [Eq("assigned_to", me)]
    elif which.scope == "groups":
        if not groups:
            return None
        where = [In("assignment_group", tuple(SysId(g) for g in groups))]
    else:
        where = [AnyOf(Eq("caller_id", me), Eq("opened_by", me), Eq("assigned_to", me))]
    if which.state == "open":  # resolved incidents stay active until closed: leave them out
        where += [Eq("active", True), NotEq("state", int(IncidentState.RESOLVED))]
    elif which.state == "resolved":
        where.append(Eq("state", int(IncidentState.RESOLVED)))
    elif which.state == "closed":
        where.append(In("state", (int(IncidentState.CLOSED), int(IncidentState.CANCELED))))
    if which.period is not None:
        start, end = period_range(which.period, now or datetime.now(UTC))
        where += [OnOrAfter("opened_at", start), Before("opened_at", end)]
    return where
