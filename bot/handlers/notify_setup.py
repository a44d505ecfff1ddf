"""Setup's Business Rule step: the script, the events secret (shown once), the test.

Admins only (``is_setup_admin``). The modal shows the exact rule and a test script for
the instance's Scripts - Background; [Generate secret] / [Rotate secret] makes a new
per-workspace secret (``EventSecrets``, encrypted at rest) and shows it in the modal
this once (a modal is not kept in any conversation, and the secret is never logged,
posted or put in ``private_metadata``); the old one stops working at once. With
``SERVICENOW_EVENTS_SECRET`` set, the operator owns the secret and the modal says so.
[Check for the test event] says whether a signed test event arrived in the last day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot import texts
from bot.blocks import ids
from bot.blocks.notify import events_setup_modal
from bot.blocks.parts import escape_mrkdwn, relative_time
from bot.notify.business_rule import business_rule_script, test_script
from bot.notify.events import EventSecrets, Workspace
from bot.setup.admins import is_setup_admin
from bot.store.guard import redis_errors, text
from bot.turn import Action, ActionHandler, Turn


def _endpoint(turn: Turn) -> str:
    return f"{turn.c.settings.public_url.rstrip('/')}/servicenow/events"


def _workspace(turn: Turn) -> Workspace:
    return Workspace(enterprise_id=turn.user.enterprise_id, team_id=turn.user.team_id)


async def _modal(
    turn: Turn, *, new_secret: str | None = None, test_note: str = ""
) -> dict[str, Any]:
    c = turn.c
    if c.settings.servicenow_events_secret is not None:
        state = texts.SETUP_EVENTS_FROM_ENV
    elif new_secret is not None or await EventSecrets(
        c.redis, keys=c.keys, cipher=c.cipher
    ).get(_workspace(turn)):
        state = texts.SETUP_EVENTS_KEY_SET
    else:
        state = texts.SETUP_EVENTS_KEY_NONE
    endpoint, team = _endpoint(turn), turn.user.team_id
    return events_setup_modal(
        endpoint=endpoint,
        rule=business_rule_script(endpoint=endpoint, team_id=team),
        test=test_script(endpoint=endpoint, team_id=team),
        secret_state=state,
        new_secret=new_secret,
        test_note=test_note,
    )


async def action_open(turn: Turn, _: Action) -> None:
    """Step 4's Notifications button: the Business Rule modal."""
    if await is_setup_admin(turn.c, turn.user):
        await turn.reply.open_modal(await _modal(turn))


async def action_rotate(turn: Turn, action: Action) -> None:
    """A new events secret, shown once in the modal."""
    c = turn.c
    if c.settings.servicenow_events_secret is not None or action.view_id is None:
        return
    if not await is_setup_admin(c, turn.user):
        return
    secret = await EventSecrets(c.redis, keys=c.keys, cipher=c.cipher).rotate(_workspace(turn))
    await c.audit.record("events.secret_rotated", user=turn.user)
    await turn.reply.update_modal(action.view_id, await _modal(turn, new_secret=secret))


async def action_check(turn: Turn, action: Action) -> None:
    """Whether a signed test event arrived (the connection test of the push path)."""
    c = turn.c
    if action.view_id is None or not await is_setup_admin(c, turn.user):
        return
    key = c.keys.events_test(turn.user.enterprise_id, turn.user.team_id)
    with redis_errors("reading the last test event"):
        raw = text(await c.redis.get(key))
    if raw:
        when = relative_time(datetime.fromtimestamp(float(raw), tz=UTC), now=turn.now)
        note = texts.SETUP_EVENTS_TEST_OK.format(when=when)
    else:
        note = texts.SETUP_EVENTS_TEST_NONE.format(endpoint=escape_mrkdwn(_endpoint(turn)))
    await turn.reply.update_modal(action.view_id, await _modal(turn, test_note=note))


ACTIONS: dict[str, ActionHandler] = {
    ids.SETUP_EVENTS: action_open,
    ids.SETUP_EVENTS_ROTATE: action_rotate,
    ids.SETUP_EVENTS_CHECK: action_check,
}
