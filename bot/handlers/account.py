"""Use cases of a user's own link: connect, status, disconnect, and the App Home tab.

Unlinking asked for in free text ("log me out of servicenow") is confirmed on a card
first (``bot.handlers.confirm``); ``/snow disconnect`` and the Disconnect buttons of
the status message and App Home unlink at once.

``acting_as`` is what every ServiceNow use case starts with: a client acting as the
user, or, when they are not linked (or must link again), a Connect prompt, with
what they asked remembered so it is finished once they are connected.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import errors, texts
from bot.blocks import (
    ConnectionStatus,
    app_home,
    connect_prompt,
    disconnected_message,
    escape_mrkdwn,
    ids,
    status_message,
)
from bot.blocks.question import notice
from bot.grammar import SnowCommand
from bot.handlers import alerts, confirm
from bot.handlers.feedback_admin import admin_home
from bot.models import SlackUser
from bot.servicenow.instance import instance_host
from bot.services import UserClient
from bot.store.confirmations import PendingWrite
from bot.turn import Action, ActionHandler, CommandHandler, Turn

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)


async def check_may_link(turn: Turn) -> None:
    """Refuse guests and people from other workspaces (``LinkRefusedError``)."""
    profile = await turn.c.directory.profile(turn.user.user_id)
    if profile.is_guest:
        raise errors.LinkRefusedError("guest accounts cannot link", reason="guest")
    if profile.team_id and profile.team_id != turn.user.team_id:
        raise errors.LinkRefusedError("user of another workspace", reason="external")
    if profile.deleted or profile.is_bot:
        raise errors.LinkRefusedError("deactivated or bot user", reason="guest")


async def prompt_connect(
    turn: Turn, *, reason: str | None = None, pending: SnowCommand | None = None
) -> None:
    """Send the user a fresh Connect link; remember ``pending`` to finish it afterwards."""
    await check_may_link(turn)
    url = await turn.c.servicenow.connect_url(turn.user)
    if pending is not None:
        await turn.c.conversations.save_pending(turn.user, pending)
    await turn.reply.private(connect_prompt(url, reason=reason))


async def acting_as(turn: Turn, pending: SnowCommand | None = None) -> UserClient | None:
    """A ServiceNow client acting as the user, or None after offering Connect."""
    try:
        return await turn.c.servicenow.for_user(turn.user)
    except errors.NotLinkedError as exc:
        await prompt_connect(turn, reason=texts.error_sentence(exc), pending=pending)
    except errors.ReconnectRequiredError as exc:
        await ask_to_reconnect(turn, exc, pending=pending)
    return None


async def ask_to_reconnect(
    turn: Turn, exc: errors.ReconnectRequiredError, *, pending: SnowCommand | None = None
) -> None:
    """The user must link again: a Reconnect prompt once (``RECONNECT_PROMPT_TTL``), then
    only a sentence; admins hear about it when many people's links fail together."""
    c = turn.c
    sentence = texts.error_sentence(exc)
    if await c.refresher.claim_reconnect_prompt(turn.user):
        await prompt_connect(turn, reason=sentence, pending=pending)
    else:
        if pending is not None:
            await c.conversations.save_pending(turn.user, pending)
        line = escape_mrkdwn(f"{sentence} {texts.RECONNECT_ALREADY_ASKED}")
        await turn.reply.private(notice(line))
    await alerts.check_refresh_failures(c, turn.user)


async def handle_connect(turn: Turn, _: SnowCommand) -> None:
    """``/snow connect`` and the connect intent: a Connect link, or who they already are."""
    record = await turn.c.vault.get(turn.user)
    reason: str | None = None
    if record is not None and record.status == "active":
        name = record.servicenow_user.name or record.servicenow_user.user_name
        reason = (
            f"{texts.STATUS_CONNECTED.format(name=name)} {texts.CONNECT_ANOTHER_ACCOUNT}"
        ).replace("*", "")
    await prompt_connect(turn, reason=reason)


