"""OAuth state of the sandbox: registered clients, authorization codes, tokens.

Tokens are opaque random strings (86 characters, like ServiceNow's) drawn from the
sandbox's seeded generator; expiry comes from the injected clock. Refresh tokens do
not rotate by default (ServiceNow returns the current refresh token); set
``rotate_refresh_tokens`` to issue a new one and retire the old.
"""

from __future__ import annotations

import base64
import hashlib
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field

_ALPHABET = string.ascii_letters + string.digits + "-_"
CODE_TTL = 120.0


@dataclass
class Client:
    """An "OAuth API endpoint for external clients" registry record."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    # PKCE refused: a token call carrying a code_verifier fails, and so does the exchange
    # of a code whose authorize request carried a code_challenge (PKCE used at all).
    pkce_refused: bool = False
    pkce_required: bool = False  # authorize without code_challenge is refused
    access_token_ttl: float | None = None  # None: the sandbox default
    refresh_token_ttl: float | None = None
    active: bool = True


@dataclass
class AuthCode:
    """A code handed to the browser, waiting to be exchanged once."""

    code: str
    client_id: str
    user_name: str
    redirect_uri: str
    expires_at: float
    code_challenge: str = ""
    code_challenge_method: str = ""
    used: bool = False


@dataclass
class Token:
    """An access or refresh token and what it stands for."""

    value: str = field(repr=False)
    kind: str  # "access" | "refresh"
    client_id: str
    user_name: str
    expires_at: float
    refresh_token: str = field(default="", repr=False)  # for access tokens: the parent
    revoked: bool = False


@dataclass(frozen=True)
class TokenPair:
    """What ``issue_tokens`` and the token endpoint hand out."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    access_expires_at: float
    refresh_expires_at: float


def pkce_challenge(verifier: str, method: str = "S256") -> str:
    """The code_challenge a verifier answers to (S256 or plain)."""
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class TokenStore:
    """Clients, codes and tokens, with lifetimes from the injected clock."""

    clock: Callable[[], float]
    rng: random.Random
    access_token_ttl: float = 1800.0
    refresh_token_ttl: float = 8_640_000.0
    rotate_refresh_tokens: bool = False
    clients: dict[str, Client] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)

    def random_string(self, length: int = 86) -> str:
        """An opaque token-like string."""
        return "".join(self.rng.choice(_ALPHABET) for _ in range(length))

    def new_code(
        self,
        *,
        client_id: str,
        user_name: str,
        redirect_uri: str,
        code_challenge: str = "",
        code_challenge_method: str = "",
    ) -> AuthCode:
        """Store a fresh authorization code for the given client, user and redirect."""
        code = AuthCode(
            code=self.random_string(32),
            client_id=client_id,
            user_name=user_name,
            redirect_uri=redirect_uri,
            expires_at=self.clock() + CODE_TTL,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
        )
        self.codes[code.code] = code
        return code

    def _ttls(self, client_id: str) -> tuple[float, float]:
        client = self.clients.get(client_id)
        access = client.access_token_ttl if client and client.access_token_ttl else None
        refresh = client.refresh_token_ttl if client and client.refresh_token_ttl else None
        return access or self.access_token_ttl, refresh or self.refresh_token_ttl

    def issue(self, *, user_name: str, client_id: str) -> TokenPair:
        """Mint a new access and refresh token for a user and client."""
        access_ttl, refresh_ttl = self._ttls(client_id)
        now = self.clock()
        refresh = Token(self.random_string(), "refresh", client_id, user_name, now + refresh_ttl)
        self.tokens[refresh.value] = refresh
        return self._access_for(refresh, access_ttl=access_ttl)

    def refresh(self, refresh: Token) -> TokenPair:
        """A new access token from a valid refresh token (rotating it only when configured)."""
        access_ttl, refresh_ttl = self._ttls(refresh.client_id)
        if self.rotate_refresh_tokens:
            refresh.revoked = True
            refresh = Token(
                self.random_string(),
                "refresh",
                refresh.client_id,
                refresh.user_name,
                self.clock() + refresh_ttl,
            )
            self.tokens[refresh.value] = refresh
        return self._access_for(refresh, access_ttl=access_ttl)

    def _access_for(self, refresh: Token, *, access_ttl: float) -> TokenPair:
        now = self.clock()
        access = Token(
            self.random_string(),
            "access",
            refresh.client_id,
            refresh.user_name,
            now + access_ttl,
            refresh_token=refresh.value,
        )
        self.tokens[access.value] = access
        return TokenPair(
            access_token=access.value,
            refresh_token=refresh.value,
            expires_in=max(int(access_ttl) - 1, 0),
            access_expires_at=access.expires_at,
            refresh_expires_at=refresh.expires_at,
        )

    def valid(self, value: str, kind: str) -> Token | None:
        """The token if it exists, is of ``kind``, is not revoked and has not expired."""
        token = self.tokens.get(value)
        if token is None or token.kind != kind or token.revoked:
            return None
        if token.expires_at <= self.clock():
            return None
        return token

    def revoke(self, value: str) -> bool:
        """Revoke a token (a refresh token takes its access tokens with it)."""
        token = self.tokens.get(value)
        if token is None:
            return False
        token.revoked = True
        if token.kind == "refresh":
            for other in self.tokens.values():
                if other.refresh_token == value:
                    other.revoked = True
        return True

    def expire_access_tokens(self, user_name: str | None = None) -> int:
        """Make access tokens (of one user, or everyone) expired now; returns how many."""
        now = self.clock()
        count = 0
        for token in self.tokens.values():
            if token.kind == "access" and user_name in (None, token.user_name):
                token.expires_at = min(token.expires_at, now)
                count += 1
        return count

    def expire_refresh_tokens(self, user_name: str | None = None) -> int:
        """Make refresh tokens (of one user, or everyone) expired now; returns how many."""
        now = self.clock()
        count = 0
        for token in self.tokens.values():
            if token.kind == "refresh" and user_name in (None, token.user_name):
                token.expires_at = min(token.expires_at, now)
                count += 1
        return count
