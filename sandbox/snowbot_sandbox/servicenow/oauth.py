"""OAuth endpoints: ``/oauth_auth.do`` (consent), ``/oauth_token.do``, ``/oauth_revoke_token.do``.

Behaviour copied from the reference (§1):
- authorize needs ``response_type=code``, a known ``client_id`` and a non-empty ``state``
  ("Missing State parameter in request" otherwise); a ``redirect_uri`` that matches no
  registered URL is silently replaced by the first registered one; the PKCE challenge
  is stored with the code.
- token takes a form body only (JSON, or parameters in the query string, fail); every
  failure is HTTP 401 ``{"error_description":"access_denied","error":"server_error"}``.
- revoke needs no authentication and marks the token expired; it takes the token as a
  POST form body (what the bot sends) or, as documented, in the query string.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from snowbot_sandbox.servicenow import responses
from snowbot_sandbox.servicenow.tokens import AuthCode, Client, pkce_challenge

if TYPE_CHECKING:
    from snowbot_sandbox.servicenow.app import ServiceNowSandbox

_AUTH_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
)
_TOKEN_PARAMS = frozenset(
    {"grant_type", "code", "client_id", "client_secret", "refresh_token", "code_verifier"}
)


def oauth_routes(sb: ServiceNowSandbox) -> list[Route]:
    """The three OAuth routes, bound to a sandbox."""

    async def authorize(request: Request) -> Response:
        params = (
            await _form(request) if request.method == "POST" else dict(request.query_params)
        )
        values = {k: str(params.get(k, "")) for k in _AUTH_PARAMS}
        client = sb.tokens.clients.get(values["client_id"])
        problem = _authorize_problem(sb, client, values)
        if problem or client is None:
            return responses.html_error(400, problem or "Invalid client_id")
        redirect = _effective_redirect(client, values["redirect_uri"])
        if request.method == "POST":
            if params.get("action") != "allow":
                return _back(redirect, error="access_denied", state=values["state"])
            return _grant(sb, values, redirect, str(params.get("user_name", "")))
        if sb.auto_consent_user is not None:
            return _grant(sb, values, redirect, sb.auto_consent_user)
        return _consent_page(sb, values)

    async def token(request: Request) -> Response:
        form = await _form(request)
        client = _token_client(sb, request, form)
        if client is None:
            return responses.token_error()
        grant = form.get("grant_type", "")
        if grant == "authorization_code":
            return _exchange_code(sb, client, form)
        if grant == "refresh_token":
            return _refresh(sb, client, form)
        return responses.token_error()

    async def revoke(request: Request) -> Response:
        value = request.query_params.get("token", "")
        if not value and request.method == "POST":
            value = (await _form(request)).get("token", "")
        sb.tokens.revoke(value)
        return Response(status_code=200)

    return [
        Route("/oauth_auth.do", authorize, methods=["GET", "POST"]),
        Route("/oauth_token.do", token, methods=["POST"]),
        Route("/oauth_revoke_token.do", revoke, methods=["GET", "POST"]),
    ]


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded body as a dict (first value of each name)."""
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _effective_redirect(client: Client, asked: str) -> str:
    return asked if asked in client.redirect_uris else client.redirect_uris[0]


def _active(sb: ServiceNowSandbox, user_name: str) -> bool:
    user = sb.store.users.get(user_name)
    return user is not None and user.active


def _back(redirect: str, **params: str) -> Response:
    query = urlencode({k: v for k, v in params.items() if v})
    joiner = "&" if "?" in redirect else "?"
    return RedirectResponse(f"{redirect}{joiner}{query}", status_code=302)


def _grant(
    sb: ServiceNowSandbox, values: dict[str, str], redirect: str, user_name: str
) -> Response:
    if not _active(sb, user_name):
        return responses.html_error(403, "User is not active or does not exist")
    if "snc_external" in sb.store.users[user_name].roles:
        # Explicit Roles: external users reach only public pages.
        return responses.html_error(403, "Security constraints prevent access to requested page")
    code = sb.tokens.new_code(
        client_id=values["client_id"],
        user_name=user_name,
        redirect_uri=redirect,
        code_challenge=values["code_challenge"],
        code_challenge_method=values["code_challenge_method"] or (
            "plain" if values["code_challenge"] else ""
        ),
    )
    return _back(redirect, code=code.code, state=values["state"])


