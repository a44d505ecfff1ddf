"""``snowbot check``: what a terminal can check of the configuration, Redis and the instance.

The same probes and diagnosis as the guided setup's connection test, up to the point
where a browser is needed: the configuration is validated, Redis answers a PING, and
for each configured instance (the environment's, and every one set up in chat) the
instance's value is checked against the rules before any socket opens, then the token
endpoint is probed with a deliberately invalid code (ServiceNow answers a documented
401; a 404 or an HTML page says "not ServiceNow") and the sign-in page is loaded. The
rest needs an admin's consent: for an instance set up in chat, a one-time sign-in
link is printed that continues the test in the running bot and reports to that admin
in Slack. Exit status 0 when all is well, 1 otherwise; never a stack trace.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

import httpx
from redis.exceptions import RedisError

from bot import texts
from bot.errors import BotError, InstanceRefusedError
from bot.models import SlackUser
from bot.servicenow.http import open_http_client
from bot.servicenow.instance import InstancePolicy
from bot.settings import Settings
from bot.setup.diagnosis import Observations, diagnose
from bot.setup.probes import probe_seconds, probe_sign_in_page, probe_token_endpoint
from bot.setup.records import SetupRecord, SetupRecords, new_run_id
from bot.store.connection import open_redis
from bot.store.crypto import RecordCipher
from bot.store.instance_config import InstanceConfig, InstanceConfigStore
from bot.store.keys import Keys
from bot.store.oauth_state import OAuthStateStore

OK, FAIL, NOTE = "✓", "✗", "→"
REDIS_TIMEOUT = 3.0


class _Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failed = False

    def line(self, mark: str, text: str) -> None:
        if mark == FAIL:
            self.failed = True
        print(f"  {mark} {text}", file=self.out)

    def say(self, text: str) -> None:
        print(text, file=self.out)


async def run_check(
    settings: Settings,
    *,
    out: TextIO,
    http: httpx.AsyncClient | None = None,
    clock: Callable[[], float] = time.time,
) -> int:
    """Run every check, print a report to ``out``; 0 when all is well, else 1.

    ``http`` replaces the ServiceNow HTTP client (tests record what it is asked).
    """
    report = _Report(out)
    report.say("snowbot check")
    _check_configuration(settings, report)
    configs = await _check_redis(settings, report)
    env_config = settings.servicenow_instance is not None
    if env_config:
        configs.insert(0, ("the environment", None, None))
    if not configs:
        report.line(FAIL, "No ServiceNow instance is configured: set SERVICENOW_INSTANCE, "
                          "SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET, or run "
                          "`/snow setup` in Slack.")
    client = http or open_http_client(settings)
    try:
        for source, team, stored in configs:
            await _check_instance(
                settings, report, source=source, team=team, stored=stored, http=client,
                clock=clock,
            )
    finally:
        if http is None:
            await client.aclose()
    report.say("Some checks failed." if report.failed else "All checks passed.")
    return 1 if report.failed else 0


def _check_configuration(settings: Settings, report: _Report) -> None:
    missing = [name for name in settings.missing() if name != "SNOWBOT_ENCRYPTION_KEYS"]
    if missing:
        report.line(FAIL, f"Missing: {', '.join(missing)}.")
    if not settings.encryption_keys:
        report.line(FAIL, "SNOWBOT_ENCRYPTION_KEYS is empty: tokens cannot be stored.")
    if not settings.public_url.startswith("https://") and not settings.allow_insecure_instance:
        report.line(FAIL, "SNOWBOT_PUBLIC_URL must be https:// (ServiceNow redirects there).")
    try:
        InstancePolicy.from_settings(settings)
    except InstanceRefusedError as exc:
        report.line(FAIL, exc.detail)
    if not report.failed:
        report.line(OK, "Configuration is complete.")
    report.line(NOTE, f"Redirect URL to register in ServiceNow: {settings.redirect_uri}")


Found = tuple[str, tuple[str | None, str] | None, InstanceConfig | None]


async def _check_redis(settings: Settings, report: _Report) -> list[Found]:
    redis = open_redis(settings)
    found: list[Found] = []
    try:
        try:
            await redis.ping()
        except (RedisError, OSError) as exc:
            report.line(FAIL, f"Redis does not answer ({type(exc).__name__}).")
            return found
        report.line(OK, "Redis answers.")
        if not settings.encryption_keys:
            return found
        keys = Keys(prefix=settings.redis_key_prefix)
        store = InstanceConfigStore(redis, keys=keys, cipher=RecordCipher.from_settings(settings))
        async for name in redis.scan_iter(match=keys.instance_pattern(), count=500):
            owner = keys.parse_instance(name)
            if owner is None:
                continue
            try:
                config = await store.stored(*owner)
            except BotError:
                report.line(FAIL, f"The configuration of workspace {owner[1]} cannot be read "
                                  "(was SNOWBOT_ENCRYPTION_KEYS changed?).")
                continue
            if config is not None:
                found.append((f"workspace {owner[1]}", owner, config))
    finally:
        await redis.aclose()
    return found


async def _check_instance(
    settings: Settings,
    report: _Report,
    *,
    source: str,
    team: tuple[str | None, str] | None,
    stored: InstanceConfig | None,
    http: httpx.AsyncClient,
    clock: Callable[[], float],
) -> None:
    report.say(f"Instance of {source}:")
    try:
        config = stored or InstanceConfig.from_settings(settings)
        if config is None:
            report.line(FAIL, "SERVICENOW_INSTANCE is set but the client id or secret is not.")
            return
        instance = InstancePolicy.from_settings(settings).parse(config.instance_url)
    except InstanceRefusedError as exc:
        report.line(FAIL, f"Refused before connecting: {exc.detail}")
        return
    report.line(OK, f"{instance.url} is within the rules.")
    answer = await probe_token_endpoint(
        http, instance=instance, client_id=config.client_id,
        client_secret=config.client_secret, redirect_uri=settings.redirect_uri,
        seconds=probe_seconds(settings.servicenow_timeout),
    )
    obs = Observations(token_probe=answer)
    if answer == "ok":
        obs = obs.model_copy(update={"authorize_probe": await probe_sign_in_page(
            http, instance=instance, client_id=config.client_id,
            redirect_uri=settings.redirect_uri, pkce=config.pkce,
            seconds=probe_seconds(settings.servicenow_timeout),
        )})
    diagnosis = diagnose(
        obs, host=instance.host, redirect_uri=settings.redirect_uri,
        table=config.feedback_table,
    )
    for item in diagnosis.items:
        if item.ok is not None:
            detail = f": {item.detail}" if item.detail else ""
            report.line(OK if item.ok else FAIL, f"{item.label}{detail}")
    if diagnosis.failed:
        report.say("  Most likely causes first:")
        for n, finding in enumerate(diagnosis.findings, start=1):
            report.say(f"    {n}. {finding.title}. {finding.why}")
            report.say(f"       What to change: {finding.fix}")
        if diagnosis.hardened:
            report.say(f"  {texts.HARDENED_INTRO}")
            for n, (title, why, fix) in enumerate(texts.HARDENED_CHECKLIST, start=1):
                report.say(f"    {n}. {title}. {why}")
                report.say(f"       What to change: {fix}")
        return
    await _finish_link(settings, report, team=team, config=config, clock=clock)


async def _finish_link(
    settings: Settings,
    report: _Report,
    *,
    team: tuple[str | None, str] | None,
    config: InstanceConfig,
    clock: Callable[[], float],
) -> None:
    """The consent needs a browser: a one-time sign-in link for the admin who set it up."""
    admin = config.configured_by
    if team is None or not admin.startswith(("U", "W")):
        report.line(NOTE, "To finish (consent needs a browser): in Slack, `/snow setup` → "
                          "Run the connection test.")
        return
    enterprise_id, team_id = team
    redis = open_redis(settings)
    try:
        keys = Keys(prefix=settings.redis_key_prefix)
        cipher = RecordCipher.from_settings(settings)
        user = SlackUser(enterprise_id=enterprise_id, team_id=team_id, user_id=admin)
        states = OAuthStateStore(redis, keys=keys, cipher=cipher, clock=clock)
        ticket = await states.issue_ticket(
            user, instance_url=config.instance_url, purpose="setup_test"
        )
        fresh = SetupRecord(
            admin_id=admin, run_id=new_run_id(), started_at=clock(),
            observations=Observations.model_validate(
                {"token_probe": "ok", "authorize_probe": "ok", "signin": "waiting"}
            ),
        )
        await SetupRecords(redis, keys=keys).update(enterprise_id, team_id, lambda _: fresh)
    except BotError as exc:
        report.line(FAIL, f"Could not make a sign-in link ({type(exc).__name__}).")
        return
    finally:
        await redis.aclose()
    link = f"{settings.public_url}/servicenow/oauth/start?s={ticket}"
    report.line(NOTE, "To finish (consent needs a browser), the admin who set it up opens "
                      f"this link within 10 minutes; the results arrive in Slack: {link}")
