"""Idempotent creates: a slow answer and a process killed after ServiceNow committed,
each end with exactly one incident."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from bot.servicenow.client import ServiceNowIncidents
from bot.servicenow.http import open_http_client
from bot.servicenow.idempotency import correlation_for
from bot.servicenow.instance import parse_instance
from bot.servicenow.session import ServiceNowSession
from bot.services import StaticToken
from bot.settings import Settings
from bot.store.dedupe import IdempotencyKeys
from bot.store.keys import Keys
from snowbot_sandbox.server import serve_app
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.app.flows import SlowAnswers
from tests.app.procs.create_process import DRAFT
from tests.conftest import REDIS_URL

INCIDENT_TABLE = "/api/now/v2/table/incident"
CLIENT_ID = "snowbot-create-test"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Slow:
    """The sandbox behind a slow front, a user's token and what a client needs."""

    sandbox: ServiceNowSandbox
    url: str
    access_token: str
    caller_sys_id: str
    http: httpx.AsyncClient
    redis: Redis
    prefix: str

    def client(self) -> ServiceNowIncidents:
        """A client as the app builds it (default time budget), acting as Abel."""
        session = ServiceNowSession(
            http=self.http,
            instance=parse_instance(self.url, allow_insecure=True),
            tokens=StaticToken(self.access_token),
        )
        guard = IdempotencyKeys(self.redis, keys=Keys(prefix=self.prefix))
        return ServiceNowIncidents(session=session, guard=guard)

    def with_key(self, key: str) -> list[dict[str, Any]]:
        """Incidents carrying the correlation id of ``key``."""
        correlation = correlation_for(key)
        return [r for r in self.sandbox.rows("incident") if r.get("correlation_id") == correlation]

    def posts(self) -> int:
        """Creates that reached the sandbox."""
        return len(
            [r for r in self.sandbox.requests if r.method == "POST" and r.path == INCIDENT_TABLE]
        )


@pytest.fixture
async def slow(redis: Redis, redis_prefix: str) -> AsyncIterator[Slow]:
    """The sandbox answering creates five seconds late, and Abel's token."""
    sandbox = ServiceNowSandbox()
    sandbox.register_client(
        client_id=CLIENT_ID, client_secret="unused-secret-0", redirect_uris=["http://x/cb"]
    )
    pair = sandbox.issue_tokens(user_name="abel.tuter", client_id=CLIENT_ID)
    front = SlowAnswers(sandbox.app, method="POST", path=INCIDENT_TABLE, delay=5.0)
    async with serve_app(front) as url, open_http_client(Settings.for_tests()) as http:
        yield Slow(
            sandbox=sandbox,
            url=url,
            access_token=pair.access_token,
            caller_sys_id=sandbox.user_by_name("abel.tuter").sys_id,
            http=http,
            redis=redis,
            prefix=redis_prefix,
        )


async def test_three_creates_with_one_key_under_a_slow_answer_make_one_incident(
    slow: Slow,
) -> None:
    """Three creates with one key while ServiceNow answers 5 s late: one incident, one POST."""
    key = "T0SANDBOX:U0ABEL:Ev0SLOW"
    client = slow.client()
    results = await asyncio.gather(
        *(
            client.create_incident(DRAFT, caller_sys_id=slow.caller_sys_id, idempotency_key=key)
            for _ in range(3)
        )
    )
    assert len({incident.sys_id for incident in results}) == 1
    assert [r["sys_id"] for r in slow.with_key(key)] == [results[0].sys_id]
    assert slow.posts() == 1


@contextlib.asynccontextmanager
async def create_in_another_process(slow: Slow, key: str) -> AsyncIterator[Any]:
    """A process creating with ``key`` (killed or stopped on exit)."""
    config = {
        "instance_url": slow.url,
        "access_token": slow.access_token,
        "redis_url": REDIS_URL,
        "redis_prefix": slow.prefix,
        "idempotency_key": key,
        "caller_sys_id": slow.caller_sys_id,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.app.procs.create_process",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        cwd=REPO,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(config).encode() + b"\n")
    await process.stdin.drain()
    process.stdin.close()
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_create_repeated_after_the_process_died_finds_the_committed_incident(
    slow: Slow,
) -> None:
    """A process killed after ServiceNow committed its create: repeating the call finds it."""
    key = "T0SANDBOX:U0ABEL:Ev0KILLED"
    async with create_in_another_process(slow, key) as process:
        deadline = time.monotonic() + 15
        while not slow.with_key(key):
            assert time.monotonic() < deadline, "the other process never created"
            await asyncio.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL  # it never got (or recorded) the answer
    again = await slow.client().create_incident(
        DRAFT, caller_sys_id=slow.caller_sys_id, idempotency_key=key
    )
    assert [r["sys_id"] for r in slow.with_key(key)] == [again.sys_id]
    assert slow.posts() == 1
