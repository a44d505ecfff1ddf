"""``Poller``: polls every linked user's incidents once per ``SNOWBOT_POLL_INTERVAL``,
spread across replicas through Redis; ``running_poller`` starts and stops it.

For instances where nobody may add a Business Rule. Every replica runs the same loop:

- every ``sync_every`` seconds it adds the linked users of every workspace to the
  shared schedule (a sorted set: user → when due), new ones spread over one interval;
- every ``tick`` it takes the users that are due, each won by one replica only
  (``NotifyStore.take_due``), and polls them (``Notifier.poll_user``), a few at a time;
- a 429 pauses the workspace's polls for ``Retry-After`` (at least one tick);
  a disconnected user leaves the schedule, one flagged for reconnecting is skipped.

Poll lag (how late a poll started after it was due) goes to
``snowbot_notify_poll_lag_seconds``. Clock, sleep and randomness are injected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from bot import errors
from bot.models import SlackUser
from bot.notify.notifier import Notifier
from bot.store.guard import redis_errors, text

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)

DEFAULT_RATE_LIMIT_PAUSE = 60.0


class Poller:
    """The polling loop of one replica."""

    def __init__(
        self,
        c: Container,
        *,
        interval: float,
        tick: float = 1.0,
        batch: int = 100,
        concurrency: int = 8,
        sync_every: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.c = c
        self.notifier = Notifier(c)
        self.interval = interval
        self.tick = tick
        self.batch = batch
        self.sync_every = min(sync_every, interval)
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - spreading polls, not a secret
        self._slots = asyncio.Semaphore(concurrency)
        self._next_sync = 0.0

    async def run(self) -> None:
        """Poll until cancelled; a failed round is logged and the next one runs."""
        while True:
            try:
                await self.round()
            except errors.BotError as exc:
                log.warning("poll round failed: %s", type(exc).__name__)
            await self._sleep(self.tick)

    async def round(self) -> int:
        """One tick: sync the schedule when it is time, poll who is due; users polled."""
        now = self.c.clock()
        if now >= self._next_sync:
            await self.sync(now)
            self._next_sync = now + self.sync_every
        due = await self.notifier.store.take_due(
            now=now, interval=self.interval, limit=self.batch
        )
        await asyncio.gather(*(self._poll(user, since=at) for user, at in due))
        return len(due)

    async def sync(self, now: float) -> int:
        """Put every linked user on the schedule (new ones spread over one interval)."""
        users: list[SlackUser] = []
        redis, keys = self.c.redis, self.c.keys
        with redis_errors("listing linked users for polling"):
            async for key in redis.scan_iter(match=keys.token_index_pattern(), count=500):
                workspace = keys.parse_token_index(key)
                if workspace is None:
                    continue
                enterprise_id, team_id = workspace
                for user_id in await redis.smembers(key):
                    users.append(SlackUser(enterprise_id=enterprise_id, team_id=team_id,
                                           user_id=str(text(user_id))))
        due = {user: now + self._rng.uniform(0, self.interval) for user in users}
        await self.notifier.store.schedule(due)
        return len(users)

    async def _poll(self, user: SlackUser, *, since: float) -> None:
        async with self._slots:
            if await self.notifier.store.paused(user.enterprise_id, user.team_id):
                return
            self.c.metrics.poll_lag.observe(max(self.c.clock() - since, 0.0))
            try:
                await self.notifier.poll_user(user)
            except errors.ServiceNowRateLimitedError as exc:
                wait = exc.retry_after or DEFAULT_RATE_LIMIT_PAUSE
                await self.notifier.store.pause(user.enterprise_id, user.team_id, wait)
                log.info("ServiceNow asked polls to wait %.0f s", wait)
            except errors.BotError as exc:
                log.info("poll of one user failed: %s", type(exc).__name__)


@contextlib.asynccontextmanager
async def running_poller(c: Container, *, tick: float = 1.0) -> AsyncIterator[Poller | None]:
    """Run the poller in the background while the block runs (not when the interval
    is 0); cancel it cleanly on exit."""
    interval = c.settings.poll_interval
    if interval <= 0:
        yield None
        return
    poller = Poller(c, interval=interval, tick=tick)
    task = asyncio.get_running_loop().create_task(poller.run(), name="notify-poller")
    try:
        yield poller
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