async def handle_status(turn: Turn, _: SnowCommand) -> None:
    """``/snow status``: whether and as whom the user is connected, on which instance."""
    config = await turn.c.instances.get(turn.user.enterprise_id, turn.user.team_id)
    if config is None:
        await turn.reply.private(status_message(user=None, instance_host=None))
        return
    record = await turn.c.vault.get(turn.user)
    host = instance_host(config.instance_url)
    if record is None or record.instance_url != config.instance_url:
        start_url = await turn.c.servicenow.connect_url(turn.user)
        await turn.reply.private(
            status_message(user=None, instance_host=host, start_url=start_url)
        )
        return
    needs_reconnect = record.status == "needs_reconnect"
    url: str | None = None
    if needs_reconnect:
        url = await turn.c.servicenow.connect_url(turn.user)
    await turn.reply.private(
        status_message(
            user=record.servicenow_user,
            instance_host=host,
            needs_reconnect=needs_reconnect,
            start_url=url,
        )
    )


async def unlink(c: Container, user: SlackUser, *, by: str) -> bool:
    """Revoke ``user``'s tokens at ServiceNow (best effort) and delete the record."""
    record = await c.vault.get(user)
    if record is None:
        return False
    config = await c.instances.get(user.enterprise_id, user.team_id)
    revoked = False
    if config is not None and config.instance_url == record.instance_url:
        oauth = c.servicenow.oauth(config)
        try:
            for token in (record.refresh_token, record.access_token):
                if token:
                    await oauth.revoke(token)
            revoked = True
        except errors.ServiceNowError as exc:
            log.warning("revoking at ServiceNow failed (%s); deleting the link anyway", exc.detail)
    await c.vault.delete(user)
    await c.audit.record(
        "disconnect",
        user=user,
        by=by,
        servicenow_user=record.servicenow_user.user_name,
        revoked=revoked,
    )
    return True


async def handle_disconnect(turn: Turn, command: SnowCommand) -> None:
    """``/snow disconnect`` and Disconnect buttons: revoke and forget the user's link.

    Asked in free text, the user confirms on a card first.
    """
    if command.confirmed:
        await disconnect_now(turn)
        return
    record = await turn.c.vault.get(turn.user)
    if record is None:
        await turn.reply.private(notice(texts.DISCONNECT_NOT_LINKED))
        return
    name = record.servicenow_user.name or record.servicenow_user.user_name
    await confirm.propose(turn, PendingWrite(kind="disconnect"), account=name)


async def disconnect_now(turn: Turn, *, replace: bool = False) -> None:
    """Revoke and forget the user's link, say so, and refresh their Home tab."""
    await unlink(turn.c, turn.user, by=turn.user.user_id)
    await turn.reply.private(disconnected_message(), replace=replace)
    await publish_home(turn)


async def publish_home(turn: Turn) -> None:
    """Publish the user's App Home tab: their link, open incidents, and the admin part."""
    c = turn.c
    config = await c.instances.get(turn.user.enterprise_id, turn.user.team_id)
    record = await c.vault.get(turn.user) if config is not None else None
    linked = (
        record is not None
        and config is not None
        and record.instance_url == config.instance_url
        and record.status == "active"
    )
    status = ConnectionStatus(
        instance_host=instance_host(config.instance_url) if config else None,
        user=record.servicenow_user if record is not None else None,
        needs_reconnect=record is not None and not linked,
    )
    open_incidents = None
    connect_url = None
    if linked and record is not None:
        try:
            client = await c.servicenow.for_user(turn.user)
            page = await client.incidents.list_mine(record.servicenow_user.sys_id, limit=5)
            open_incidents = page.incidents
        except errors.BotError as exc:
            log.info("home: could not list incidents: %s", exc.__class__.__name__)
    elif config is not None:
        connect_url = await c.servicenow.connect_url(turn.user)
    # Admins (SNOWBOT_ADMINS, Slack admins and owners) also see setup, linked people and
    # the feedback summary.
    view = app_home(
        status=status,
        open_incidents=open_incidents,
        now=turn.now,
        connect_url=connect_url,
        admin=await admin_home(turn),
    )
    await turn.reply.publish_home(view)


async def action_connect(turn: Turn, _: Action) -> None:
    """A Connect / Reconnect button that asks for a fresh link."""
    await handle_connect(turn, SnowCommand(kind="connect"))


async def action_disconnect(turn: Turn, _: Action) -> None:
    """The Disconnect button (App Home, status)."""
    await disconnect_now(turn)


COMMANDS: dict[str, CommandHandler] = {
    "connect": handle_connect,
    "disconnect": handle_disconnect,
    "status": handle_status,
}
ACTIONS: dict[str, ActionHandler] = {
    ids.CONNECT_START: action_connect,
    ids.DISCONNECT: action_disconnect,
}
