"""Table API routes: ``/api/now/table``, ``/api/now/v1/table`` and ``/api/now/v2/table``.

- Bearer token required (401 envelope otherwise); with ``sb.hardened`` the caller also
  needs ``snc_platform_rest_api_access`` (contained in ``itil``/``admin``), else 403.
- A missing table answers 400 ``Invalid table <name>``.
- Lists: ``sysparm_query`` (see ``query``), plain ``field=value`` parameters,
  ``sysparm_fields``, ``_limit`` (default 10000), ``_offset``, ``_display_value``,
  ``_exclude_reference_link``, ``_no_count``, ``_suppress_pagination_header``;
  headers ``X-Total-Count`` and ``Link``. An empty result is 404 on v1, ``200 {"result": []}``
  on v2 and unversioned.
- Visibility: ESS users see incidents whose ``caller_id`` or ``opened_by`` is them
  (404 on a single record they cannot see); journal rows of incidents they see
  (comments only). ``sb.limit_before_acl`` applies the limit before that filter, so
  pages come back short, as real instances do for row ACLs.
- Writes: ``comments``/``work_notes`` append a journal entry; fields in
  ``sb.ess_readonly_fields[table]`` are silently ignored for ESS users (200, unchanged);
  with ``sb.resolve_requires_close_fields`` a resolve/close without ``close_code`` and
  ``close_notes`` is a 403 "Data Policy Exception".
- Reopening: the caller of a resolved incident may set it back to New, In Progress or
  On Hold even as an ESS user (the one state change ESS callers may make); agents
  (itil, admin) may change any state. Closed and Canceled are final: changing the
  state of such an incident is a 403 for everyone.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from snowbot_sandbox.servicenow import query as encoded
from snowbot_sandbox.servicenow import responses
from snowbot_sandbox.servicenow.render import View, field_exists, raw_value, render
from snowbot_sandbox.servicenow.state import Record, User

if TYPE_CHECKING:
    from snowbot_sandbox.servicenow.app import ServiceNowSandbox

REST_ROLE = "snc_platform_rest_api_access"
RESOLVED = "6"
OPEN_STATES = frozenset({"1", "2", "3"})
FINAL_STATES = frozenset({"7", "8"})
JOURNAL_INPUTS = ("comments", "work_notes")
DEFAULT_LIMIT = 10000


def table_routes(sb: ServiceNowSandbox) -> list[Route]:
    """The Table API routes, bound to a sandbox."""

    async def collection(request: Request) -> Response:
        checked = _check(sb, request)
        if isinstance(checked, Response):
            return checked
        user, table, version = checked
        if request.method == "POST":
            return await _create(sb, request, user=user, table=table)
        return _list(sb, request, user=user, table=table, version=version)

    async def single(request: Request) -> Response:
        checked = _check(sb, request)
        if isinstance(checked, Response):
            return checked
        user, table, _ = checked
        sys_id = request.path_params["sys_id"]
        record = sb.store.rows[table].get(sys_id)
        if record is None or not _visible(sb, table, record, user):
            return responses.envelope(
                404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval"
            )
        if request.method == "GET":
            return JSONResponse({"result": _render(sb, request, table, record, user)})
        if request.method == "DELETE":
            if user.is_ess:
                return _acl_refused("Delete")
            del sb.store.rows[table][sys_id]
            return Response(status_code=204)
        return await _update(sb, request, user=user, table=table, record=record)

    methods_one = ["GET", "PATCH", "PUT", "DELETE"]
    return [
        Route("/api/now/table/{table}", collection, methods=["GET", "POST"]),
        Route("/api/now/{version}/table/{table}", collection, methods=["GET", "POST"]),
        Route("/api/now/table/{table}/{sys_id}", single, methods=methods_one),
        Route("/api/now/{version}/table/{table}/{sys_id}", single, methods=methods_one),
    ]


def _check(sb: ServiceNowSandbox, request: Request) -> Response | tuple[User, str, str]:
    version = request.path_params.get("version", "v2")
    if version not in ("v1", "v2"):
        return responses.envelope(400, "Requested URI does not represent any resource", None)
    user = sb.user_for_request(request)
    if user is None:
        return responses.not_authenticated()
    if sb.hardened and REST_ROLE not in user.effective_roles:
        return responses.envelope(
            403, "User Not Authorized", f"Role {REST_ROLE} is required to use the Table API"
        )
    table = request.path_params["table"]
    schema = sb.store.schemas.get(table)
    if schema is None:
        return responses.invalid_table(table)
    if user.is_ess and not schema.ess_can_read:
        return _acl_refused("Read")
    return user, table, version


def _acl_refused(operation: str) -> Response:
    return responses.envelope(
        403, "Operation Failed", f"ACL Exception {operation} Failed due to security constraints"
    )


def _visible(sb: ServiceNowSandbox, table: str, record: Record, user: User) -> bool:
    if not user.is_ess:
        return True
    if table == "incident":
        return user.sys_id in (record.get("caller_id"), record.get("opened_by"))
    if table == "sys_journal_field":
        if not sb.journal_readable_by_ess or record.get("element") != "comments":
            return False
        parent = sb.store.rows.get(record.get("name", ""), {}).get(record.get("element_id", ""))
        return parent is not None and _visible(sb, record["name"], parent, user)
    return True


def _view(request: Request, user: User) -> View:
    params = request.query_params
    display = params.get("sysparm_display_value", "false").lower()
    fields = tuple(f.strip() for f in params.get("sysparm_fields", "").split(",") if f.strip())
    return View(
        base_url=str(request.base_url).rstrip("/"),
        display=display if display in ("true", "false", "all") else "false",
        exclude_links=params.get("sysparm_exclude_reference_link", "").lower() == "true",
        fields=fields,
        time_zone=user.time_zone,
    )


def _render(
    sb: ServiceNowSandbox, request: Request, table: str, record: Record, user: User
) -> dict[str, Any]:
    return render(sb.store, table=table, record=record, view=_view(request, user), user=user)


def _int(text: str | None, default: int) -> int:
    try:
        value = int(text or "")
    except ValueError:
        return default
    return value if value >= 0 else default


def _list(
    sb: ServiceNowSandbox, request: Request, *, user: User, table: str, version: str
) -> Response:
    params = request.query_params
    text = params.get("sysparm_query", "")
    if not text:
        plain = [f"{k}={v}" for k, v in params.items() if not k.startswith("sysparm_")]
        text = "^".join(plain)
    ctx = encoded.Context(
        has_field=lambda name: field_exists(sb.store, table, name),
        user_sys_id=user.sys_id,
        user_name=user.user_name,
        allow_scripts=sb.allow_query_scripts,
    )
    parsed = encoded.parse(text, ctx)

    def value_of(record: Record, name: str) -> str:
        return raw_value(sb.store, table, record, name)

    rows = [
        r
        for r in sb.store.rows[table].values()
        if encoded.matches(parsed, r, value_of)
        and (sb.limit_before_acl or _visible(sb, table, r, user))
    ]
    encoded.order(rows, parsed, value_of)
    limit = _int(params.get("sysparm_limit"), DEFAULT_LIMIT)
    offset = _int(params.get("sysparm_offset"), 0)
    total = len(rows)
    page = rows[offset : offset + limit]
    if sb.limit_before_acl:
        page = [r for r in page if _visible(sb, table, r, user)]
    if not page and version == "v1":
        return responses.envelope(404, "No Record found", "Records not found")
    view = _view(request, user)
    result = [render(sb.store, table=table, record=r, view=view, user=user) for r in page]
    headers: dict[str, str] = {}
    if params.get("sysparm_no_count", "").lower() != "true":
        headers["X-Total-Count"] = str(total)
    if params.get("sysparm_suppress_pagination_header", "").lower() != "true":
        headers["Link"] = _links(request, total=total, limit=limit, offset=offset)
    return JSONResponse({"result": result}, headers=headers)


def _links(request: Request, *, total: int, limit: int, offset: int) -> str:
    base = str(request.url.replace(query="")).rstrip("?")
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "sysparm_offset"]
    kept = [(k, v) for k, v in kept if k != "sysparm_limit"]
    step = max(limit, 1)

    def url(at: int) -> str:
        query = urlencode([*kept, ("sysparm_limit", str(limit)), ("sysparm_offset", str(at))])
        return f"<{base}?{query}>"

    last = max(((total - 1) // step) * step, 0)
    parts = [f'{url(0)};rel="first"']
    if offset > 0:
        parts.append(f'{url(max(offset - step, 0))};rel="prev"')
    if offset + step < total:
        parts.append(f'{url(offset + step)};rel="next"')
    parts.append(f'{url(last)};rel="last"')
    return ",".join(parts)


async def _payload(request: Request) -> dict[str, str] | Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return responses.envelope(
            415, "Unsupported Media Type", "Content-Type must be application/json"
        )
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return responses.envelope(
            400, "Exception while reading request", "The payload is not valid JSON."
        )
    if not isinstance(data, dict):
        return responses.envelope(
            400, "Exception while reading request", "The payload is not a JSON object."
        )
    return {str(k): _as_text(v) for k, v in data.items()}


def _as_text(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("value", ""))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _writable(
    sb: ServiceNowSandbox,
    table: str,
    values: dict[str, str],
    user: User,
    record: Record | None = None,
) -> dict[str, str]:
    """Drop what an ESS user may not write (silently, as field ACLs do)."""
    if not user.is_ess:
        return values
    blocked = set(sb.ess_readonly_fields.get(table, set()))
    if table == "incident" and record is not None and _caller_reopens(record, values, user):
        blocked -= {"state", "incident_state"}
    return {k: v for k, v in values.items() if k not in blocked}


def _caller_reopens(record: Record, values: dict[str, str], user: User) -> bool:
    """Whether this write is the caller setting their resolved incident back to open."""
    return (
        record.get("caller_id") == user.sys_id
        and record.get("state") == RESOLVED
        and values.get("state", "") in OPEN_STATES
    )


def _changes_final_state(record: Record, fields: dict[str, str]) -> bool:
    """Whether a write changes the state of a closed or canceled incident."""
    wanted = fields.get("state")
    return record.get("state") in FINAL_STATES and wanted is not None and wanted != record["state"]


def _write_journals(
    sb: ServiceNowSandbox, *, table: str, sys_id: str, values: dict[str, str], user: User
) -> None:
    for element in JOURNAL_INPUTS:
        text = values.get(element, "")
        if text and sb.store.schemas[table].has(element):
            sb.store.add_journal(table=table, sys_id=sys_id, element=element, text=text, user=user)


def _misses_resolution(sb: ServiceNowSandbox, merged: dict[str, str]) -> bool:
    """Whether a resolve/close lacks the resolution fields a data policy demands."""
    if not sb.resolve_requires_close_fields or merged.get("state") not in ("6", "7"):
        return False
    return not (merged.get("close_code") and merged.get("close_notes"))


def _written(request: Request, body: dict[str, Any], *, status: int, location: str) -> Response:
    headers = {"Location": location} if location else {}
    if request.headers.get("x-no-response-body", "").lower() == "true":
        return Response(status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


async def _create(sb: ServiceNowSandbox, request: Request, *, user: User, table: str) -> Response:
    schema = sb.store.schemas[table]
    if user.is_ess and not schema.ess_can_create:
        return _acl_refused("Insert")
    values = await _payload(request)
    if isinstance(values, Response):
        return values
    values = _writable(sb, table, values, user)
    fields = {
        k: v for k, v in values.items() if k not in JOURNAL_INPUTS and not k.startswith("sys_")
    }
    if values.get("sys_id"):
        fields["sys_id"] = values["sys_id"]
    record = sb.store.insert(table, fields, user=user)
    _write_journals(sb, table=table, sys_id=record["sys_id"], values=values, user=user)
    base = str(request.base_url).rstrip("/")
    return _written(
        request,
        {"result": _render(sb, request, table, record, user)},
        status=201,
        location=f"{base}/api/now/table/{table}/{record['sys_id']}",
    )


async def _update(
    sb: ServiceNowSandbox, request: Request, *, user: User, table: str, record: Record
) -> Response:
    schema = sb.store.schemas[table]
    if user.is_ess and table != "incident" and not schema.ess_can_create:
        return _acl_refused("Update")
    values = await _payload(request)
    if isinstance(values, Response):
        return values
    values = _writable(sb, table, values, user, record)
    fields = {k: v for k, v in values.items() if k not in JOURNAL_INPUTS}
    if table == "incident" and _changes_final_state(record, fields):
        return _acl_refused("Update")
    if table == "incident" and _misses_resolution(sb, {**record, **fields}):
        return responses.envelope(
            403,
            "Operation Failed",
            "Data Policy Exception: \n The following fields are mandatory: "
            "Resolution code, Resolution notes",
        )
    _write_journals(sb, table=table, sys_id=record["sys_id"], values=values, user=user)
    sb.store.update(table, record["sys_id"], fields, user=user)
    return _written(
        request, {"result": _render(sb, request, table, record, user)}, status=200, location=""
    )
