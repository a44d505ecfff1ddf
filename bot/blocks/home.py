"""The App Home tab: the user's link, their open incidents, and the admin section."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

from bot import texts
from bot.blocks import ids
from bot.blocks.account import connect_button
from bot.blocks.feedback import feedback_summary_blocks
from bot.blocks.incident import incident_row
from bot.blocks.models import AdminHome, ConnectionStatus, NotifyHome
from bot.blocks.parts import (
    MAX_VIEW_BLOCKS,
    actions,
    button,
    clip,
    context,
    fit_blocks,
    header,
    safe,
    section,
)
from bot.blocks.setup import linked_users_blocks, setup_status_line
from bot.servicenow.models import Incident

MAX_HOME_INCIDENTS = 5


def _status_blocks(status: ConnectionStatus, *, connect_url: str | None) -> list[Block | None]:
    if status.instance_host is None:
        return [section(texts.STATUS_NO_INSTANCE)]
    where = context(texts.STATUS_INSTANCE.format(host=safe(status.instance_host, 255)))
    if status.needs_reconnect:
        return [
            section(texts.STATUS_NEEDS_RECONNECT),
            where,
            connect_button(start_url=connect_url, label=texts.RECONNECT_BUTTON),
        ]
    if status.user is None:
        return [
            section(texts.STATUS_NOT_CONNECTED),
            where,
            connect_button(start_url=connect_url),
        ]
    user = status.user
    name = safe(user.name or user.user_name or user.sys_id, 200)
    if user.email:
        name += f" ({safe(user.email, 200)})"
    return [
        section(texts.STATUS_CONNECTED.format(name=name)),
        where,
        actions(button(texts.DISCONNECT_BUTTON, action_id=ids.DISCONNECT)),
    ]


def _incident_blocks(
    incidents: Sequence[Incident] | None, *, linked: bool, now: datetime
) -> list[Block | None]:
    blocks: list[Block | None] = [section(f"*{texts.HOME_INCIDENTS_TITLE}*")]
    if not linked or incidents is None:
        blocks.append(context(texts.HOME_INCIDENTS_UNKNOWN))
        return blocks
    if not incidents:
        blocks.append(context(texts.HOME_INCIDENTS_NONE))
    for incident in incidents[:MAX_HOME_INCIDENTS]:
        blocks.append(
            section(
                incident_row(incident, now=now),
                accessory=button(
                    texts.VIEW_BUTTON.format(number=incident.number),
                    action_id=ids.INCIDENT_VIEW,
                    value=clip(incident.number, 40),
                ),
            )
        )
    blocks.append(
        actions(
            button(texts.SHOW_MINE_BUTTON, action_id=ids.LIST_MINE),
            button(texts.NEW_INCIDENT_BUTTON, action_id=ids.NEW_INCIDENT, style="primary"),
            button(texts.FEEDBACK_BUTTON, action_id=ids.GIVE_FEEDBACK),
        )
    )
    return blocks


def _notify_blocks(notify: NotifyHome) -> list[Block | None]:
    watched = ", ".join(safe(n, 40) for n in notify.watched[:20])
    return [
        section(f"*{texts.HOME_NOTIFY_TITLE}*"),
        context(texts.HOME_NOTIFY_ON if notify.enabled else texts.HOME_NOTIFY_OFF),
        context(texts.HOME_WATCHING.format(numbers=watched) if watched
                else texts.HOME_WATCHING_NONE),
    ]


def _admin_blocks(admin: AdminHome, *, now: datetime) -> list[Block | None]:
    return [
        DividerBlock(),
        header(texts.ADMIN_TITLE),
        section(
            setup_status_line(admin.setup),
            accessory=button(texts.OPEN_SETUP_BUTTON, action_id=ids.ADMIN_OPEN_SETUP),
        ),
        *linked_users_blocks(admin.linked),
        DividerBlock(),
        *feedback_summary_blocks(admin.feedback, now=now),
    ]


def app_home(
    *,
    status: ConnectionStatus,
    open_incidents: Sequence[Incident] | None,
    now: datetime,
    connect_url: str | None = None,
    admin: AdminHome | None = None,
    notifications: NotifyHome | None = None,
) -> dict[str, Any]:
    """Home tab view (``views.publish``) for one user.

    Their link (Connect / Reconnect / Disconnect; Connect is a link button when a fresh
    ``connect_url`` is given, else ``ids.CONNECT_START``), up to five open incidents
    (``None``: not fetched, e.g. not linked), quick actions, and for admins the setup
    status, linked people with force-disconnect, and the feedback summary; with
    ``notifications``, the notification setting and the watched incidents. At most 100
    blocks whatever the inputs.
    """
    linked = status.user is not None and not status.needs_reconnect
    blocks: list[Block | None] = [
        header(texts.BOT_NAME),
        context(texts.WELCOME),
        section(f"*{texts.HOME_STATUS_TITLE}*"),
        *_status_blocks(status, connect_url=connect_url),
        DividerBlock(),
        *_incident_blocks(open_incidents, linked=linked, now=now),
        *(_notify_blocks(notifications) if notifications is not None and linked else []),
        context(texts.HELP_PRIVACY),
    ]
    if admin is not None:
        blocks += _admin_blocks(admin, now=now)
    view = View(type="home", blocks=fit_blocks(blocks, limit=MAX_VIEW_BLOCKS))
    return view.to_dict()
