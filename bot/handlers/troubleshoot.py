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
from bot.blocks.account import connect_button
from bot.blocks.parts import Message, context, message, safe, section
from bot.grammar import SnowCommand
from bot.handlers.account import check_may_link
from bot.servicenow.instance import instance_host
from bot.turn import ActionHandler, CommandHandler, ShortcutHandler, Turn, ViewHandler

log = logging.getLogger(__name__)

FOUND = "What I found"
FIX = "What to do"
NO_LINK = "You haven't linked your ServiceNow account yet, so I can't act as you."
NO_LINK_FIX = "Press Reconnect and allow access in ServiceNow; it takes a minute."
OTHER_INSTANCE = (
    "Your link is for {old}, but this workspace now uses {new}, so ServiceNow can't "
    "accept it."
)
OTHER_INSTANCE_FIX = "Press Reconnect to link your account on {new}."
REFUSED_REFRESH = (
    "ServiceNow refused to renew your link: it expired, was revoked, or your account "
    "was locked."
)
REFUSED_REFRESH_FIX = (
    "Press Reconnect. If ServiceNow then says your account is locked or inactive, your "
    "ServiceNow admin can unlock it."
)
UNAUTHORIZED = "ServiceNow no longer accepts your link (it answered 401, even after a renewal)."
UNAUTHORIZED_FIX = (
    "Press Reconnect. If it keeps happening, ask your admin to run `/snow setup`: token "
    "restrictions on the ServiceNow app may leave out what the bot needs."
)
FORBIDDEN = (
    "Your link works, but ServiceNow refuses your account the incident table (403)."
)
FORBIDDEN_FIX = (
    "Reconnecting won't change this. Ask your ServiceNow admin for the role "
    "`snc_platform_rest_api_access` (or the table's read access) for your account."
)
UNAVAILABLE = "ServiceNow isn't answering right now, so I couldn't check your link."
UNAVAILABLE_FIX = "Try again in a few minutes; if it lasts, tell your admin."
WORKS = "Your link works: you're connected as {name} on {host}, and ServiceNow answers."
WORKS_FIX = "Nothing to fix. If something still looks wrong, Reconnect links you afresh."
NO_INSTANCE_ADMIN = "An admin can connect it with `/snow setup`."


def _answer(found: str, fix: str, *, url: str | None) -> Message:
    blocks = [
        section(f"*{FOUND}:* {found}"),
        section(f"*{FIX}:* {fix}"),
        connect_button(start_url=url, label=texts.RECONNECT_BUTTON),
    ]
    return message(found, blocks)


async def handle_troubleshoot(turn: Turn, _: SnowCommand) -> None:
    """Check the asker's own link and answer with the fix and a Reconnect button."""
    c, user = turn.c, turn.user
    config = await c.instances.get(user.enterprise_id, user.team_id)
    if config is None:
        await turn.reply.private(
            message(
                texts.STATUS_NO_INSTANCE,
                [section(texts.STATUS_NO_INSTANCE), context(NO_INSTANCE_ADMIN)],
            )
        )
        return
    await check_may_link(turn)
    record = await c.vault.get(user)
    host = safe(instance_host(config.instance_url), 255)
    url = await c.servicenow.connect_url(user)
    if record is None:
        found, fix = NO_LINK, NO_LINK_FIX
    elif record.instance_url != config.instance_url:
        old = safe(instance_host(record.instance_url), 255)
        found = OTHER_INSTANCE.format(old=old, new=host)
        fix = OTHER_INSTANCE_FIX.format(new=host)
    elif record.status == "needs_reconnect":
        found, fix = REFUSED_REFRESH, REFUSED_REFRESH_FIX
    else:
        found, fix = await _probe(turn, host=host)
    await turn.reply.private(_answer(found, fix, url=url))


async def _probe(turn: Turn, *, host: str) -> tuple[str, str]:
    """One read as the user: what it says about their link."""
    try:
        client = await turn.c.servicenow.for_user(turn.user)
        await client.incidents.table_probe("incident")
    except errors.ReconnectRequiredError:
        return REFUSED_REFRESH, REFUSED_REFRESH_FIX
    except errors.ServiceNowAuthError:
        return UNAUTHORIZED, UNAUTHORIZED_FIX
    except errors.ServiceNowForbiddenError:
        return FORBIDDEN, FORBIDDEN_FIX
    except errors.ServiceNowError as exc:
        log.info("troubleshoot: the probe failed: %s", exc.__class__.__name__)
        return UNAVAILABLE, UNAVAILABLE_FIX
    who = client.record.servicenow_user
    name = safe(who.name or who.user_name, 200)
    return WORKS.format(name=name, host=host), WORKS_FIX


COMMANDS: dict[str, CommandHandler] = {"troubleshoot": handle_troubleshoot}
ACTIONS: dict[str, ActionHandler] = {}
VIEWS: dict[str, ViewHandler] = {}
SHORTCUTS: dict[str, ShortcutHandler] = {}
