"""Right verb, wrong object: other ServiceNow records are not incidents (issue 11, item 4).

A request naming a requested item, request, change, problem or task (and no incident)
is answered "I work with incidents only", naming the record's type, and the sandbox
receives no write at all.
"""

from __future__ import annotations

import pytest

from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, connected, shown_after, table_writes


async def test_snow_close_of_a_requested_item_writes_nothing(bot: BotHarness) -> None:
    """`/snow close RITM0010001` names the requested item and calls no ServiceNow API."""
    await connected(bot, "abel.tuter")
    before = len(bot.servicenow.requests)
    step = bot.driver.slash_command("/snow", "close RITM0010001", user_id=ABEL)
    shown = await shown_after(bot, ABEL, step)
    assert "I work with incidents only" in shown
    assert "*RITM0010001* is a requested item" in shown
    assert bot.servicenow.requests[before:] == []


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("close CHG0030012 please", "change request"),
        ("add a comment to PRB0040001: root cause found", "problem"),
        ("what's the status of REQ0010001?", "request"),
        ("please close SCTASK0010009", "catalog task"),
        ("close TASK0012345", "task"),
    ],
)
async def test_other_records_in_words_get_incidents_only(
    bot: BotHarness, said: str, kind: str
) -> None:
    """A DM about another table's record names its type and writes nothing."""
    await connected(bot, "abel.tuter")
    shown = await shown_after(bot, ABEL, bot.driver.dm(said, user_id=ABEL))
    assert "I work with incidents only" in shown
    assert f"is a {kind}," in shown
    assert table_writes(bot) == []


async def test_snow_comment_on_a_change_writes_nothing(bot: BotHarness) -> None:
    """`/snow comment CHG… text` is refused the same way, before any ServiceNow call."""
    await connected(bot, "abel.tuter")
    before = len(bot.servicenow.requests)
    step = bot.driver.slash_command("/snow", "comment CHG0030012 done on my side", user_id=ABEL)
    shown = await shown_after(bot, ABEL, step)
    assert "*CHG0030012* is a change request" in shown
    assert bot.servicenow.requests[before:] == []


async def test_a_problem_that_mentions_a_change_is_still_a_problem(bot: BotHarness) -> None:
    """A fault report that names a change request is offered as an incident, not refused."""
    await connected(bot, "abel.tuter")
    said = "my laptop won't boot since the upgrade in CHG0030012"
    shown = await shown_after(bot, ABEL, bot.driver.dm(said, user_id=ABEL))
    assert "Shall I open this incident?" in shown
    assert "incidents only" not in shown
    assert table_writes(bot) == []
