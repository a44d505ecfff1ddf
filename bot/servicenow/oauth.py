"""ServiceNow as the OAuth authorization server: consent URL, PKCE, token calls, revoke.

Facts (ServiceNow's OAuth documentation): the consent page is ``GET /oauth_auth.do``; the
token endpoint ``POST /oauth_token.do`` takes a form-encoded body only (never JSON,
never query parameters); failures usually come back as HTTP 401
``{"error_description":"access_denied","error":"server_error"}``; refresh tokens are
not documented to rotate, so ``TokenSet.refresh_token`` is ``None`` when the answer
carries none (the caller keeps the old one). Revocation is
``/oauth_revoke_token.do`` with the token, always as a POST form body: the token
never sits in a URL (the documented ``?token=`` form is never used, not even when an
instance refuses the POST).

Error mapping, so that only a real refusal ever marks a grant dead:

| answer                                 | exchange_code          | refresh                  |
|----------------------------------------|------------------------|--------------------------|
| 400 / 401 / 403                        | TokenRefusedError      | ReconnectRequiredError   |
| 429                                    | ServiceNowRateLimitedError                        |
| 3xx (never followed), 5xx, HTML, time-out, connection, TLS, proxy | ServiceNowUnavailableError |

Tokens, codes, verifiers and the client secret are never logged or put in an
error's detail.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from bot.errors import (
    ReconnectRequiredError,
    ServiceNowRateLimitedError,
    ServiceNowUnavailableError,
    TokenRefusedError,
)
from bot.servicenow.http import parse_retry_after, transport_error
from bot.servicenow.instance import Instance
from bot.servicenow.models import TokenSet

log = logging.getLogger(__name__)

AUTHORIZE_PATH = "/oauth_auth.do"
TOKEN_PATH = "/oauth_token.do"  # noqa: S105 - a URL path, not a secret
REVOKE_PATH = "/oauth_revoke_token.do"
DEFAULT_TOKEN_TIMEOUT = 5.0

Observer = Callable[[str, float, str], None]


@dataclass(frozen=True)
class Pkce:
    """A PKCE pair: the secret verifier (kept server-side) and its S256 challenge."""

    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"


def pkce_challenge(verifier: str) -> str:
    """The S256 ``code_challenge`` of ``verifier`` (base64url, no padding)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_pkce(*, token: Callable[[int], str] = secrets.token_urlsafe) -> Pkce:
    """A fresh verifier (64 url-safe characters from 48 random bytes) and its challenge."""
    verifier = token(48)
    if not 43 <= len(verifier) <= 128:
        msg = "a PKCE verifier has 43 to 128 characters"
        raise ValueError(msg)
    return Pkce(verifier=verifier, challenge=pkce_challenge(verifier))


def new_state(*, token: Callable[[int], str] = secrets.token_hex) -> str:
    """An opaque single-use ``state`` (256 bits, hex: no special characters)."""
    return token(32)


_URL_SAFE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def authorize_url(
    instance: Instance,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    code_challenge: str | None,
) -> str:
    """The consent page URL for this flow (PKCE S256 when a challenge is given)."""
    if not _URL_SAFE.fullmatch(state):
        msg = "state must be a non-empty URL-safe string (letters, digits, - and _)"
        raise ValueError(msg)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if code_challenge is not None:
        params["code_challenge"] = code_challenge
        params["code_challenge_method"] = "S256"
    return f"{instance.endpoint(AUTHORIZE_PATH)}?{urlencode(params)}"


