"""``/sandbox/...``: drive the sandbox over HTTP from another process (the demo, a bot).

Every route takes and returns JSON; none is recorded or faulted.

- ``GET /sandbox/health``: ``{"ok": true}``.
- ``POST /sandbox/reset``: back to the seed (clients kept; ``{"clients": true}``: none).
- ``GET|POST|DELETE /sandbox/faults``: list, add (``Faults.add`` keywords: path, kind,
  seconds, retry_after, times, method, grant_type, user_name, only_ess), clear.
- ``POST /sandbox/faults/release``: let hanging requests go on.
- ``GET /sandbox/requests?since=N``, ``GET /sandbox/queries``,
  ``GET /sandbox/token-calls?grant_type=refresh_token`` (``{"count": n}``).
- ``POST /sandbox/clients``: ``register_client`` keywords.
- ``POST /sandbox/settings``: any of ``SETTINGS``, ``ess_readonly_fields``,
  ``access_token_ttl``, ``refresh_token_ttl``, ``rotate_refresh_tokens``.
- ``POST /sandbox/tokens`` ``{"user_name", "client_id"}``: mint a pair;
  ``POST /sandbox/tokens/expire`` ``{"user_name"?, "kind": "access"|"refresh"}``.
- ``POST /sandbox/tables`` ``{"name", "columns", "ess_can_create", "ess_can_read"}``;
  ``DELETE /sandbox/tables/{name}``.
- ``GET /sandbox/users``; ``GET /sandbox/incidents/{number}`` (raw values).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from snowbot_sandbox.servicenow.app import ServiceNowSandbox

SETTINGS = (
    "auto_consent_user",
    "state_required",
    "hardened",
    "limit_before_acl",
    "journal_readable_by_ess",
    "allow_query_scripts",
    "resolve_requires_close_fields",
    "current_user_api",
)


async def _json(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body:
        return {}
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def control_routes(sb: ServiceNowSandbox) -> list[Route]:
    """The control API routes, bound to a sandbox."""

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def reset(request: Request) -> Response:
        sb.reset(clients=bool((await _json(request)).get("clients", False)))
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                fault = sb.faults.add(**await _json(request))
            except (TypeError, ValueError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            return JSONResponse(fault.as_dict(), status_code=201)
        if request.method == "DELETE":
            sb.faults.clear()
            return JSONResponse({"ok": True})
        return JSONResponse([f.as_dict() for f in sb.faults.items])

    async def release(request: Request) -> Response:
        sb.faults.release()
        return JSONResponse({"ok": True})

    async def requests(request: Request) -> Response:
        since = int(request.query_params.get("since", "0") or 0)
        return JSONResponse([r.as_dict() for r in sb.requests[since:]])

    async def queries(request: Request) -> Response:
        return JSONResponse(list(sb.queries))

    async def token_calls(request: Request) -> Response:
        grant = request.query_params.get("grant_type")
        user = request.query_params.get("user_name")
        return JSONResponse({"count": sb.token_calls(grant, user)})

    async def clients(request: Request) -> Response:
        try:
            client = sb.register_client(**await _json(request))
        except (TypeError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"client_id": client.client_id}, status_code=201)

    async def settings(request: Request) -> Response:
        data = await _json(request)
        for key, value in data.items():
            if key in SETTINGS:
                setattr(sb, key, value)
            elif key == "ess_readonly_fields":
                sb.ess_readonly_fields = {k: set(v) for k, v in value.items()}
            elif key in ("access_token_ttl", "refresh_token_ttl"):
                setattr(sb.tokens, key, float(value))
            elif key == "rotate_refresh_tokens":
                sb.tokens.rotate_refresh_tokens = bool(value)
            else:
                return JSONResponse({"error": f"unknown setting {key}"}, status_code=400)
        return JSONResponse({"ok": True})

    return [
        *_data_routes(sb),
        Route("/sandbox/health", health),
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/sandbox/faults/release", release, methods=["POST"]),
        Route("/sandbox/requests", requests),
        Route("/sandbox/queries", queries),
        Route("/sandbox/token-calls", token_calls),
        Route("/sandbox/clients", clients, methods=["POST"]),
        Route("/sandbox/settings", settings, methods=["POST"]),
    ]


def _data_routes(sb: ServiceNowSandbox) -> list[Route]:
    """Control routes about tokens, tables, users and incidents."""

    async def tokens(request: Request) -> Response:
        data = await _json(request)
        try:
            pair = sb.issue_tokens(user_name=data["user_name"], client_id=data["client_id"])
        except KeyError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(asdict(pair), status_code=201)

    async def expire(request: Request) -> Response:
        data = await _json(request)
        user = data.get("user_name")
        if data.get("kind", "access") == "refresh":
            count = sb.expire_refresh_tokens(user)
        else:
            count = sb.expire_access_tokens(user)
        return JSONResponse({"count": count})

    async def tables(request: Request) -> Response:
        if request.method == "DELETE":
            sb.drop_table(request.path_params["name"])
            return JSONResponse({"ok": True})
        data = await _json(request)
        sb.create_table(
            data["name"],
            data.get("columns", []),
            ess_can_create=bool(data.get("ess_can_create", True)),
            ess_can_read=bool(data.get("ess_can_read", True)),
        )
        return JSONResponse({"ok": True}, status_code=201)

    async def users(request: Request) -> Response:
        return JSONResponse([asdict(u) for u in sb.users])

    async def incident(request: Request) -> Response:
        record = sb.get_incident(request.path_params["number"])
        if record is None:
            return JSONResponse({"error": "no such incident"}, status_code=404)
        return JSONResponse(record)

    return [
        Route("/sandbox/tokens", tokens, methods=["POST"]),
        Route("/sandbox/tokens/expire", expire, methods=["POST"]),
        Route("/sandbox/tables", tables, methods=["POST"]),
        Route("/sandbox/tables/{name}", tables, methods=["DELETE"]),
        Route("/sandbox/users", users),
        Route("/sandbox/incidents/{number}", incident),
    ]
