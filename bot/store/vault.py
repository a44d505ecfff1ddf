"""The token vault: each Slack user's ServiceNow tokens, encrypted, in Redis.

One Redis hash per user (``Keys.token``) holds, in clear, only what is not secret:
``version`` (bumped on every write), ``key_version`` (fingerprint of the sealing key),
``status`` (``active`` or ``needs_reconnect``) and ``instance`` (the instance URL the
tokens were issued by); and ``ct``, the ``RecordCipher`` ciphertext of the tokens, their
expiry, the ServiceNow identity and the link time, bound to enterprise, team, user and
instance. A set per workspace (``Keys.token_index``) lists the linked users.

Writes are compare-and-set on ``version`` (WATCH/MULTI, which the embedded
``memory://`` store supports too, unlike Lua): a writer that read version 4 cannot
overwrite version 5 (``ConcurrencyError``). Every Redis failure is ``StoreError``.
Token values are never logged.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.errors import ConcurrencyError, NotLinkedError, TokenRecordError
from bot.models import SlackUser
from bot.servicenow.models import ServiceNowUser, TokenSet
from bot.store.crypto import RecordBinding, RecordCipher, RotationReport
from bot.store.guard import begin, redis_errors, text, watched_write
from bot.store.keys import Keys

logger = logging.getLogger("snowbot.store.vault")

TokenStatus = Literal["active", "needs_reconnect"]


class TokenRecord(BaseModel):
    """One user's link to ServiceNow (secret values: never log this model)."""

    model_config = ConfigDict(frozen=True)

    access_token: str = Field(repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    expires_at: float  # unix seconds
    scope: str = ""
    servicenow_user: ServiceNowUser
    instance_url: str
    linked_at: float  # unix seconds
    # The Slack profile's email when the link was made (lower case; "" in records from
    # before it was kept): a later user_change with another email drops the link.
    slack_email: str = ""
    # Whether the Slack profile said admin or owner, as of the link or the latest
    # user_change (None in records from before it was kept). Not secret: stored beside
    # the ciphertext so the admin notifier needs no users.info call per linked person.
    slack_admin: bool | None = None
    obtained_at: float = 0.0  # when the current access token was issued (link or refresh)
    status: TokenStatus = "active"
    version: int = 0  # 0: never stored
    key_version: str = ""

    @classmethod
    def linked(
        cls,
        *,
        tokens: TokenSet,
        servicenow_user: ServiceNowUser,
        instance_url: str,
        linked_at: float,
        slack_email: str = "",
        slack_admin: bool | None = None,
    ) -> TokenRecord:
        """A new link, right after the code exchange."""
        return cls(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            scope=tokens.scope,
            servicenow_user=servicenow_user,
            instance_url=instance_url,
            linked_at=linked_at,
            obtained_at=linked_at,
            slack_email=slack_email.strip().lower(),
            slack_admin=slack_admin,
        )

    @property
    def linked_email(self) -> str:
        """The Slack email this link was made for (the ServiceNow one for older records,
        which were made only when the two matched under the default policy)."""
        return self.slack_email or self.servicenow_user.email.strip().lower()

    def expires_within(self, seconds: float, *, now: float) -> bool:
        """Whether the access token is gone, or will be within ``seconds``."""
        return self.expires_at - now <= seconds

    def with_tokens(self, tokens: TokenSet, *, obtained_at: float) -> TokenRecord:
        """This link after a refresh; the old refresh token stays if none came back."""
        return self.model_copy(
            update={
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token or self.refresh_token,
                "expires_at": tokens.expires_at,
                "obtained_at": obtained_at,
                "scope": tokens.scope or self.scope,
                "status": "active",
            }
        )


class LinkedUser(BaseModel):
    """Who is linked in a workspace, for the admin (no secrets)."""

    model_config = ConfigDict(frozen=True)

    slack_user_id: str
    servicenow_user: ServiceNowUser
    instance_url: str
    linked_at: float
    status: TokenStatus
    slack_admin: bool | None = None  # None: not known (a link older than the flag)


def _slack_admin(value: str | None) -> bool | None:
    return None if value is None else value == "1"


def _binding(
    *, enterprise_id: str | None, team_id: str, user_id: str, instance: str
) -> RecordBinding:
    return RecordBinding(
        purpose="token",
        enterprise_id=enterprise_id,
        team_id=team_id,
        subject=user_id,
        instance_url=instance,
    )


def _fields(raw: dict[Any, Any]) -> dict[str, str]:
    return {str(text(k)): str(text(v)) for k, v in raw.items()}


class RedisTokenVault:
    """Encrypted token records with compare-and-set writes."""

    def __init__(self, redis: Redis, *, keys: Keys, cipher: RecordCipher) -> None:
        self._redis = redis
        self._keys = keys
        self._cipher = cipher

    def _key(self, user: SlackUser) -> str:
        return self._keys.token(user.enterprise_id, user.team_id, user.user_id)

    def _open(self, user: SlackUser, fields: dict[str, str]) -> TokenRecord:
        instance = fields.get("instance", "")
        binding = _binding(
            enterprise_id=user.enterprise_id,
            team_id=user.team_id,
            user_id=user.user_id,
            instance=instance,
        )
        payload = self._cipher.open(fields.get("ct", ""), binding=binding)
        try:
            return TokenRecord.model_validate(
                {
                    **payload,
                    "instance_url": instance,
                    "status": fields.get("status", "active"),
                    "version": int(fields.get("version", "0")),
                    "key_version": fields.get("key_version", ""),
                    "slack_admin": _slack_admin(fields.get("slack_admin")),
                }
            )
        except (ValidationError, ValueError) as exc:
            msg = "token record has an unexpected shape"
            raise TokenRecordError(msg) from exc

    def _seal(self, user: SlackUser, record: TokenRecord, *, version: int) -> dict[str, str]:
        binding = _binding(
            enterprise_id=user.enterprise_id,
            team_id=user.team_id,
            user_id=user.user_id,
            instance=record.instance_url,
        )
        secret = record.model_dump(
            mode="json",
            include={
                "access_token",
                "refresh_token",
                "expires_at",
                "scope",
                "servicenow_user",
                "linked_at",
                "obtained_at",
                "slack_email",
            },
        )
        sealed = self._cipher.seal(secret, binding=binding)
        fields = {
            "version": str(version),
            "key_version": sealed.key_version,
            "status": record.status,
            "instance": record.instance_url,
            "ct": sealed.ciphertext,
        }
        if record.slack_admin is not None:
            fields["slack_admin"] = "1" if record.slack_admin else "0"
        return fields

    async def get(self, user: SlackUser) -> TokenRecord | None:
        """The user's record, or None; ``TokenRecordError`` if it is not theirs or unreadable."""
        with redis_errors("reading a token record"):
            raw = await self._redis.hgetall(self._key(user))
        if not raw:
            return None
        return self._open(user, _fields(raw))

    async def require(self, user: SlackUser) -> TokenRecord:
        """The user's record; ``NotLinkedError`` when there is none."""
        record = await self.get(user)
        if record is None:
            msg = "no ServiceNow token stored for this user"
            raise NotLinkedError(msg)
        return record

    async def put(
        self, user: SlackUser, record: TokenRecord, *, expected_version: int | None
    ) -> TokenRecord:
        """Store ``record`` if the stored version is ``expected_version`` (0: none stored).

        ``expected_version=None`` replaces whatever is there (a fresh consent, which also
        clears the user's reconnect-prompt marker). Returns
        the record as stored, with its new version; ``ConcurrencyError`` when another
        writer got there first.
        """
        key = self._key(user)
        index = self._keys.token_index(user.enterprise_id, user.team_id)

        async def step(pipe: Pipeline) -> tuple[int, str]:
            current = int(text(await pipe.hget(key, "version")) or 0)
            if expected_version is not None and current != expected_version:
                msg = f"token record is at version {current}, writer expected {expected_version}"
                raise ConcurrencyError(msg)
            fields = self._seal(user, record, version=current + 1)
            begin(pipe)
            pipe.delete(key)
            pipe.hset(key, mapping=fields)  # type: ignore[arg-type]  # str map is fine
            pipe.sadd(index, user.user_id)
            if expected_version is None:
                # A fresh consent: a later refusal may prompt again at once.
                pipe.delete(
                    self._keys.reconnect_prompted(user.enterprise_id, user.team_id, user.user_id)
                )
            return current + 1, fields["key_version"]

        retry = expected_version is None
        version, key_version = await watched_write(
            self._redis, key, step, action="writing a token record", retry=retry
        )
        logger.info(
            "token record stored",
            extra={"slack_user": user.user_id, "team": user.team_id, "version": version},
        )
        return record.model_copy(update={"version": version, "key_version": key_version})

    async def mark_needs_reconnect(
        self, user: SlackUser, *, expected_version: int | None = None
    ) -> bool:
        """Flag the record so the user is asked to reconnect (tokens are kept).

        True when this call changed the status; False when there is no record, it is
        already flagged, or it is no longer at ``expected_version``.
        """
        key = self._key(user)

        async def step(pipe: Pipeline) -> bool:
            values = await pipe.hmget(key, ["version", "status"])
            version_raw, status_raw = (text(v) for v in values)
            if version_raw is None or status_raw == "needs_reconnect":
                return False
            version = int(version_raw)
            if expected_version is not None and version != expected_version:
                return False
            begin(pipe)
            pipe.hset(key, mapping={"status": "needs_reconnect", "version": str(version + 1)})
            return True

        try:
            flagged = await watched_write(
                self._redis, key, step, action="flagging a token record"
            )
        except ConcurrencyError:
            return False
        if flagged:
            logger.info(
                "token record needs reconnect",
                extra={"slack_user": user.user_id, "team": user.team_id},
            )
        return flagged

    async def delete(self, user: SlackUser) -> bool:
        """Remove the user's record (after revoking it at ServiceNow); True if one existed."""
        index = self._keys.token_index(user.enterprise_id, user.team_id)
        with redis_errors("deleting a token record"):
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._key(user))
                pipe.srem(index, user.user_id)
                deleted, _ = await pipe.execute()
        return bool(deleted)

    async def list_linked(self, enterprise_id: str | None, team_id: str) -> list[LinkedUser]:
        """Every linked user of a workspace, oldest link first (unreadable records skipped)."""
        index = self._keys.token_index(enterprise_id, team_id)
        with redis_errors("listing linked users"):
            members = sorted(str(text(m)) for m in await self._redis.smembers(index))
            async with self._redis.pipeline(transaction=False) as pipe:
                for user_id in members:
                    pipe.hgetall(self._keys.token(enterprise_id, team_id, user_id))
                rows = await pipe.execute()
        linked: list[LinkedUser] = []
        stale: list[str] = []
        for user_id, raw in zip(members, rows, strict=True):
            if not raw:
                stale.append(user_id)
                continue
            user = SlackUser(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
            try:
                record = self._open(user, _fields(raw))
            except TokenRecordError as exc:
                logger.warning(
                    "unreadable token record skipped",
                    extra={"slack_user": user_id, "team": team_id, "reason": exc.detail},
                )
                continue
            linked.append(
                LinkedUser(
                    slack_user_id=user_id,
                    servicenow_user=record.servicenow_user,
                    instance_url=record.instance_url,
                    linked_at=record.linked_at,
                    status=record.status,
                    slack_admin=record.slack_admin,
                )
            )
        if stale:
            with redis_errors("tidying the token index"):
                await self._redis.srem(index, *stale)
        return sorted(linked, key=lambda entry: entry.linked_at)

    async def purge_workspace(self, enterprise_id: str | None, team_id: str) -> int:
        """Delete every token record of a workspace (app uninstalled, tokens revoked)."""
        index = self._keys.token_index(enterprise_id, team_id)
        pattern = self._keys.token_pattern(enterprise_id, team_id)
        with redis_errors("purging a workspace's tokens"):
            names = {
                self._keys.token(enterprise_id, team_id, str(text(m)))
                for m in await self._redis.smembers(index)
            }
            async for name in self._redis.scan_iter(match=pattern, count=500):
                names.add(str(text(name)))
            deleted = 0
            if names:
                deleted = int(await self._redis.delete(*names))
            await self._redis.delete(index)
        logger.info("workspace tokens purged", extra={"team": team_id, "records": deleted})
        return deleted

    async def key_version_counts(self) -> Counter[str]:
        """How many records each key version seals (rotation progress, from clear metadata)."""
        counts: Counter[str] = Counter()
        with redis_errors("counting key versions"):
            async for name in self._redis.scan_iter(match=self._keys.token_pattern(), count=500):
                counts[text(await self._redis.hget(name, "key_version")) or "?"] += 1
        return counts

    async def rotate_all(self) -> RotationReport:
        """Re-seal every record under the newest key, each with compare-and-set."""
        report = RotationReport()
        with redis_errors("listing token records to rotate"):
            names = [
                str(text(name))
                async for name in self._redis.scan_iter(match=self._keys.token_pattern(), count=500)
            ]
        for name in names:
            await self._rotate_one(name, report)
        logger.info(
            "token rotation finished",
            extra={
                "rotated": report.rotated,
                "already_current": report.already_current,
                "failed": report.failed,
                "conflicts": report.conflicts,
            },
        )
        return report

    async def _rotate_one(self, name: str, report: RotationReport) -> None:
        owner = self._keys.parse_token(name)
        if owner is None:
            return
        enterprise_id, team_id, user_id = owner

        async def step(pipe: Pipeline) -> bool:
            fields = _fields(await pipe.hgetall(name))
            if not fields:
                return False
            ciphertext = fields.get("ct", "")
            if self._cipher.is_current(ciphertext):
                report.already_current += 1
                return False
            binding = _binding(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                instance=fields.get("instance", ""),
            )
            try:
                sealed = self._cipher.rotate(ciphertext, binding=binding)
            except TokenRecordError as exc:
                logger.warning(
                    "token record cannot be rotated",
                    extra={"slack_user": user_id, "team": team_id, "reason": exc.detail},
                )
                report.failed += 1
                return False
            begin(pipe)
            pipe.hset(name, mapping={"ct": sealed.ciphertext, "key_version": sealed.key_version})
            return True

        try:
            rotated = await watched_write(self._redis, name, step, action="rotating a token record")
        except ConcurrencyError:
            report.conflicts += 1
            return
        report.rotated += rotated

