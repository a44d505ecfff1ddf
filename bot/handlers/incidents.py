"""Use cases on incidents, acting as the user: look one up, list theirs, count them.

A list is filtered as the user asked (open, resolved, closed or all; this week, last
month; raised by them, assigned to them or their groups: ``filter_from`` reads the
engine's ``list_*`` entities), "how many" gets the count (``X-Total-Count``), and Next
carries the filter with the offset. What a card or a list showed becomes the
conversation's context ("close it").

Details are personal: they go to the asker only (ephemeral, or the DM). Asked in a
channel, the thread gets a note that reveals nothing.
"""

from __future__ import annotations

import logging

from pydantic import ValidationError

from bot import errors, texts
from bot.blocks import Message, ids, incident_card, incident_list, lookup_posted_privately_note
from bot.blocks.incident import FIELDS, field_answer, incident_count, list_title
from bot.grammar import SnowCommand
from bot.handlers import context
from bot.handlers.account import acting_as
from bot.servicenow.models import IncidentFilter, as_period
from bot.turn import Action, ActionHandler, CommandHandler, Turn
from intents import Prediction

log = logging.getLogger(__name__)

LIST_PAGE_SIZE = 10


async def _tell_privately(turn: Turn, message: Message) -> None:
    await turn.reply.private(message)
    if turn.reply.origin.kind == "mention":
        await turn.reply.public_note(lookup_posted_privately_note().text)


async def handle_lookup(turn: Turn, command: SnowCommand) -> None:
    """One incident's card (or, asked about one field, that field); without a number, the
    user's most recently updated one, saying so."""
    client = await acting_as(turn, pending=command)
    if client is None:
        return
    lead = None
    if command.number:
        incident = await client.incidents.get_incident(command.number)
    else:
        page = await client.incidents.list_mine(
            client.record.servicenow_user.sys_id, open_only=False, limit=1
        )
        if not page.incidents:
            await turn.reply.private(
                incident_list(page, title=texts.LIST_MINE_TITLE, now=turn.now)
            )
            return
        incident = await client.incidents.get_incident(page.incidents[0].number)
        lead = texts.LATEST_UPDATED_LEAD
        await context.remember(turn, [incident.number])
    asked = turn.prediction.hints.get("field") if turn.prediction is not None else None
    if asked in FIELDS:
        await _tell_privately(turn, field_answer(incident, field=asked, now=turn.now))
        return
    card = incident_card(
        incident, now=turn.now, shareable=turn.reply.origin.in_channel, lead=lead
    )
    await _tell_privately(turn, card)


def filter_from(prediction: Prediction | None) -> IncidentFilter | None:
    """The list the engine heard ("my closed tickets from last month"); None: the default."""
    if prediction is None:
        return None
    said = prediction.entities
    state = {"open": "open", "resolved": "resolved", "closed": "closed", "all": "all"}.get(
        said.get("list_state", "")
    )
    scope = {"raised": "raised", "assigned": "assigned", "groups": "groups"}.get(
        said.get("list_scope", "")
    )
    period = as_period(said.get("list_period"))
    if state is None and scope is None and period is None:
        return None
    return IncidentFilter.model_validate(
        {"state": state or "open", "scope": scope, "period": period}
    )


async def show_list(
    turn: Turn,
    *,
    offset: int,
    pending: SnowCommand | None,
    which: IncidentFilter | None = None,
    count_only: bool = False,
) -> None:
    """A page of the user's incidents (``which`` of them), from ``offset``; or their count."""
    client = await acting_as(turn, pending=pending)
    if client is None:
        return
    me = client.record.servicenow_user.sys_id
    groups: tuple[str, ...] = ()
    if which is not None and which.scope == "groups":
        groups = await client.incidents.my_groups(me)
    page = await client.incidents.list_mine(
        me, which=which, groups=groups, now=turn.now, offset=offset,
        limit=1 if count_only else LIST_PAGE_SIZE,
    )
    if count_only:
        await _tell_privately(turn, incident_count(page.total, which=which))
        return
    await context.remember(turn, [i.number for i in page.incidents])
    title = list_title(which)
    await _tell_privately(turn, incident_list(page, title=title, now=turn.now, which=which))


async def handle_list_mine(turn: Turn, command: SnowCommand) -> None:
    """``/snow mine`` and the list intent: the first page (or the count) of the user's list."""
    prediction = turn.prediction
    which = filter_from(prediction)
    count_only = prediction is not None and prediction.entities.get("list_count") == "1"
    await show_list(turn, offset=0, pending=command, which=which, count_only=count_only)


async def action_list_page(turn: Turn, action: Action) -> None:
    """Next / Previous on a list (the value carries the offset and the list's filter)."""
    fields = ids.decode_value(action.value or "")
    raw = fields.get("offset", action.value or "0") if fields else (action.value or "0")
    try:
        offset = max(int(raw), 0)
    except ValueError as exc:
        raise errors.UserInputError("bad paging value") from exc
    which = None
    if any(fields.get(name) for name in ("state", "period", "scope")):
        try:
            which = IncidentFilter.model_validate(
                {name: fields[name] for name in ("state", "period", "scope") if fields.get(name)}
            )
        except ValidationError as exc:
            raise errors.UserInputError("bad list filter") from exc
    await show_list(turn, offset=offset, pending=None, which=which)


async def action_view(turn: Turn, action: Action) -> None:
    """A list row's View button."""
    number = action.value or None
    await handle_lookup(turn, SnowCommand(kind="lookup", number=number))
    if number:
        await context.remember(turn, [number])


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
