"""Single-use OAuth state for the ServiceNow consent round trip.

Two short-lived records, both consumed atomically (GETDEL, or DEL after a check) so
that two parallel requests cannot both win:

- a *start ticket*: the one-time id in the Connect link
  (``/servicenow/oauth/start?s=<ticket>``), bound to enterprise, team, user and
  instance. Redeeming it starts the flow;
- the *state*: sent to ServiceNow as ``state``, bound to the same four values, with
  the PKCE verifier (kept server-side only) and a hash of a browser nonce that the
  start route sets as a cookie and the callback must present. The cookie is checked
  before the state is consumed: a leaked state is useless without it, and cannot
  burn the sign-in of the person whose browser holds the cookie.

Both live ``OAUTH_STATE_TTL``/``OAUTH_START_TTL`` in Redis, and their age is checked
against the injected clock as well. The state record holds the PKCE verifier, so it
is sealed with ``RecordCipher`` (bound to a hash of the state itself); key names hold
only hashes of the random values. Anything expired, reused, tampered or presented
from another browser is ``LinkRefusedError`` with a ``reason``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.asyncio import Redis

from bot.errors import LinkRefusedError, TokenRecordError
from bot.models import SlackUser
from bot.servicenow.oauth import pkce_challenge
from bot.store.crypto import RecordBinding, RecordCipher
from bot.store.guard import redis_errors, text
from bot.store.keys import OAUTH_START_TTL, OAUTH_STATE_TTL, Keys, digest

Clock = Callable[[], float]
# "connect": a user links their account; "setup_test": an admin's consent during the
# guided setup's connection test (the callback continues the test instead of linking).
FlowPurpose = Literal["connect", "setup_test"]
RandomToken = Callable[[int], str]


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(b"snowbot-browser\x00" + nonce.encode()).hexdigest()


class _Flow(BaseModel):
    """Whom a consent flow belongs to, where it goes, and what it is for (no secrets)."""

    model_config = ConfigDict(frozen=True)

    enterprise_id: str | None
    team_id: str
    user_id: str
    instance_url: str
    purpose: FlowPurpose = "connect"
    pkce: bool | None = None  # None: the instance configuration decides

    @property
    def user(self) -> SlackUser:
        """The Slack user the flow belongs to."""
        return SlackUser(
            enterprise_id=self.enterprise_id, team_id=self.team_id, user_id=self.user_id
        )


class ConnectTicket(_Flow):
    """Who a Connect link was made for, and when."""

    issued_at: float


class OAuthState(_Flow):
    """A consumed state: whom the callback links, where, and the PKCE verifier."""

    code_verifier: str = Field(repr=False)
    created_at: float


@dataclass(frozen=True)
class StartedFlow:
    """What the start route needs: the state and challenge for ServiceNow, the cookie."""

    user: SlackUser
    instance_url: str
    state: str = field(repr=False)
    code_challenge: str
    browser_nonce: str = field(repr=False)  # the cookie value
    purpose: FlowPurpose = "connect"
    pkce: bool | None = None  # None: the instance configuration decides


class OAuthStateStore:
    """Issues and consumes start tickets and OAuth states."""

    def __init__(
        self,
        redis: Redis,
        *,
        keys: Keys,
        cipher: RecordCipher,
        clock: Clock = time.time,
        random_token: RandomToken = secrets.token_urlsafe,
        state_ttl_s: float = OAUTH_STATE_TTL,
        ticket_ttl_s: float = OAUTH_START_TTL,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._cipher = cipher
        self._clock = clock
        self._random = random_token
        self._state_ttl_s = state_ttl_s
        self._ticket_ttl_s = ticket_ttl_s

    async def issue_ticket(
        self,
        user: SlackUser,
        *,
        instance_url: str,
        purpose: FlowPurpose = "connect",
        pkce: bool | None = None,
    ) -> str:
        """A one-time id for the Connect link of ``user`` (``/servicenow/oauth/start?s=``).

        ``purpose`` and ``pkce`` (an override of the instance's PKCE setting, for the
        setup test's retry without PKCE) travel with the ticket into the state.
        """
        ticket = self._random(32)
        record = ConnectTicket(
            enterprise_id=user.enterprise_id,
            team_id=user.team_id,
            user_id=user.user_id,
            instance_url=instance_url,
            issued_at=self._clock(),
            purpose=purpose,
            pkce=pkce,
        )
        with redis_errors("storing a connect ticket"):
            await self._redis.set(
                self._keys.oauth_start(ticket),
                record.model_dump_json(),
                px=int(self._ticket_ttl_s * 1000),
            )
        return ticket

    async def redeem_ticket(self, ticket: str) -> StartedFlow:
        """Use a Connect link's ticket (once) and start the consent flow it stands for."""
        with redis_errors("redeeming a connect ticket"):
            raw = text(await self._redis.getdel(self._keys.oauth_start(ticket)))
        if raw is None:
            msg = "connect link unknown, expired or already used"
            raise LinkRefusedError(msg, reason="ticket_unknown")
        try:
            record = ConnectTicket.model_validate_json(raw)
        except ValidationError as exc:
            msg = "connect link record unreadable"
            raise LinkRefusedError(msg, reason="ticket_unknown") from exc
        if self._clock() - record.issued_at > self._ticket_ttl_s:
            msg = "connect link expired"
            raise LinkRefusedError(msg, reason="ticket_expired")
        return await self.begin(
            record.user, instance_url=record.instance_url, purpose=record.purpose, pkce=record.pkce
        )

    async def begin(
        self,
        user: SlackUser,
        *,
        instance_url: str,
        purpose: FlowPurpose = "connect",
        pkce: bool | None = None,
    ) -> StartedFlow:
        """A new state with a PKCE verifier and a browser nonce, stored for the callback."""
        state = self._random(32)
        verifier = self._random(48)  # 64 characters: within PKCE's 43-128
        nonce = self._random(32)
        payload = {
            "enterprise_id": user.enterprise_id,
            "team_id": user.team_id,
            "user_id": user.user_id,
            "instance_url": instance_url,
            "code_verifier": verifier,
            "created_at": self._clock(),
            "nonce_hash": _nonce_hash(nonce),
            "purpose": purpose,
            "pkce": pkce,
        }
        sealed = self._cipher.seal(payload, binding=self._binding(state))
        with redis_errors("storing an OAuth state"):
            await self._redis.set(
                self._keys.oauth_state(state),
                sealed.ciphertext,
                px=int(self._state_ttl_s * 1000),
            )
        return StartedFlow(
            user=user,
            instance_url=instance_url,
            state=state,
            code_challenge=pkce_challenge(verifier),
            browser_nonce=nonce,
            purpose=purpose,
            pkce=pkce,
        )

    async def consume(self, state: str, *, browser_nonce: str | None) -> OAuthState:
        """The flow ``state`` stands for, exactly once, if presented from the same browser.

        The browser is checked first, on a plain read: a callback with a leaked state but
        without the cookie of the browser that started the flow is refused and leaves the
        state in place, so it cannot burn that person's sign-in. Only then is the state
        claimed, with a DEL that exactly one caller can win.
        """
        key = self._keys.oauth_state(state)
        with redis_errors("reading an OAuth state"):
            raw = text(await self._redis.get(key))
        if raw is None:
            msg = "OAuth state unknown, expired or already used"
            raise LinkRefusedError(msg, reason="state_unknown")
        try:
            payload = self._cipher.open(raw, binding=self._binding(state))
            nonce_hash = str(payload.pop("nonce_hash"))
            flow = OAuthState.model_validate(payload)
        except (TokenRecordError, KeyError, ValidationError) as exc:
            msg = "OAuth state record unreadable"
            raise LinkRefusedError(msg, reason="state_invalid") from exc
        if browser_nonce is None or not hmac.compare_digest(
            _nonce_hash(browser_nonce), nonce_hash
        ):
            msg = "OAuth callback came from another browser than the one that started it"
            raise LinkRefusedError(msg, reason="browser_mismatch")
        with redis_errors("consuming an OAuth state"):
            claimed = await self._redis.delete(key)
        if not claimed:
            msg = "OAuth state already used by a parallel callback"
            raise LinkRefusedError(msg, reason="state_unknown")
        if self._clock() - flow.created_at > self._state_ttl_s:
            msg = "OAuth state expired"
            raise LinkRefusedError(msg, reason="state_expired")
        return flow

    @staticmethod
    def _binding(state: str) -> RecordBinding:
        return RecordBinding(
            purpose="oauth-state",
            enterprise_id=None,
            team_id="-",
            subject=digest(state),
            instance_url="-",
        )

