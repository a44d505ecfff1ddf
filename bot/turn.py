"""What a use case is given: a ``Turn``, and the button press or modal it answers.

A leaf of the import graph (it imports no use case, and the router and every handler
import it): ``Turn`` is one request of one user (the container, who asked, how to
answer); ``Action`` a button press, ``Submission`` a modal submission; and the shapes
of the handlers the router and the listeners dispatch on (``CommandHandler``,
``ActionHandler``, ``ViewHandler``, ``ShortcutHandler``).

A message is classified once per turn (``classify``), in a worker thread so a huge
message never stalls the event loop; the prediction of the request being served
travels with the turn (``Turn.prediction``) and ``prediction_for`` hands it on, so no
use case classifies the same text again.

A view handler is two steps because Slack wants validation errors in the ack (within
3 seconds), before any slow work: ``validate`` is pure (given the settings) and
returns the field errors (block id → sentence) or nothing; ``check``, when given, may
also read the store; ``run`` does the work after the ack.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict

from bot import errors

if TYPE_CHECKING:
    from bot.container import Container
    from bot.grammar import SnowCommand
    from bot.models import SlackUser
    from bot.reply import SlackReply
    from bot.settings import Settings
    from intents import Prediction


@dataclass
class Turn:
    """One request of one user, with everything a use case needs to answer it.

    ``prediction`` is how the engine read the request being served (set by the
    router), and ``classified`` the message's predictions, so a use case never
    classifies the same text again.
    """

    c: Container
    user: SlackUser
    reply: SlackReply
    received_at: float = field(default=0.0)
    prediction: Prediction | None = None
    classified: tuple[str, list[Prediction]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.received_at:
            self.received_at = self.c.clock()

    @property
    def now(self) -> datetime:
        """The turn's time, for relative times in views."""
        return datetime.fromtimestamp(self.c.clock(), tz=UTC)


async def classify(turn: Turn, text: str) -> list[Prediction]:
    """One prediction per request in ``text``, made once per turn, off the event loop."""
    if turn.classified is not None and turn.classified[0] == text:
        return turn.classified[1]
    predictions = await asyncio.to_thread(
        turn.c.engine.predict_all, text, incident_digits=turn.c.settings.incident_digits
    )
    if not predictions:
        msg = "the intent engine returned no prediction"
        raise errors.IntentModelError(msg)
    for prediction in predictions:
        turn.c.metrics.intents.labels(
            intent=prediction.intent, decision=prediction.decision
        ).inc()
    turn.classified = (text, predictions)
    return predictions


async def prediction_for(turn: Turn, text: str) -> Prediction:
    """The prediction of the request being served, else ``text`` classified once."""
    if turn.prediction is not None:
        return turn.prediction
    return (await classify(turn, text))[0]


class Action(BaseModel):
    """One button press (or select) of one user."""

    model_config = ConfigDict(frozen=True)

    action_id: str
    value: str = ""
    block_id: str = ""
    message_ts: str | None = None
    view_id: str | None = None
    private_metadata: str = ""


class Submission(BaseModel):
    """One modal submission: its inputs flattened to ``action_id → value``."""

    model_config = ConfigDict(frozen=True)

    callback_id: str
    view_id: str = ""
    private_metadata: str = ""
    values: dict[str, str | list[str] | None] = {}

    def text(self, action_id: str) -> str:
        """The input's text, stripped ('' when empty or not a text)."""
        value = self.values.get(action_id)
        return value.strip() if isinstance(value, str) else ""

    def choices(self, action_id: str) -> list[str]:
        """The selected values of a multi-choice input (checkboxes)."""
        value = self.values.get(action_id)
        if isinstance(value, list):
            return value
        return [value] if isinstance(value, str) and value else []


CommandHandler = Callable[[Turn, "SnowCommand"], Awaitable[None]]
ActionHandler = Callable[[Turn, Action], Awaitable[None]]
ViewCheck = Callable[["Container", "SlackUser", Submission], Awaitable[dict[str, str]]]


@dataclass(frozen=True)
class ViewHandler:
    """Validate in the ack, then run after it.

    ``check``, when given, also runs in the ack, after ``validate`` found nothing: it may
    read settings and the store (a quick Redis read, never ServiceNow), for field errors
    that keep the modal open with what was typed.
    """

    validate: Callable[[Submission, Settings], dict[str, str]]
    run: Callable[[Turn, Submission], Awaitable[None]]
    check: ViewCheck | None = None


class ShortcutHandler(Protocol):
    """A message shortcut's use case: the message's text and where it was."""

    def __call__(
        self, turn: Turn, *, text: str, channel_id: str, message_ts: str
    ) -> Awaitable[None]: ...
