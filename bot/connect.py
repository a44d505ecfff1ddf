"""The browser side of Connect: ``/servicenow/oauth/start`` and ``/servicenow/oauth/callback``.

Start redeems the one-time ticket of the Connect link, creates the single-use state
(bound to enterprise, team, user and instance, with the PKCE verifier kept
server-side), sets a short-lived HttpOnly cookie that binds the flow to this browser,
and shows a page naming the Slack person and the workspace the link is for (so
someone who was forwarded it sees it isn't theirs) with the way on to the instance's
consent page.

The callback requires that cookie and the state (consumed atomically), exchanges the
code, asks ServiceNow who the token belongs to, applies the email policy and the
guest rules (both emails must be present, under every policy), stores the record
encrypted, and tells the user in Slack whom they are connected as. The browser gets a
small page, naming the Slack person and the workspace again, that sends them back to
Slack. Anything refused stores nothing and says why, in the page and in Slack. A link
made despite different emails (``SNOWBOT_LINK_EMAIL_POLICY=warn``) is also reported
to the ServiceNow account's owner and to the admins (``bot.setup.links``).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot import errors, texts
from bot.blocks import connected_message, error_message
from bot.blocks.account import with_warning
from bot.container import Container
from bot.handlers.account import publish_home
from bot.links import save_link
from bot.listeners.runner import run_guarded
from bot.models import SlackUser
from bot.router import finish_pending
from bot.servicenow.instance import instance_host
from bot.servicenow.oauth import ServiceNowOAuth
from bot.setup import flow as setup_flow
from bot.setup import links as setup_links
from bot.store.instance_config import InstanceConfig
from bot.store.keys import OAUTH_STATE_TTL
from bot.store.oauth_state import OAuthState, StartedFlow
from bot.store.vault import TokenRecord
from bot.turn import Turn

log = logging.getLogger(__name__)

COOKIE = "snowbot_oauth"
COOKIE_PATH = "/servicenow/oauth"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;
line-height:1.5;color:#1d1c1d}}h1{{font-size:1.4rem}}a.button{{display:inline-block;
padding:.5rem 1rem;background:#4a154b;color:#fff;border-radius:4px;text-decoration:none}}
</style></head>
<body><h1>{title}</h1>{paragraphs}
{actions}</body></html>
"""
_BACK_TO_SLACK = """<p><a class="button" href="{slack_url}">Back to Slack</a></p>
<p><small>You can close this tab.</small></p>"""
_PROCEED = """<p><a class="button" id="continue" href="{url}">{label}</a></p>"""


