"""Use cases on incidents, acting as the user: look one up, list theirs.

Details are personal: they go to the asker only (ephemeral, or the DM). Asked in a
channel, the thread gets a note that reveals nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import errors
from bot.blocks import Message, ids, incident_card, incident_list, lookup_posted_privately_note
from bot.grammar import SnowCommand
from bot.handlers.account import acting_as
from bot.interactions import Action, ActionHandler, CommandHandler

if TYPE_CHECKING:
    from bot.router import Turn

log = logging.getLogger(__name__)

LIST_PAGE_SIZE = 10
LIST_TITLE = "Your open incidents"


async def _tell_privately(turn: Turn, message: Message) -> None:
    await turn.reply.private(message)
    if turn.reply.origin.kind == "mention":
        await turn.reply.public_note(lookup_posted_privately_note().text)


async def handle_lookup(turn: Turn, command: SnowCommand) -> None:
    """One incident's card; without a number, the user's most recently updated one."""
    client = await acting_as(turn, pending=command)
    if client is None:
        return
    if command.number:
        incident = await client.incidents.get_incident(command.number)
    else:
        page = await client.incidents.list_mine(
            client.record.servicenow_user.sys_id, open_only=False, limit=1
        )
        if not page.incidents:
            await turn.reply.private(incident_list(page, title=LIST_TITLE, now=turn.now))
            return
        incident = await client.incidents.get_incident(page.incidents[0].number)
    await _tell_privately(
        turn, incident_card(incident, now=turn.now, shareable=not turn.reply.origin.in_dm)
    )


async def show_list(turn: Turn, *, offset: int, pending: SnowCommand | None) -> None:
    """A page of the user's open incidents, starting at ``offset``."""
    client = await acting_as(turn, pending=pending)
    if client is None:
        return
    page = await client.incidents.list_mine(
        client.record.servicenow_user.sys_id, offset=offset, limit=LIST_PAGE_SIZE
    )
    await _tell_privately(turn, incident_list(page, title=LIST_TITLE, now=turn.now))


async def handle_list_mine(turn: Turn, command: SnowCommand) -> None:
    """``/snow mine`` and the list intent: the first page of the user's open incidents."""
    await show_list(turn, offset=0, pending=command)


async def action_list_page(turn: Turn, action: Action) -> None:
    """Next / Previous on a list."""
    try:
        offset = max(int(action.value or "0"), 0)
    except ValueError as exc:
        raise errors.UserInputError("bad paging value") from exc
    await show_list(turn, offset=offset, pending=None)


async def action_view(turn: Turn, action: Action) -> None:
    """A list row's View button."""
    await handle_lookup(turn, SnowCommand(kind="lookup", number=action.value or None))


COMMANDS: dict[str, CommandHandler] = {
    "lookup": handle_lookup,
    "mine": handle_list_mine,
}
ACTIONS: dict[str, ActionHandler] = {
    ids.LIST_MINE: action_list_page,
    ids.LIST_NEXT: action_list_page,
    ids.LIST_PREVIOUS: action_list_page,
    ids.INCIDENT_VIEW: action_view,
}
