"""A local ServiceNow instance for tests and the demo (Starlette, in memory, real HTTP).

Usage::

    from snowbot_sandbox.server import serve_app
    from snowbot_sandbox.servicenow import ServiceNowSandbox

    sb = ServiceNowSandbox(clock=time.time, access_token_ttl=1800,
                           refresh_token_ttl=8_640_000, seed=True, rng_seed=None)
    client = sb.register_client(client_id="bot", client_secret="s3cret",
                                redirect_uris=["http://127.0.0.1:3000/servicenow/oauth/callback"],
                                pkce_refused=False, pkce_required=False)
    sb.auto_consent_user = "abel.tuter"   # /oauth_auth.do redirects straight back with a code
    pair = sb.issue_tokens(user_name="abel.tuter", client_id="bot")   # skip consent
    async with serve_app(sb.app) as base_url:
        ...

What it serves:
- ``/oauth_auth.do`` (consent page, or auto-consent), ``/oauth_token.do`` (form body only;
  ``authorization_code`` + PKCE, ``refresh_token``; every failure 401
  ``{"error_description":"access_denied","error":"server_error"}``), ``/oauth_revoke_token.do``.
- The Table API (``/api/now[/v1|/v2]/table/{table}[/{sys_id}]``) for ``incident``,
  ``sys_user``, ``sys_user_group``, ``sys_journal_field`` and custom tables: see ``table``.
- ``/api/now/ui/user/current_user`` (``result.user_sys_id`` etc.); other ``/api/`` paths
  answer 400 "Requested URI does not represent any resource".
- ``/sandbox/...``: a control API for other processes: see ``control``.

Behaviour switches (attributes; ``reset()`` restores them; also ``POST /sandbox/settings``):
``auto_consent_user`` (None: show the consent page), ``state_required`` (True),
``hardened`` (False; True: Table API needs ``snc_platform_rest_api_access``),
``limit_before_acl`` (False; True: short pages for ESS users), ``journal_readable_by_ess``
(True), ``allow_query_scripts`` (True; False: ``javascript:`` clauses are dropped, as a
guarded-script instance might), ``ess_readonly_fields`` (``{"incident": {"state",
"close_code", "close_notes", "work_notes", "assigned_to", ...}}``: writes by ESS users to
these answer 200 and change nothing), ``resolve_requires_close_fields`` (False; True: a
resolve without close_code/close_notes is a 403 data-policy refusal),
``current_user_api`` (True; False: ``/api/now/ui/user/current_user`` answers 400 like an
unknown path), ``tokens.rotate_refresh_tokens`` (False).

Faults: ``sb.faults.add(path=..., kind=..., seconds=, retry_after=, times=, method=,
grant_type=, user_name=, only_ess=)``; kinds ``latency``, ``429``, ``504``, ``502``,
``500``, ``404``, ``403``, ``401``, ``unknown_table``, ``hang``, ``access_denied``/``server_error``
(token endpoint). A path covers itself and everything below it (``"*"``: every path);
``times=`` limits the hits. A hang lasts until ``sb.faults.release()``/``clear()`` (then the
request answers normally) or until the client hangs up; ``await sb.faults.wait_hanging()``
returns once a request is hanging. ``sb.faults.clear()`` removes all (do it before leaving
``serve_app`` if a client may still be waiting, or shutdown waits ~2 s).
OAuth-specific faults: ``kind="504", path="/oauth_auth.do"``; a client with
``pkce_refused=True`` (token call fails when a ``code_verifier`` is sent);
``kind="access_denied", path="/oauth_token.do", grant_type="refresh_token"``.
Per-role denial: ``kind="403", path="/api/now/v2/table/incident", only_ess=True``.

Inspection: ``sb.requests`` (``RecordedRequest``: method, path, query, headers with the
bearer redacted, form, json, user_name, at, fault), ``sb.queries`` (raw ``sysparm_query``
strings), ``sb.token_calls(grant_type=None, user_name=None)`` (a token call's user is the
owner of the code or refresh token it carried), ``sb.incidents_for(user_name)``,
``sb.get_incident(number)``, ``sb.comments_for(number)``, ``sb.rows(table)``.
Data: ``sb.users``, ``sb.user_by_name(name)``, ``sb.create_table(name, columns,
ess_can_create=True, ess_can_read=True)``, ``sb.drop_table(name)``, ``sb.reset()``.
Tokens: ``sb.expire_access_tokens(user_name=None)``, ``sb.expire_refresh_tokens(...)``,
``sb.revoke(token)``; ``sb.add_user(User(...))`` for extra accounts (e.g. ``snc_external``).

Values: raw values are ServiceNow's (choice codes, sys_ids, UTC ``YYYY-MM-DD HH:MM:SS``);
date-time *display* values and journal headers are in the caller's profile time zone
(Abel: Europe/London, everyone else UTC), so code that reads a display value as UTC is
caught. ``sb.reset()`` keeps registered clients (``reset(clients=True)``: forgets them) and
restores everything else, releasing hanging requests.

Seeded users (``seed`` has the incidents; ESS = no role):

- ``abel.tuter`` Abel Tuter <abel.tuter@example.com>, ESS, a8f98bb0eb32010045e1a5115206fe3a
- ``bow.ruggeri`` Bow Ruggeri <bow.ruggeri@example.com>, ESS, b7e7c9d10a0a0b3c00e4f5a6b7c8d9e0
- ``carol.coughlin`` Carol Coughlin <carol.coughlin@example.com>, ESS with
  ``snc_platform_rest_api_access``, c3a1d2e30b0c0d1e00f1a2b3c4d5e6f7
- ``beth.anglin`` Beth Anglin <beth.anglin@example.com>, itil, 46d44a23a9fe19810012d100cca80666
- ``admin`` System Administrator <admin@example.com>, admin, 6816f79cc0a8016401c5a33be04be441
- ``fred.luddy`` Fred Luddy <fred.luddy@example.com>, ESS, inactive (cannot sign in)
"""

from __future__ import annotations

from snowbot_sandbox.servicenow.app import ServiceNowSandbox
from snowbot_sandbox.servicenow.faults import Fault, Faults
from snowbot_sandbox.servicenow.gateway import RecordedRequest
from snowbot_sandbox.servicenow.schema import Column
from snowbot_sandbox.servicenow.state import Record, User
from snowbot_sandbox.servicenow.tokens import Client, TokenPair, pkce_challenge

__all__ = [
    "Client",
    "Column",
    "Fault",
    "Faults",
    "Record",
    "RecordedRequest",
    "ServiceNowSandbox",
    "TokenPair",
    "User",
    "pkce_challenge",
]
