"""The connection test, across Slack, the bot and the admin's browser.

1. ``run_connection_test`` (the admin pressed the button): the bot probes the token
   endpoint and the sign-in page itself; if both answer, the admin gets a sign-in link
   (a Connect link whose ticket has ``purpose="setup_test"``).
2. ``flow_started`` (``bot.connect``'s start route redeemed that link): the time is
   noted, and a check is scheduled (``WorkRegistry.later``, a timer that nothing
   waits on) ``setup_callback_wait`` seconds later: if no callback came by then, the
   Redirect URL probably does not match.
3. ``setup_callback`` (the callback of a setup-test flow): the code is exchanged (on a
   refusal with PKCE, the admin gets a second sign-in link without PKCE; the code is
   single-use, so the retry needs a fresh consent), then the identity lookup, the
   incident table and the feedback table are checked with the new token. If the
   exchange only works without PKCE, the connection is saved with PKCE off. The admin
   stays linked as themselves when the emails match, else the tokens are revoked.
4. New credentials saved over a working connection are staged
   (``InstanceConfigStore.stage``): the test runs with them (``config_under_test``), and
   only when the admin's part passes do they become the connection (``switch_to_tested``
   below, which also asks people linked to a previous instance to
   reconnect). A failing test changes nothing anyone relies on.
5. The colleague's half and the hooks after every link live in ``bot.setup.links``.

Every result goes to the admin (DM) as the checklist of ``bot.setup.diagnosis``.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from bot import errors, texts
from bot.blocks import Message, connect_prompt
from bot.blocks.setup import checklist_view
from bot.container import Container
from bot.links import save_link
from bot.models import SlackUser
from bot.servicenow.client import ServiceNowIncidents
from bot.servicenow.instance import instance_host
from bot.servicenow.models import ServiceNowUser, TokenSet
from bot.setup.diagnosis import Observations, diagnose
from bot.setup.probes import probe_seconds, probe_sign_in_page, probe_token_endpoint
from bot.setup.records import SetupRecord, new_run_id
from bot.store.instance_config import InstanceConfig
from bot.store.oauth_state import OAuthState

log = logging.getLogger(__name__)

_OBSERVATION_FIELDS = frozenset(Observations.model_fields)


def observe(record: SetupRecord, **changes: object) -> SetupRecord:
    unknown = set(changes) - _OBSERVATION_FIELDS
    if unknown:
        msg = f"unknown observations: {sorted(unknown)}"
        raise ValueError(msg)
    observations = record.observations.model_copy(update=changes)
    return record.model_copy(update={"observations": observations})


def checklist(
    c: Container,
    record: SetupRecord,
    config: InstanceConfig,
    *,
    sign_in_url: str | None = None,
    retry_without_pkce: bool = False,
) -> Message:
    """The admin's view of where the test stands."""
    diagnosis = diagnose(
        record.observations,
        host=instance_host(config.instance_url),
        redirect_uri=c.settings.redirect_uri,
        table=config.feedback_table,
        colleague=record.colleague_name,
    )
    # The ordinary-user test is offered once the admin's part passed (again after a run).
    offer = record.connection_ok is True and not diagnosis.pending
    return checklist_view(
        diagnosis,
        sign_in_url=sign_in_url,
        retry_without_pkce=retry_without_pkce,
        offer_colleague=offer,
    )


async def tell(c: Container, user_id: str, *, team: SlackUser, message: Message) -> None:
    """DM ``user_id`` (of ``team``'s workspace); a Slack failure is only logged."""
    person = SlackUser(enterprise_id=team.enterprise_id, team_id=team.team_id, user_id=user_id)
    await c.tell(person, message, about="the setup test")


async def config_under_test(c: Container, team: SlackUser) -> tuple[InstanceConfig, bool]:
    """The credentials the connection test runs with: the staged ones if any (True), else
    the connection in use (False); ``NotConfiguredError`` when there are neither."""
    staged = await c.instances.staged(team.enterprise_id, team.team_id)
    if staged is not None:
        return staged, True
    return await c.instances.require(team.enterprise_id, team.team_id), False


