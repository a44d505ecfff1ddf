"""Work started after an ack: tracked so that none is lost on shutdown.

Bolt runs a listener's remaining code after ``ack()`` on the event loop without
keeping a reference. Anything the bot itself starts in the background (a follow-up
after a modal submission, a DM once a user connects) goes through ``WorkRegistry``:
it keeps a strong reference, logs a failure instead of dropping it, carries the
request id across, and ``drain`` waits for what is in flight when the process stops.

``later`` schedules work for a moment in the future (a check that fires if nothing
happened by then): until it fires it is a timer, not work in flight, so ``settle``
and ``drain`` never wait for it, and ``drain`` cancels the timers still pending.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.logs import request_id_var

log = logging.getLogger(__name__)


class WorkRegistry:
    """A set of background tasks that can be drained on shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._closing = False

    @property
    def in_flight(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run ``coro`` in the background under the current request id."""
        if self._closing:
            coro.close()
            msg = "the process is shutting down; no new background work is accepted"
            raise RuntimeError(msg)
        context = contextvars.copy_context()
        task = asyncio.get_running_loop().create_task(coro, name=name, context=context)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def later(
        self,
        delay: float,
        work: Callable[[], Coroutine[Any, Any, Any]],
        *,
        name: str,
    ) -> asyncio.TimerHandle:
        """Start ``work()`` as background work in ``delay`` seconds (not in flight before)."""
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.discard(handle)
            if not self._closing:
                self.spawn(work(), name=name)

        handle = loop.call_later(delay, fire, context=context)
        self._timers.add(handle)
        return handle

    @property
    def scheduled(self) -> int:
        """How many timers of ``later`` have not fired yet."""
        return len(self._timers)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error(
                "background work %s failed: %s",
                task.get_name(),
                exc.__class__.__name__,
                exc_info=exc,
                extra={"request_id_origin": request_id_var.get()},
            )

    async def settle(self, within: float = 5.0) -> None:
        """Wait up to ``within`` s until no work is in flight (new work is still accepted)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self._tasks and loop.time() < deadline:
            await asyncio.wait(set(self._tasks), timeout=deadline - loop.time())

    async def drain(self, within: float = 10.0) -> int:
        """Stop accepting work and wait up to ``within`` s; return how many were cancelled.

        Timers of ``later`` that have not fired are cancelled (not counted).
        """
        self._closing = True
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        if not self._tasks:
            return 0
        _, pending = await asyncio.wait(set(self._tasks), timeout=within)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        return len(pending)
