"""``NotifyStore``: the Redis side of notifications, every key named in ``bot.store.keys``.

- ``seen``/``put_seen``: what a user was last told about an incident (``Seen``).
- ``claim``/``release``: ``SET NX`` per (user, incident, change), so one change makes
  one DM across replicas, restarts, and push and poll both seeing it.
- ``lock``: one replica at a time works out one user's incident (owner token, TTL).
- ``open_dm``/``keep_dm``: the DM still taking changes (60 s), for ``chat.update``.
- ``watch``/``unwatch``/``watched``, ``set_enabled``/``enabled``: the user's choices.
- ``add_people``/``people``: who hears about an incident (for events, which name only it).
- ``cursor``/``put_cursor``: a user's poll cursor and time zone.
- ``due``/``take_due``/``reschedule``/``drop``: the poll schedule shared by replicas.
- ``pause``/``paused_for``: a workspace's polls wait after a 429.

Every Redis failure is ``StoreError`` (``bot.store.guard``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

from redis.asyncio import Redis

from bot.models import SlackUser
from bot.notify.changes import Seen
from bot.store.guard import redis_errors, text
from bot.store.keys import (
    NOTIFY_CLAIM_TTL,
    NOTIFY_COALESCE_S,
    NOTIFY_LOCK_TTL,
    NOTIFY_SETTING_TTL,
    NOTIFY_STATE_TTL,
    Keys,
)


class NotifyLockedError(Exception):
    """Another replica kept the incident's lock longer than we would wait (not operational:
    the caller drops this round; the next event or poll sees the change)."""


def member(user: SlackUser) -> str:
    """The schedule's name for a user: ``enterprise:team:user``."""
    return f"{user.enterprise_id or '-'}:{user.team_id}:{user.user_id}"


def user_of(name: str | bytes) -> SlackUser | None:
    """The user a schedule member names, or None."""
    parts = (name.decode() if isinstance(name, bytes) else name).split(":")
    if len(parts) != 3 or not all(parts):
        return None
    enterprise, team, user = parts
    return SlackUser(enterprise_id=None if enterprise == "-" else enterprise, team_id=team,
                     user_id=user)