async def sign_in_url(
    c: Container, user: SlackUser, config: InstanceConfig, *, pkce: bool | None
) -> str:
    """A one-time link that starts the setup test's consent (``purpose="setup_test"``)."""
    ticket = await c.states.issue_ticket(
        user, instance_url=config.instance_url, purpose="setup_test", pkce=pkce
    )
    return f"{c.settings.public_url}/servicenow/oauth/start?{urlencode({'s': ticket})}"


# --- 1. the probes ----------------------------------------------------------------------


async def probe(c: Container, config: InstanceConfig) -> Observations:
    """What the bot sees of the instance by itself: token endpoint, then sign-in page."""
    instance = c.servicenow.instance(config)
    answer = await probe_token_endpoint(
        c.http,
        instance=instance,
        client_id=config.client_id,
        client_secret=config.client_secret,
        redirect_uri=c.settings.redirect_uri,
        seconds=probe_seconds(c.settings.servicenow_timeout),
    )
    if answer != "ok":
        return Observations(token_probe=answer)
    page = await probe_sign_in_page(
        c.http,
        instance=instance,
        client_id=config.client_id,
        redirect_uri=c.settings.redirect_uri,
        pkce=config.pkce,
        seconds=probe_seconds(c.settings.servicenow_timeout),
    )
    return Observations(token_probe=answer, authorize_probe=page)


async def run_connection_test(c: Container, admin: SlackUser, config: InstanceConfig) -> Message:
    """Start a test run: probe, then (if both answer) hand the admin the sign-in link."""
    observations = await probe(c, config)
    ready = observations.authorize_probe == "ok"
    if ready:
        observations = observations.model_copy(update={"signin": "waiting"})
    fresh = SetupRecord(
        admin_id=admin.user_id,
        run_id=new_run_id(),
        observations=observations,
        started_at=c.clock(),
    )
    record = await c.setup_records.update(admin.enterprise_id, admin.team_id, lambda _: fresh)
    await c.audit.record("setup_test", user=admin, instance=config.instance_url)
    url = await sign_in_url(c, admin, config, pkce=None) if ready else None
    return checklist(c, record, config, sign_in_url=url)


# --- 2. the sign-in link was opened -------------------------------------------------------


async def flow_started(c: Container, flow_user: SlackUser) -> None:
    """The admin opened the sign-in link: note when, and watch for the callback."""
    now = c.clock()

    def opened(record: SetupRecord) -> SetupRecord | None:
        if record.admin_id != flow_user.user_id or record.observations.signin is None:
            return None
        if record.observations.signin not in ("waiting", "opened", "no_callback"):
            return None
        return observe(record, signin="opened").model_copy(update={"redeemed_at": now})

    try:
        record = await c.setup_records.update(flow_user.enterprise_id, flow_user.team_id, opened)
    except errors.BotError as exc:
        log.warning("could not note the opened sign-in link: %s", exc.detail)
        return
    if record.redeemed_at == now:
        run_id = record.run_id
        c.work.later(
            c.settings.setup_callback_wait,
            lambda: report_missing_callback(c, flow_user, run_id=run_id, redeemed_at=now),
            name="setup-missing-callback",
        )


async def report_missing_callback(
    c: Container, admin: SlackUser, *, run_id: str, redeemed_at: float
) -> None:
    """``setup_callback_wait`` after the sign-in link was opened: if no callback came,
    report it (the Redirect URL most likely). Scheduled with ``WorkRegistry.later``, so
    nothing waits on it meanwhile."""

    def missing(record: SetupRecord) -> SetupRecord | None:
        if record.run_id != run_id or record.redeemed_at != redeemed_at:
            return None
        if record.observations.signin != "opened":
            return None
        return observe(record, signin="no_callback")

    try:
        record = await c.setup_records.update(admin.enterprise_id, admin.team_id, missing)
        if record.run_id != run_id or record.observations.signin != "no_callback":
            return
        config, _ = await config_under_test(c, admin)
        await tell(c, record.admin_id, team=admin, message=checklist(c, record, config))
    except errors.BotError as exc:
        log.warning("could not report a missing callback: %s", exc.detail)


