"""Pure Block Kit builders: domain models in, dicts out; no I/O, no clock (``now`` is passed).

Messages come back as ``Message(text, blocks)`` (fallback text + serialised blocks),
modals and the home tab as view dicts. Every user- or ServiceNow-supplied string in
mrkdwn goes through ``escape_mrkdwn``; every Slack limit is kept (see ``parts``).
Ids live in ``bot.blocks.ids``, sentences in ``bot.texts``.
"""

from bot.blocks.account import (
    connect_prompt,
    connected_message,
    disconnected_message,
    error_message,
    not_admin_message,
    status_message,
)
from bot.blocks.conversation import (
    clarify_intent,
    did_you_mean_number,
    fallback_message,
    greeting_message,
    help_blocks,
    help_message,
    welcome_message,
)
from bot.blocks.feedback import (
    feedback_alert,
    feedback_invite,
    feedback_summary,
    feedback_thanks,
)
from bot.blocks.home import app_home
from bot.blocks.incident import (
    close_result,
    comment_added,
    create_confirmation,
    incident_card,
    incident_created,
    incident_list,
    lookup_posted_privately_note,
)
from bot.blocks.modal import (
    comment_modal,
    create_modal,
    feedback_modal,
    setup_credentials_modal,
    setup_defaults_modal,
)
from bot.blocks.models import (
    AdminHome,
    CheckItem,
    CloseOutcome,
    ConnectionStatus,
    FeedbackEntry,
    FeedbackSummary,
    Finding,
    IncidentDefaults,
    LinkedUser,
    SetupProgress,
    WeekStat,
)
from bot.blocks.parts import Message, escape_mrkdwn, mask_secret, relative_time
from bot.blocks.setup import (
    checklist_message,
    diagnosis,
    hardened_findings,
    linked_users,
    setup_guide,
)

__all__ = [
    "AdminHome",
    "CheckItem",
    "CloseOutcome",
    "ConnectionStatus",
    "FeedbackEntry",
    "FeedbackSummary",
    "Finding",
    "IncidentDefaults",
    "LinkedUser",
    "Message",
    "SetupProgress",
    "WeekStat",
    "app_home",
    "checklist_message",
    "clarify_intent",
    "close_result",
    "comment_added",
    "comment_modal",
    "connect_prompt",
    "connected_message",
    "create_confirmation",
    "create_modal",
    "diagnosis",
    "did_you_mean_number",
    "disconnected_message",
    "error_message",
    "escape_mrkdwn",
    "fallback_message",
    "feedback_alert",
    "feedback_invite",
    "feedback_modal",
    "feedback_summary",
    "feedback_thanks",
    "greeting_message",
    "hardened_findings",
    "help_blocks",
    "help_message",
    "incident_card",
    "incident_created",
    "incident_list",
    "linked_users",
    "lookup_posted_privately_note",
    "mask_secret",
    "not_admin_message",
    "relative_time",
    "setup_credentials_modal",
    "setup_defaults_modal",
    "setup_guide",
    "status_message",
    "welcome_message",
]
