"""The workspace's setup progress in Redis: who runs the test, what it saw, who is asked.

One JSON value under ``Keys.setup_session`` (no secrets: the client secret lives in
``InstanceConfigStore`` only), kept ``SETUP_TTL``. ``update`` is a compare-and-set
(WATCH/MULTI), because the callback, the delayed "no callback" check and the
colleague's link may all write the same record.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.setup.diagnosis import Observations
from bot.store.guard import begin, redis_errors, text, watched_write
from bot.store.keys import Keys

SETUP_TTL = 30 * 86_400  # a month: setup is rarely done in one sitting
_CAS_ATTEMPTS = 5


def new_run_id() -> str:
    """An id for one run of the connection test."""
    return secrets.token_hex(8)


class SetupRecord(BaseModel):
    """Where the workspace's setup stands."""

    model_config = ConfigDict(frozen=True)

    admin_id: str = ""  # who ran the last test (and is told its results)
    run_id: str = ""
    observations: Observations = Field(default_factory=Observations)
    started_at: float = 0.0
    redeemed_at: float | None = None  # when the admin opened the sign-in link
    colleague_id: str = ""
    colleague_name: str = ""

    @property
    def connection_ok(self) -> bool | None:
        """Whether the admin's part of the test passed (None: not run or not finished)."""
        obs = self.observations
        steps = (obs.token_probe, obs.authorize_probe, obs.signin, obs.exchange,
                 obs.identity, obs.incidents)
        if any(step not in (None, "ok", "waiting", "opened") for step in steps):
            return False
        if all(step == "ok" for step in steps):
            return True
        return None

    @property
    def feedback_ok(self) -> bool | None:
        """Whether the feedback table answered (None: not checked)."""
        value = self.observations.feedback
        return None if value is None else value == "ok"


class SetupRecords:
    """Reads and updates the setup record of a workspace."""

    def __init__(self, redis: Redis, *, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def get(self, enterprise_id: str | None, team_id: str) -> SetupRecord:
        """The record (an empty one when there is none or it is unreadable)."""
        with redis_errors("reading the setup progress"):
            raw = text(await self._redis.get(self._keys.setup_session(enterprise_id, team_id)))
        return _parse(raw)

    async def update(
        self,
        enterprise_id: str | None,
        team_id: str,
        change: Callable[[SetupRecord], SetupRecord | None],
    ) -> SetupRecord:
        """Apply ``change`` atomically (it returns None to leave the record alone)."""
        key = self._keys.setup_session(enterprise_id, team_id)

        async def step(pipe: Pipeline) -> SetupRecord:
            current = _parse(text(await pipe.get(key)))
            changed = change(current)
            if changed is None:
                return current
            begin(pipe)
            pipe.set(key, changed.model_dump_json(), ex=SETUP_TTL)
            return changed

        return await watched_write(
            self._redis, key, step, action="updating the setup progress", attempts=_CAS_ATTEMPTS
        )

    async def clear(self, enterprise_id: str | None, team_id: str) -> None:
        """Forget the progress (a new configuration starts a new test)."""
        with redis_errors("clearing the setup progress"):
            await self._redis.delete(self._keys.setup_session(enterprise_id, team_id))


def _parse(raw: str | None) -> SetupRecord:
    if raw is None:
        return SetupRecord()
    try:
        return SetupRecord.model_validate_json(raw)
    except ValidationError:
        return SetupRecord()
