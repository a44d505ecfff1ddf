"""``ServiceNowSandbox``: the object a test (or the demo) holds; owns the data and the ASGI app."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable

from starlette.applications import Starlette
from starlette.requests import Request

from snowbot_sandbox.servicenow.control import control_routes
from snowbot_sandbox.servicenow.faults import Faults
from snowbot_sandbox.servicenow.gateway import Gateway, RecordedRequest, Recorder
from snowbot_sandbox.servicenow.oauth import oauth_routes
from snowbot_sandbox.servicenow.schema import Column, custom_schema
from snowbot_sandbox.servicenow.seed import seed as seed_store
from snowbot_sandbox.servicenow.state import Record, Store, User
from snowbot_sandbox.servicenow.table import table_routes
from snowbot_sandbox.servicenow.tokens import Client, TokenPair, TokenStore
from snowbot_sandbox.servicenow.ui import no_resource, ui_routes

DEFAULT_ESS_READONLY = {
    "incident": frozenset(
        {
            "state",
            "incident_state",
            "close_code",
            "close_notes",
            "work_notes",
            "assigned_to",
            "assignment_group",
            "resolved_by",
            "opened_by",
        }
    )
}


class ServiceNowSandbox:
    """A local ServiceNow instance: OAuth, Table API, faults, and a record of every call."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        access_token_ttl: float = 1800,
        refresh_token_ttl: float = 8_640_000,
        seed: bool = True,
        rng_seed: int | None = None,
        redact_secrets: bool = False,
    ) -> None:
        self.clock = clock
        self._seed = seed
        self._rng = random.Random(rng_seed)  # a seed makes tokens and sys_ids repeatable
        self._ttls = (access_token_ttl, refresh_token_ttl)
        self.faults = Faults()
        self.recorder = Recorder(redact_secrets=redact_secrets)
        self.tokens = TokenStore(clock=clock, rng=self._rng)
        self.store = Store(clock=clock, rng=self._rng)
        self._defaults()
        self.reset()
        self.app = self._build()

    # -- settings and reset -----------------------------------------------------------
    def _defaults(self) -> None:
        self.auto_consent_user: str | None = None
        self.state_required = True
        self.hardened = False
        self.limit_before_acl = False
        self.journal_readable_by_ess = True
        self.allow_query_scripts = True
        self.resolve_requires_close_fields = False
        self.current_user_api = True
        self.ess_readonly_fields: dict[str, set[str]] = {
            k: set(v) for k, v in DEFAULT_ESS_READONLY.items()
        }
        self.tokens.access_token_ttl, self.tokens.refresh_token_ttl = self._ttls
        self.tokens.rotate_refresh_tokens = False

    def reset(self, *, settings: bool = True, clients: bool = False) -> None:
        """Back to the seed: data, codes and tokens, faults (hanging requests released),
        recordings (and settings).

        Registered clients are kept unless ``clients`` (then none is left).
        """
        self.store = Store(clock=self.clock, rng=self._rng)
        if self._seed:
            seed_store(self.store)
        if clients:
            self.tokens.clients.clear()
        self.tokens.codes.clear()
        self.tokens.tokens.clear()
        self.faults.clear()
        self.recorder.clear()
        if settings:
            self._defaults()

    def _build(self) -> Starlette:
        app = Starlette(
            routes=[
                *oauth_routes(self),
                *table_routes(self),
                *ui_routes(self),
                *control_routes(self),
            ],
            exception_handlers={404: no_resource, 405: no_resource},
        )
        app.add_middleware(
            Gateway,
            recorder=self.recorder,
            faults=self.faults,
            user_for_token=self.user_for_token,
            token_call_owner=self._token_call_owner,
            clock=self.clock,
        )
        return app

    # -- OAuth ------------------------------------------------------------------------
    def register_client(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uris: Iterable[str],
        pkce_refused: bool = False,
        pkce_required: bool = False,
        access_token_ttl: float | None = None,
        refresh_token_ttl: float | None = None,
    ) -> Client:
        """Register an "OAuth API endpoint for external clients" (replacing one of that id)."""
        uris = list(redirect_uris)
        if not uris:
            raise ValueError("a client needs at least one redirect URL")
        client = Client(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=uris,
            pkce_refused=pkce_refused,
            pkce_required=pkce_required,
            access_token_ttl=access_token_ttl,
            refresh_token_ttl=refresh_token_ttl,
        )
        self.tokens.clients[client_id] = client
        return client

    def issue_tokens(self, *, user_name: str, client_id: str) -> TokenPair:
        """Mint a token pair directly, as if the user had consented."""
        if user_name not in self.store.users:
            raise KeyError(f"no seeded user {user_name!r}")
        return self.tokens.issue(user_name=user_name, client_id=client_id)

    def expire_access_tokens(self, user_name: str | None = None) -> int:
        """Make access tokens (of one user, or all) expired now; returns how many."""
        return self.tokens.expire_access_tokens(user_name)

    def expire_refresh_tokens(self, user_name: str | None = None) -> int:
        """Make refresh tokens (of one user, or all) expired now; returns how many."""
        return self.tokens.expire_refresh_tokens(user_name)

    def revoke(self, token: str) -> bool:
        """Revoke one token, as ``/oauth_revoke_token.do`` would."""
        return self.tokens.revoke(token)

    def user_for_token(self, token: str) -> User | None:
        """The user a valid (unexpired, unrevoked) access token belongs to."""
        found = self.tokens.valid(token, "access")
        if found is None:
            return None
        user = self.store.users.get(found.user_name)
        return user if user is not None and user.active else None

    def _token_call_owner(self, form: dict[str, list[str]]) -> User | None:
        """Whose code or refresh token a token call carries (valid or not), for the record."""
        code = self.tokens.codes.get((form.get("code") or [""])[0])
        token = self.tokens.tokens.get((form.get("refresh_token") or [""])[0])
        owner = code.user_name if code else token.user_name if token else ""
        return self.store.users.get(owner)

    def user_for_request(self, request: Request) -> User | None:
        """The user behind the request's ``Authorization: Bearer`` header."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.user_for_token(token.strip())

    # -- users and data ---------------------------------------------------------------
    @property
    def users(self) -> list[User]:
        """Every user (seeded and added)."""
        return list(self.store.users.values())

    def user_by_name(self, user_name: str) -> User:
        """The user with this user_name (KeyError if none)."""
        return self.store.users[user_name]

    def add_user(self, user: User) -> None:
        """Add a user (and its sys_user row)."""
        self.store.add_user(user)

    def create_table(
        self,
        name: str,
        columns: Iterable[str | Column] = (),
        *,
        ess_can_create: bool = True,
        ess_can_read: bool = True,
    ) -> None:
        """Create a custom table (e.g. ``u_snowbot_feedback``); bare names are string columns."""
        self.store.add_table(
            custom_schema(
                name, list(columns), ess_can_create=ess_can_create, ess_can_read=ess_can_read
            )
        )

    def drop_table(self, name: str) -> None:
        """Remove a table; requests for it then answer 400 ``Invalid table``."""
        self.store.drop_table(name)

    def rows(self, table: str) -> list[Record]:
        """Every row of a table (raw values), for assertions."""
        return list(self.store.rows[table].values())

    def incidents_for(self, user_name: str) -> list[Record]:
        """The incidents this user may see (caller or opener for ESS; all for itil/admin)."""
        user = self.user_by_name(user_name)
        rows = self.rows("incident")
        if not user.is_ess:
            return rows
        return [r for r in rows if user.sys_id in (r["caller_id"], r["opened_by"])]

    def get_incident(self, number: str) -> Record | None:
        """The incident with this number (raw values), or None."""
        return next((r for r in self.rows("incident") if r["number"] == number), None)

    def comments_for(self, number: str) -> list[Record]:
        """The incident's ``sys_journal_field`` rows (comments and work notes), newest first."""
        record = self.get_incident(number)
        if record is None:
            return []
        return self.store.journal(record["sys_id"], ("comments", "work_notes"))

    # -- what was received ------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received (except ``/sandbox/...``), in order."""
        return self.recorder.requests

    @property
    def queries(self) -> list[str]:
        """Every raw ``sysparm_query`` received, in order."""
        return self.recorder.queries

    def token_calls(self, grant_type: str | None = None, user_name: str | None = None) -> int:
        """How many token-endpoint calls arrived (faulted ones included), per grant and user."""
        return self.recorder.token_calls(grant_type, user_name)
