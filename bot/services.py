"""Per-request access to ServiceNow and Slack, built from the container's long-lived parts.

``ServiceNowAccess`` answers the questions every use case asks: which instance is
this workspace connected to, what is the user's Connect link, and "give me a
ServiceNow client acting as this user" (with their own token, refreshed through the
vault). ``SlackDirectory`` reads Slack profiles (email, admin, guest, deleted) for
the link checks and the admin checks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ConfigDict
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import (
    NotLinkedError,
    ReconnectRequiredError,
    ServiceNowError,
    SlackError,
    StoreError,
)
from bot.metrics import Metrics
from bot.models import SlackUser
from bot.reply import slack_error_code, slack_errors
from bot.servicenow.client import ServiceNowIncidents
from bot.servicenow.instance import Instance, InstancePolicy
from bot.servicenow.models import TokenSet
from bot.servicenow.oauth import ServiceNowOAuth
from bot.servicenow.session import RetryPolicy, ServiceNowSession
from bot.settings import Settings
from bot.store.audit import AuditLog
from bot.store.dedupe import IdempotencyKeys
from bot.store.instance_config import InstanceConfig, InstanceConfigStore
from bot.store.oauth_state import OAuthStateStore
from bot.store.refresh import RefreshCall, TokenRefresher
from bot.store.vault import RedisTokenVault, TokenRecord

log = logging.getLogger(__name__)


class StaticToken:
    """A token source for one fresh access token (right after the code exchange)."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def access_token(self) -> str:
        """The token given at construction."""
        return self._token

    async def refreshed_token(self, rejected: str) -> str:
        """A fresh token cannot be refreshed: the link must be made again."""
        msg = "a just-issued access token was refused"
        raise ReconnectRequiredError(msg)


@dataclass(frozen=True)
class UserClient:
    """A ServiceNow client acting as one user, with the link it acts through."""

    incidents: ServiceNowIncidents
    record: TokenRecord
    config: InstanceConfig
    instance: Instance


class ServiceNowAccess:
    """Builds ServiceNow clients for users of a workspace."""

    def __init__(
        self,
        *,
        settings: Settings,
        http: httpx.AsyncClient,
        instances: InstanceConfigStore,
        vault: RedisTokenVault,
        refresher: TokenRefresher,
        states: OAuthStateStore,
        guard: IdempotencyKeys,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
        audit: AuditLog | None = None,
    ) -> None:
        self.settings = settings
        self.audit = audit
        self.http = http
        self.instances = instances
        self.vault = vault
        self.refresher = refresher
        self.states = states
        self.guard = guard
        self.metrics = metrics
        self.clock = clock
        self.policy = InstancePolicy.from_settings(settings)

    def instance(self, config: InstanceConfig) -> Instance:
        """The validated instance of a connection (refused hosts never get a socket)."""
        return self.policy.parse(config.instance_url)

    async def config(self, user: SlackUser) -> InstanceConfig:
        """The workspace's connection (``NotConfiguredError`` when there is none)."""
        return await self.instances.require(user.enterprise_id, user.team_id)

    def oauth(self, config: InstanceConfig) -> ServiceNowOAuth:
        """The token endpoint client of a connection."""
        return ServiceNowOAuth(
            http=self.http,
            instance=self.instance(config),
            client_id=config.client_id,
            client_secret=config.client_secret,
            clock=self.clock,
            observer=self.metrics.observe_servicenow,
        )

    def _incidents(self, instance: Instance, tokens: Any) -> ServiceNowIncidents:
        session = ServiceNowSession(
            http=self.http,
            instance=instance,
            tokens=tokens,
            policy=RetryPolicy(timeout=self.settings.servicenow_timeout),
            wall_clock=self.clock,
        )
        return ServiceNowIncidents(
            session=session,
            guard=self.guard,
            incident_digits=self.settings.incident_digits,
            observer=self.metrics.observe_servicenow,
        )

    def with_token(self, config: InstanceConfig, access_token: str) -> ServiceNowIncidents:
        """A client using one given access token (the callback's identity lookup)."""
        return self._incidents(self.instance(config), StaticToken(access_token))

    async def for_user(self, user: SlackUser) -> UserClient:
        """A client acting as ``user`` (``NotLinkedError``, ``ReconnectRequiredError``)."""
        config = await self.config(user)
        record = await self.vault.get(user)
        if record is None:
            msg = "no ServiceNow link stored for this user"
            raise NotLinkedError(msg)
        if record.instance_url != config.instance_url:
            msg = "the stored link belongs to an instance this workspace no longer uses"
            raise ReconnectRequiredError(msg)
        if record.status == "needs_reconnect":
            msg = "ServiceNow refused this user's refresh token earlier"
            raise ReconnectRequiredError(msg)
        oauth = self.oauth(config)
        instance = oauth.instance
        source = self.refresher.source(
            user,
            refresh_call=self._counted_refresh(oauth, user=user),
            instance_url=config.instance_url,
            record=record,
        )
        return UserClient(
            incidents=self._incidents(instance, source),
            record=record,
            config=config,
            instance=instance,
        )

    def _counted_refresh(self, oauth: ServiceNowOAuth, *, user: SlackUser) -> RefreshCall:
        """``oauth.refresh``, counted in ``snowbot_token_refreshes_total`` by outcome; a
        refusal is also an audit event."""

        async def refresh(refresh_token: str) -> TokenSet:
            try:
                tokens = await oauth.refresh(refresh_token)
            except ReconnectRequiredError:
                self.metrics.refreshes.labels(outcome="refused").inc()
                await self._audit_refusal(user, oauth)
                raise
            except ServiceNowError:
                self.metrics.refreshes.labels(outcome="unavailable").inc()
                raise
            self.metrics.refreshes.labels(outcome="ok").inc()
            return tokens

        return refresh

    async def _audit_refusal(self, user: SlackUser, oauth: ServiceNowOAuth) -> None:
        if self.audit is None:
            return
        try:
            await self.audit.record(
                "token.refresh_refused", user=user, instance=oauth.instance.url
            )
        except StoreError:
            log.warning("a refused refresh could not be audited: Redis failed")

    async def connect_url(self, user: SlackUser) -> str:
        """A fresh, single-use Connect link for ``user`` (valid for a few minutes)."""
        config = await self.config(user)
        ticket = await self.states.issue_ticket(user, instance_url=config.instance_url)
        query = urlencode({"s": ticket})
        return f"{self.settings.public_url}/servicenow/oauth/start?{query}"


