"""The client secret typed into setup never leaves in clear: not to Slack, not in
``private_metadata``, not in a log line, not in a Redis value."""

from __future__ import annotations

import json
import logging

import pytest
from redis.asyncio import Redis

from snowbot_sandbox.harness import CLIENT_ID, BotHarness
from tests.app.setupkit import (
    consent,
    create_feedback_table,
    enter_credentials,
    run_test,
    sign_in_link,
    unconfigured_bot,
)
from tests.conftest import StartBot

SECRET = "Zq7-setup-secret-never-echoed-4821"


async def _redis_values(redis: Redis, prefix: str) -> list[str]:
    values: list[str] = []
    async for raw_key in redis.scan_iter(match=f"{prefix}:*", count=500):
        key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
        found = await redis.type(key)
        kind = found.decode() if isinstance(found, bytes) else str(found)
        if kind == "string":
            values.append(repr(await redis.get(key)))
        elif kind == "hash":
            values.append(repr(await redis.hgetall(key)))
        elif kind == "stream":
            values.append(repr(await redis.xrange(key)))
        elif kind == "set":
            values.append(repr(await redis.smembers(key)))
        elif kind == "zset":
            values.append(repr(await redis.zrange(key, 0, -1)))
        else:
            values.append(repr(await redis.dump(key)))
    return values


def _slack_traffic(bot: BotHarness) -> str:
    sent = [call.args for call in bot.slack.calls] + [r.__dict__ for r in bot.slack.responses]
    return "\n".join(json.dumps(item, default=str, ensure_ascii=False) for item in sent)


async def test_the_client_secret_never_appears_in_clear(
    start_bot: StartBot, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Through setup, a failing and a passing test, nothing carries the secret in clear."""
    caplog.set_level(logging.DEBUG)
    async with unconfigured_bot(start_bot) as bot:
        create_feedback_table(bot)
        await enter_credentials(bot, secret="a-wrong-secret-first-0000")
        await run_test(bot)  # refused: the diagnosis names the secret, without echoing it
        bot.servicenow.register_client(
            client_id=CLIENT_ID,
            client_secret=SECRET,
            redirect_uris=[bot.container.settings.redirect_uri],
        )
        await enter_credentials(bot, secret=SECRET)
        await run_test(bot)
        await bot.container.work.settle()
        traffic = _slack_traffic(bot)
        metadata = [
            str(view.payload.get("private_metadata", "")) for view in bot.slack.views.values()
        ]
        stored = await _redis_values(bot.container.redis, redis_prefix)
    assert "••••4821" in traffic  # shown back as its last four only
    assert SECRET not in traffic
    assert not any(SECRET in m for m in metadata)
    assert not any(SECRET in value for value in stored)
    logged = [record.getMessage() + repr(record.__dict__) for record in caplog.records]
    assert not any(SECRET in line for line in logged)


async def test_a_retry_link_carries_no_secret(start_bot: StartBot) -> None:
    """The sign-in links the admin gets hold only a one-time ticket."""
    async with unconfigured_bot(start_bot) as bot:
        bot.servicenow.register_client(
            client_id=CLIENT_ID,
            client_secret=SECRET,
            redirect_uris=[bot.container.settings.redirect_uri],
            pkce_refused=True,
        )
        await enter_credentials(bot, secret=SECRET)
        await run_test(bot)
        link = sign_in_link(bot, label="Sign in again without PKCE")
        assert SECRET not in link
        assert await consent(bot, link) == 200
