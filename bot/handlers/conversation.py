"""Small talk and help: greetings, the help card, who the bot is, out-of-scope replies.

The engine's ``topic`` hint makes the answer specific: "who are you" (``identity``) gets
a one-line introduction; a password reset, the VPN, the catalog or a person get what
the bot can't do here and the ways on (an incident, the instance's portal); anything
else out of scope gets the general fallback.
"""

from __future__ import annotations

import re

from bot import errors
from bot.blocks import fallback_message, greeting_message, help_message, ids
from bot.blocks.tone import TOPICS, identity_message, out_of_scope_message
from bot.grammar import SnowCommand
from bot.turn import Action, ActionHandler, CommandHandler, Turn

PORTAL_PATH = "/sp"  # the Service Portal of the workspace's instance

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


def _topic(turn: Turn) -> str | None:
    return turn.prediction.hints.get("topic") if turn.prediction is not None else None


async def handle_help(turn: Turn, _: SnowCommand) -> None:
    """What the bot does and the ``/snow`` grammar; "who are you" gets who it is first."""
    if _topic(turn) == "identity":
        await turn.reply.private(identity_message())
        return
    await turn.reply.private(help_message())


async def portal_url(turn: Turn) -> str | None:
    """The workspace instance's portal, or None (no instance yet, or Redis unavailable)."""
    try:
        config = await turn.c.instances.get(turn.user.enterprise_id, turn.user.team_id)
    except errors.StoreError:
        return None
    return f"{config.instance_url}{PORTAL_PATH}" if config is not None else None


async def handle_out_of_scope(turn: Turn, topic: str | None) -> None:
    """Something the bot does not do: said specifically when the topic is known."""
    if topic == "identity":
        await turn.reply.private(identity_message())
        return
    if topic in TOPICS:
        await turn.reply.private(out_of_scope_message(topic, portal_url=await portal_url(turn)))
        return
    await turn.reply.private(fallback_message())


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
