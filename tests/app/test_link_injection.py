"""User text never reaches an encoded query as operators: through `/snow` and through DMs."""

from __future__ import annotations

import pytest

from snowbot_sandbox.harness import BotHarness
from tests.app.linkkit import ABEL, ask, injected_operators, say

pytestmark = pytest.mark.usefixtures("cleanup")  # the `bot` prefix's keys go afterwards

PAYLOADS = (
    "INC0010001^NQactive=true",
    "INC0010001^ORactive=true",
    "INC0010001^ORDERBYDESCsys_created_on",
    "javascript:gs.getUserID()",
    "INC0010001 javascript:gs.getUserID()",
    "INC0010001\nactive=true^NQcaller_idISNOTEMPTY",
    "INC0010001\r\n^NQsys_id!=0",
    "INC0010001\uff3eNQactive=true",  # fullwidth circumflex
    "\uff29\uff2e\uff230010001^NQactive=true",  # fullwidth INC
    "INC0010001\u02c6ORactive=true",  # modifier letter circumflex
    "mine ^NQactive=true",
    "show my incidents^NQpriority=1",
    "comment INC0010001 hi^NQactive=true",
)


def assert_clean(bot: BotHarness, since: int) -> None:
    received = bot.servicenow.queries[since:]
    assert received, "no query reached the sandbox: the payloads were not exercised"
    for query in received:
        assert injected_operators(query) == [], query


async def test_slash_command_text_never_becomes_query_operators(bot: BotHarness) -> None:
    """`/snow` with `^NQ`, `^OR`, `javascript:`, newlines or lookalikes adds no operator."""
    await bot.connect("abel.tuter")
    since = len(bot.servicenow.queries)
    for payload in PAYLOADS:
        await ask(bot, payload, user_id=ABEL)
    assert_clean(bot, since)


async def test_dm_text_never_becomes_query_operators(bot: BotHarness) -> None:
    """The same payloads written in a DM add no operator to any query the sandbox receives."""
    await bot.connect("abel.tuter")
    since = len(bot.servicenow.queries)
    for payload in PAYLOADS:
        await say(bot, payload, user_id=ABEL)
    assert_clean(bot, since)
