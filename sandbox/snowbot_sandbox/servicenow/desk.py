"""The service desk, and the Business Rule that tells the bot, in the sandbox.

``Desk`` acts as a fulfiller (default ``beth.anglin``) on an incident: ``comment``
(an additional comment), ``work_note`` (never shown to callers), ``state``
(``"resolved"``, ``"in progress"``, ``"on hold"``, ``"closed"``, or a code) and
``assign`` (to a user name). Each goes through the store like a Table API write does,
so ``sys_mod_count``, ``sys_updated_on`` and ``sys_updated_by`` move as on an instance.

``BusinessRule`` posts a signed event to a URL after an incident's comments, state or
assignee change, from the desk *or* the Table API (the bot's own writes too, as a real
rule would: the bot skips what the user did themselves). Like an async rule, it posts
after the write has answered, in a task of its own; ``settle`` waits for those posts.
The body and headers are DESIGN.md's contract, signed here as a Business Rule would.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from snowbot_sandbox.servicenow.state import Record, Store

log = logging.getLogger(__name__)

STATES = {
    "new": "1",
    "in progress": "2",
    "on hold": "3",
    "resolved": "6",
    "closed": "7",
    "canceled": "8",
}
WATCHED_FIELDS = ("comments", "state", "assigned_to")


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """DESIGN.md's headers: ``v1=<hex HMAC-SHA256(secret, "v1:" + ts + ":" + body)>``."""
    base = b"v1:" + str(timestamp).encode() + b":" + body
    mac = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Snowbot-Request-Timestamp": str(timestamp),
        "X-Snowbot-Signature": f"v1={mac}",
    }


