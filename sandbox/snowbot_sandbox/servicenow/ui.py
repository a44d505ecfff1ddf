"""``/api/now/ui/user/current_user`` and the answers for paths no API serves.

``current_user`` is undocumented (Pipedream uses it to learn ``user_sys_id``); the
sandbox returns the fields such clients read. Which other fields a real instance
adds is not established.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from snowbot_sandbox.servicenow import responses

if TYPE_CHECKING:
    from snowbot_sandbox.servicenow.app import ServiceNowSandbox


def ui_routes(sb: ServiceNowSandbox) -> list[Route]:
    """The current-user route, bound to a sandbox."""

    async def current_user(request: Request) -> Response:
        if not sb.current_user_api:
            return responses.envelope(400, "Requested URI does not represent any resource", None)
        user = sb.user_for_request(request)
        if user is None:
            return responses.not_authenticated()
        first, _, last = user.name.partition(" ")
        return JSONResponse(
            {
                "result": {
                    "user_sys_id": user.sys_id,
                    "user_name": user.user_name,
                    "user_display_name": user.name,
                    "user_first_name": first,
                    "user_last_name": last,
                    "user_email": user.email,
                    "user_time_zone": user.time_zone,
                    "roles": sorted(user.effective_roles),
                }
            }
        )

    return [Route("/api/now/ui/user/current_user", current_user)]


async def no_resource(request: Request, exc: Exception) -> Response:
    """404/405 from routing: the REST error envelope under ``/api/``, a plain page elsewhere."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if request.url.path.startswith("/api/"):
        if status == 405:
            return responses.envelope(405, "Method not Supported", None)
        return responses.envelope(400, "Requested URI does not represent any resource", None)
    return HTMLResponse("<html><body><p>Page not found</p></body></html>", status_code=status)
