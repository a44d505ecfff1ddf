"""What the bot can check about an instance by itself, before anyone signs in.

- ``probe_token_endpoint``: POST ``/oauth_token.do`` with a deliberately invalid code.
  ServiceNow answers 400/401 with a JSON ``error`` (see ``bot.setup.causes``); a
  404, an HTML page or a redirect says this is not a ServiceNow instance.
- ``probe_sign_in_page``: GET the consent page with the flow's real parameters (a
  throwaway ``state``), redirects not followed. A login page (200) or a redirect to
  one is fine; a 504 or a time-out there is what hardened instances do
  (``texts.HARDENED_CHECKLIST``), a 400
  is an unknown client id.

Both answer with an observation code of ``bot.setup.diagnosis`` and never raise for
what the instance does. The instance was validated by ``InstancePolicy`` before: these
functions take an ``Instance``, never a string. Nothing secret is logged.
"""

from __future__ import annotations

import logging
import secrets

import httpx
from pydantic import SecretStr

from bot.servicenow.instance import Instance
from bot.servicenow.oauth import TOKEN_PATH, authorize_url, new_pkce

log = logging.getLogger(__name__)

PROBE_CODE = "snowbot-setup-probe-not-a-code"
PROBE_TIMEOUT = 5.0


def probe_seconds(servicenow_timeout: float) -> float:
    """How long a probe waits: twice the usual ServiceNow time-out (a sign-in page is
    slower than an API call), at most ``PROBE_TIMEOUT``."""
    return min(servicenow_timeout * 2, PROBE_TIMEOUT)


def transport_code(exc: httpx.HTTPError) -> str:
    """The observation code of a failed request: unreachable, timeout, tls or proxy."""
    if isinstance(exc, httpx.ProxyError):
        return "proxy"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).upper()
        return "tls" if "SSL" in text or "CERTIFICATE" in text else "unreachable"
    return "unreachable"


def _is_servicenow_token_error(response: httpx.Response) -> bool:
    if "json" not in response.headers.get("content-type", ""):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and ("error" in body or "error_description" in body)


async def probe_token_endpoint(
    http: httpx.AsyncClient,
    *,
    instance: Instance,
    client_id: str,
    client_secret: SecretStr,
    redirect_uri: str,
    seconds: float = PROBE_TIMEOUT,
) -> str:
    """``ok`` when the token endpoint refuses an invalid code the way ServiceNow does."""
    form = {
        "grant_type": "authorization_code",
        "code": PROBE_CODE,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "client_secret": client_secret.get_secret_value(),
    }
    try:
        response = await http.post(
            instance.endpoint(TOKEN_PATH),
            data=form,
            headers={"Accept": "application/json"},
            timeout=seconds,
        )
    except httpx.HTTPError as exc:
        code = transport_code(exc)
        log.info("token endpoint probe failed: %s", code)
        return code
    status = response.status_code
    log.info("token endpoint probe answered HTTP %s", status)
    if status in (400, 401, 403) and _is_servicenow_token_error(response):
        return "ok"
    if status == 429:
        return "ok"
    if status >= 500:
        return "unavailable"
    return "not_servicenow"


async def probe_sign_in_page(
    http: httpx.AsyncClient,
    *,
    instance: Instance,
    client_id: str,
    redirect_uri: str,
    pkce: bool,
    seconds: float = PROBE_TIMEOUT,
) -> str:
    """``ok`` when the consent page (or a redirect to a login page) loads."""
    url = authorize_url(
        instance,
        client_id=client_id,
        redirect_uri=redirect_uri,
        state=secrets.token_hex(16),
        code_challenge=new_pkce().challenge if pkce else None,
    )
    try:
        response = await http.get(url, timeout=seconds, follow_redirects=False)
    except httpx.TimeoutException:
        log.info("sign-in page probe timed out")
        return "gateway"
    except httpx.HTTPError as exc:
        code = transport_code(exc)
        log.info("sign-in page probe failed: %s", code)
        return code
    status = response.status_code
    log.info("sign-in page probe answered HTTP %s", status)
    if status in (502, 504):
        return "gateway"
    if status >= 500:
        return "unavailable"
    if status == 404:
        return "not_servicenow"
    if status == 400:
        return "client_unknown"
    if status == 403:
        return "gateway"  # refused before anyone signed in: hardened (Explicit Roles)
    return "ok"
