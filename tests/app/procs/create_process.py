"""Create one incident as a user, idempotently, in a process of its own (to be killed).

Protocol: one JSON line on stdin with ``instance_url``, ``access_token``, ``redis_url``,
``redis_prefix``, ``idempotency_key`` and ``caller_sys_id``; the program prints
``{"created": "<number>"}`` if it ever gets the answer. Tests SIGKILL it while the
answer is on its way, after ServiceNow has committed the create.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from redis.asyncio import Redis

from bot.servicenow.client import ServiceNowIncidents
from bot.servicenow.http import open_http_client
from bot.servicenow.instance import parse_instance
from bot.servicenow.models import IncidentDraft
from bot.servicenow.session import ServiceNowSession
from bot.services import StaticToken
from bot.settings import Settings
from bot.store.dedupe import IdempotencyKeys
from bot.store.keys import Keys

DRAFT = IncidentDraft(short_description="Printer on fire", description="Smoke on floor 3.")


async def create(config: dict[str, Any]) -> None:
    """One idempotent create with the app's default time budget."""
    redis: Redis = Redis.from_url(config["redis_url"])
    async with open_http_client(Settings.for_tests()) as http:
        session = ServiceNowSession(
            http=http,
            instance=parse_instance(config["instance_url"], allow_insecure=True),
            tokens=StaticToken(config["access_token"]),
        )
        guard = IdempotencyKeys(redis, keys=Keys(prefix=config["redis_prefix"]))
        incidents = ServiceNowIncidents(session=session, guard=guard)
        incident = await incidents.create_incident(
            DRAFT,
            caller_sys_id=config["caller_sys_id"],
            idempotency_key=config["idempotency_key"],
        )
    await redis.aclose()
    print(json.dumps({"created": incident.number}), flush=True)


def main() -> None:
    """Read the configuration line and create."""
    asyncio.run(create(json.loads(sys.stdin.readline())))


if __name__ == "__main__":
    main()
