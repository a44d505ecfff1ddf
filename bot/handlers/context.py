"""The incident a conversation is about: remembered when shown or acted on, used for "it".

``remember`` is called wherever an incident is shown or a request about one runs (the
router, after the use case succeeded; a list; a create). ``in_context`` answers "which
incident does 'close it' mean?": the one incident the conversation is about, said back
to the user so the bot never picks one silently; None when there is none or a list
showed several (the use case then asks which, as it would anyway). The state lives in
``ContextStore`` per user and conversation (the DM, or one channel thread), for
``CONTEXT_TTL``. Redis trouble never fails a request: without context the bot asks
which incident, as it would anyway.
"""

from __future__ import annotations

import logging

from bot import errors, texts
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import notice
from bot.turn import Turn

log = logging.getLogger(__name__)


async def remember(turn: Turn, numbers: list[str]) -> None:
    """The conversation is now about ``numbers`` (newest first); nothing when no conversation."""
    conversation = turn.reply.origin.conversation
    if conversation is None or not numbers:
        return
    try:
        await turn.c.context.remember(turn.user, conversation, numbers)
    except errors.StoreError:
        log.warning("could not keep the conversation's incident: Redis did not answer")


async def recall(turn: Turn) -> list[str]:
    """The incidents the conversation is about, newest first ([] when none)."""
    conversation = turn.reply.origin.conversation
    if conversation is None:
        return []
    try:
        return await turn.c.context.recall(turn.user, conversation)
    except errors.StoreError:
        log.warning("conversation context unavailable: Redis did not answer")
        return []


async def in_context(turn: Turn) -> str | None:
    """The one incident the conversation is about, told to the user as it is used; else None.

    None when there is none, or when a list showed several (the caller then asks which,
    offering its usual choices).
    """
    numbers = await recall(turn)
    if len(numbers) != 1:
        return None
    number = numbers[0]
    await turn.reply.private(notice(texts.CONTEXT_USED.format(number=escape_mrkdwn(number))))
    return number