# --- 3. the admin's callback ----------------------------------------------------------------


def table_outcome(exc: errors.BotError) -> str:
    if isinstance(exc, errors.ServiceNowForbiddenError):
        return "forbidden"
    if isinstance(exc, errors.ServiceNowAuthError | errors.AuthError):
        return "unauthorized"
    if isinstance(exc, errors.ServiceNowRejectedError | errors.ServiceNowNotFoundError):
        return "missing"
    return "error"


async def probe_table(client: ServiceNowIncidents, table: str) -> str:
    try:
        await client.table_probe(table)
    except errors.BotError as exc:
        return table_outcome(exc)
    return "ok"


async def setup_callback(
    c: Container, flow: OAuthState, *, code: str, error: str
) -> tuple[str, str]:
    """Continue the test after the admin's consent; the browser page's title and text."""
    admin = flow.user
    store = c.setup_records
    config, staged = await config_under_test(c, admin)
    if config.instance_url != flow.instance_url:
        raise errors.LinkRefusedError("instance changed during the test", reason="instance_changed")
    if error or not code:
        record = await store.update(
            admin.enterprise_id, admin.team_id, lambda r: observe(r, signin="denied")
        )
        await tell(c, admin.user_id, team=admin, message=checklist(c, record, config))
        return texts.SETUP_TEST_PAGE_TITLE, texts.SETUP_TEST_PAGE_DENIED
    await store.update(admin.enterprise_id, admin.team_id, lambda r: observe(r, signin="ok"))
    pkce = config.pkce if flow.pkce is None else flow.pkce
    oauth = c.servicenow.oauth(config)
    try:
        tokens = await oauth.exchange_code(
            code=code,
            redirect_uri=c.settings.redirect_uri,
            code_verifier=flow.code_verifier if pkce else None,
        )
    except (errors.TokenRefusedError, errors.ServiceNowError) as exc:
        return await _exchange_failed(c, admin, config, exc, pkce=pkce)
    pkce_off = flow.pkce is False and config.pkce
    if pkce_off:
        config = await _save_without_pkce(c, admin, config, staged=staged)
    client = c.servicenow.with_token(config, tokens.access_token)
    obs: dict[str, object] = {"exchange": "ok", "pkce_off": pkce_off}
    identity = None
    try:
        identity = await client.current_user()
        obs["identity"] = "ok"
    except errors.BotError as exc:
        obs["identity"] = table_outcome(exc)
    if identity is not None:
        obs["incidents"] = await probe_table(client, "incident")
        obs["feedback"] = await probe_table(client, config.feedback_table)
    record = await store.update(
        admin.enterprise_id, admin.team_id, lambda r: observe(r, **obs)
    )
    # Staged credentials that failed stay staged: no link is made with them.
    usable = identity is not None and (not staged or record.connection_ok is True)
    kept = usable and identity is not None and await _keep_admin_link(
        c, admin, config, tokens=tokens, identity=identity
    )
    if staged and record.connection_ok is True:
        await switch_to_tested(c, admin)
    if not kept:
        for token in (tokens.refresh_token, tokens.access_token):
            if token:
                try:
                    await oauth.revoke(token)
                except errors.ServiceNowError:
                    log.warning("could not revoke the setup test's token")
    await tell(c, admin.user_id, team=admin, message=checklist(c, record, config))
    return texts.SETUP_TEST_PAGE_DONE_TITLE, texts.SETUP_TEST_PAGE_DONE


