"""Valid access tokens for one user: refresh once, across coroutines and replicas.

The ServiceNow client asks a ``TokenSource`` for a token before each call, and once
more after a 401 with the token that was rejected. ``TokenRefresher`` implements it
over the vault:

1. Read the record; a token valid for more than ``margin_s`` (at most half its
   lifetime, so short-lived tokens are not refreshed on every call) is used as it is.
2. Single-flight inside the process: one task per user, every caller awaits it.
3. Single-flight across replicas: a Redis lock per user with an owner token and a
   TTL (``keys.REFRESH_LOCK_TTL``); after acquiring it the record is read again and,
   if another replica refreshed meanwhile, that result is used.
4. The refresh call (injected: the HTTP part belongs to the ServiceNow client) runs
   under a deadline shorter than the lock TTL; the new tokens are written with a
   compare-and-set on ``version`` *before* the access token is handed out; the old
   refresh token is kept when ServiceNow returns none.
5. A refusal (``ReconnectRequiredError`` from the call) re-reads first, since another
   replica may have refreshed; only an unchanged record is flagged
   ``needs_reconnect`` (never deleted), once, and the refusal is counted per
   workspace so admins can be told when many users fail together.
6. ServiceNow unreachable (``ServiceNowUnavailableError``) never flags anything.

The lock only saves duplicate refreshes; correctness comes from the version CAS. A
holder that dies mid-refresh leaves the stored record as it was: ServiceNow does not
rotate refresh tokens by default, so the stored refresh token still works and the
next holder (after the lock's TTL) refreshes with it, with no new consent. Where an
instance does rotate them strictly, the dead holder's new refresh token is lost and
the next refresh is refused: the user is asked once to reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, LockNotOwnedError, RedisError

from bot.errors import (
    ConcurrencyError,
    NotLinkedError,
    ReconnectRequiredError,
    ServiceNowUnavailableError,
    StoreError,
)
from bot.models import SlackUser
from bot.servicenow.models import TokenSet
from bot.store.guard import compare_and_delete, redis_errors
from bot.store.keys import (
    RECONNECT_PROMPT_TTL,
    REFRESH_FAILURE_TTL,
    REFRESH_LOCK_TTL,
    Keys,
)
from bot.store.vault import RedisTokenVault, TokenRecord

logger = logging.getLogger("snowbot.store.refresh")

RefreshCall = Callable[[str], Awaitable[TokenSet]]
"""refresh token -> new tokens; raises ReconnectRequiredError or ServiceNowUnavailableError."""

Clock = Callable[[], float]


class TokenSource(Protocol):
    """What the ServiceNow client needs: a valid access token for one user."""

    async def access_token(self) -> str:
        """A valid access token, refreshed first if it expires within a margin."""
        ...

    async def refreshed_token(self, rejected: str) -> str:
        """A new access token, after ServiceNow answered 401 to ``rejected``."""
        ...


class _OwnedLock(Lock):
    """redis-py's lock (SET NX PX, owner token), released by WATCH/MULTI instead of Lua.

    The embedded ``memory://`` store runs no Lua; compare-and-delete under WATCH is
    just as safe: the key is deleted only while it still holds our owner token.
    """

    def __init__(self, redis: Redis, name: str, **options: Any) -> None:
        super().__init__(redis, name, **options)
        self._client = redis

    async def do_release(self, expected_token: bytes) -> None:
        released = await compare_and_delete(
            self._client, str(self.name), expected_token.decode(), action="releasing a lock"
        )
        if not released:
            msg = "Cannot release a lock that's no longer owned"
            raise LockNotOwnedError(msg, lock_name=str(self.name))


class TokenRefresher:
    """Process-wide refresh coordination; hands out one ``VaultTokenSource`` per user."""

    def __init__(
        self,
        *,
        vault: RedisTokenVault,
        redis: Redis,
        keys: Keys,
        clock: Clock = time.time,
        margin_s: float = 300.0,
        lock_ttl_s: float = REFRESH_LOCK_TTL,
        lock_wait_s: float = 5.0,
        lock_poll_s: float = 0.05,
        refresh_timeout_s: float = 10.0,
    ) -> None:
        self._vault = vault
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._margin_s = margin_s
        self._lock_ttl_s = lock_ttl_s
        self._lock_wait_s = lock_wait_s
        self._lock_poll_s = lock_poll_s
        self._refresh_timeout_s = refresh_timeout_s
        self._flights: dict[str, asyncio.Task[TokenRecord]] = {}

    def source(
        self,
        user: SlackUser,
        *,
        refresh_call: RefreshCall,
        instance_url: str | None = None,
        record: TokenRecord | None = None,
    ) -> VaultTokenSource:
        """The token source for one user; ``instance_url`` refuses links to another instance.

        ``record``: the user's record as the caller just read it, used by the first token
        request instead of reading (and decrypting) it again.
        """
        return VaultTokenSource(
            self, user, refresh_call=refresh_call, instance_url=instance_url, record=record
        )

    async def access_token(
        self,
        user: SlackUser,
        *,
        refresh_call: RefreshCall,
        instance_url: str | None = None,
        known: TokenRecord | None = None,
    ) -> str:
        """A valid access token for ``user`` (see ``TokenSource.access_token``).

        ``known``: the record just read by the caller (checked, not read again).
        """
        if known is None:
            record = await self._current(user, instance_url)
        else:
            record = self._checked(known, instance_url)
        if self._fresh(record):
            return record.access_token
        fresh = await self._join(
            user, refresh_call=refresh_call, seen_version=record.version, rejected=None
        )
        return fresh.access_token

    async def refreshed_token(
        self,
        user: SlackUser,
        *,
        rejected: str,
        refresh_call: RefreshCall,
        instance_url: str | None = None,
    ) -> str:
        """A token other than ``rejected`` (see ``TokenSource.refreshed_token``)."""
        record = await self._current(user, instance_url)
        if record.access_token != rejected and record.expires_at > self._clock():
            return record.access_token
        fresh = await self._join(
            user, refresh_call=refresh_call, seen_version=record.version, rejected=rejected
        )
        if fresh.access_token == rejected:
            # Joined a flight that found the token still fresh: refresh for real, once.
            fresh = await self._join(
                user, refresh_call=refresh_call, seen_version=fresh.version, rejected=rejected
            )
        return fresh.access_token

    async def recent_refresh_failures(
        self, enterprise_id: str | None, team_id: str, *, window_s: float
    ) -> list[str]:
        """Slack user ids whose refresh ServiceNow refused within the last ``window_s``."""
        key = self._keys.refresh_failures(enterprise_id, team_id)
        with redis_errors("reading refresh failures"):
            members = await self._redis.zrangebyscore(key, self._clock() - window_s, "+inf")
        return [m.decode() if isinstance(m, bytes) else str(m) for m in members]

    async def claim_reconnect_prompt(self, user: SlackUser) -> bool:
        """True at most once per ``RECONNECT_PROMPT_TTL``: whether to ask the user again."""
        key = self._keys.reconnect_prompted(user.enterprise_id, user.team_id, user.user_id)
        with redis_errors("rate-limiting reconnect prompts"):
            return bool(await self._redis.set(key, b"1", nx=True, ex=RECONNECT_PROMPT_TTL))

    async def aclose(self) -> None:
        """Cancel refreshes still running (shutdown); their records stay as they were."""
        flights = list(self._flights.values())
        for task in flights:
            task.cancel()
        for task in flights:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _current(self, user: SlackUser, instance_url: str | None) -> TokenRecord:
        record = await self._vault.get(user)
        if record is None:
            msg = "no ServiceNow token stored for this user"
            raise NotLinkedError(msg)
        return self._checked(record, instance_url)

    def _checked(self, record: TokenRecord, instance_url: str | None) -> TokenRecord:
        if record.status == "needs_reconnect":
            msg = "ServiceNow refused this user's refresh token earlier"
            raise ReconnectRequiredError(msg)
        if instance_url is not None and record.instance_url != instance_url:
            msg = "this user is linked to another ServiceNow instance"
            raise ReconnectRequiredError(msg)
        return record

    async def _join(
        self,
        user: SlackUser,
        *,
        refresh_call: RefreshCall,
        seen_version: int,
        rejected: str | None,
    ) -> TokenRecord:
        name = self._keys.token(user.enterprise_id, user.team_id, user.user_id)
        task = self._flights.get(name)
        if task is None or task.done():
            task = asyncio.create_task(
                self._refresh(
                    user, refresh_call=refresh_call, seen_version=seen_version, rejected=rejected
                ),
                name=f"token-refresh:{user.team_id}:{user.user_id}",
            )
            self._flights[name] = task
            task.add_done_callback(lambda done: self._forget(name, done))
        return await asyncio.shield(task)

    def _forget(self, name: str, task: asyncio.Task[TokenRecord]) -> None:
        if self._flights.get(name) is task:
            del self._flights[name]

    def _fresh(self, record: TokenRecord) -> bool:
        """Valid beyond the margin (at most half the token's lifetime, for short-lived ones)."""
        margin = self._margin_s
        lifetime = record.expires_at - record.obtained_at
        if record.obtained_at > 0 and lifetime > 0:
            margin = min(margin, lifetime / 2)
        return not record.expires_within(margin, now=self._clock())

    def _usable(self, record: TokenRecord, *, seen_version: int, rejected: str | None) -> bool:
        if record.status != "active" or record.access_token == rejected:
            return False
        if record.version != seen_version and record.expires_at > self._clock():
            return True  # another replica refreshed while we waited for the lock
        return self._fresh(record)

    async def _refresh(
        self,
        user: SlackUser,
        *,
        refresh_call: RefreshCall,
        seen_version: int,
        rejected: str | None,
    ) -> TokenRecord:
        lock = _OwnedLock(
            self._redis,
            self._keys.refresh_lock(user.enterprise_id, user.team_id, user.user_id),
            timeout=self._lock_ttl_s,
            sleep=self._lock_poll_s,
            blocking_timeout=self._lock_wait_s,
            thread_local=False,
        )
        with redis_errors("taking the refresh lock"):
            acquired = await lock.acquire()
        try:
            current = await self._current(user, None)
            if self._usable(current, seen_version=seen_version, rejected=rejected):
                return current
            if not acquired:
                msg = "another replica has been refreshing this token for too long"
                raise ServiceNowUnavailableError(msg)
            return await self._exchange(user, current, refresh_call=refresh_call, rejected=rejected)
        finally:
            if acquired:
                await self._release(lock, user)

    async def _exchange(
        self,
        user: SlackUser,
        current: TokenRecord,
        *,
        refresh_call: RefreshCall,
        rejected: str | None,
    ) -> TokenRecord:
        if not current.refresh_token:
            return await self._refused(user, current, rejected=rejected)
        try:
            async with asyncio.timeout(self._refresh_timeout_s):
                tokens = await refresh_call(current.refresh_token)
        except TimeoutError as exc:
            msg = "the token refresh took too long"
            raise ServiceNowUnavailableError(msg) from exc
        except ReconnectRequiredError:
            return await self._refused(user, current, rejected=rejected)
        updated = current.with_tokens(tokens, obtained_at=self._clock())
        try:
            stored = await self._vault.put(user, updated, expected_version=current.version)
        except ConcurrencyError:
            return await self._lost_race(user, updated)
        logger.info(
            "token refreshed",
            extra={"slack_user": user.user_id, "team": user.team_id, "version": stored.version},
        )
        return stored

    async def _lost_race(self, user: SlackUser, updated: TokenRecord) -> TokenRecord:
        """Our CAS lost (our lock had expired): prefer what is stored, else store ours."""
        latest = await self._vault.get(user)
        if latest is None:
            msg = "the user disconnected while their token was being refreshed"
            raise NotLinkedError(msg)
        if latest.status == "active" and latest.expires_at > self._clock():
            return latest
        # The other writer flagged the record after a refusal that our own successful
        # refresh caused (strict rotation): our tokens are the good ones.
        return await self._vault.put(user, updated, expected_version=latest.version)

    async def _refused(
        self, user: SlackUser, current: TokenRecord, *, rejected: str | None
    ) -> TokenRecord:
        latest = await self._vault.get(user)
        if latest is None:
            msg = "the user disconnected while their token was being refreshed"
            raise NotLinkedError(msg)
        if latest.version != current.version and self._usable(
            latest, seen_version=current.version, rejected=rejected
        ):
            return latest
        if await self._vault.mark_needs_reconnect(user, expected_version=current.version):
            await self._count_failure(user)
        else:
            latest = await self._vault.get(user)
            if latest is not None and self._usable(
                latest, seen_version=current.version, rejected=rejected
            ):
                return latest
        msg = "ServiceNow refused the refresh token"
        raise ReconnectRequiredError(msg)

    async def _count_failure(self, user: SlackUser) -> None:
        key = self._keys.refresh_failures(user.enterprise_id, user.team_id)
        now = self._clock()
        logger.warning(
            "token refresh refused: user must reconnect",
            extra={"slack_user": user.user_id, "team": user.team_id},
        )
        with redis_errors("counting a refused refresh"):
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zadd(key, {user.user_id: now})
                pipe.zremrangebyscore(key, "-inf", now - REFRESH_FAILURE_TTL)
                pipe.expire(key, REFRESH_FAILURE_TTL)
                await pipe.execute()

    async def _release(self, lock: _OwnedLock, user: SlackUser) -> None:
        try:
            await lock.release()
        except LockError:
            logger.info(
                "refresh lock expired before release",
                extra={"slack_user": user.user_id, "team": user.team_id},
            )
        except (RedisError, OSError, StoreError):
            logger.warning(
                "refresh lock not released: it expires by itself",
                extra={"slack_user": user.user_id, "team": user.team_id},
            )


class VaultTokenSource:
    """``TokenSource`` for one user, backed by the vault and the shared refresher."""

    def __init__(
        self,
        refresher: TokenRefresher,
        user: SlackUser,
        *,
        refresh_call: RefreshCall,
        instance_url: str | None = None,
        record: TokenRecord | None = None,
    ) -> None:
        self._refresher = refresher
        self._refresh_call = refresh_call
        self._instance_url = instance_url
        self._known = record
        self.user = user

    async def access_token(self) -> str:
        """A valid access token, refreshed first if it expires within the margin.

        The first call uses the record the source was made with (one vault read per
        operation); later ones read the vault, where a refresh may have landed.
        """
        known, self._known = self._known, None
        return await self._refresher.access_token(
            self.user,
            refresh_call=self._refresh_call,
            instance_url=self._instance_url,
            known=known,
        )

    async def refreshed_token(self, rejected: str) -> str:
        """A new access token, after ServiceNow answered 401 to ``rejected``."""
        return await self._refresher.refreshed_token(
            self.user,
            rejected=rejected,
            refresh_call=self._refresh_call,
            instance_url=self._instance_url,
        )
