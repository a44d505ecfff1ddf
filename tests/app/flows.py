"""Helpers for conversation tests: do something as a user, then read what they see."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from intents import Candidate, Prediction
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.servicenow.gateway import RecordedRequest
from snowbot_sandbox.slack import Message, View, render_surface
from snowbot_sandbox.slack.interaction import state_values, view_submission_payload

ABEL = "U0ABEL"
BETH = "U0BETH"
BOW = "U0BOW"


def _bot_surfaces(bot: BotHarness, user_id: str, mark: int) -> list[Message | View]:
    return [
        s
        for s in bot.slack.changes_since(mark, user_id=user_id)
        if not (isinstance(s, Message) and s.source == "user")
    ]


async def shown_after(
    bot: BotHarness, user_id: str, step: Awaitable[Any], *, within: float = 5.0
) -> str:
    """Run ``step``, wait for the bot's answer and its work to end; what the user sees new."""
    mark = bot.slack.mark
    await step
    deadline = time.monotonic() + within
    while not _bot_surfaces(bot, user_id, mark):
        if time.monotonic() > deadline:
            msg = f"nothing new was shown to {user_id}"
            raise TimeoutError(msg)
        await asyncio.sleep(0.02)
    await bot.container.work.settle()
    return "\n".join(render_surface(s) for s in _bot_surfaces(bot, user_id, mark))


async def connected(bot: BotHarness, user_name: str) -> None:
    """Link the seeded Slack user of ``user_name`` and let the follow-up work finish."""
    page = await bot.connect(user_name)
    assert page.status_code == 200, page.text
    await bot.container.work.settle()


def new_incidents(bot: BotHarness) -> list[dict[str, Any]]:
    """Incidents the bot created (the seed stops at INC0010015)."""
    return [r for r in bot.servicenow.rows("incident") if r["number"] > "INC0010015"]


def comment_texts(bot: BotHarness, number: str) -> list[str]:
    """The comment texts on an incident, newest first."""
    return [row["value"] for row in bot.servicenow.comments_for(number)]


def writes_to(bot: BotHarness, number: str) -> list[RecordedRequest]:
    """Every write (PATCH, PUT, DELETE) the sandbox received for one incident's record."""
    row = bot.servicenow.get_incident(number)
    assert row is not None, number
    return [
        r
        for r in bot.servicenow.requests
        if r.method in ("PATCH", "PUT", "DELETE") and r.path.endswith(f"/incident/{row['sys_id']}")
    ]


def table_writes(bot: BotHarness) -> list[RecordedRequest]:
    """Every write the sandbox's Table API received (creates included)."""
    return [
        r
        for r in bot.servicenow.requests
        if r.method in ("POST", "PATCH", "PUT", "DELETE") and "/api/now/" in r.path
    ]


def submission_request(bot: BotHarness, user_id: str, values: dict[str, Any]) -> Any:
    """A signed submission of the user's top modal (send it as often as you like)."""
    view = bot.slack.top_modal(user_id)
    assert view is not None, "no modal is open"
    payload = view_submission_payload(
        slack=bot.slack,
        view=view,
        state=state_values(view.blocks, values),
        user_id=user_id,
        trigger_id=bot.slack.issue_trigger_id(user_id),
        api_app_id=bot.driver.api_app_id,
    )
    return bot.driver.interaction_request(payload)


class SlowAnswers:
    """ASGI front: matching requests are processed at once; the answer leaves ``delay``
    seconds later, if the client is still waiting (ServiceNow commits a request even
    when the client has hung up; the sandbox's own latency fault would drop it)."""

    def __init__(self, app: Any, *, method: str, path: str, delay: float) -> None:
        self.app = app
        self.method = method
        self.path = path
        self.delay = delay

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """ASGI entry point."""
        if scope["type"] != "http" or (scope["method"], scope["path"]) != (self.method, self.path):
            await self.app(scope, receive, send)
            return
        held: list[Any] = []

        async def hold(message: Any) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        try:
            await asyncio.wait_for(_gone(receive), timeout=self.delay)
        except TimeoutError:
            for message in held:
                await send(message)


async def _gone(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def dm_said(bot: BotHarness, text: str, prediction: Prediction, *, user_id: str) -> None:
    """A DM the engine read as ``prediction``, routed as the DM listener routes it.

    For readings the shipped engine does not make yet (new entities and hints): the
    router, the handlers, Redis and both sandboxes are the real ones; only the
    classification is given instead of computed.
    """
    from bot.listeners.runner import start_turn
    from bot.models import SlackUser
    from bot.reply import Origin
    from bot.router import route_text
    from snowbot_sandbox.slack import dm_channel_id

    user = SlackUser(enterprise_id=None, team_id=bot.slack.team_id, user_id=user_id)
    origin = Origin(kind="dm", channel_id=dm_channel_id(user_id), channel_is_dm=True)
    start_turn(
        bot.container,
        user=user,
        origin=origin,
        kind="event",
        name="dm",
        work=lambda turn: route_text(turn, text, predictions=[prediction]),
    )


def reading(
    text: str,
    intent: str,
    *,
    entities: dict[str, str] | None = None,
    hints: dict[str, str] | None = None,
) -> Prediction:
    """An accepted reading of ``text`` as ``intent`` with the given entities and hints."""
    return Prediction(
        text=text,
        intent=intent,
        decision="accept",
        confidence=0.99,
        candidates=[Candidate(intent=intent, confidence=0.99)],
        entities=dict(entities or {}),
        hints=dict(hints or {}),
    )
