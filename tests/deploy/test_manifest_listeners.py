"""The Slack app manifest agrees with the listeners the app registers.

Two views of the same question: what ``register_all`` asks Bolt to listen to (a
recording ``AsyncApp``), and what the real app answers when the sandbox driver sends
it each subscribed event, the slash command and the shortcut, signed (Bolt answers
404 to a request no listener matches).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from slack_bolt.async_app import AsyncApp

from bot.handlers import SHORTCUTS
from bot.listeners import register_all
from snowbot_sandbox.harness import BotHarness
from tests.conftest import StartBot

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yaml"
ABEL = "U0ABEL"


def _manifest() -> dict[str, Any]:
    return dict(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")))


def _bot_events() -> list[str]:
    return list(_manifest()["settings"]["event_subscriptions"]["bot_events"])


def _event_type(subscription: str) -> str:
    """``message.im`` is the ``message`` event, narrowed to DMs by the subscription."""
    return subscription.partition(".")[0]


class RecordingApp(AsyncApp):
    """A Bolt app that remembers what each registration asked for."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: dict[str, list[Any]] = {
            "event": [], "command": [], "shortcut": [], "action": [], "view": []
        }

    def event(self, event: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen["event"].append(event)
        return super().event(event, *args, **kwargs)

    def command(self, command: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen["command"].append(command)
        return super().command(command, *args, **kwargs)

    def shortcut(self, constraints: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen["shortcut"].append(constraints)
        return super().shortcut(constraints, *args, **kwargs)

    def action(self, constraints: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen["action"].append(constraints)
        return super().action(constraints, *args, **kwargs)

    def view(self, constraints: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen["view"].append(constraints)
        return super().view(constraints, *args, **kwargs)


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotHarness]:
    """The bot on both sandboxes and the real Redis."""
    async with start_bot() as harness:
        yield harness


@pytest.fixture
def registered(bot: BotHarness) -> dict[str, list[Any]]:
    """What ``register_all`` registers on a recording Bolt app."""
    app = RecordingApp(client=bot.container.slack, signing_secret="manifest-test-secret")
    register_all(app, bot.container)
    return app.seen


def test_every_listened_event_is_subscribed(registered: dict[str, list[Any]]) -> None:
    """Each event type the app listens to is one the manifest subscribes to."""
    subscribed = {_event_type(name) for name in _bot_events()}
    assert set(registered["event"]) <= subscribed


def test_every_subscribed_event_has_a_listener(registered: dict[str, list[Any]]) -> None:
    """Each bot event of the manifest has a listener for its event type."""
    assert {_event_type(name) for name in _bot_events()} <= set(registered["event"])


def test_the_slash_command_is_registered(registered: dict[str, list[Any]]) -> None:
    """Every slash command of the manifest is registered, and no other."""
    commands = [c["command"] for c in _manifest()["features"]["slash_commands"]]
    assert sorted(registered["command"]) == sorted(commands)


def test_every_shortcut_has_a_use_case(registered: dict[str, list[Any]]) -> None:
    """A shortcut listener is registered and each manifest callback id has a use case."""
    assert registered["shortcut"]
    for shortcut in _manifest()["features"]["shortcuts"]:
        assert shortcut["callback_id"] in SHORTCUTS


def test_interactivity_is_on_because_buttons_and_modals_are_handled(
    registered: dict[str, list[Any]],
) -> None:
    """Interactivity is enabled, and the app registers button and modal listeners."""
    assert _manifest()["settings"]["interactivity"]["is_enabled"] is True
    assert registered["action"]
    assert registered["view"]


def _deliveries(bot: BotHarness) -> dict[str, Callable[[], Awaitable[httpx.Response]]]:
    d = bot.driver
    return {
        "message.im": lambda: d.dm("hello", user_id=ABEL),
        "app_mention": lambda: d.mention("hello", user_id=ABEL),
        "app_home_opened": lambda: d.app_home_opened(user_id=ABEL),
        "user_change": lambda: d.user_change(ABEL),
        "tokens_revoked": lambda: d.tokens_revoked(user_ids=[ABEL], bot=False),
        "app_uninstalled": d.app_uninstalled,
    }


async def test_the_app_answers_every_subscribed_event(bot: BotHarness) -> None:
    """A signed delivery of each subscribed bot event gets 200 from the real app."""
    deliveries = _deliveries(bot)
    answers = {}
    for name in _bot_events():
        assert name in deliveries, f"add a sandbox delivery for {name}"
        answers[name] = (await deliveries[name]()).status_code
    await bot.container.work.settle()
    assert answers == dict.fromkeys(_bot_events(), 200)


async def test_the_app_answers_the_command_and_the_shortcut(bot: BotHarness) -> None:
    """The manifest's slash command and message shortcut each get 200 from the real app."""
    manifest = _manifest()
    for command in manifest["features"]["slash_commands"]:
        response = await bot.driver.slash_command(command["command"], "help", user_id=ABEL)
        assert response.status_code == 200
    await bot.driver.dm("the printer is on fire", user_id=ABEL)
    for shortcut in manifest["features"]["shortcuts"]:
        response = await bot.driver.message_shortcut(shortcut["callback_id"], user_id=ABEL)
        assert response.status_code == 200
    await bot.container.work.settle()
