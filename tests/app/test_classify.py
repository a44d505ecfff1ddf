"""Classification is done once per message and off the event loop (issue 13, item 2).

A message may be huge; classifying it must not stall the event loop, so health checks
and other people's requests are answered meanwhile, and the same text is never
classified twice for one message.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from intents import IntentEngine, Prediction
from snowbot_sandbox.harness import BotHarness
from tests.app.flows import ABEL, connected, shown_after
from tests.conftest import StartBot

HUGE = "my laptop won't boot and the screen stays black " * 2000  # ~100 KB


class GatedEngine(IntentEngine):
    """The shipped engine, holding a huge message until the test opens the gate.

    Not a fake: every prediction is the real engine's. The gate only makes "this
    classification takes a long time" certain instead of timed, so the test can
    check what the event loop does meanwhile.
    """

    def __init__(self, real: IntentEngine) -> None:
        """Share the real engine's fitted parts."""
        self.__dict__.update(real.__dict__)
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.held_to_the_end = False

    def predict_all(self, text: str, *, incident_digits: int = 7) -> list[Prediction]:
        """The real predictions; a huge text first waits for the gate (at most 10 s)."""
        if text == HUGE:
            self.entered.set()
            self.held_to_the_end = not self.gate.wait(timeout=10)
        return super().predict_all(text, incident_digits=incident_digits)


@pytest.fixture
async def gated(
    engine: IntentEngine, start_bot: StartBot
) -> AsyncIterator[tuple[BotHarness, GatedEngine]]:
    """The bot with the gated engine."""
    held = GatedEngine(engine)
    async with start_bot(engine=held) as bot:
        yield bot, held


async def test_healthz_answers_while_a_huge_message_is_classified(
    gated: tuple[BotHarness, GatedEngine],
) -> None:
    """While a huge DM is being classified, `/healthz` still answers."""
    bot, engine = gated
    await bot.driver.dm(HUGE, user_id=ABEL)
    for _ in range(250):
        if engine.entered.is_set():
            break
        await asyncio.sleep(0.02)
    assert engine.entered.is_set()
    response = await bot.http.get(f"{bot.bot_url}/healthz")
    assert response.status_code == 200
    assert not engine.held_to_the_end  # answered while the classification still waited
    engine.gate.set()
    await bot.container.work.settle()


def _classified(bot: BotHarness) -> float:
    [metric] = list(bot.container.metrics.intents.collect())
    return float(sum(s.value for s in metric.samples if s.name.endswith("_total")))


async def test_a_message_is_classified_once(bot: BotHarness) -> None:
    """A problem report is classified once, its short description included."""
    await connected(bot, "abel.tuter")
    before = _classified(bot)
    shown = await shown_after(bot, ABEL, bot.driver.dm("my laptop won't boot", user_id=ABEL))
    assert "Shall I open this incident?" in shown
    assert _classified(bot) - before == 1


async def test_an_answer_is_classified_once(bot: BotHarness) -> None:
    """The answer to a question is classified once, to see whether it starts over."""
    await connected(bot, "abel.tuter")
    await shown_after(bot, ABEL, bot.driver.dm("I want to open a ticket", user_id=ABEL))
    before = _classified(bot)
    await shown_after(bot, ABEL, bot.driver.dm("my second screen stays black", user_id=ABEL))
    assert _classified(bot) - before == 1
