"""The response shapes a ServiceNow instance answers with, in one place."""

from __future__ import annotations

from starlette.responses import HTMLResponse, JSONResponse

TOKEN_ERROR = {"error_description": "access_denied", "error": "server_error"}


def envelope(
    status: int, message: str, detail: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The Table API error envelope ``{"error": {"message", "detail"}, "status": "failure"}``."""
    return JSONResponse(
        {"error": {"message": message, "detail": detail}, "status": "failure"},
        status_code=status,
        headers=headers,
    )


def token_error() -> JSONResponse:
    """Every token-endpoint failure: HTTP 401 with the observed body."""
    return JSONResponse(TOKEN_ERROR, status_code=401)


def not_authenticated() -> JSONResponse:
    """401 for a missing, unknown, expired or revoked bearer token."""
    return envelope(401, "User Not Authenticated", "Required to provide Auth information")


def invalid_table(name: str) -> JSONResponse:
    """400 for a table that does not exist."""
    return envelope(400, f"Invalid table {name}", None)


def gateway_page(status: int) -> HTMLResponse:
    """The HTML a load balancer shows on 502/504."""
    title = "504 Gateway Time-out" if status == 504 else "502 Bad Gateway"
    body = (
        f"<html><head><title>{title}</title></head>"
        f'<body><center><h1>{title}</h1></center><hr><center>nginx</center></body></html>'
    )
    return HTMLResponse(body, status_code=status)


def rate_limited(retry_after: int, reset_at: int) -> JSONResponse:
    """429 with ``Retry-After`` and the ``X-RateLimit-*`` headers (no ``Remaining``)."""
    return envelope(
        429,
        "Rate limit exceeded",
        "Rate limit of 100 requests per hour for Table API exceeded",
        headers={
            "Retry-After": str(retry_after),
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Reset": str(reset_at),
            "X-RateLimit-Rule": "0d7a2b1c3e4f40118a9b2c3d4e5f6071",
        },
    )


def html_error(status: int, message: str) -> HTMLResponse:
    """A plain error page in the browser (authorize endpoint)."""
    return HTMLResponse(
        f"<html><head><title>Error</title></head><body><p>{message}</p></body></html>",
        status_code=status,
    )