class NotifyStore:
    """Notification state in Redis."""

    def __init__(
        self, redis: Redis, *, keys: Keys, clock: Callable[[], float] = time.time
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock

    # -- what the user was told ---------------------------------------------------
    async def seen(self, user: SlackUser, sys_id: str) -> Seen | None:
        """The baseline of one incident for one user, if any."""
        key = self._keys.notify_seen(user.enterprise_id, user.team_id, user.user_id, sys_id)
        with redis_errors("reading what a user was told"):
            raw = text(await self._redis.get(key))
        return Seen.model_validate_json(raw) if raw else None

    async def put_seen(self, user: SlackUser, sys_id: str, seen: Seen) -> None:
        """Keep the baseline (``NOTIFY_STATE_TTL``)."""
        key = self._keys.notify_seen(user.enterprise_id, user.team_id, user.user_id, sys_id)
        with redis_errors("keeping what a user was told"):
            await self._redis.set(key, seen.model_dump_json(), ex=NOTIFY_STATE_TTL)

    async def claim(self, user: SlackUser, sys_id: str, what: str) -> bool:
        """True for the one caller that handles change ``what``; False for every other."""
        key = self._keys.notify_claim(
            user.enterprise_id, user.team_id, user.user_id, sys_id, what
        )
        with redis_errors("claiming a change"):
            return bool(await self._redis.set(key, b"1", nx=True, ex=NOTIFY_CLAIM_TTL))

    async def release(self, user: SlackUser, sys_id: str, whats: Sequence[str]) -> None:
        """Give claims back after the DM could not be sent, so a later round retries."""
        if not whats:
            return
        names = [
            self._keys.notify_claim(user.enterprise_id, user.team_id, user.user_id, sys_id, w)
            for w in whats
        ]
        with redis_errors("releasing change claims"):
            await self._redis.delete(*names)

    @contextlib.asynccontextmanager
    async def lock(
        self, user: SlackUser, sys_id: str, *, wait: float = 5.0
    ) -> AsyncIterator[None]:
        """Hold the (user, incident) lock; ``NotifyLockedError`` after ``wait`` seconds."""
        key = self._keys.notify_lock(user.enterprise_id, user.team_id, user.user_id, sys_id)
        token = secrets.token_hex(8).encode()
        deadline = time.monotonic() + wait
        while True:
            with redis_errors("taking a notification lock"):
                if await self._redis.set(key, token, nx=True, px=int(NOTIFY_LOCK_TTL * 1000)):
                    break
            if time.monotonic() > deadline:
                raise NotifyLockedError(sys_id)
            await asyncio.sleep(0.05)
        try:
            yield
        finally:
            with redis_errors("releasing a notification lock"):
                if await self._redis.get(key) == token:  # ours still (not expired and retaken)
                    await self._redis.delete(key)

    # -- the DM that still takes changes ------------------------------------------
    async def open_dm(self, user: SlackUser, sys_id: str) -> dict[str, Any] | None:
        """The DM sent about this incident in the last minute (channel, ts, changes)."""
        key = self._keys.notify_dm(user.enterprise_id, user.team_id, user.user_id, sys_id)
        with redis_errors("reading the open notification"):
            raw = text(await self._redis.get(key))
        if not raw:
            return None
        data = json.loads(raw)
        return data if isinstance(data, dict) else None

    async def keep_dm(
        self, user: SlackUser, sys_id: str, record: dict[str, Any], *, ttl: int | None = None
    ) -> None:
        """Keep the DM open for changes until a minute after it was first sent."""
        key = self._keys.notify_dm(user.enterprise_id, user.team_id, user.user_id, sys_id)
        with redis_errors("keeping the open notification"):
            await self._redis.set(key, json.dumps(record), ex=max(ttl or NOTIFY_COALESCE_S, 1))

    # -- the user's choices -------------------------------------------------------
    async def watch(self, user: SlackUser, sys_id: str, number: str) -> bool:
        """Watch an incident; False when it was watched already."""
        key = self._keys.notify_watch(user.enterprise_id, user.team_id, user.user_id)
        with redis_errors("watching an incident"):
            added = await self._redis.hset(key, sys_id, number)
            await self._redis.expire(key, NOTIFY_SETTING_TTL)
        await self.add_people(user, sys_id)
        return bool(added)

    async def unwatch(self, user: SlackUser, number: str) -> str | None:
        """Stop watching the incident numbered ``number``; its sys_id, or None."""
        key = self._keys.notify_watch(user.enterprise_id, user.team_id, user.user_id)
        for sys_id, watched in (await self.watched(user)).items():
            if watched == number:
                with redis_errors("unwatching an incident"):
                    await self._redis.hdel(key, sys_id)
                return sys_id
        return None

    async def watched(self, user: SlackUser) -> dict[str, str]:
        """The incidents the user watches: sys_id → number."""
        key = self._keys.notify_watch(user.enterprise_id, user.team_id, user.user_id)
        with redis_errors("listing watched incidents"):
            raw = await self._redis.hgetall(key)
        return {str(text(k)): str(text(v)) for k, v in raw.items()}

    async def set_enabled(self, user: SlackUser, *, enabled: bool) -> None:
        """Turn notifications about the user's own incidents on (default) or off."""
        key = self._keys.notify_off(user.enterprise_id, user.team_id, user.user_id)
        with redis_errors("changing the notification setting"):
            if enabled:
                await self._redis.delete(key)
            else:
                await self._redis.set(key, b"1", ex=NOTIFY_SETTING_TTL)

    async def enabled(self, user: SlackUser) -> bool:
        """Whether the user hears about the incidents they raised."""
        key = self._keys.notify_off(user.enterprise_id, user.team_id, user.user_id)
        with redis_errors("reading the notification setting"):
            return not await self._redis.exists(key)

    # -- who hears about an incident ------------------------------------------------
    async def add_people(self, user: SlackUser, *sys_ids: str) -> None:
        """Record that ``user`` hears about these incidents (caller or watcher)."""
        if not sys_ids:
            return
        with redis_errors("indexing incidents for notifications"):
            async with self._redis.pipeline(transaction=False) as pipe:
                for sys_id in sys_ids:
                    key = self._keys.notify_people(user.enterprise_id, user.team_id, sys_id)
                    pipe.sadd(key, user.user_id)
                    pipe.expire(key, NOTIFY_STATE_TTL)
                await pipe.execute()

    async def people(self, enterprise_id: str | None, team_id: str, sys_id: str) -> list[str]:
        """Slack user ids that hear about one incident."""
        key = self._keys.notify_people(enterprise_id, team_id, sys_id)
        with redis_errors("reading who hears about an incident"):
            return sorted(str(text(m)) for m in await self._redis.smembers(key))

    # -- polling -------------------------------------------------------------------
    async def cursor(self, user: SlackUser) -> tuple[float, str] | None:
        """``(cursor unix seconds, time zone)`` of the user's last poll, if any."""
        key = self._keys.notify_cursor(user.enterprise_id, user.team_id, user.user_id)
        with redis_errors("reading a poll cursor"):
            raw = text(await self._redis.get(key))
        if not raw:
            return None
        data = json.loads(raw)
        return float(data.get("at", 0.0)), str(data.get("tz") or "UTC")

    async def put_cursor(self, user: SlackUser, *, at: float, tz: str) -> None:
        """Keep the user's poll cursor (never later than the poll's own start)."""
        key = self._keys.notify_cursor(user.enterprise_id, user.team_id, user.user_id)
        with redis_errors("keeping a poll cursor"):
            await self._redis.set(key, json.dumps({"at": at, "tz": tz}), ex=NOTIFY_STATE_TTL)

    async def schedule(self, due: Mapping[SlackUser, float]) -> None:
        """Add users to the shared schedule at their due times (one ``ZADD NX``: those
        already there keep theirs)."""
        if not due:
            return
        with redis_errors("scheduling polls"):
            await self._redis.zadd(
                self._keys.notify_due(), {member(u): at for u, at in due.items()}, nx=True
            )
            await self._redis.expire(self._keys.notify_due(), NOTIFY_STATE_TTL)

    async def take_due(
        self, *, now: float, interval: float, limit: int
    ) -> list[tuple[SlackUser, float]]:
        """Up to ``limit`` users whose poll is due (with when it was due), each won by
        exactly one replica.

        A due entry is claimed with ``SET NX`` on (member, its due time), then moved one
        interval on: another replica that read the same entry loses the claim. No Lua,
        so the embedded store runs it too.
        """
        due_key = self._keys.notify_due()
        with redis_errors("reading the poll schedule"):
            rows: list[Any] = await self._redis.zrangebyscore(
                due_key, "-inf", now, start=0, num=limit, withscores=True
            )
        won: list[tuple[SlackUser, float]] = []
        for name, raw_score in rows:
            score = float(raw_score)
            user = user_of(name)
            if user is None:
                continue
            claim = self._keys.notify_claim(
                user.enterprise_id, user.team_id, user.user_id, "poll", f"{score:.3f}"
            )
            with redis_errors("claiming a poll"):
                if not await self._redis.set(claim, b"1", nx=True, ex=max(int(interval), 60)):
                    continue
                await self._redis.zadd(due_key, {member(user): max(score + interval, now)})
            won.append((user, score))
        return won

    async def drop(self, user: SlackUser) -> None:
        """Take a user off the schedule (disconnected)."""
        with redis_errors("unscheduling a poll"):
            await self._redis.zrem(self._keys.notify_due(), member(user))

    async def pause(self, enterprise_id: str | None, team_id: str, seconds: float) -> None:
        """Hold a workspace's polls for ``seconds`` (ServiceNow's Retry-After)."""
        key = self._keys.notify_backoff(enterprise_id, team_id)
        with redis_errors("pausing polls"):
            await self._redis.set(key, b"1", px=max(int(seconds * 1000), 1))

    async def paused(self, enterprise_id: str | None, team_id: str) -> bool:
        """Whether the workspace's polls wait for ServiceNow."""
        key = self._keys.notify_backoff(enterprise_id, team_id)
        with redis_errors("reading a poll pause"):
            return bool(await self._redis.exists(key))

    async def rated(self, user: SlackUser, sys_id: str) -> bool:
        """True for the first rating from a notification (one feedback record)."""
        key = self._keys.notify_rated(user.enterprise_id, user.team_id, user.user_id, sys_id)
        with redis_errors("claiming a rating"):
            return bool(await self._redis.set(key, b"1", nx=True, ex=NOTIFY_STATE_TTL))

    async def unrate(self, user: SlackUser, sys_id: str) -> None:
        """Give the rating claim back (nothing was recorded)."""
        key = self._keys.notify_rated(user.enterprise_id, user.team_id, user.user_id, sys_id)
        with redis_errors("releasing a rating"):
            await self._redis.delete(key)
