"""Troubleshooting a user's own link to ServiceNow (``troubleshoot.connection``, everyone).

The bot checks what it can of the asker's link: none stored, stored for an instance
the workspace no longer uses, flagged because ServiceNow refused its refresh, or, for
an active link, one small read as the user (401: no longer accepted; 403: the account
may not use the Table API). The answer says what it found and the fix, with a
Reconnect button (a fresh Connect link).
"""

from __future__ import annotations

import logging

from bot import errors, texts
from bot.blocks.account import troubleshoot_answer, troubleshoot_no_instance
from bot.blocks.parts import safe
from bot.grammar import SnowCommand
from bot.handlers.account import check_may_link
from bot.servicenow.instance import instance_host
from bot.turn import ActionHandler, CommandHandler, ShortcutHandler, Turn, ViewHandler

log = logging.getLogger(__name__)


async def handle_troubleshoot(turn: Turn, _: SnowCommand) -> None:
    """Check the asker's own link and answer with the fix and a Reconnect button."""
    c, user = turn.c, turn.user
    config = await c.instances.get(user.enterprise_id, user.team_id)
    if config is None:
        await turn.reply.private(troubleshoot_no_instance())
        return
    await check_may_link(turn)
    record = await c.vault.get(user)
    host = safe(instance_host(config.instance_url), 255)
    url = await c.servicenow.connect_url(user)
    if record is None:
        found, fix = texts.TROUBLESHOOT_NO_LINK, texts.TROUBLESHOOT_NO_LINK_FIX
    elif record.instance_url != config.instance_url:
        old = safe(instance_host(record.instance_url), 255)
        found = texts.TROUBLESHOOT_OTHER_INSTANCE.format(old=old, new=host)
        fix = texts.TROUBLESHOOT_OTHER_INSTANCE_FIX.format(new=host)
    elif record.status == "needs_reconnect":
        found, fix = texts.TROUBLESHOOT_REFUSED_REFRESH, texts.TROUBLESHOOT_REFUSED_REFRESH_FIX
    else:
        found, fix = await _probe(turn, host=host)
    await turn.reply.private(troubleshoot_answer(found, fix, connect_url=url))


async def _probe(turn: Turn, *, host: str) -> tuple[str, str]:
    """One read as the user: what it says about their link."""
    try:
        client = await turn.c.servicenow.for_user(turn.user)
        await client.incidents.table_probe("incident")
    except errors.ReconnectRequiredError:
        return texts.TROUBLESHOOT_REFUSED_REFRESH, texts.TROUBLESHOOT_REFUSED_REFRESH_FIX
    except errors.ServiceNowAuthError:
        return texts.TROUBLESHOOT_UNAUTHORIZED, texts.TROUBLESHOOT_UNAUTHORIZED_FIX
    except errors.ServiceNowForbiddenError:
        return texts.TROUBLESHOOT_FORBIDDEN, texts.TROUBLESHOOT_FORBIDDEN_FIX
    except errors.ServiceNowError as exc:
        log.info("troubleshoot: the probe failed: %s", exc.__class__.__name__)
        return texts.TROUBLESHOOT_UNAVAILABLE, texts.TROUBLESHOOT_UNAVAILABLE_FIX
    who = client.record.servicenow_user
    name = safe(who.name or who.user_name, 200)
    return texts.TROUBLESHOOT_WORKS.format(name=name, host=host), texts.TROUBLESHOOT_WORKS_FIX


COMMANDS: dict[str, CommandHandler] = {"troubleshoot": handle_troubleshoot}
ACTIONS: dict[str, ActionHandler] = {}
VIEWS: dict[str, ViewHandler] = {}
SHORTCUTS: dict[str, ShortcutHandler] = {}