class ServiceNowOAuth:
    """The token endpoint of one instance, for one registered client."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        instance: Instance,
        client_id: str,
        client_secret: SecretStr | str,
        clock: Callable[[], float] = time.time,
        timeout: float = DEFAULT_TOKEN_TIMEOUT,
        observer: Observer | None = None,
    ) -> None:
        self._http = http
        self._instance = instance
        self._client_id = client_id
        self._secret = (
            client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        )
        self._clock = clock
        self._timeout = timeout
        self._observer = observer

    @property
    def instance(self) -> Instance:
        """The instance these calls go to."""
        return self._instance

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str | None) -> str:
        """The consent page URL for this client (see the module function)."""
        return authorize_url(
            self._instance,
            client_id=self._client_id,
            redirect_uri=redirect_uri,
            state=state,
            code_challenge=code_challenge,
        )

    async def exchange_code(
        self,
        *,
        code: str,
        redirect_uri: str,
        code_verifier: str | None = None,
        state: str | None = None,
    ) -> TokenSet:
        """Trade an authorization code for tokens (``TokenRefusedError`` if refused)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self._client_id,
            "client_secret": self._secret.get_secret_value(),
        }
        if code_verifier is not None:
            form["code_verifier"] = code_verifier
        if state is not None:
            form["state"] = state
        return await self._token_call("oauth.exchange_code", form, refresh=False)

    async def refresh(self, refresh_token: str) -> TokenSet:
        """A new access token (``ReconnectRequiredError`` if the refresh is refused)."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self._client_id,
            "client_secret": self._secret.get_secret_value(),
        }
        return await self._token_call("oauth.refresh", form, refresh=True)

    async def revoke(self, token: str) -> None:
        """Ask ServiceNow to expire ``token`` (access or refresh), in a POST form body.

        Never in the query string, whatever the instance answers: URLs end up in
        access logs and proxies. A refusal is ``ServiceNowUnavailableError``; callers
        delete the link anyway.
        """
        started = time.monotonic()
        outcome = "error"
        url = self._instance.endpoint(REVOKE_PATH)
        try:
            try:
                response = await self._http.post(
                    url, data={"token": token}, timeout=self._timeout
                )
            except httpx.HTTPError as exc:
                raise transport_error(exc, operation="oauth.revoke") from exc
            if response.status_code >= 300:
                self._raise_unavailable(response, "oauth.revoke")
            outcome = "ok"
        finally:
            self._observe("oauth.revoke", started=started, outcome=outcome)

    async def _token_call(self, operation: str, form: dict[str, str], *, refresh: bool) -> TokenSet:
        started = time.monotonic()
        outcome = "error"
        try:
            try:
                response = await self._http.post(
                    self._instance.endpoint(TOKEN_PATH),
                    data=form,
                    headers={"Accept": "application/json"},
                    timeout=self._timeout,
                )
            except httpx.HTTPError as exc:
                raise transport_error(exc, operation=operation) from exc
            tokens = self._token_answer(response, operation=operation, refresh=refresh)
            outcome = "ok"
            return tokens
        except (TokenRefusedError, ReconnectRequiredError):
            outcome = "refused"
            raise
        finally:
            self._observe(operation, started=started, outcome=outcome)

    def _token_answer(
        self, response: httpx.Response, *, operation: str, refresh: bool
    ) -> TokenSet:
        status = response.status_code
        body = _json(response)
        if status in (400, 401, 403):
            error = str(body.get("error", "")) if body else ""
            description = str(body.get("error_description", "")) if body else ""
            detail = f"{operation}: HTTP {status} {error}/{description}".strip()
            log.info("token endpoint refused: %s", detail)
            if refresh:
                raise ReconnectRequiredError(detail)
            raise TokenRefusedError(detail, error=error, error_description=description)
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"), now=self._clock())
            raise ServiceNowRateLimitedError(f"{operation}: rate limited", retry_after=wait)
        if status != 200 or body is None:
            self._raise_unavailable(response, operation)
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise ServiceNowUnavailableError(f"{operation}: answer without an access token")
        try:
            expires_in = float(body.get("expires_in", 1800))
        except (TypeError, ValueError):
            expires_in = 1800.0
        new_refresh = body.get("refresh_token")
        return TokenSet(
            access_token=access,
            refresh_token=new_refresh if isinstance(new_refresh, str) and new_refresh else None,
            expires_at=self._clock() + expires_in,
            scope=str(body.get("scope", "") or ""),
            token_type=str(body.get("token_type", "Bearer") or "Bearer"),
        )

    def _raise_unavailable(self, response: httpx.Response, operation: str) -> NoReturn:
        status = response.status_code
        if 300 <= status < 400:
            detail = f"{operation}: HTTP {status} redirect (not followed)"
        else:
            detail = f"{operation}: HTTP {status}"
        raise ServiceNowUnavailableError(detail, status=status)

    def _observe(self, operation: str, *, started: float, outcome: str) -> None:
        if self._observer is not None:
            self._observer(operation, time.monotonic() - started, outcome)


def _json(response: httpx.Response) -> dict[str, Any] | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
