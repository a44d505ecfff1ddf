"""Fault injection: make chosen paths slow, refuse, fail or hang.

A ``Fault`` matches a request by path (exact, or any path below it: ``/api/now/v2/table/incident``
also covers ``.../incident/<sys_id>``; ``"*"`` matches every path), optionally by HTTP
method, by the token-call ``grant_type``, by user, or only for ESS users. The first
matching fault wins; ``times`` limits how many requests it hits (``None``: until cleared).

Kinds:
- ``latency`` (``seconds``): wait, then answer normally.
- ``429`` (``retry_after``): error envelope, ``Retry-After`` and ``X-RateLimit-*`` headers.
- ``504``: an HTML gateway time-out page; ``502`` likewise.
- ``500``, ``405``, ``404``, ``403``, ``401``: error envelope with that status.
- ``unknown_table``: 400 ``Invalid table <name>`` as if the table did not exist.
- ``hang``: waits until ``release()``/``clear()`` (then answers normally) or until the
  client goes away (then never answers).
- ``access_denied`` (alias ``server_error``): the token endpoint's 401
  ``{"error_description":"access_denied","error":"server_error"}``.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = frozenset(
    {
        "latency",
        "429",
        "504",
        "502",
        "500",
        "404",
        "405",
        "403",
        "401",
        "unknown_table",
        "hang",
        "access_denied",
        "server_error",
    }
)


@dataclass
class Fault:
    """One injected fault and what it matches."""

    path: str
    kind: str
    seconds: float = 0.0
    retry_after: int = 60
    times: int | None = None
    method: str | None = None
    grant_type: str | None = None
    user_name: str | None = None
    only_ess: bool = False
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(KINDS)}")

    def covers(self, path: str) -> bool:
        """Whether this fault's path covers ``path``."""
        if self.path == "*":
            return True
        base = self.path.rstrip("/")
        return path == base or path.startswith(base + "/")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return asdict(self)


@dataclass
class Faults:
    """The active faults and the gate that hanging requests wait on."""

    items: list[Fault] = field(default_factory=list)
    hanging: int = 0  # requests hanging right now
    _release: asyncio.Event | None = None
    _changed: asyncio.Event | None = None

    def add(
        self,
        *,
        path: str,
        kind: str,
        seconds: float = 0.0,
        retry_after: int = 60,
        times: int | None = None,
        method: str | None = None,
        grant_type: str | None = None,
        user_name: str | None = None,
        only_ess: bool = False,
    ) -> Fault:
        """Add a fault (see the module docstring for kinds) and return it."""
        fault = Fault(
            path=path,
            kind=kind,
            seconds=seconds,
            retry_after=retry_after,
            times=times,
            method=method.upper() if method else None,
            grant_type=grant_type,
            user_name=user_name,
            only_ess=only_ess,
        )
        self.items.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault and release hanging requests."""
        self.items.clear()
        self.release()

    def release(self) -> None:
        """Let every currently hanging request go on (they then answer normally)."""
        if self._release is not None:
            self._release.set()
        self._release = None

    def gate(self) -> asyncio.Event:
        """The event hanging requests wait on (created in the running loop)."""
        if self._release is None:
            self._release = asyncio.Event()
        return self._release

    def hang_started(self) -> None:
        """Note that one more request is hanging (wakes ``wait_hanging``)."""
        self.hanging += 1
        self._notify()

    def hang_ended(self) -> None:
        """Note that a hanging request went on or was abandoned."""
        self.hanging -= 1
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
        self._changed = None

    async def wait_hanging(self, count: int = 1) -> None:
        """Return once at least ``count`` requests are hanging (wrap in a time-out)."""
        while self.hanging < count:
            if self._changed is None:
                self._changed = asyncio.Event()
            await self._changed.wait()

    def take(
        self,
        *,
        path: str,
        method: str,
        grant_type: str | None,
        user_name: str | None,
        is_ess: bool,
    ) -> Fault | None:
        """The first fault matching this request, counting the hit (and retiring it if spent)."""
        for fault in list(self.items):
            if not fault.covers(path):
                continue
            if fault.method and fault.method != method:
                continue
            if fault.grant_type and fault.grant_type != grant_type:
                continue
            if fault.user_name and fault.user_name != user_name:
                continue
            if fault.only_ess and not is_ess:
                continue
            fault.hits += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.items.remove(fault)
            return fault
        return None
