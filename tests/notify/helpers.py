"""Reading notification DMs in the Slack stand-in."""

from __future__ import annotations

import asyncio
import time

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import Message

UPDATE = "Update on "


def dms(bot: BotHarness, user_id: str) -> list[Message]:
    """The notification DMs in ``user_id``'s DM with the bot, oldest first."""
    return [m for m in bot.slack.messages_in(user_id) if (m.text or "").startswith(UPDATE)]


async def settle(bot: BotHarness, *, within: float = 5.0) -> None:
    """Wait until the rule's posts are answered and the bot's work is done."""
    deadline = time.monotonic() + within
    await bot.servicenow.rule.settle(within)
    while time.monotonic() < deadline:
        await bot.container.work.settle(within)
        await asyncio.sleep(0.05)
        if not bot.container.work.in_flight:
            return
