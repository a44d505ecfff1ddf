"""Background work: what is in flight, what is only scheduled, and what shutdown cancels."""

from __future__ import annotations

import asyncio

from bot.work import WorkRegistry


async def test_scheduled_work_is_not_in_flight_until_it_fires() -> None:
    """Work scheduled for later is a timer: settle does not wait for it, and it runs."""
    work = WorkRegistry()
    ran = asyncio.Event()

    async def check() -> None:
        ran.set()

    work.later(0.05, check, name="check")
    assert (work.in_flight, work.scheduled) == (0, 1)
    await work.settle(within=1.0)
    assert not ran.is_set()
    await asyncio.wait_for(ran.wait(), timeout=2.0)
    assert work.scheduled == 0


async def test_drain_cancels_work_scheduled_for_later() -> None:
    """At shutdown, work that was only scheduled never starts."""
    work = WorkRegistry()
    ran = asyncio.Event()

    async def check() -> None:
        ran.set()

    work.later(0.05, check, name="check")
    assert await work.drain(within=1.0) == 0
    await asyncio.sleep(0.1)
    assert not ran.is_set()
    assert work.scheduled == 0