@dataclass
class BusinessRule:
    """Posts signed events to ``url`` (None: no rule installed)."""

    clock: Callable[[], float] = time.time
    url: str | None = None
    secret: str = ""
    team_id: str | None = None
    posted: list[dict[str, Any]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def install(self, *, url: str, secret: str, team_id: str | None = None) -> None:
        """Point the rule at the bot."""
        self.url, self.secret, self.team_id = url, secret, team_id

    def uninstall(self) -> None:
        """Remove the rule: no more events."""
        self.url = None

    def body(self, record: Record, changed: list[str], *, test: bool = False) -> bytes:
        """The JSON body the rule sends for ``record``."""
        data: dict[str, Any] = {
            "table": "incident",
            "sys_id": record.get("sys_id", ""),
            "number": record.get("number", ""),
            "sys_mod_count": int(record.get("sys_mod_count") or 0),
            "changed": changed,
        }
        if self.team_id:
            data["team_id"] = self.team_id
        if test:
            data = {"test": True, **({"team_id": self.team_id} if self.team_id else {})}
        return json.dumps(data, separators=(",", ":")).encode()

    def fire(self, record: Record, changed: list[str]) -> None:
        """After an incident write: post an event if a watched field changed."""
        relevant = [name for name in changed if name in WATCHED_FIELDS]
        if self.url is None or not relevant:
            return
        self._spawn(self.body(record, relevant))

    def fire_test(self) -> None:
        """Post the setup step's test event."""
        if self.url is not None:
            self._spawn(self.body({}, [], test=True))

    def _spawn(self, body: bytes) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self._post(body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, body: bytes) -> None:
        url, secret = self.url, self.secret
        if url is None:
            return
        headers = signed_headers(secret, int(self.clock()), body)
        self.posted.append(json.loads(body))
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(url, content=body, headers=headers)
            self.answers.append(response.status_code)
        except httpx.HTTPError as exc:
            log.warning("sandbox business rule: post failed (%s)", type(exc).__name__)
            self.answers.append(0)

    async def settle(self, within: float = 5.0) -> None:
        """Wait until every event posted so far has been answered."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=within)


class Desk:
    """A fulfiller acting on incidents (the test's and the demo's service desk)."""

    def __init__(self, store: Callable[[], Store], rule: BusinessRule) -> None:
        self._store = store
        self.rule = rule

    def _incident(self, number: str) -> Record:
        for record in self._store().rows["incident"].values():
            if record["number"] == number.upper():
                return record
        raise KeyError(f"no incident {number}")

    def deny_creates(self, table: str = "incident") -> None:
        """The instance's admin takes away ordinary (ESS) users' right to create records in
        ``table`` (an ACL): from now on their inserts get ServiceNow's 403."""
        self._store().schemas[table].ess_can_create = False

    def comment(self, number: str, text: str, *, as_user: str = "beth.anglin") -> Record:
        """An additional comment, visible to the caller."""
        return self._journal(number, "comments", text, as_user=as_user)

    def work_note(self, number: str, text: str, *, as_user: str = "beth.anglin") -> Record:
        """A work note (fulfillers only)."""
        return self._journal(number, "work_notes", text, as_user=as_user)

    def _journal(self, number: str, element: str, text: str, *, as_user: str) -> Record:
        store = self._store()
        record = self._incident(number)
        user = store.users[as_user]
        store.add_journal(table="incident", sys_id=record["sys_id"], element=element,
                          text=text, user=user)
        store.update("incident", record["sys_id"], {}, user=user)
        self.rule.fire(record, [element])
        return record

    def state(self, number: str, state: str, *, as_user: str = "beth.anglin") -> Record:
        """Set the state (a name like ``resolved`` or a code)."""
        code = STATES.get(state.strip().lower(), state.strip())
        if code not in STATES.values():
            raise ValueError(f"unknown state {state!r}")
        store = self._store()
        record = self._incident(number)
        values = {"state": code}
        if code in ("6", "7"):
            values |= {"close_code": "Solved (Permanently)", "close_notes": "Fixed by the desk."}
        store.update("incident", record["sys_id"], values, user=store.users[as_user])
        self.rule.fire(record, ["state"])
        return record

    def assign(self, number: str, assignee: str, *, as_user: str = "beth.anglin") -> Record:
        """Assign the incident to a person (by user name)."""
        store = self._store()
        record = self._incident(number)
        person = store.users[assignee]
        store.update("incident", record["sys_id"], {"assigned_to": person.sys_id},
                     user=store.users[as_user])
        self.rule.fire(record, ["assigned_to"])
        return record


def desk_routes(desk: Desk) -> list[Any]:
    """``POST /sandbox/desk`` ``{"action": "comment"|"work_note"|"state"|"assign",
    "number", "text"?, "state"?, "assignee"?, "as"?}`` and ``POST /sandbox/business-rule``
    ``{"url", "secret", "team_id"?}`` (``{"url": null}`` removes it; ``{"test": true}``
    posts a test event)."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def act(request: Request) -> Response:
        data = json.loads(await request.body() or b"{}")
        who = str(data.get("as") or "beth.anglin")
        number = str(data.get("number") or "")
        try:
            action = data.get("action")
            if action == "comment":
                record = desk.comment(number, str(data["text"]), as_user=who)
            elif action == "work_note":
                record = desk.work_note(number, str(data["text"]), as_user=who)
            elif action == "state":
                record = desk.state(number, str(data["state"]), as_user=who)
            elif action == "assign":
                record = desk.assign(number, str(data["assignee"]), as_user=who)
            else:
                return JSONResponse({"error": "unknown action"}, status_code=400)
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(record)

    async def rule(request: Request) -> Response:
        data = json.loads(await request.body() or b"{}")
        if data.get("test"):
            desk.rule.fire_test()
        elif data.get("url"):
            desk.rule.install(url=str(data["url"]), secret=str(data.get("secret") or ""),
                              team_id=data.get("team_id"))
        else:
            desk.rule.uninstall()
        return JSONResponse({"ok": True})

    return [
        Route("/sandbox/desk", act, methods=["POST"]),
        Route("/sandbox/business-rule", rule, methods=["POST"]),
    ]
