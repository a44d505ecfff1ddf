"""Every action_id, callback_id and block_id the bot's views use, and the value format.

Listeners match on these constants and nothing else; builders take them from here.
Names say what the user does (``INCIDENT_ADD_COMMENT``), values are short, stable,
prefixed ``snow_`` and never carry data.

Button values are the only data a click brings back. They carry an incident number,
an offset, a step number, an intent label or a conversation id: never personal data,
never secrets. When a value needs more than one field it is compact JSON built by
``encode_value`` and read back by ``decode_value``.
"""

from __future__ import annotations

import json
import re

# --- actions: connection -------------------------------------------------------
CONNECT_LINK = "snow_connect_link"  # url button to /servicenow/oauth/start (ack only)
CONNECT_START = "snow_connect_start"  # ask the bot for a fresh Connect link
DISCONNECT = "snow_disconnect"
RECONNECT_LINK = "snow_reconnect_link"  # url button in an auth error (ack only)

# --- actions: incidents --------------------------------------------------------
INCIDENT_OPEN_LINK = "snow_incident_open_link"  # url button to the record (ack only)
INCIDENT_VIEW = "snow_incident_view"  # value: incident number; show its card
INCIDENT_ADD_COMMENT = "snow_incident_add_comment"  # value: incident number
INCIDENT_ASK_CLOSE = "snow_incident_ask_close"  # value: incident number
INCIDENT_SHARE = "snow_incident_share"  # value: incident number; post in channel
INCIDENT_FEEDBACK = "snow_incident_feedback"  # value: incident number
LIST_NEXT = "snow_list_next"  # value: offset (decimal)
LIST_PREVIOUS = "snow_list_previous"  # value: offset (decimal)

# --- actions: understanding the user ------------------------------------------
NUMBER_CONFIRM_YES = "snow_number_yes"  # value: encode_value(number=, intent=)
NUMBER_CONFIRM_NO = "snow_number_no"  # value: encode_value(intent=)
# Clarify buttons sit in one actions block, so each has its own action_id:
# CLARIFY_CHOICE + "_0", "_1", "_2"; listeners match CLARIFY_CHOICE_PATTERN.
# value: encode_value(intent=, text=) or encode_value(intent=, conversation=)
CLARIFY_CHOICE = "snow_clarify_choice"
CLARIFY_CHOICE_PATTERN = re.compile(r"^snow_clarify_choice_\d+$")
CLARIFY_NONE = "snow_clarify_none"  # "Something else"
SHOW_HELP = "snow_show_help"
LIST_MINE = "snow_list_mine"
NEW_INCIDENT = "snow_new_incident"  # open the create modal empty
GIVE_FEEDBACK = "snow_give_feedback"  # open the feedback modal without an incident
# "Which incident?" buttons share one actions block: PICK_INCIDENT + "_0", "_1", ...
PICK_INCIDENT = "snow_pick_incident"  # value: encode_value(number=, intent=)
CONVERSATION_CANCEL = "snow_conversation_cancel"  # drop the question the bot asked

# --- actions: create ------------------------------------------------------------
CREATE_CONFIRM = "snow_create_confirm"  # value: conversation id of the stored draft
CREATE_EDIT = "snow_create_edit"  # value: conversation id of the stored draft
CREATE_CANCEL = "snow_create_cancel"  # value: conversation id of the stored draft

# --- actions: confirming a write from free text ---------------------------------
WRITE_CONFIRM = "snow_write_confirm"  # value: id of the pending write (Add comment, Close it…)
WRITE_CANCEL = "snow_write_cancel"  # value: id of the pending write

