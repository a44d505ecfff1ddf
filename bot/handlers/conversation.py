"""Small talk and help: greetings, the help card, and the help/list buttons."""

from __future__ import annotations

import re

from bot.blocks import greeting_message, help_message, ids
from bot.grammar import SnowCommand
from bot.turn import Action, ActionHandler, CommandHandler, Turn

_THANKS = re.compile(r"\b(?:thanks?|thx|ty|cheers|ta|appreciated?|merci|danke)\b", re.I)
_BYE = re.compile(r"\b(?:bye|byee+|cya|see (?:you|ya)|later|good ?night|ciao)\b", re.I)


def greeting_kind(text: str) -> str:
    """Whether a greeting says hello, thanks or goodbye."""
    if _THANKS.search(text):
        return "thanks"
    if _BYE.search(text):
        return "bye"
    return "hello"


async def handle_greeting(turn: Turn, command: SnowCommand) -> None:
    """Hello, thanks, bye: a short friendly answer in kind."""
    await turn.reply.private(greeting_message(greeting_kind(command.text)))


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