def _authorize_problem(
    sb: ServiceNowSandbox, client: Client | None, values: dict[str, str]
) -> str:
    """Why the authorize request is refused, or ``""``."""
    if client is None or not client.active:
        return "Invalid client_id"
    if values["response_type"] != "code":
        return "Invalid response_type"
    if sb.state_required and not values["state"]:
        return "Missing State parameter in request"
    if client.pkce_required and not values["code_challenge"]:
        return "Missing code_challenge parameter in request"
    return ""


def _token_client(sb: ServiceNowSandbox, request: Request, form: dict[str, str]) -> Client | None:
    """The authenticated client of a well-formed token call, or None."""
    content_type = request.headers.get("content-type", "").split(";", maxsplit=1)[0]
    if content_type.strip().lower() != "application/x-www-form-urlencoded":
        return None  # a JSON body "results in an unspecified error"
    if _TOKEN_PARAMS & set(request.query_params):
        return None  # parameters are allowed in the POST body only
    client = sb.tokens.clients.get(form.get("client_id", ""))
    if client is None or not client.active or form.get("client_secret") != client.client_secret:
        return None
    return client


def _refresh(sb: ServiceNowSandbox, client: Client, form: dict[str, str]) -> Response:
    refresh = sb.tokens.valid(form.get("refresh_token", ""), "refresh")
    if refresh is None or refresh.client_id != client.client_id:
        return responses.token_error()
    if not _active(sb, refresh.user_name):
        return responses.token_error()
    pair = sb.tokens.refresh(refresh)
    return _token_body(pair.access_token, pair.refresh_token, pair.expires_in)


def _exchange_code(sb: ServiceNowSandbox, client: Client, form: dict[str, str]) -> Response:
    code = sb.tokens.codes.get(form.get("code", ""))
    if code is None or code.used or code.client_id != client.client_id:
        return responses.token_error()
    code.used = True  # single use, even when the exchange then fails
    if not _code_accepted(sb, client, code, form):
        return responses.token_error()
    pair = sb.tokens.issue(user_name=code.user_name, client_id=client.client_id)
    return _token_body(pair.access_token, pair.refresh_token, pair.expires_in)


def _code_accepted(
    sb: ServiceNowSandbox, client: Client, code: AuthCode, form: dict[str, str]
) -> bool:
    verifier = form.get("code_verifier", "")
    pkce_ok = not code.code_challenge or bool(
        verifier and pkce_challenge(verifier, code.code_challenge_method) == code.code_challenge
    )
    return all(
        (
            code.expires_at > sb.clock(),
            form.get("redirect_uri", "") == code.redirect_uri,
            not (client.pkce_refused and verifier),
            pkce_ok,
            _active(sb, code.user_name),
        )
    )


def _token_body(access: str, refresh: str, expires_in: int) -> JSONResponse:
    return JSONResponse(
        {
            "access_token": access,
            "refresh_token": refresh,
            "scope": "useraccount",
            "token_type": "Bearer",
            "expires_in": expires_in,
        },
        headers={"Cache-Control": "no-store"},
    )


def _consent_page(sb: ServiceNowSandbox, values: dict[str, str]) -> Response:
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in values.items()
    )
    options = "".join(
        f'<option value="{html.escape(u.user_name)}">{html.escape(u.name)} '
        f"({html.escape(u.user_name)})</option>"
        for u in sb.store.users.values()
        if u.active
    )
    page = f"""<!doctype html>
<html><head><title>ServiceNow sandbox: authorize</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto">
<h1>Connect to the sandbox instance</h1>
<p>The application <strong>{html.escape(values["client_id"])}</strong> would like to
act on your behalf.</p>
<form method="post" action="/oauth_auth.do">
{hidden}
<label>Sign in as <select name="user_name">{options}</select></label>
<p><button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="deny">Deny</button></p>
</form></body></html>"""
    return Response(page, media_type="text/html")