# --- actions: setup (admins) ---------------------------------------------------
SETUP_BACK = "snow_setup_back"  # value: step number to show
SETUP_NEXT = "snow_setup_next"  # value: step number to show ("Done, next step")
SETUP_OPEN_CREDENTIALS = "snow_setup_credentials"
SETUP_RUN_TEST = "snow_setup_test"
SETUP_OPEN_DEFAULTS = "snow_setup_defaults"
SETUP_SIGN_IN_LINK = "snow_setup_signin_link"  # url button to the setup test's start route
SETUP_COLLEAGUE_OPEN = "snow_setup_colleague"  # open the colleague picker
SETUP_COLLEAGUE_MODAL = "snow_setup_colleague_modal"  # private_metadata: ""
SETUP_COLLEAGUE_BLOCK = "snow_setup_colleague_user"
SETUP_COLLEAGUE_INPUT = "snow_setup_colleague_user_input"  # users_select: a Slack user id
SETUP_RECHECK = "snow_setup_recheck"
SETUP_FINISH = "snow_setup_finish"
SETUP_REGISTRY_LINK = "snow_setup_registry_link"  # url button to the instance (ack only)
ADMIN_FORCE_DISCONNECT = "snow_admin_force_disconnect"  # value: Slack user id
ADMIN_OPEN_SETUP = "snow_admin_open_setup"

# --- modals (callback_id) and their inputs (block_id, action_id) ----------------
CREATE_MODAL = "snow_create_modal"  # private_metadata: conversation id or ""
COMMENT_MODAL = "snow_comment_modal"  # private_metadata: incident number or ""
FEEDBACK_MODAL = "snow_feedback_modal"  # private_metadata: incident number or ""
SETUP_CREDENTIALS_MODAL = "snow_setup_credentials_modal"  # private_metadata: ""
SETUP_DEFAULTS_MODAL = "snow_setup_defaults_modal"  # private_metadata: ""

SHORT_DESCRIPTION_BLOCK = "snow_short_description"
SHORT_DESCRIPTION_INPUT = "snow_short_description_input"
DESCRIPTION_BLOCK = "snow_description"
DESCRIPTION_INPUT = "snow_description_input"
URGENCY_BLOCK = "snow_urgency"
URGENCY_INPUT = "snow_urgency_input"  # option values "1", "2", "3"

COMMENT_INCIDENT_BLOCK = "snow_comment_incident"
COMMENT_INCIDENT_INPUT = "snow_comment_incident_input"  # select or text: incident number
COMMENT_TEXT_BLOCK = "snow_comment_text"
COMMENT_TEXT_INPUT = "snow_comment_text_input"

RATING_BLOCK = "snow_rating"
RATING_INPUT = "snow_rating_input"  # option values "1".."5"
FEEDBACK_TEXT_BLOCK = "snow_feedback_text"
FEEDBACK_TEXT_INPUT = "snow_feedback_text_input"
FEEDBACK_AS_COMMENT_BLOCK = "snow_feedback_as_comment"
FEEDBACK_AS_COMMENT_INPUT = "snow_feedback_as_comment_input"
FEEDBACK_AS_COMMENT_VALUE = "add_comment"  # the checkbox option's value when ticked

INSTANCE_BLOCK = "snow_instance"
INSTANCE_INPUT = "snow_instance_input"
CLIENT_ID_BLOCK = "snow_client_id"
CLIENT_ID_INPUT = "snow_client_id_input"
# The next two are input ids, not secrets.
CLIENT_SECRET_BLOCK = "snow_client_secret"  # noqa: S105
CLIENT_SECRET_INPUT = "snow_client_secret_input"  # noqa: S105

CATEGORY_BLOCK = "snow_default_category"
CATEGORY_INPUT = "snow_default_category_input"
ASSIGNMENT_GROUP_BLOCK = "snow_default_group"
ASSIGNMENT_GROUP_INPUT = "snow_default_group_input"
CONTACT_TYPE_BLOCK = "snow_default_contact_type"
CONTACT_TYPE_INPUT = "snow_default_contact_type_input"

MAX_VALUE_CHARS = 2000  # Slack's limit for a button value


def encode_value(**fields: str) -> str:
    """A button value holding several short fields, as compact JSON."""
    value = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    if len(value) > MAX_VALUE_CHARS:
        raise ValueError("button value longer than Slack allows")
    return value


def decode_value(value: str) -> dict[str, str]:
    """The fields of a value made by ``encode_value``; ``{}`` when it is not one."""
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}

# The message shortcut (its callback id is in deploy/slack-manifest.yaml).
CREATE_FROM_MESSAGE_SHORTCUT = "create_incident_from_message"
