"""One user's calls to one instance: bearer token, time budget, retries, error mapping.

``ServiceNowSession.send`` is the only place a Table API request is made. For each
request it:

* takes the user's access token from the ``TokenSource``; on a 401 it asks for a
  refreshed token once and repeats the request once; a second 401 is
  ``ServiceNowAuthError`` (a refused refresh is the token source's
  ``ReconnectRequiredError``);
* gives every attempt ``min(policy.timeout, what is left of the deadline)``, so one
  user-facing operation never outlives its budget, however many calls it makes;
* retries with full jitter (``uniform(0, min(cap, base * 2**n))``) on time-outs,
  connection, TLS and proxy errors and 5xx, but only for idempotent requests, or,
  for any request, when the failure proves nothing was sent (a refused connection);
* honours ``Retry-After`` on 429 when the wait is short (``policy.max_retry_after``)
  and fits the deadline (a refused 429 request was not processed, so this holds for
  writes too); a longer wait is ``ServiceNowRateLimitedError(retry_after=...)``;
* maps the rest: 3xx (never followed) and 5xx → ``ServiceNowUnavailableError``,
  403 → ``ServiceNowForbiddenError``, 404 → ``ServiceNowNotFoundError``, other 4xx →
  ``ServiceNowRejectedError``; the error envelope's message goes into ``detail``
  (logs only), HTML bodies (502/504 pages) are survived.

Clock, sleep and randomness are injected.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from bot.errors import (
    ServiceNowAuthError,
    ServiceNowError,
    ServiceNowForbiddenError,
    ServiceNowNotFoundError,
    ServiceNowRateLimitedError,
    ServiceNowRejectedError,
    ServiceNowUnavailableError,
)
from bot.servicenow.http import parse_retry_after, transport_error, was_sent
from bot.servicenow.instance import Instance

log = logging.getLogger(__name__)

JSON_HEADERS = {"Accept": "application/json"}
MIN_ATTEMPT_SECONDS = 0.05


class TokenSource(Protocol):
    """Where a session gets the user's access token."""

    async def access_token(self) -> str:
        """A valid access token for this user."""
        ...

    async def refreshed_token(self, rejected: str) -> str:
        """A new token after ``rejected`` got a 401; ``ReconnectRequiredError`` if refused."""
        ...


@dataclass(frozen=True)
class RetryPolicy:
    """Time-outs and retries of one user-facing operation.

    ``budget`` bounds the whole operation (all its requests, waits and retries):
    the user must get an answer within Slack's 3 seconds.
    """

    timeout: float = 2.0  # seconds per attempt
    budget: float = 2.8  # seconds for the whole operation
    attempts: int = 3  # per request, for retryable failures
    backoff_base: float = 0.1
    backoff_cap: float = 0.5
    max_retry_after: float = 1.0  # 429 waits up to this are retried, longer ones reported


class Deadline:
    """The moment an operation must have answered by."""

    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self._clock = clock
        self.at = clock() + seconds

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(self.at - self._clock(), 0.0)


def envelope_message(response: httpx.Response) -> str:
    """``message (detail)`` from the error envelope, or the content type for non-JSON bodies."""
    try:
        body = response.json()
    except ValueError:
        return f"non-JSON body ({response.headers.get('content-type', 'unknown')})"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "no error envelope"
    message = str(error.get("message") or "")
    detail = error.get("detail")
    return f"{message} ({detail})" if detail else message


class ServiceNowSession:
    """Sends Table API requests as one user, within a time budget."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        instance: Instance,
        tokens: TokenSource,
        policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._http = http
        self.instance = instance
        self._tokens = tokens
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self._wall_clock = wall_clock
        self.sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret

    def deadline(self, seconds: float | None = None) -> Deadline:
        """A deadline ``seconds`` (default: the policy's budget) from now."""
        return Deadline(self.clock, self.policy.budget if seconds is None else seconds)

    async def send(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        deadline: Deadline,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotent: bool,
    ) -> httpx.Response:
        """The 2xx response to one request, or the mapped ``ServiceNowError``."""
        url = self.instance.endpoint(path)
        headers = dict(JSON_HEADERS)
        if body is not None:
            headers["Content-Type"] = "application/json"
        token = await self._tokens.access_token()
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            timeout = min(self.policy.timeout, deadline.remaining())
            if timeout < MIN_ATTEMPT_SECONDS:
                msg = f"{operation}: time budget spent"
                raise ServiceNowUnavailableError(msg)
            headers["Authorization"] = f"Bearer {token}"
            try:
                response = await self._http.request(
                    method, url, params=params, json=body, headers=headers, timeout=timeout
                )
            except httpx.HTTPError as exc:
                retryable = idempotent or not was_sent(exc)
                if retryable and await self._backoff(attempt, deadline):
                    continue
                raise transport_error(exc, operation=operation) from exc
            status = response.status_code
            if 200 <= status < 300:
                return response
            if status == 401 and not refreshed:
                refreshed = True
                log.info("%s: 401, refreshing the token once", operation)
                token = await self._tokens.refreshed_token(token)
                continue
            if status == 429:
                wait = parse_retry_after(
                    response.headers.get("Retry-After"), now=self._wall_clock()
                )
                if await self._wait_rate_limit(wait, attempt=attempt, deadline=deadline):
                    continue
                msg = f"{operation}: rate limited for {wait:.0f} s"
                raise ServiceNowRateLimitedError(msg, retry_after=wait)
            if status >= 500 and idempotent and await self._backoff(attempt, deadline):
                continue
            raise self._error(response, operation=operation)

    async def _backoff(self, attempt: int, deadline: Deadline) -> bool:
        if attempt >= self.policy.attempts:
            return False
        ceiling = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** (attempt - 1))
        delay = self._rng.uniform(0.0, ceiling)
        if deadline.remaining() - delay < MIN_ATTEMPT_SECONDS * 2:
            return False
        await self.sleep(delay)
        return True

    async def _wait_rate_limit(self, wait: float, *, attempt: int, deadline: Deadline) -> bool:
        if attempt >= self.policy.attempts or wait > self.policy.max_retry_after:
            return False
        delay = wait + self._rng.uniform(0.0, self.policy.backoff_base)
        if deadline.remaining() - delay < MIN_ATTEMPT_SECONDS * 2:
            return False
        await self.sleep(delay)
        return True

    def _error(self, response: httpx.Response, *, operation: str) -> ServiceNowError:
        status = response.status_code
        detail = f"{operation}: HTTP {status} {envelope_message(response)}"
        if 300 <= status < 400:
            return ServiceNowUnavailableError(f"{detail}; redirect not followed", status=status)
        if status >= 500:
            return ServiceNowUnavailableError(detail, status=status)
        if status == 401:
            return ServiceNowAuthError(detail, status=status)
        if status == 403:
            return ServiceNowForbiddenError(detail, status=status)
        if status == 404:
            return ServiceNowNotFoundError(detail, status=status)
        return ServiceNowRejectedError(detail, status=status)


def result_of(response: httpx.Response, *, operation: str) -> Any:
    """The ``result`` member of a JSON answer (an HTML page, e.g. hibernation, is an outage)."""
    try:
        body = response.json()
    except ValueError as exc:
        msg = f"{operation}: answer is not JSON ({response.headers.get('content-type', '?')})"
        raise ServiceNowUnavailableError(msg, status=response.status_code) from exc
    if not isinstance(body, dict) or "result" not in body:
        msg = f"{operation}: answer without a result"
        raise ServiceNowUnavailableError(msg, status=response.status_code)
    return body["result"]
