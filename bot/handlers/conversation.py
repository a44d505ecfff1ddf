"""Small talk and help: greetings, the help card, and the help/list buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.blocks import greeting_message, help_message, ids
from bot.grammar import SnowCommand
from bot.interactions import Action, ActionHandler, CommandHandler

if TYPE_CHECKING:
    from bot.router import Turn


async def handle_greeting(turn: Turn, _: SnowCommand) -> None:
    """Hello, thanks, bye: a short friendly answer."""
    await turn.reply.private(greeting_message())


async def handle_help(turn: Turn, _: SnowCommand) -> None:
    """What the bot does and the ``/snow`` grammar."""
    await turn.reply.private(help_message())


async def action_help(turn: Turn, _: Action) -> None:
    """The Help button."""
    await handle_help(turn, SnowCommand(kind="help"))


COMMANDS: dict[str, CommandHandler] = {
    "help": handle_help,
    "greeting": handle_greeting,
}
ACTIONS: dict[str, ActionHandler] = {
    ids.SHOW_HELP: action_help,
}
