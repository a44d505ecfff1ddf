"""The Table API v2 as four calls: select, get, insert, update.

Every read carries ``sysparm_limit``, ``sysparm_fields``,
``sysparm_display_value=all`` and ``sysparm_exclude_reference_link=true`` (codes
for logic, labels for people, no links); every list query is a typed ``Query``
(which ends with ``ORDERBYsys_id``); paging comes from the ``Link`` header and
``X-Total-Count``, never from a short page (``sysparm_limit`` applies before ACLs).
v2 answers an empty list with ``200 []``, so "no rows" is never an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from bot.errors import ServiceNowUnavailableError
from bot.servicenow.query import Query, SysId
from bot.servicenow.session import Deadline, ServiceNowSession, result_of

_TABLE = re.compile(r"[a-z][a-z0-9_]*")


def table_path(table: str, sys_id: str | None = None) -> str:
    """``/api/now/v2/table/{table}[/{sys_id}]`` with the table name and sys_id checked."""
    if not _TABLE.fullmatch(table):
        msg = f"not a table name: {table!r}"
        raise ValueError(msg)
    path = f"/api/now/v2/table/{table}"
    return f"{path}/{SysId(sys_id)}" if sys_id is not None else path


def record_params(fields: tuple[str, ...] | None) -> dict[str, str]:
    """Parameters of a one-record call: the fields, display values, no links."""
    params = {"sysparm_display_value": "all", "sysparm_exclude_reference_link": "true"}
    if fields:
        params["sysparm_fields"] = ",".join(fields)
    return params


@dataclass(frozen=True)
class Rows:
    """One page of a select: the records, the total count, and where the next page starts."""

    records: list[dict[str, Any]]
    total: int | None
    next_offset: int | None


def next_offset(response: httpx.Response) -> int | None:
    """``sysparm_offset`` of the ``Link`` header's ``rel="next"`` URL, if any."""
    link = response.links.get("next", {}).get("url")
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get("sysparm_offset", [])
    return int(values[0]) if values and values[0].isdigit() else None


def _one(result: Any, operation: str) -> dict[str, Any]:
    if not isinstance(result, dict):
        msg = f"{operation}: expected one record"
        raise ServiceNowUnavailableError(msg)
    return result


class TableApi:
    """Table API calls through one user's session."""

    def __init__(self, session: ServiceNowSession) -> None:
        self.session = session

    async def select(
        self,
        table: str,
        *,
        query: Query,
        fields: tuple[str, ...],
        limit: int,
        deadline: Deadline,
        operation: str,
        offset: int = 0,
    ) -> Rows:
        """One page of records matching ``query`` (GET, retried when it fails in passing)."""
        params = record_params(fields)
        params["sysparm_query"] = query.encode()
        params["sysparm_limit"] = str(limit)
        if offset:
            params["sysparm_offset"] = str(offset)
        response = await self.session.send(
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
        total = response.headers.get("X-Total-Count", "")
        return Rows(
            records=[row for row in result if isinstance(row, dict)],
            total=int(total) if total.isdigit() else None,
            next_offset=next_offset(response),
        )

    async def get(
        self,
        table: str,
        sys_id: str,
        *,
        fields: tuple[str, ...],
        deadline: Deadline,
        operation: str,
    ) -> dict[str, Any]:
        """One record by sys_id (``ServiceNowNotFoundError`` when missing or hidden)."""
        response = await self.session.send(
            "GET",
            table_path(table, sys_id),
            operation=operation,
            deadline=deadline,
            params=record_params(fields),
            idempotent=True,
        )
        return _one(result_of(response, operation=operation), operation)

    async def insert(
        self,
        table: str,
        body: Mapping[str, str],
        *,
        fields: tuple[str, ...] | None,
        deadline: Deadline,
        operation: str,
    ) -> dict[str, Any]:
        """Create one record (POST: never repeated unless nothing was sent)."""
        response = await self.session.send(
            "POST",
            table_path(table),
            operation=operation,
            deadline=deadline,
            params=record_params(fields),
            body=dict(body),
            idempotent=False,
        )
        return _one(result_of(response, operation=operation), operation)

    async def update(
        self,
        table: str,
        sys_id: str,
        *,
        changes: Mapping[str, str],
        deadline: Deadline,
        operation: str,
        idempotent: bool,
    ) -> None:
        """PATCH one record; ``idempotent`` only when the body sets absolute values.

        The answer's body is not trusted (a field ACL answers 200 and changes
        nothing): callers read the record back.
        """
        await self.session.send(
            "PATCH",
            table_path(table, sys_id),
            operation=operation,
            deadline=deadline,
            params=record_params(("sys_id",)),
            body=dict(changes),
            idempotent=idempotent,
        )
