"""Why a connection to ServiceNow fails, in the admin's words: one ``Finding`` per cause.

The diagnosis ranks these; the wording lives here (not in ``bot.texts``) because it is
the setup guide's own catalogue, with ``{placeholders}`` the diagnosis fills in (the
redirect URL, the feedback table). The hardened-instance checklist itself is
``bot.texts.HARDENED_CHECKLIST`` and is shown whenever ``hardened`` is among the causes.
Sources: ServiceNow's OAuth and Application Registry documentation.
"""

from __future__ import annotations

from typing import Literal

from bot.blocks.models import Finding

Cause = Literal[
    "unreachable",
    "mistyped",
    "tls",
    "proxy",
    "instance_down",
    "client_id",
    "hardened",
    "redirect",
    "not_finished",
    "denied",
    "pkce",
    "secret",
    "second_record",
    "token_restrictions",
    "tables_acl",
    "rest_role",
    "feedback_missing",
    "feedback_acl",
    "colleague_privileged",
    "colleague_refused",
]

_CATALOGUE: dict[Cause, tuple[str, str, str]] = {
    "unreachable": (
        "The instance can't be reached",
        "Nothing answered at {host}: the connection was refused or timed out.",
        "Check the instance name. Developer instances go to sleep: wake yours at "
        "developer.servicenow.com. A firewall may also block the bot's outbound HTTPS.",
    ),
    "mistyped": (
        "The instance name looks wrong, or it isn't ServiceNow",
        "{host} did not answer the way a ServiceNow instance does (no OAuth endpoint).",
        "Enter the name exactly as in your instance's address (the `dev12345` of "
        "dev12345.service-now.com) in step 2.",
    ),
    "tls": (
        "The secure connection failed",
        "The TLS certificate presented for {host} is not trusted. A corporate proxy that "
        "inspects HTTPS usually causes this.",
        "Give the bot your proxy's CA certificate with `SSL_CERT_FILE`, and set "
        "`HTTPS_PROXY` if outbound traffic must use a proxy.",
    ),
    "proxy": (
        "The proxy refused the connection",
        "The outbound proxy (`HTTPS_PROXY`) did not let the request through to {host}.",
        "Check `HTTPS_PROXY` and ask your network team to allow {host}.",
    ),
    "instance_down": (
        "The instance answered with a server error",
        "ServiceNow answered 5xx, which usually means an outage, an upgrade or a "
        "sleeping developer instance.",
        "Open the instance in a browser; wake or restart it, then run the test again.",
    ),
    "client_id": (
        "ServiceNow doesn't know this client id",
        "The sign-in page refused the request before anyone signed in, which it does "
        "for an unknown or inactive client id.",
        "Open the Application Registry record, make sure it is *Active*, and copy its "
        "*Client ID* again in step 2.",
    ),
    "hardened": (
        "Your instance looks hardened",
        "ServiceNow answered the sign-in or the token call with a 504 Gateway Time-out "
        "or `access_denied`/`server_error`, as hardened instances do when OAuth is "
        "locked down.",
        "Work through the hardened-instance checklist below: a dedicated role for a "
        "service account used only for this, read ACLs on `oauth_credential` and "
        "`oauth_credential.*`, `snc_internal` under Explicit Roles, and ACLs on the "
        "tables the bot uses.",
    ),
    "redirect": (
        "The Redirect URL in the registry doesn't match",
        "The sign-in page was opened but ServiceNow never sent the browser back here. "
        "When the Redirect URL does not match, ServiceNow silently uses the first one "
        "registered on the record.",
        "Set the record's *Redirect URL* to exactly `{redirect_uri}` (first, or only), "
        "save, and run the test again.",
    ),
    "not_finished": (
        "The sign-in wasn't finished",
        "The sign-in link was not completed in time, or was opened in another browser.",
        "Run the test again and finish signing in in the same browser within 10 minutes.",
    ),
    "denied": (
        "Access was denied on the consent page",
        "ServiceNow sent the browser back saying the request was not allowed.",
        "Run the test again and choose *Allow*.",
    ),
    "pkce": (
        "This instance may refuse PKCE",
        "The token call was refused although sign-in worked; some instances refuse a "
        "PKCE verifier from a confidential client.",
        "Sign in once more with the button below: I'll try without PKCE and, if that "
        "works, save the connection with PKCE off.",
    ),
    "secret": (
        "The client secret (or client id) is wrong",
        "Sign-in worked but the token call was refused with `access_denied`, which is "
        "what ServiceNow answers to a wrong client secret.",
        "Open the Application Registry record, reveal the *Client Secret* with the lock "
        "icon, and enter it again in step 2 (with the client id of the same record).",
    ),
    "second_record": (
        "Try a second “third-party OAuth provider” record",
        "Some guides add one; ServiceNow does not document it as needed for this flow, "
        "so it is a last resort when the plain flow keeps failing.",
        "Application Registry › New › *Connect to a third-party OAuth provider*: the same "
        "client id and secret, grant type Authorization Code, token URL "
        "`oauth_token.do`, and the redirect URL `{redirect_uri}`.",
    ),
    "token_restrictions": (
        "Token restrictions leave out the Table API",
        "The token was refused (401) by the Table API although it had just been issued: "
        "*Enforce token restrictions*, an auth scope or a REST API access policy does "
        "not cover it.",
        "Allow the Table API for `incident`, `sys_user` and `{table}` in the record's "
        "auth scope or REST API access policy.",
    ),
    "tables_acl": (
        "The tables refuse the bot's users",
        "The Table API answered 403 (ACL) for a table the bot needs.",
        "Check the read ACLs and *Allow access to this table via web services* on "
        "`incident` and `sys_user` for ordinary users.",
    ),
    "rest_role": (
        "Ordinary users lack the REST API role",
        "When the REST API ACLs are active, callers need `snc_platform_rest_api_access`; "
        "admins and ITIL users have it, ordinary (self-service) users don't.",
        "Grant `snc_platform_rest_api_access` (or a role containing it) to the people "
        "who will use the bot, or leave the REST API ACLs off.",
    ),
    "feedback_missing": (
        "The feedback table doesn't exist yet",
        "ServiceNow answered `Invalid table {table}`.",
        "Create `{table}` with the columns in step 4 (`u_rating`, `u_comment`, "
        "`u_incident`, `u_slack_user`, `u_source`), tick *Allow access to this table via "
        "web services*, then press Check again.",
    ),
    "feedback_acl": (
        "Ordinary users can't use the feedback table",
        "The Table API refused `{table}` (403) for this account.",
        "Add a *create* ACL on `{table}` for ordinary users (role `snc_internal`) and "
        "allow web-service access on the table.",
    ),
    "colleague_privileged": (
        "The colleague's account has admin or ITIL roles",
        "An account with roles passes checks that ordinary users fail, so this test "
        "proves little.",
        "Run the colleague test again with someone who has no roles in ServiceNow.",
    ),
    "colleague_refused": (
        "The colleague couldn't link their account",
        "Linking failed for an ordinary user although it worked for you; hardened "
        "instances often let only listed roles complete the sign-in.",
        "Work through the hardened-instance checklist below with ordinary users in "
        "mind (a dedicated role, `oauth_credential` ACLs, `snc_internal`).",
    ),
}


def finding(cause: Cause, *, host: str = "", redirect_uri: str = "", table: str = "") -> Finding:
    """The finding for ``cause``, its placeholders filled (values are escaped when shown)."""
    title, why, fix = _CATALOGUE[cause]
    values = {"host": host or "the instance", "redirect_uri": redirect_uri, "table": table}
    return Finding(title=title, why=why.format(**values), fix=fix.format(**values))
