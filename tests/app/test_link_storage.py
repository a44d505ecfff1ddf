"""What the link leaves in Redis: nothing in clear, and nothing usable under another name."""

from __future__ import annotations

import pytest

from snowbot_sandbox.harness import CLIENT_SECRET, BotHarness
from tests.app.linkkit import ABEL, BOW, all_redis_bytes, ask, slack_user, tokens_of

pytestmark = pytest.mark.usefixtures("cleanup")  # the `bot` prefix's keys go afterwards


async def test_no_redis_value_holds_a_token_or_secret_in_clear(bot: BotHarness) -> None:
    """After connecting and answering, no Redis key or value holds a token or the client secret."""
    await bot.connect("abel.tuter")
    await ask(bot, "mine")
    await ask(bot, "INC0010001")
    secrets = [*tokens_of(bot, "abel.tuter"), CLIENT_SECRET]
    assert len(secrets) >= 3  # an access and a refresh token, and the secret
    stored = await all_redis_bytes(bot)
    assert stored  # the record, the audit stream, ...
    for secret in secrets:
        assert secret.encode() not in stored


async def test_record_copied_under_another_user_is_rejected(bot: BotHarness) -> None:
    """Abel's encrypted record copied under Bow's key gives Bow a sentence and no call as Abel."""
    await bot.connect("abel.tuter")
    keys = bot.container.keys
    redis = bot.container.redis
    abel_key = keys.token(None, slack_user(ABEL).team_id, ABEL)
    bow_key = keys.token(None, slack_user(BOW).team_id, BOW)
    for field, value in (await redis.hgetall(abel_key)).items():
        await redis.hset(bow_key, field, value)
    seen = len(bot.servicenow.requests)
    shown = await ask(bot, "mine", user_id=BOW)
    assert "couldn't read your saved ServiceNow link" in shown
    assert [r for r in bot.servicenow.requests[seen:] if r.user_name == "abel.tuter"] == []
    assert bot.servicenow.requests[seen:] == []