def page(
    title: str,
    body: str,
    *,
    status: int = 200,
    team_id: str | None = None,
    more: tuple[str, ...] = (),
    proceed_url: str | None = None,
) -> HTMLResponse:
    """A small self-contained page; every string is HTML-escaped.

    ``body`` and ``more`` are paragraphs. With ``proceed_url`` the page's one button
    continues there (the Connect page); otherwise it goes back to Slack.
    """
    slack_url = f"slack://open?team={team_id}" if team_id else "slack://open"
    paragraphs = "".join(f"<p>{html.escape(text)}</p>" for text in (body, *more))
    if proceed_url is not None:
        actions = _PROCEED.format(
            url=html.escape(proceed_url), label=html.escape(texts.CONNECT_PAGE_CONTINUE)
        )
    else:
        actions = _BACK_TO_SLACK.format(slack_url=html.escape(slack_url))
    content = _PAGE.format(title=html.escape(title), paragraphs=paragraphs, actions=actions)
    response = HTMLResponse(content, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused_page(
    exc: errors.BotError, *, team_id: str | None = None, who: tuple[str, str] | None = None
) -> HTMLResponse:
    more = (texts.NOT_CONNECTED_PAGE_WHO.format(person=who[0], workspace=who[1]),) if who else ()
    return page(
        "Not connected",
        texts.error_sentence(exc).replace("`", ""),
        status=400,
        team_id=team_id,
        more=more,
    )


async def _refused_for(
    c: Container, exc: errors.BotError, user: SlackUser | None
) -> HTMLResponse:
    """The refusal page after consent, naming the Slack person and workspace if known."""
    if user is None:
        return _refused_page(exc)
    return _refused_page(exc, team_id=user.team_id, who=await whose(c, user))


async def whose(c: Container, user: SlackUser) -> tuple[str, str]:
    """The Slack person's name and the workspace's name, for the Connect pages (their ids
    when Slack cannot say)."""
    try:
        person = (await c.directory.profile(user.user_id)).real_name or user.user_id
    except errors.SlackError:
        person = user.user_id
    workspace = await c.directory.workspace_name() or user.team_id
    return person, workspace


def oauth_routes(c: Container) -> list[Route]:
    """The two routes of the browser flow."""
    secure_cookie = urlsplit(c.settings.public_url).scheme == "https"

    async def start(request: Request) -> Response:
        ticket = request.query_params.get("s", "")
        if not ticket:
            return _refused_page(errors.LinkRefusedError("no ticket", reason="ticket_unknown"))
        try:
            flow = await c.states.redeem_ticket(ticket)
            config = await _config_of(c, flow)
            oauth = c.servicenow.oauth(config)
        except errors.BotError as exc:
            log.info("connect start refused: %s", exc.__class__.__name__)
            return _refused_page(exc)
        url = await _consent_url(c, oauth, config=config, flow=flow)
        response = await _connect_page(c, flow, config=config, consent_url=url)
        _bind_browser(response, nonce=flow.browser_nonce, secure_cookie=secure_cookie)
        return response

    async def callback(request: Request) -> Response:
        params = request.query_params
        state = params.get("state", "")
        cookie = request.cookies.get(COOKIE)
        user: SlackUser | None = None
        try:
            if not state:
                raise errors.LinkRefusedError("callback without state", reason="state_unknown")
            flow = await c.states.consume(state, browser_nonce=cookie)
            user = flow.user
            if flow.purpose == "setup_test":
                return await _setup_test_callback(
                    c, flow, params.get("code", ""), params.get("error", "")
                )
            if params.get("error"):
                raise errors.LinkRefusedError(
                    f"consent not given: {params.get('error')}", reason="denied"
                )
            code = params.get("code", "")
            if not code:
                raise errors.LinkRefusedError("callback without code", reason="state_unknown")
            linked = await link_user(
                c, user=user, code=code, code_verifier=flow.code_verifier,
                instance_url=flow.instance_url,
            )
            record = linked.record
        except errors.BotError as exc:
            log.info("connect callback refused: %s", exc.__class__.__name__)
            if user is not None:
                await c.tell(user, error_message(exc), about="their link")
                # Hook: a colleague test waiting for this user reports the refusal.
                await setup_links.after_link(c, user, error=exc)
            response = await _refused_for(c, exc, user)
            response.delete_cookie(COOKIE, path=COOKIE_PATH)
            return response
        host = instance_host(record.instance_url)
        told = connected_message(record.servicenow_user, host)
        if not linked.email_matches:
            told = with_warning(told, texts.LINKED_EMAIL_MISMATCH)
        await c.tell(user, told, about="their link")
        c.work.spawn(
            _after_connect(c, user, record, email_matches=linked.email_matches),
            name="after-connect",
        )
        response = await _connected_page(c, user, record)
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    return [
        Route("/servicenow/oauth/start", start, methods=["GET"]),
        Route("/servicenow/oauth/callback", callback, methods=["GET"]),
    ]


async def _config_of(c: Container, flow: StartedFlow) -> InstanceConfig:
    """The connection a started flow signs in to: the one in use, or for the setup test
    the credentials under test (maybe staged); refused if it changed since the link."""
    if flow.purpose == "setup_test":
        config, _ = await setup_flow.config_under_test(c, flow.user)
    else:
        config = await c.instances.require(flow.user.enterprise_id, flow.user.team_id)
    if config.instance_url != flow.instance_url:
        raise errors.LinkRefusedError("instance changed", reason="instance_changed")
    return config


async def _connect_page(
    c: Container, flow: StartedFlow, *, config: InstanceConfig, consent_url: str
) -> HTMLResponse:
    """Whose link this is (Slack person and workspace), with Continue to the consent page."""
    person, workspace = await whose(c, flow.user)
    who = texts.CONNECT_PAGE_TEST_WHO if flow.purpose == "setup_test" else texts.CONNECT_PAGE_WHO
    return page(
        texts.CONNECT_PAGE_TITLE,
        who.format(person=person, workspace=workspace, host=instance_host(config.instance_url)),
        more=(texts.CONNECT_PAGE_NOT_YOU.format(person=person),),
        proceed_url=consent_url,
        team_id=flow.user.team_id,
    )


async def _connected_page(c: Container, user: SlackUser, record: TokenRecord) -> HTMLResponse:
    """The page after a link: which Slack person, in which workspace, is linked as whom."""
    person, workspace = await whose(c, user)
    return page(
        "Connected",
        texts.CONNECTED_PAGE.format(
            person=person,
            workspace=workspace,
            servicenow=record.servicenow_user.name or record.servicenow_user.user_name,
        ),
        team_id=user.team_id,
    )


def _bind_browser(response: Response, *, nonce: str, secure_cookie: bool) -> None:
    """Set the short-lived cookie that binds the flow to this browser."""
    response.set_cookie(
        COOKIE,
        nonce,
        max_age=OAUTH_STATE_TTL,
        path=COOKIE_PATH,
        httponly=True,
        secure=secure_cookie,
        samesite="lax",
    )


async def _consent_url(
    c: Container, oauth: ServiceNowOAuth, *, config: InstanceConfig, flow: StartedFlow
) -> str:
    """The consent page URL of a started flow (PKCE unless the flow or instance says no)."""
    pkce = config.pkce if flow.pkce is None else flow.pkce
    if flow.purpose == "setup_test":
        # Hook: the setup test notes that the admin opened its sign-in link.
        await setup_flow.flow_started(c, flow.user)
    return oauth.authorize_url(
        redirect_uri=c.settings.redirect_uri,
        state=flow.state,
        code_challenge=flow.code_challenge if pkce else None,
    )


async def _setup_test_callback(c: Container, flow: OAuthState, code: str, error: str) -> Response:
    """Hook: the setup test's consent continues the test (bot.setup.flow), no link is made."""
    title, body = await setup_flow.setup_callback(c, flow, code=code, error=error)
    done = page(title, body, team_id=flow.user.team_id)
    done.delete_cookie(COOKIE, path=COOKIE_PATH)
    return done


@dataclass(frozen=True)
class Linked:
    """A stored link, and whether its ServiceNow email is the Slack profile's (False only
    under the "warn" policy)."""

    record: TokenRecord
    email_matches: bool


async def link_user(
    c: Container, *, user: SlackUser, code: str, code_verifier: str, instance_url: str
) -> Linked:
    """Exchange the code, check who it is, apply the policies, store the link."""
    config = await c.instances.require(user.enterprise_id, user.team_id)
    if config.instance_url != instance_url:
        raise errors.LinkRefusedError("instance changed during consent", reason="instance_changed")
    profile = await c.directory.profile(user.user_id)
    if profile.is_guest:
        raise errors.LinkRefusedError("guest accounts cannot link", reason="guest")
    if profile.team_id and profile.team_id != user.team_id:
        raise errors.LinkRefusedError("user of another workspace", reason="external")
    oauth = c.servicenow.oauth(config)
    tokens = await oauth.exchange_code(
        code=code,
        redirect_uri=c.settings.redirect_uri,
        code_verifier=code_verifier if config.pkce else None,
    )
    servicenow_user = await c.servicenow.with_token(config, tokens.access_token).current_user()
    slack_email = profile.email.strip().lower()
    servicenow_email = servicenow_user.email.strip().lower()
    refusal = None
    if not slack_email or not servicenow_email:
        # Under every policy: two missing emails are not a match, and one missing email
        # says nothing about whose account this is.
        refusal = "email_missing"
    elif slack_email != servicenow_email and c.settings.link_email_policy == "refuse":
        refusal = "email_mismatch"
    if refusal is not None:
        await _revoke_quietly(
            oauth, tokens=tuple(t for t in (tokens.refresh_token, tokens.access_token) if t)
        )
        await c.audit.record(
            "connect_refused", user=user, reason=refusal,
            servicenow_user=servicenow_user.user_name,
        )
        raise errors.LinkRefusedError(f"refused: {refusal}", reason=refusal)
    if slack_email != servicenow_email:
        log.warning("linking despite an email mismatch (SNOWBOT_LINK_EMAIL_POLICY=warn)")
    # A fresh consent replaces whatever link the user had (including a flagged one).
    stored = await save_link(
        c, user, tokens=tokens, identity=servicenow_user,
        instance_url=config.instance_url, profile=profile,
    )
    return Linked(record=stored, email_matches=slack_email == servicenow_email)


async def _revoke_quietly(oauth: ServiceNowOAuth, *, tokens: tuple[str, ...]) -> None:
    for token in tokens:
        try:
            await oauth.revoke(token)
        except errors.ServiceNowError:
            log.warning("could not revoke a refused link's token")


async def _after_connect(
    c: Container, user: SlackUser, record: TokenRecord, *, email_matches: bool
) -> None:
    """Finish what the user asked before connecting, and refresh their home tab; a link
    made despite different emails is reported to the account's owner and the admins."""
    reply = c.home_reply(user)
    turn = Turn(c=c, user=user, reply=reply)

    async def work() -> None:
        if not email_matches:
            await setup_links.report_mismatched_link(c, user, record)
        # Hook: the colleague test's report, and the warning about admin roles.
        await setup_links.after_link(c, user, record=record)
        await finish_pending(turn)
        await publish_home(turn)

    await run_guarded(c, kind="event", reply=reply, work=work)