async def _exchange_failed(
    c: Container, admin: SlackUser, config: InstanceConfig, exc: errors.BotError, *, pkce: bool
) -> tuple[str, str]:
    refused = isinstance(exc, errors.TokenRefusedError)
    outcome = ("refused_pkce" if pkce else "refused") if refused else "unavailable"
    record = await c.setup_records.update(
        admin.enterprise_id, admin.team_id, lambda r: observe(r, exchange=outcome)
    )
    retry_url = None
    if outcome == "refused_pkce":
        retry_url = await sign_in_url(c, admin, config, pkce=False)
    message = checklist(
        c, record, config, sign_in_url=retry_url, retry_without_pkce=retry_url is not None
    )
    await tell(c, admin.user_id, team=admin, message=message)
    return "Connection test", "ServiceNow refused to issue a token. The details are in Slack."


async def _save_without_pkce(
    c: Container, admin: SlackUser, config: InstanceConfig, *, staged: bool
) -> InstanceConfig:
    if staged:
        return await c.instances.stage(
            config.model_copy(update={"pkce": False}),
            enterprise_id=admin.enterprise_id,
            team_id=admin.team_id,
        )
    expected = config.version if config.source == "chat" else 0
    replaced = await c.instances.replace(
        config.model_copy(update={"pkce": False}),
        enterprise_id=admin.enterprise_id,
        team_id=admin.team_id,
        expected_version=expected,
    )
    await c.audit.record("setup_pkce_off", user=admin, instance=config.instance_url)
    return replaced.config


async def _keep_admin_link(
    c: Container,
    admin: SlackUser,
    config: InstanceConfig,
    *,
    tokens: TokenSet,
    identity: ServiceNowUser,
) -> bool:
    """Link the admin as themselves when the emails match (so rechecks need no consent)."""
    try:
        profile = await c.directory.profile(admin.user_id)
    except errors.SlackError:
        return False
    email = profile.email.strip().lower()
    if not email or email != identity.email.strip().lower():
        return False
    await save_link(
        c, admin, tokens=tokens, identity=identity,
        instance_url=config.instance_url, profile=profile,
    )
    return True


async def switch_to_tested(c: Container, admin: SlackUser) -> None:
    """The staged credentials passed their test: make them the connection, and when the
    instance changed, ask everyone linked to the previous one to reconnect."""
    # The connection in use may be the environment's, which ``promote`` does not see.
    before = await c.instances.get(admin.enterprise_id, admin.team_id)
    replaced = await c.instances.promote(enterprise_id=admin.enterprise_id, team_id=admin.team_id)
    if replaced is None:
        return
    previous_url = before.instance_url if before is not None else None
    changed = previous_url is not None and previous_url != replaced.config.instance_url
    await c.audit.record(
        "setup_changed", user=admin, instance=replaced.config.instance_url,
        instance_changed=changed,
    )
    if changed and previous_url is not None:
        told = await notify_instance_changed(
            c, admin, previous_url=previous_url, config=replaced.config
        )
        log.info("asked %d linked users to reconnect after an instance change", told)


async def notify_instance_changed(
    c: Container, admin: SlackUser, *, previous_url: str, config: InstanceConfig
) -> int:
    """Ask everyone linked to the previous instance to connect again; how many were told."""
    told = 0
    host = instance_host(config.instance_url)
    reason = texts.INSTANCE_CHANGED_RECONNECT.format(host=host)
    for entry in await c.vault.list_linked(admin.enterprise_id, admin.team_id):
        if entry.instance_url != previous_url:
            continue
        person = SlackUser(
            enterprise_id=admin.enterprise_id, team_id=admin.team_id,
            user_id=entry.slack_user_id,
        )
        await c.vault.mark_needs_reconnect(person)
        url = await c.servicenow.connect_url(person)
        await tell(c, entry.slack_user_id, team=admin, message=connect_prompt(url, reason=reason))
        told += 1
    return told

