"""The workspace's ServiceNow connection: instance, OAuth client, options.

An admin sets it in chat (``/snow setup``); the record lives in Redis under
``Keys.instance`` with no TTL, as one JSON value: the non-secret settings in clear
(instance URL, client id, PKCE on/off, feedback table, incident defaults, who
configured it and when, a version) and ``ct``, the client id and secret sealed with
``RecordCipher``, bound to enterprise, team, ``"instance"`` and the instance URL (an
edited URL or a record copied to another workspace no longer opens).

``replace`` swaps the whole record atomically (WATCH/MULTI, version bumped) and
returns the previous instance URL, so the app can ask linked users to reconnect when
the instance changed. When a workspace has no record, the connection pre-seeded in
the environment (``SERVICENOW_INSTANCE``/``_CLIENT_ID``/``_CLIENT_SECRET``) applies.

New credentials for a workspace that already has a connection are *staged*
(``stage``, under ``Keys.instance_staged``, sealed the same way but bound to
``"staged"``, kept ``STAGED_INSTANCE_TTL``): the connection in use stays until the
setup's connection test passes with them, and ``promote`` makes them the connection.
A typo therefore never locks the workspace out.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.errors import ConcurrencyError, NotConfiguredError, TokenRecordError
from bot.servicenow.instance import InstancePolicy
from bot.settings import Settings
from bot.store.crypto import RecordBinding, RecordCipher, RotationReport
from bot.store.guard import (
    begin,
    compare_and_delete,
    redis_errors,
    text,
    watched_write,
)
from bot.store.keys import STAGED_INSTANCE_TTL, Keys

logger = logging.getLogger("snowbot.store.instance_config")

ConfigSource = Literal["chat", "environment"]


class InstanceConfig(BaseModel):
    """A workspace's connection to one ServiceNow instance."""

    model_config = ConfigDict(frozen=True)

    instance_url: str  # normalised (``Instance.url``)
    client_id: str
    client_secret: SecretStr
    pkce: bool = True
    feedback_table: str = "u_snowbot_feedback"
    incident_defaults: dict[str, str] = Field(default_factory=dict)
    configured_by: str = ""  # Slack user id, or "environment"
    configured_at: float = 0.0
    version: int = 0  # 0: not stored
    key_version: str = ""
    source: ConfigSource = "chat"

    @classmethod
    def from_settings(cls, settings: Settings) -> InstanceConfig | None:
        """The connection pre-seeded in the environment, if all three values are set."""
        if not (
            settings.servicenow_instance
            and settings.servicenow_client_id
            and settings.servicenow_client_secret
        ):
            return None
        instance = InstancePolicy.from_settings(settings).parse(settings.servicenow_instance)
        return cls(
            instance_url=instance.url,
            client_id=settings.servicenow_client_id,
            client_secret=settings.servicenow_client_secret,
            pkce=settings.pkce,
            feedback_table=settings.feedback_table,
            configured_by="environment",
            source="environment",
        )


@dataclass(frozen=True)
class Replaced:
    """The outcome of a setup: the stored record and the instance it replaced."""

    config: InstanceConfig
    previous_instance_url: str | None

    @property
    def instance_changed(self) -> bool:
        """Whether users linked to the previous instance must reconnect."""
        return (
            self.previous_instance_url is not None
            and self.previous_instance_url != self.config.instance_url
        )


def _binding(
    *, enterprise_id: str | None, team_id: str, instance_url: str, staged: bool = False
) -> RecordBinding:
    return RecordBinding(
        purpose="instance",
        enterprise_id=enterprise_id,
        team_id=team_id,
        subject="staged" if staged else "instance",
        instance_url=instance_url,
    )


