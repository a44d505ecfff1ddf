"""Logging: DEBUG everywhere, and still no secret in any line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.app import create_bolt_app
from bot.logs import RedactionFilter, configure_logging
from snowbot_sandbox.harness import BOT_TOKEN, CLIENT_SECRET, SIGNING_SECRET
from tests.conftest import StartBot

ABEL = "U0ABEL"
LIBRARIES = ("slack_bolt", "slack_sdk", "httpx", "httpcore", "redis", "aiohttp", "uvicorn")


@pytest.fixture
def debug_logs() -> Iterator[tuple[io.StringIO, RedactionFilter]]:
    """Every logger at DEBUG into a buffer through the production handler and filter."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    redaction = configure_logging(
        level="DEBUG",
        secrets_=[BOT_TOKEN, SIGNING_SECRET, CLIENT_SECRET],
        stream=stream,
    )
    yield stream, redaction
    for handler in list(root.handlers):
        if getattr(handler, "_snowbot", False):
            root.removeHandler(handler)
    root.setLevel(level)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET)


async def test_debug_logs_carry_no_secret(
    debug_logs: tuple[io.StringIO, RedactionFilter], start_bot: StartBot
) -> None:
    """At DEBUG, lines are emitted and redacted, and no configured secret or token appears."""
    stream, redaction = debug_logs
    async with start_bot(redaction=redaction) as bot:
        await bot.connect("abel.tuter")
        seen = len(bot.slack.responses)
        await bot.driver.slash_command("/snow", "mine", user_id=ABEL)
        await bot.slack.wait_for_response(after=seen)
        bot.servicenow.expire_access_tokens("abel.tuter")
        seen = len(bot.slack.responses)
        await bot.driver.slash_command("/snow", "INC0010001", user_id=ABEL)
        await bot.slack.wait_for_response(after=seen)
        await bot.container.work.settle()
        secrets = [
            BOT_TOKEN,
            SIGNING_SECRET,
            CLIENT_SECRET,
            *(key.get_secret_value() for key in bot.container.settings.encryption_keys),
            *bot.servicenow.tokens.tokens.keys(),
        ]
    output = stream.getvalue()
    assert " DEBUG " in output or '"level": "DEBUG"' in output
    assert redaction.redactions > 0
    leaked = [secret for secret in secrets if secret in output]
    assert leaked == []


async def test_a_bot_token_in_the_environment_starts_without_bolts_unused_token_warning(
    start_bot: StartBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt's "`token` will be unused" warning (env token, our client) is dropped."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    async with start_bot() as bot:
        with caplog.at_level(logging.WARNING):
            create_bolt_app(bot.container)
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