class SlackProfile(BaseModel):
    """What the bot needs to know about a Slack user."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    team_id: str = ""
    email: str = ""
    real_name: str = ""
    display_name: str = ""
    tz: str = ""  # an IANA time zone name ("Europe/London"), when Slack gives one
    is_admin: bool = False
    is_owner: bool = False
    is_guest: bool = False
    deleted: bool = False
    is_bot: bool = False


class SlackDirectory:
    """Reads Slack profiles (``users.info``, ``users.lookupByEmail``) and the workspace's
    name (``auth.test``)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def profile(self, user_id: str) -> SlackProfile:
        """The profile of ``user_id`` (``SlackError`` when Slack cannot say)."""
        with slack_errors(f"users.info failed for {user_id}"):
            response = await self._client.users_info(user=user_id)
        data: Any = response.data
        raw = data.get("user") if isinstance(data, dict) else None
        if not isinstance(raw, dict):
            msg = "users.info returned no user"
            raise SlackError(msg)
        return profile_from(raw, user_id=user_id)

    async def by_email(self, email: str) -> SlackProfile | None:
        """The workspace member whose Slack email is ``email`` (``users.lookupByEmail``),
        or None when there is none; ``SlackError`` when Slack cannot say."""
        if not email.strip():
            return None
        try:
            with slack_errors("users.lookupByEmail failed"):
                response = await self._client.users_lookupByEmail(email=email.strip())
        except SlackError as exc:
            if slack_error_code(exc.__cause__) == "users_not_found":
                return None
            raise
        found: Any = response.data
        raw = found.get("user") if isinstance(found, dict) else None
        return profile_from(raw) if isinstance(raw, dict) else None

    async def workspace_name(self) -> str:
        """The workspace's name (``auth.test``, no extra scope); "" when Slack cannot say."""
        try:
            with slack_errors("auth.test failed"):
                response = await self._client.auth_test()
        except SlackError:
            log.warning("auth.test failed: the workspace name is unknown")
            return ""
        data: Any = response.data
        return str(data.get("team") or "") if isinstance(data, dict) else ""


def profile_from(raw: dict[str, Any], *, user_id: str = "") -> SlackProfile:
    """A ``SlackProfile`` from Slack's ``user`` object (``users.info``, ``user_change``)."""
    profile = raw.get("profile") if isinstance(raw.get("profile"), dict) else {}
    assert isinstance(profile, dict)
    return SlackProfile(
        user_id=str(raw.get("id") or user_id),
        team_id=str(raw.get("team_id") or ""),
        email=str(profile.get("email") or ""),
        real_name=str(profile.get("real_name") or raw.get("real_name") or ""),
        display_name=str(profile.get("display_name") or ""),
        tz=str(raw.get("tz") or ""),
        is_admin=bool(raw.get("is_admin")),
        is_owner=bool(raw.get("is_owner") or raw.get("is_primary_owner")),
        is_guest=bool(raw.get("is_restricted") or raw.get("is_ultra_restricted")),
        deleted=bool(raw.get("deleted")),
        is_bot=bool(raw.get("is_bot")),
    )