class InstanceConfigStore:
    """Stored connections, with the environment's as the fallback."""

    def __init__(
        self,
        redis: Redis,
        *,
        keys: Keys,
        cipher: RecordCipher,
        fallback: InstanceConfig | None = None,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._cipher = cipher
        self._fallback = fallback

    def _open(
        self, raw: str, *, enterprise_id: str | None, team_id: str, staged: bool = False
    ) -> InstanceConfig:
        try:
            data: dict[str, Any] = json.loads(raw)
            ciphertext = str(data.pop("ct"))
        except (ValueError, KeyError, AttributeError) as exc:
            msg = "instance configuration record has an unexpected shape"
            raise TokenRecordError(msg) from exc
        binding = _binding(
            enterprise_id=enterprise_id,
            team_id=team_id,
            instance_url=str(data.get("instance_url", "")),
            staged=staged,
        )
        sealed = self._cipher.open(ciphertext, binding=binding)
        if sealed.get("client_id") != data.get("client_id"):
            msg = "instance configuration client id was changed outside the bot"
            raise TokenRecordError(msg)
        try:
            return InstanceConfig.model_validate(
                {**data, "client_secret": sealed.get("client_secret"), "source": "chat"}
            )
        except ValidationError as exc:
            msg = "instance configuration record has an unexpected shape"
            raise TokenRecordError(msg) from exc

    def _seal(
        self,
        config: InstanceConfig,
        *,
        enterprise_id: str | None,
        team_id: str,
        version: int,
        staged: bool = False,
    ) -> tuple[str, str]:
        sealed = self._cipher.seal(
            {
                "client_id": config.client_id,
                "client_secret": config.client_secret.get_secret_value(),
            },
            binding=_binding(
                enterprise_id=enterprise_id,
                team_id=team_id,
                instance_url=config.instance_url,
                staged=staged,
            ),
        )
        clear = config.model_dump(
            mode="json", exclude={"client_secret", "source", "version", "key_version"}
        )
        value = {**clear, "version": version, "key_version": sealed.key_version}
        value["ct"] = sealed.ciphertext
        return json.dumps(value, separators=(",", ":"), sort_keys=True), sealed.key_version

    async def stored(self, enterprise_id: str | None, team_id: str) -> InstanceConfig | None:
        """The connection set up in chat for this workspace, or None."""
        with redis_errors("reading the instance configuration"):
            raw = text(await self._redis.get(self._keys.instance(enterprise_id, team_id)))
        if raw is None:
            return None
        return self._open(raw, enterprise_id=enterprise_id, team_id=team_id)

    async def get(self, enterprise_id: str | None, team_id: str) -> InstanceConfig | None:
        """The workspace's connection: set up in chat, else the environment's, else None."""
        return await self.stored(enterprise_id, team_id) or self._fallback

    async def require(self, enterprise_id: str | None, team_id: str) -> InstanceConfig:
        """The workspace's connection; ``NotConfiguredError`` when there is none."""
        config = await self.get(enterprise_id, team_id)
        if config is None:
            msg = "no ServiceNow instance is connected to this workspace"
            raise NotConfiguredError(msg)
        return config

    async def replace(
        self,
        config: InstanceConfig,
        *,
        enterprise_id: str | None,
        team_id: str,
        expected_version: int | None = None,
    ) -> Replaced:
        """Store ``config`` in place of the current one, atomically; say what it replaced.

        ``expected_version`` (0: nothing stored yet) makes it a compare-and-set, for a
        setup dialog that must not overwrite another admin's newer setup.
        """
        key = self._keys.instance(enterprise_id, team_id)

        async def step(pipe: Pipeline) -> tuple[int, str | None, str]:
            version, previous_url = _version_and_url(text(await pipe.get(key)))
            if expected_version is not None and version != expected_version:
                msg = (
                    f"instance configuration is at version {version}, "
                    f"setup expected {expected_version}"
                )
                raise ConcurrencyError(msg)
            value, key_version = self._seal(
                config, enterprise_id=enterprise_id, team_id=team_id, version=version + 1
            )
            begin(pipe)
            pipe.set(key, value)
            return version + 1, previous_url, key_version

        action = "storing the instance configuration"
        retry = expected_version is None
        version, previous_url, key_version = await watched_write(
            self._redis, key, step, action=action, retry=retry
        )
        logger.info(
            "instance configuration replaced",
            extra={"team": team_id, "version": version, "configured_by": config.configured_by},
        )
        stored = config.model_copy(
            update={"version": version, "key_version": key_version, "source": "chat"}
        )
        return Replaced(config=stored, previous_instance_url=previous_url)

    async def stage(
        self, config: InstanceConfig, *, enterprise_id: str | None, team_id: str
    ) -> InstanceConfig:
        """Keep ``config`` aside until its connection test passes (replacing any staged
        before); the connection in use does not change."""
        value, key_version = self._seal(
            config, enterprise_id=enterprise_id, team_id=team_id, version=0, staged=True
        )
        with redis_errors("staging the instance configuration"):
            await self._redis.set(
                self._keys.instance_staged(enterprise_id, team_id),
                value,
                ex=STAGED_INSTANCE_TTL,
            )
        return config.model_copy(update={"key_version": key_version, "source": "chat"})

    async def staged(self, enterprise_id: str | None, team_id: str) -> InstanceConfig | None:
        """The credentials waiting for their connection test, or None."""
        key = self._keys.instance_staged(enterprise_id, team_id)
        with redis_errors("reading the staged instance configuration"):
            raw = text(await self._redis.get(key))
        if raw is None:
            return None
        return self._open(raw, enterprise_id=enterprise_id, team_id=team_id, staged=True)

    async def promote(self, *, enterprise_id: str | None, team_id: str) -> Replaced | None:
        """Make the staged credentials the workspace's connection (their test passed);
        None when nothing is staged. The staged record goes, unless it was replaced by a
        newer one meanwhile (that one waits for its own test)."""
        key = self._keys.instance_staged(enterprise_id, team_id)
        with redis_errors("reading the staged instance configuration"):
            raw = text(await self._redis.get(key))
        if raw is None:
            return None
        config = self._open(raw, enterprise_id=enterprise_id, team_id=team_id, staged=True)
        replaced = await self.replace(config, enterprise_id=enterprise_id, team_id=team_id)
        cleared = await compare_and_delete(
            self._redis, key, raw, action="clearing the staged instance configuration"
        )
        if not cleared:
            logger.info("newer credentials were staged during a test; they stay staged")
        return replaced

    async def discard_staged(self, enterprise_id: str | None, team_id: str) -> bool:
        """Forget staged credentials; True if there were some."""
        with redis_errors("deleting the staged instance configuration"):
            key = self._keys.instance_staged(enterprise_id, team_id)
            return bool(await self._redis.delete(key))

    async def delete(self, enterprise_id: str | None, team_id: str) -> bool:
        """Remove the workspace's stored connection and any staged credentials
        (uninstall); True if there was a connection."""
        with redis_errors("deleting the instance configuration"):
            await self._redis.delete(self._keys.instance_staged(enterprise_id, team_id))
            return bool(await self._redis.delete(self._keys.instance(enterprise_id, team_id)))

    async def rotate_all(self) -> RotationReport:
        """Re-seal every stored client secret (staged ones too) under the newest key,
        each with CAS."""
        report = RotationReport()
        for pattern, staged in (
            (self._keys.instance_pattern(), False),
            (self._keys.instance_staged_pattern(), True),
        ):
            with redis_errors("listing instance configurations"):
                names = [
                    str(text(name))
                    async for name in self._redis.scan_iter(match=pattern, count=500)
                ]
            for name in names:
                await self._rotate_one(name, report, staged=staged)
        return report

    async def _rotate_one(self, name: str, report: RotationReport, *, staged: bool) -> None:
        parse = self._keys.parse_instance_staged if staged else self._keys.parse_instance
        owner = parse(name)
        if owner is None:
            return
        enterprise_id, team_id = owner

        async def step(pipe: Pipeline) -> bool:
            raw = text(await pipe.get(name))
            if raw is None:
                return False
            try:
                data = json.loads(raw)
                if self._cipher.is_current(data["ct"]):
                    report.already_current += 1
                    return False
                binding = _binding(
                    enterprise_id=enterprise_id,
                    team_id=team_id,
                    instance_url=data["instance_url"],
                    staged=staged,
                )
                sealed = self._cipher.rotate(data["ct"], binding=binding)
            except (TokenRecordError, ValueError, KeyError, TypeError):
                logger.warning("instance configuration cannot be rotated", extra={"team": team_id})
                report.failed += 1
                return False
            data["ct"] = sealed.ciphertext
            data["key_version"] = sealed.key_version
            begin(pipe)
            pipe.set(name, json.dumps(data, separators=(",", ":"), sort_keys=True), keepttl=staged)
            return True

        try:
            rotated = await watched_write(
                self._redis, name, step, action="rotating an instance configuration"
            )
        except ConcurrencyError:
            report.conflicts += 1
            return
        report.rotated += rotated


def _version_and_url(raw: str | None) -> tuple[int, str | None]:
    if raw is None:
        return 0, None
    try:
        data = json.loads(raw)
        return int(data.get("version", 0)), data.get("instance_url")
    except (ValueError, AttributeError, TypeError):
        return 0, None
