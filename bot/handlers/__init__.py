"""Use cases: plain async functions over a ``Turn``; and the tables listeners dispatch on.

``ACTIONS`` maps a button's ``action_id`` to its use case, ``VIEWS`` a modal's
``callback_id`` to its validate-then-run pair, ``SHORTCUTS`` a shortcut's
``callback_id`` to its use case. Link buttons (``*_link``) need only the ack and are
not listed.
"""

from __future__ import annotations

from bot.blocks import ids
from bot.handlers import account, conversation, incidents
from bot.interactions import ActionHandler, ShortcutHandler, ViewHandler

ACTIONS: dict[str, ActionHandler] = {
    ids.CONNECT_START: account.action_connect,
    ids.DISCONNECT: account.action_disconnect,
    ids.SHOW_HELP: conversation.action_help,
    ids.LIST_MINE: incidents.action_list_page,
    ids.LIST_NEXT: incidents.action_list_page,
    ids.LIST_PREVIOUS: incidents.action_list_page,
    ids.INCIDENT_VIEW: incidents.action_view,
}

VIEWS: dict[str, ViewHandler] = {}

SHORTCUTS: dict[str, ShortcutHandler] = {}
