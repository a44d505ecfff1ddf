"""Every sentence a user reads, in one place.

Builders in ``bot/blocks`` and handlers take their wording from here, so tone and
terms stay the same everywhere. Sentences are plain text with no data in them (data
is escaped and added by the builders); a few carry ``{placeholders}`` filled with
``str.format`` by the caller. ``error_sentence`` maps every class of ``bot/errors.py``
to the one sentence the user sees: what went wrong in their terms and, where there is
one, what to do about it. ``detail`` never reaches a user.
"""

from __future__ import annotations

import math

from bot import errors

# --- who the bot is ---------------------------------------------------------------
BOT_NAME = "snowbot"
HELP_INTRO = (
    "I'm snowbot. I help you with your ServiceNow incidents right here in Slack: "
    "ask me in your own words, or use `/snow`. I act as *you* in ServiceNow, so you "
    "see exactly what ServiceNow lets you see."
)
HELP_EXAMPLES_TITLE = "Things you can say"
HELP_EXAMPLES = (
    "“what's going on with INC0012345?”",
    "“show me my open tickets”",
    "“my laptop won't boot”",
    "“add to INC0012345: it happens after every restart”",
    "“INC0012345 is fixed, you can close it”",
    "“INC0012345 is broken again, please reopen it”",
)
HELP_COMMANDS_TITLE = "The `/snow` command"
HELP_COMMANDS = (
    ("/snow INC0012345", "show one incident"),
    ("/snow mine", "your open incidents"),
    ("/snow new <what's wrong>", "report a problem"),
    ("/snow comment INC0012345 <text>", "add a comment"),
    ("/snow close INC0012345", "ask to close an incident"),
    ("/snow reopen INC0012345 [reason]", "reopen a resolved incident"),
    ("/snow feedback [text]", "tell us how we did"),
    ("/snow watch INC0012345", "get a DM when an incident changes"),
    ("/snow unwatch INC0012345", "stop watching it"),
    ("/snow notifications on|off", "DMs about incidents you raised"),
    ("/snow connect", "link your ServiceNow account"),
    ("/snow disconnect", "unlink it"),
    ("/snow status", "see whether you're linked"),
    ("/snow setup", "connect the workspace to ServiceNow (admins)"),
    ("/snow help", "this message"),
)
HELP_PRIVACY = (
    "Details of your incidents reach only you (privately or in our DM) unless you "
    "choose to share them."
)
HELP_FALLBACK = "Here's what I can do for you with ServiceNow incidents."
WELCOME = (
    "Hi! I'm snowbot. Tell me what's wrong and I'll open an incident, or ask me about "
    "one you already have."
)
FALLBACK = (
    "Sorry, that's not something I can help with. I handle ServiceNow incidents: "
    "looking them up, listing yours, reporting a new problem, adding a comment, "
    "asking to close one and reopening one."
)
FALLBACK_NEXT = "Try “show my tickets” or “my VPN keeps dropping”, or type `/snow help`."
COMPLAINT = (
    "I'm sorry. Waiting without an answer is frustrating, and you shouldn't have to chase us."
)
COMPLAINT_NEXT = (
    "I can look at your open incidents with you now, and you can tell the team how it went."
)
COMPLAINT_SHOW_OPEN = "Look at my open incidents"
COMPLAINT_FEEDBACK = "Tell the team"
IDENTITY = (
    "I'm snowbot, the IT help desk's assistant in Slack: I work on your ServiceNow "
    "incidents, as you."
)
IDENTITY_CAN = (
    "I can look one up, list yours, open a new one, add a comment, and ask to close or "
    "reopen one."
)
PORTAL_BUTTON = "Open the portal"
GOODS_NOTE = (
    "A new {goods} is usually ordered from the catalog on the portal, which routes it for "
    "approval. If you'd rather, I can open this incident and the service desk will take it "
    "from there."
)
OUT_OF_SCOPE_TOPICS = {
    "password_reset": (
        "I can't reset passwords here. The portal's password reset does it at once; if "
        "you're locked out, I can open an incident for the service desk."
    ),
    "vpn": (
        "I can't change VPN access or settings from here. If the VPN isn't working, I can "
        "open an incident for you; access requests go through the portal."
    ),
    "catalog": (
        "I can't order from the service catalog here. The portal's catalog is the usual "
        "way; if something is broken, I can open an incident."
    ),
    "human": (
        "I can't hand you to a person in this chat, but the service desk reads every "
        "incident: I can open one and they'll get back to you."
    ),
}
GREETING = "Hello! What can I do for you?"
GREETING_THANKS = "You're welcome! Anything else, just ask."
GREETING_BYE = "Bye for now! I'm here whenever you need me."

# --- intents, as people call them ---------------------------------------------------
INTENT_LABELS: dict[str, str] = {
    "incident.lookup": "Look up an incident",
    "incident.list_mine": "Show my incidents",
    "incident.create": "Report a problem",
    "incident.comment": "Add a comment",
    "incident.close_request": "Ask to close an incident",
    "incident.reopen": "Reopen an incident",
    "feedback.give": "Give feedback",
    "connect": "Link my ServiceNow account",
    "disconnect": "Unlink my ServiceNow account",
    "setup.admin": "Set up ServiceNow (admins)",
    "troubleshoot.connection": "Fix a connection problem",
    "help": "What can you do?",
    "greeting": "Just saying hi",
    "out_of_scope": "Something else",
}
CLARIFY_QUESTION = "I'm not sure what you'd like me to do. Did you mean one of these?"
CLARIFY_YOU_SAID = "You said:"
CLARIFY_SOMETHING_ELSE = "Something else"
DID_YOU_MEAN = "Did you mean *{number}*?"
DID_YOU_MEAN_WHY = "Incident numbers look like INC followed by seven digits."
YES = "Yes"
NO = "No"
NO_NUMBER_FOLLOW_UP = "No problem. Which incident number do you mean?"

# --- connection -----------------------------------------------------------------
CONNECT_WHY = (
    "To do this I need to act as you in ServiceNow. Link your account once: "
    "ServiceNow asks you to allow it, then you're back here."
)
CONNECT_BUTTON = "Connect ServiceNow"
CONNECT_LINK_NOTE = "The link is yours alone and works for 10 minutes. Please don't forward it."
CONNECTED = "You're connected to ServiceNow as *{name}*."
CONNECTED_NEXT = "Try “show my tickets”, or tell me what's wrong."
LINKED_EMAIL_MISMATCH = (
    "Heads up: that ServiceNow account's email isn't the one on your Slack profile. "
    "If it isn't yours, use `/snow disconnect` now."
)
STATUS_CONNECTED = "You're connected to ServiceNow as *{name}*."
STATUS_NOT_CONNECTED = "You haven't linked your ServiceNow account yet."
STATUS_NEEDS_RECONNECT = (
    "Your ServiceNow link has expired or was revoked. Connect again to carry on."
)
STATUS_NO_INSTANCE = (
    "This workspace isn't connected to ServiceNow yet. An admin can set it up with "
    "`/snow setup`."
)
STATUS_INSTANCE = "Instance: {host}"
DISCONNECT_BUTTON = "Disconnect"
RECONNECT_BUTTON = "Reconnect"
DISCONNECTED = (
    "Done: I've forgotten your ServiceNow link and asked ServiceNow to revoke it. "
    "Connect again any time with `/snow connect`."
)

# --- incidents ------------------------------------------------------------------
FIELD_STATE = "State"
FIELD_PRIORITY = "Priority"
FIELD_ASSIGNED_TO = "Assigned to"
FIELD_GROUP = "Group"
FIELD_UPDATED = "Last update"
FIELD_OPENED = "Opened"
NOBODY_YET = "Nobody yet"
UNKNOWN = "Unknown"
LATEST_COMMENT = "Latest comment from {author}"
REFERENCE_FOUND = "Found by your words “{words}”: *{number}*."
REFERENCE_NONE = (
    "I couldn't find an incident of yours about “{words}”, so I'm not showing one. You can "
    "look through your incidents, or report a new problem."
)
REFERENCE_WHICH = "{count} of your incidents match “{words}”. Which one do you mean?"
REFERENCE_OTHER_TIME = (
    "None of your incidents about “{words}” was{period}. These were opened at another "
    "time: is it one of them?"
)
CONTEXT_USED = "Taking that as *{number}*, the incident we were just talking about."
LATEST_COMMENTS = "Latest comments, newest first ({count})"
NONE_YET = "None yet"
NO_COMMENTS = "No comments yet."
OPEN_IN_SERVICENOW = "Open in ServiceNow"
ADD_COMMENT_BUTTON = "Add comment"
ASK_CLOSE_BUTTON = "Ask to close"
ASK_CLOSE_CONFIRM_TITLE = "Ask to close this incident?"
ASK_CLOSE_CONFIRM = (
    "ServiceNow resolves it if your account may do that; otherwise I add a comment "
    "asking the team to close it."
)
SHARE_BUTTON = "Share in channel"
FEEDBACK_BUTTON = "How did we do?"
RESOLVED_FEEDBACK_PROMPT = "This one is resolved. How did we do?"
VIEW_BUTTON = "View {number}"  # unique per row: the demo presses buttons by label
POSTED_PRIVATELY = "I've sent you the details privately."
LIST_EMPTY = "You have no incidents here. Tell me what's wrong and I'll open one."
ROW_UPDATED = "updated {when}"
LIST_RANGE = "Showing {first}–{last} of {total}"
LIST_NEXT = "Next"
LIST_PREVIOUS = "Previous"
LIST_MINE_TITLE = "Your open incidents"
LIST_TITLE = "Your {what}"
LIST_COUNT = "You have *{count}* {what}."
LIST_PHRASE_DEFAULT = "open incidents"
LIST_STATE_WORDS = {
    "open": "open incidents",
    "resolved": "resolved incidents",
    "closed": "closed incidents",
    "all": "incidents",
}
LIST_SCOPE_WORDS = {
    "raised": " raised by you",
    "assigned": " assigned to you",
    "groups": " assigned to your groups",
}
LIST_PERIOD_WORDS = {
    "today": " opened today",
    "this_week": " opened this week",
    "last_week": " opened last week",
    "this_month": " opened this month",
    "last_month": " opened last month",
}
LATEST_UPDATED_LEAD = "You didn't name an incident, so here is your most recently updated one."
FIELD_ANSWER = "*{number}* ({title}): {field} *{value}*."
FIELD_ANSWER_COMMENTS = "The latest comments on *{number}* ({title}):"
FIELD_NAMES = {
    "priority": "priority",
    "state": "state",
    "assignee": "assigned to",
    "assignment_group": "assignment group",
    "updated": "last updated",
}
LIST_MORE_IN_SERVICENOW = "…and more. Use Next to see them."
MORE_NOT_SHOWN = "…and more, not shown here."
NEW_INCIDENT_BUTTON = "Report a problem"
SHOW_MINE_BUTTON = "Show my incidents"
STATE_LABELS: dict[int, str] = {
    1: "New",
    2: "In Progress",
    3: "On Hold",
    6: "Resolved",
    7: "Closed",
    8: "Canceled",
}
URGENCY_LABELS: dict[int, str] = {1: "High", 2: "Medium", 3: "Low"}

# --- create -------------------------------------------------------------------
CREATE_UNDERSTOOD = "Here's what I understood. Shall I open this incident?"
CREATE_SHORT_DESCRIPTION = "Short description"
CREATE_DESCRIPTION = "Details"
CREATE_URGENCY = "Urgency"
CREATE_NO_DETAILS = "No further details."
CREATE_BUTTON = "Create"
EDIT_BUTTON = "Edit"
CANCEL_BUTTON = "Cancel"
CREATE_MODAL_TITLE = "Report a problem"
CREATE_SHORT_PLACEHOLDER = "e.g. Laptop won't boot"
CREATE_DESCRIPTION_PLACEHOLDER = "What happened, since when, any error message"
CREATED = "Done! I've opened *{number}* for you."
CREATED_NEXT = "I'll keep it here; ask me “what's happening with {number}” any time."

# --- comments -------------------------------------------------------------------
COMMENT_MODAL_TITLE = "Add a comment"
COMMENT_ON = "Your comment goes on *{number}*. Everyone working on it can read it."
COMMENT_PICK = "Incident"
COMMENT_PICK_PLACEHOLDER = "Choose one of your open incidents"
COMMENT_NUMBER_LABEL = "Incident number"
COMMENT_NUMBER_PLACEHOLDER = "INC0012345"
COMMENT_TEXT_LABEL = "Comment"
COMMENT_VISIBLE = "Comments are visible to, and emailed to, the people on the incident."
COMMENT_ADDED = "I've added your comment to *{number}*:"

# --- close ------------------------------------------------------------------------
CLOSE_RESOLVED = "*{number}* is now resolved. Thanks for letting us know!"
CLOSE_COMMENT_ADDED = (
    "ServiceNow doesn't let your account resolve *{number}* itself, so I added a "
    "comment asking the team to close it. They'll take it from there."
)
CLOSE_ALREADY = "*{number}* is already closed; nothing to do."
CLOSE_ALREADY_ASKED = "I asked the desk to close *{number}* {when}; it isn't closed yet."
CLOSE_ASKING = "I'm already asking the desk to close *{number}*; one request is enough."
ASKED_AT = "at {time} ({zone})"
ASKED_YESTERDAY_AT = "yesterday at {time} ({zone})"
ASKED_ON = "on {date} at {time} ({zone})"

# --- reopen -----------------------------------------------------------------------
REOPENED = "*{number}* is open again (In Progress), with your comment for the team."
REOPEN_COMMENT_ADDED = (
    "ServiceNow doesn't let your account reopen *{number}* itself, so I added a "
    "comment asking the team to reopen it. They'll take it from there."
)
REOPEN_STILL_OPEN = (
    "*{number}* is still open ({state}), so there's nothing to reopen. If you have news "
    "for the team, add a comment."
)
REOPEN_FINAL = (
    "*{number}* is {state}, and a {state_lower} incident can't be reopened. I can open a "
    "new incident that refers to it:"
)
FOLLOW_UP_SHORT = "Follow-up to {number}: {title}"
FOLLOW_UP_DESCRIPTION = "Follow-up to {number} ({state}), which can't be reopened."
ASK_WHICH_REOPEN = "Which incident would you like to reopen?"
NO_RESOLVED_INCIDENTS = "You have no resolved incidents I could reopen."

# --- confirming a write -------------------------------------------------------------
CONFIRM_COMMENT = "Shall I add this comment to *{number}*?"
CONFIRM_CLOSE = "Shall I ask to close *{number}*?"
CONFIRM_REOPEN = "Shall I reopen *{number}*?"
CONFIRM_DISCONNECT = "Shall I unlink your ServiceNow account ({name})?"
CONFIRM_WRITES = "What I'll write:"
CONFIRM_CLOSE_HOW = (
    "ServiceNow resolves it if your account may do that, with these words as the "
    "resolution note; otherwise I add them as a comment asking the team to close it."
)
CONFIRM_REOPEN_HOW = (
    "ServiceNow sets it back to In Progress with this comment if your account may; "
    "otherwise the comment asks the team to reopen it."
)
CONFIRM_DISCONNECT_HOW = (
    "I'll ask ServiceNow to revoke my access and forget your link. You can connect "
    "again any time with `/snow connect`."
)
CLOSE_IT_BUTTON = "Close it"
REOPEN_BUTTON = "Reopen"
WRITE_CANCELLED = "OK, I've left *{number}* as it is. Nothing was written."
WRITE_CANCELLED_PLAIN = "OK, I've cancelled that. Nothing was written."
DISCONNECT_CANCELLED = "OK, you're still connected to ServiceNow."
WRITE_EXPIRED = (
    "That confirmation has expired, so I haven't changed anything. Ask me again if "
    "you still want it."
)
WRITE_ALREADY_DONE = "That's already done; I haven't done it a second time."
WRITE_ALREADY_CANCELLED = "You cancelled that, so I haven't changed anything."
WRITE_IN_PROGRESS = "I'm already doing that; I'll tell you here when it's done."
WRITE_TOO_LATE = "Too late to cancel: I've already done it."
DISCONNECT_NOT_LINKED = "You haven't linked a ServiceNow account, so there's nothing to unlink."
ASK_WHICH_OF_SEVERAL = "You named several incidents. Which one do you mean?"
LOOKUPS_CAPPED = "You named {count} incidents; here are the first {shown}."

# --- other ServiceNow records -------------------------------------------------------
OTHER_RECORD = (
    "I work with incidents only, and *{number}* is a {kind}, so I haven't changed "
    "anything. Open it in ServiceNow, or ask the service desk about it."
)
# --- asking for what's missing, and write follow-ups --------------------------------
ASK_PROBLEM = "Sure, I can open an incident. What's wrong? Describe it in a sentence or two."
ASK_COMMENT_TEXT = "What should the comment on *{number}* say?"
ASK_WHICH_COMMENT = "Which incident should I add that to?"
ASK_WHICH_CLOSE = "Which incident would you like to close?"
ASK_WHICH_LOOKUP = "Which incident do you mean?"
ASK_WHICH_HINT = "Pick one below, or type its number (like INC0012345)."
ASK_NUMBER_AGAIN = (
    "I need an incident number like INC0012345. Type it, or say “cancel” to stop."
)
ASK_RIGHT_NUMBER = "No problem. What's the right incident number? (like INC0012345)"
NO_OPEN_INCIDENTS = (
    "You have no open incidents I could use for that. If something's wrong, tell me "
    "and I'll open one."
)
CONVERSATION_CANCELLED = "OK, I've dropped that. What else can I do for you?"
NOTHING_TO_CANCEL = "OK. There was nothing in progress. What can I do for you?"
CREATE_CANCELLED = "OK, I won't open that incident."
CREATE_IN_PROGRESS = "I'm already creating that incident; I'll tell you its number in a moment."
ALREADY_CREATED = "You've already opened *{number}* from this draft."
DRAFT_EXPIRED = (
    "That draft has expired. Tell me again what's wrong and I'll prepare a new one."
)
SHORT_DESCRIPTION_REQUIRED = "Please say in a few words what's wrong."
SHORT_DESCRIPTION_TOO_LONG = "Please keep this under {limit} characters; put the rest in Details."
COMMENT_REQUIRED = "Please write the comment."
NUMBER_INVALID = "That doesn't look like an incident number (like INC0012345)."
FROM_SLACK_MESSAGE = "From this Slack message: {link}"
SHARED_IN_DM = (
    "This is our private chat, so there's no channel to share it in. Ask me in a "
    "channel and press Share there."
)
SHARED = "I've posted *{number}* in the channel."

# --- feedback ---------------------------------------------------------------------
FEEDBACK_MODAL_TITLE = "How did we do?"
FEEDBACK_RATING = "Your rating"
FEEDBACK_RATINGS: dict[int, str] = {
    1: "1 – Poor",
    2: "2 – Not great",
    3: "3 – OK",
    4: "4 – Good",
    5: "5 – Excellent",
}
FEEDBACK_COMMENT = "Anything you'd like to tell us?"
FEEDBACK_AS_COMMENT = "Also add this as a comment on {number}"
FEEDBACK_AS_COMMENT_LABEL = "Share with the team"
FEEDBACK_AS_COMMENT_HINT = "The people working on it will see it and get an email."
FEEDBACK_ABOUT = "About *{number}*."
FEEDBACK_THANKS = "Thank you for your feedback!"
FEEDBACK_ADDED_AS_COMMENT = "I also added it as a comment on *{number}*."
FEEDBACK_KEPT_FOR_ADMIN = (
    "ServiceNow didn't accept it right now, so I've kept it safe and told your admin."
)
FEEDBACK_SUMMARY_TITLE = "Feedback"
FEEDBACK_SUMMARY_NONE = "No feedback yet."
FEEDBACK_SUMMARY_HEADLINE = "*{count}* ratings, average *{average}* out of 5"
FEEDBACK_TREND_TITLE = "By week"
FEEDBACK_RECENT_TITLE = "Recent comments"
FEEDBACK_REFUSED = (
    "{count} feedback entries were kept here because ServiceNow refused them: {reason}"
)
FEEDBACK_CHART_ALT = "Average rating and number of ratings per week"
FEEDBACK_INVITE = "Thanks for telling me. Would you rate us from 1 to 5?"
FEEDBACK_INVITE_ABOUT = "Thanks for telling me. How would you rate the help with *{number}*?"
FEEDBACK_INVITE_BUTTON = "Rate us"
FEEDBACK_RECORDED_FROM_TEXT = (
    "I read that as {rating} out of 5 and recorded it. To change it, use `/snow feedback`."
)
FEEDBACK_COMMENT_REFUSED = "I couldn't add it as a comment on *{number}*; ServiceNow refused."
FEEDBACK_KEPT_NOT_LINKED = (
    "I've kept your feedback here; connect your ServiceNow account so it reaches ServiceNow too."
)
FEEDBACK_INCIDENT_COMMENT = "Feedback from Slack: {rating}/5 {stars}"
FEEDBACK_ALERT_TITLE = "Feedback could not be saved in ServiceNow"
FEEDBACK_ALERT = (
    "Someone left feedback in Slack, but ServiceNow refused to store it in `{table}`: "
    "{reason} I've kept it in the bot; it shows in the App Home summary. "
    "I'll tell you again at most once an hour."
)
FEEDBACK_REFUSAL_REASONS: dict[str, str] = {
    "table_missing": (
        "the table does not exist (or is closed to web services). Create it with the columns "
        "`u_rating`, `u_comment`, `u_incident`, `u_slack_user` and `u_source`."
    ),
    "forbidden": (
        "ordinary users may not create records in it. Add a create ACL for the role "
        "`snc_internal`."
    ),
    "rejected": "ServiceNow rejected the record (check the column names and types).",
    "unavailable": "ServiceNow did not answer in time. It usually recovers by itself.",
    "auth": "the person's ServiceNow link was refused; they have been asked to reconnect.",
}
FEEDBACK_CHART_ALT_TREND = (
    "Bar chart of the number of ratings per week over the last {weeks} weeks "
    "({count} in all), with each week's average marked. {trend}"
)
FEEDBACK_CHART_TREND_UP = "The weekly average rose from {first} to {last} out of 5."
FEEDBACK_CHART_TREND_DOWN = "The weekly average fell from {first} to {last} out of 5."
FEEDBACK_CHART_TREND_FLAT = "The weekly average held at about {last} out of 5."
FEEDBACK_CHART_TREND_NONE = "Too few rated weeks to show a trend."
SUBMIT = "Submit"
SEND = "Send"
SAVE = "Save"
CLOSE = "Close"

# --- setup (admins) -----------------------------------------------------------------
NOT_ADMIN = (
    "Setting up ServiceNow is for workspace admins. If this needs doing, please ask "
    "an admin."
)
NOT_ADMIN_HINT = "You could ask {who}."
SETUP_TITLE = "Connect this workspace to ServiceNow"
SETUP_STEP = "Step {step} of {total}"
SETUP_BACK = "Back"
SETUP_DONE = "Done, next step"
SETUP_STEP_TITLES: dict[int, str] = {
    1: "Register snowbot in ServiceNow",
    2: "Give me the client id and secret",
    3: "Test the connection",
    4: "Feedback table and defaults",
}
SETUP_STEP1 = (
    "In ServiceNow, open *System OAuth › Application Registry* and click *New*, then "
    "choose *Create an OAuth API endpoint for external clients*. You need the "
    "`oauth_admin` role."
)
SETUP_STEP1_FIELDS = (
    "• *Name*: something you'll recognise later, e.g. `snowbot (Slack)`.\n"
    "• *Redirect URL*: exactly this, nothing added:"
)
SETUP_STEP1_DEFAULTS = (
    "• Leave the rest at its defaults (ServiceNow fills in the client id and secret "
    "when you save)."
)
SETUP_STEP1_SCOPE = (
    "Recommended: limit what the tokens can do. Tick *Enforce token restrictions* and "
    "allow, with an auth scope or a REST API access policy, only the Table API on "
    "`incident`, `sys_user` and the feedback table (`{table}`)."
)
SETUP_REGISTRY_BUTTON = "Open the Application Registry"
SETUP_STEP2 = (
    "Open the record you just saved and copy its *Client ID* and *Client Secret* "
    "(the lock icon reveals it). Paste them in the form; never paste a secret in a "
    "message."
)
SETUP_STEP2_BUTTON = "Enter client id and secret"
SETUP_STEP2_STORED = "Stored: instance {host}, client id {client_id}, secret {secret}."
SETUP_STEP2_NOTHING = "Nothing stored yet."
SETUP_STEP3 = (
    "I'll walk the real sign-in with your own account and check what hardened "
    "instances often block. You'll get a tick or a cross per step and, for any cross, "
    "what to change."
)
SETUP_STEP3_BUTTON = "Run the connection test"
SETUP_STEP3_PASSED = "Last test: everything worked."
SETUP_STEP3_FAILED = "Last test: something failed. Run it again after a change."
SETUP_STEP4_TABLE = (
    "Feedback is written to a table in ServiceNow. Create table `{table}` "
    "(*System Definition › Tables › New*) with these columns:"
)
SETUP_STEP4_COLUMNS = (
    "• `u_rating`: Integer (1–5)\n"
    "• `u_comment`: String (4000)\n"
    "• `u_incident`: Reference to Incident\n"
    "• `u_slack_user`: String (40)\n"
    "• `u_source`: String (40)"
)
SETUP_STEP4_ACL = (
    "Tick *Allow access to this table via web services*, and add a *create* ACL on "
    "`{table}` for ordinary users (role `snc_internal`) so everyone can leave feedback."
)
SETUP_STEP4_DEFAULTS = (
    "Defaults for incidents created from Slack (optional): category, assignment "
    "group and contact type."
)
SETUP_STEP4_DEFAULTS_NOW = "Now: category {category}, group {group}, contact type {contact}."
SETUP_STEP4_TABLE_OK = "The feedback table answers: ready."
SETUP_STEP4_TABLE_MISSING = "I couldn't write to the feedback table yet."
SETUP_DEFAULTS_BUTTON = "Set defaults"
SETUP_RECHECK_BUTTON = "Check again"
SETUP_FINISH_BUTTON = "Finish"
SETUP_NOT_SET = "not set"
CREDENTIALS_MODAL_TITLE = "ServiceNow app"
CREDENTIALS_INSTANCE = "Instance"
CREDENTIALS_INSTANCE_HINT = "Its name (dev98042) or address (https://dev98042.service-now.com)."
CREDENTIALS_CLIENT_ID = "Client ID"
# A label, not a secret.
CREDENTIALS_CLIENT_SECRET = "Client secret"  # noqa: S105
CREDENTIALS_TYPING_HINT = (
    "Stored encrypted and never shown again. Slack shows it while you type, so make "
    "sure nobody is looking over your shoulder."
)
CREDENTIALS_KEEP_STORED = (
    "A secret ending in {last4} is stored. Leave this empty to keep it."
)
DEFAULTS_MODAL_TITLE = "Incident defaults"
DEFAULTS_CATEGORY = "Category"
DEFAULTS_GROUP = "Assignment group"
DEFAULTS_CONTACT_TYPE = "Contact type"
DEFAULTS_HINT = "Leave empty to let ServiceNow decide."
CHECKLIST_TITLE = "Connection test"
CHECKLIST_PASSED = "Everything works. People can now connect with `/snow connect`."
CHECKLIST_FAILED = "Some steps failed. Most likely causes first:"
CHECKLIST_FAILED_SHORT = "Some steps failed."
CHECK_SKIPPED = "skipped"
DIAGNOSIS_WHY = "Why"
DIAGNOSIS_FIX = "What to change"

HARDENED_INTRO = (
    "Your instance looks hardened (a 504 Gateway Time-out or "
    "`access_denied`/`server_error` during sign-in). These usually fix it:"
)
# (title, why, what to change): reused by the connection test's diagnosis.
HARDENED_CHECKLIST: tuple[tuple[str, str, str], ...] = (
    (
        "Give the bot's users a dedicated role",
        "Hardened instances often let only listed roles use OAuth and the REST API.",
        "Create a role used only for snowbot and grant it to the people (or a service "
        "account used only for this). Don't use a web-service-access-only account: "
        "it cannot complete the sign-in page.",
    ),
    (
        "Let users read their OAuth credentials",
        "Consent writes and then reads a row in `oauth_credential`; restrictive ACLs "
        "break or hang it (often seen as a 504).",
        "Add read ACLs on `oauth_credential` and `oauth_credential.*` for that role.",
    ),
    (
        "Grant snc_internal under Explicit Roles",
        "With the Explicit Roles plugin active, users without `snc_internal` reach "
        "only public pages, so the sign-in page refuses them.",
        "Make sure the users hold `snc_internal` (not `snc_external`).",
    ),
    (
        "Open the tables the bot uses",
        "Table API calls need read access, and writes need write or create access, "
        "on each table; each table must also allow web-service access.",
        "Check the ACLs and *Allow access to this table via web services* on "
        "`incident`, `sys_user` and the feedback table.",
    ),
    (
        "Allow the REST API role",
        "When the REST API ACLs are switched on, callers need "
        "`snc_platform_rest_api_access`, which ordinary users lack.",
        "Grant `snc_platform_rest_api_access` to the bot's users, or leave those "
        "ACLs off.",
    ),
    (
        "Try a second “third-party OAuth provider” record",
        "Some guides add one; ServiceNow does not document it as needed for this "
        "flow, so try it last.",
        "Application Registry › New › *Connect to a third-party OAuth provider* with "
        "the same client id, secret and redirect URL, grant type Authorization Code.",
    ),
)

# --- admin housekeeping -----------------------------------------------------------
REFRESH_FAILURES_ALERT = (
    "{count} people couldn't renew their ServiceNow link in the last {minutes} minutes: "
    "ServiceNow ({host}) refused the bot's refresh requests. The OAuth client's secret "
    "has probably changed, or its Application Registry entry was removed. Check it "
    "with `/snow setup`; everyone affected has been asked to connect again."
)
RECONNECT_ALREADY_ASKED = (
    "Use the Reconnect button I sent you, or `/snow connect` for a fresh link."
)
ADMIN_TITLE = "Admin"
LINKED_USERS_TITLE = "Linked people"
LINKED_USERS_NONE = "Nobody has linked an account yet."
LINKED_SINCE = "since {when}"
FORCE_DISCONNECT_BUTTON = "Disconnect {name}"  # unique per person
FORCE_DISCONNECT_CONFIRM_BUTTON = "Disconnect"
FORCE_DISCONNECT_CONFIRM_TITLE = "Disconnect this person?"
FORCE_DISCONNECT_CONFIRM = "They'll need to connect again to use the bot."
LINKED_MORE = "…and {count} more."
SETUP_STATUS_DONE = "Connected to {host}."
SETUP_STATUS_TODO = "Not set up yet."
OPEN_SETUP_BUTTON = "Open setup"
HOME_STATUS_TITLE = "Your ServiceNow link"
HOME_INCIDENTS_TITLE = "Your open incidents"
HOME_INCIDENTS_NONE = "No open incidents. Nice."
HOME_INCIDENTS_UNKNOWN = "Connect your account to see your incidents here."
HOME_ACTIONS_TITLE = "Quick actions"

# --- time ---------------------------------------------------------------------------
JUST_NOW = "just now"
MINUTES_AGO = "{n} min ago"
HOURS_AGO = "{n} h ago"
YESTERDAY = "yesterday"
DAYS_AGO = "{n} days ago"
ON_DATE = "on {date}"

# --- errors ---------------------------------------------------------------------------
GENERIC_APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
RETRY_HINT = "This is usually temporary. Please try again in a minute."
RATE_LIMIT_HINT = "Please try again in {wait}."
FORBIDDEN_HINT = (
    "If you think you should be allowed, your ServiceNow admin can check the roles "
    "and access rules (ACLs) for your account."
)

_SENTENCES: dict[type[errors.BotError], str] = {
    errors.BotError: GENERIC_APOLOGY,
    errors.ConfigError: (
        "snowbot isn't set up correctly. Please tell your workspace admin; "
        "`/snow setup` shows what's missing."
    ),
    errors.NotConfiguredError: (
        "This workspace isn't connected to ServiceNow yet. An admin can do it with "
        "`/snow setup`."
    ),
    errors.InstanceRefusedError: (
        "That isn't a ServiceNow instance I may connect to. Use the instance name "
        "(like dev98042) or its service-now.com address."
    ),
    errors.UserInputError: "I couldn't use what you typed. Please check it and try again.",
    errors.InvalidIncidentNumberError: (
        "That doesn't look like an incident number. They look like INC0012345."
    ),
    errors.UnsafeQueryValueError: (
        "I can't search for that text. Please leave out special characters like ^ "
        "and try again."
    ),
    errors.AuthError: "There's a problem with your ServiceNow link. Please connect again.",
    errors.NotLinkedError: (
        "You haven't linked your ServiceNow account yet. Use `/snow connect` to do it "
        "once."
    ),
    errors.ReconnectRequiredError: (
        "Your ServiceNow link has expired or was revoked. Please connect again."
    ),
    errors.LinkRefusedError: "I couldn't link your ServiceNow account. Please try again.",
    errors.TokenRefusedError: (
        "ServiceNow refused to finish linking your account. Please connect again; if it "
        "keeps failing, an admin can test the connection with `/snow setup`."
    ),
    errors.TokenRecordError: (
        "I couldn't read your saved ServiceNow link. Please connect again."
    ),
    errors.ServiceNowError: (
        "ServiceNow couldn't do that just now. Please try again; if it keeps "
        "happening, tell your admin."
    ),
    errors.ServiceNowAuthError: (
        "ServiceNow no longer accepts your link. Please connect again."
    ),
    errors.ServiceNowForbiddenError: "ServiceNow doesn't let your account do that.",
    errors.ServiceNowNotFoundError: (
        "I couldn't find that in ServiceNow, or it isn't one you're allowed to see. "
        "Please check the number."
    ),
    errors.ServiceNowRateLimitedError: "ServiceNow is busy and asked me to slow down.",
    errors.ServiceNowUnavailableError: f"ServiceNow isn't answering right now. {RETRY_HINT}",
    errors.WriteOutcomeUnknownError: (
        "ServiceNow didn't confirm your request in time. Ask me again in a minute: I'll "
        "find it if it went through, and I won't do it twice."
    ),
    errors.ServiceNowRejectedError: (
        "ServiceNow refused that request. Please check what you entered; if it looks "
        "right, your admin can see why in ServiceNow."
    ),
    errors.WriteNotAppliedError: (
        "ServiceNow accepted the change but didn't save it, usually because your "
        "account may not edit that field. Your admin can check the field's access rules."
    ),
    errors.SlackError: "Slack didn't accept my reply. Please try again in a moment.",
    errors.StoreError: (
        "I can't reach my storage right now, so I've changed nothing. Please try again "
        "in a minute."
    ),
    errors.ConcurrencyError: (
        "Something else changed this at the same moment. Please try again."
    ),
    errors.IntentModelError: (
        "I can't understand free text right now. Slash commands like `/snow mine` "
        "still work."
    ),
}

_LINK_REFUSED: dict[str, str] = {
    "email_mismatch": (
        "I couldn't link that ServiceNow account: its email isn't the one on your "
        "Slack profile. Sign in to ServiceNow as yourself and connect again."
    ),
    "guest": "Guest accounts can't link a ServiceNow account. Please ask an admin.",
    "external": (
        "People from other workspaces can't link a ServiceNow account here."
    ),
    "state": (
        "That Connect link has expired or was already used. Ask me for a new one with "
        "`/snow connect`."
    ),
    "expired": (
        "That Connect link has expired or was already used. Ask me for a new one with "
        "`/snow connect`."
    ),
    "cookie": (
        "Please open the Connect link in the same browser you finish signing in with, "
        "then try again with `/snow connect`."
    ),
    # The reasons the OAuth state store gives (bot/store/oauth_state.py).
    "ticket_unknown": (
        "That Connect link has expired or was already used. Ask me for a new one with "
        "`/snow connect`."
    ),
    "ticket_expired": (
        "That Connect link has expired or was already used. Ask me for a new one with "
        "`/snow connect`."
    ),
    "state_unknown": (
        "That sign-in has expired or was already used. Ask me for a new Connect link "
        "with `/snow connect`."
    ),
    "state_invalid": (
        "That sign-in has expired or was already used. Ask me for a new Connect link "
        "with `/snow connect`."
    ),
    "state_expired": (
        "That sign-in took longer than 10 minutes. Ask me for a new Connect link with "
        "`/snow connect`."
    ),
    "browser_mismatch": (
        "Please open the Connect link in the same browser you finish signing in with, "
        "then try again with `/snow connect`."
    ),
    "instance_changed": (
        "This workspace was connected to another ServiceNow instance while you were "
        "signing in. Ask me for a new Connect link with `/snow connect`."
    ),
    "denied": "You chose not to allow access, so nothing was linked.",
}


def error_sentence(exc: errors.BotError) -> str:
    """The sentence the user sees for ``exc``: what went wrong and, if any, the fix."""
    if isinstance(exc, errors.LinkRefusedError) and exc.reason in _LINK_REFUSED:
        return _LINK_REFUSED[exc.reason]
    sentence = GENERIC_APOLOGY
    for cls in type(exc).__mro__:
        if cls in _SENTENCES:
            sentence = _SENTENCES[cls]
            break
    if isinstance(exc, errors.ServiceNowRateLimitedError):
        return f"{sentence} {RATE_LIMIT_HINT.format(wait=wait_phrase(exc.retry_after))}"
    return sentence


def wait_phrase(seconds: float) -> str:
    """A wait in words: "a few seconds", "about 2 minutes", "about an hour"."""
    if seconds <= 0 or math.isnan(seconds):
        return "a minute"
    if seconds < 60:
        return "a few seconds" if seconds < 15 else "a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return "about a minute" if minutes == 1 else f"about {minutes} minutes"
    hours = max(round(minutes / 60), 1)
    return "about an hour" if hours == 1 else f"about {hours} hours"


def intent_label(intent: str) -> str:
    """The human label of an intent; unknown labels read as "Something else"."""
    return INTENT_LABELS.get(intent, CLARIFY_SOMETHING_ELSE)


# --- Hardening (issue 13): links, the Connect pages, Slack profile changes -------------
# Kept together at the end of the module so other changes to this file merge cleanly.

_LINK_REFUSED.update(
    {
        "email_missing": (
            "I couldn't link that ServiceNow account: your Slack profile or the ServiceNow "
            "account has no email address, and I link accounts only when both have the "
            "same one. Please ask an admin to add it."
        ),
    }
)

# user_change: why a link was dropped (a deactivated person is not messaged).
LINK_DROPPED: dict[str, str] = {
    "email_changed": (
        "Your Slack email changed, so I've disconnected your ServiceNow account and asked "
        "ServiceNow to revoke my access. If your ServiceNow account uses the new address, "
        "connect again with `/snow connect`."
    ),
    "guest": (
        "Your Slack account is now a guest account, so I've disconnected your ServiceNow "
        "account and asked ServiceNow to revoke my access. Guest accounts can't use "
        "snowbot with ServiceNow."
    ),
}

# The Connect pages (HTML, escaped by the page builder).
CONNECT_PAGE_TITLE = "Connect to ServiceNow"
CONNECT_PAGE_WHO = (
    "This link connects the Slack account of {person} in the workspace {workspace} to "
    "ServiceNow ({host})."
)
CONNECT_PAGE_TEST_WHO = (
    "This sign-in runs the snowbot connection test for {person} in the workspace "
    "{workspace}, on ServiceNow ({host})."
)
CONNECT_PAGE_NOT_YOU = (
    "If you are not {person}, close this page: someone forwarded you their link, and "
    "continuing would give their Slack account your ServiceNow access."
)
CONNECT_PAGE_CONTINUE = "Continue to ServiceNow"
CONNECTED_PAGE = (
    "The Slack account of {person} in {workspace} is now linked to ServiceNow as "
    "{servicenow}. Head back to Slack to carry on."
)
NOT_CONNECTED_PAGE_WHO = "This was for the Slack account of {person} in {workspace}."

# SNOWBOT_LINK_EMAIL_POLICY=warn: a link made despite different emails.
LINKED_ACCOUNT_OWNER_WARNING = (
    "Your ServiceNow account {servicenow} was just linked to the Slack account of "
    "<@{slack_user}>, whose Slack email is not yours. snowbot now acts in ServiceNow as "
    "you when they ask it to. If you didn't expect this, tell your snowbot admin: they "
    "can disconnect it from `/snow setup` → Finish."
)
LINKED_ADMIN_WARNING = (
    "<@{slack_user}> linked the ServiceNow account {servicenow}, whose email is not the "
    "one on their Slack profile (allowed because SNOWBOT_LINK_EMAIL_POLICY is `warn`). "
    "If it isn't theirs, disconnect it from `/snow setup` → Finish."
)

# Troubleshooting one's own link (``troubleshoot.connection``).
TROUBLESHOOT_FOUND = "What I found"
TROUBLESHOOT_FIX = "What to do"
TROUBLESHOOT_NO_LINK = (
    "You haven't linked your ServiceNow account yet, so I can't "
    "act as you."
)
TROUBLESHOOT_NO_LINK_FIX = "Press Reconnect and allow access in ServiceNow; it takes a minute."
TROUBLESHOOT_OTHER_INSTANCE = (
    "Your link is for {old}, but this workspace now uses {new}, so ServiceNow can't "
    "accept it."
)
TROUBLESHOOT_OTHER_INSTANCE_FIX = "Press Reconnect to link your account on {new}."
TROUBLESHOOT_REFUSED_REFRESH = (
    "ServiceNow refused to renew your link: it expired, was revoked, or your account "
    "was locked."
)
TROUBLESHOOT_REFUSED_REFRESH_FIX = (
    "Press Reconnect. If ServiceNow then says your account is locked or inactive, your "
    "ServiceNow admin can unlock it."
)
TROUBLESHOOT_UNAUTHORIZED = (
    "ServiceNow no longer accepts your link (it answered 401, "
    "even after a renewal)."
)
TROUBLESHOOT_UNAUTHORIZED_FIX = (
    "Press Reconnect. If it keeps happening, ask your admin to run `/snow setup`: token "
    "restrictions on the ServiceNow app may leave out what the bot needs."
)
TROUBLESHOOT_FORBIDDEN = (
    "Your link works, but ServiceNow refuses your account the incident table (403)."
)
TROUBLESHOOT_FORBIDDEN_FIX = (
    "Reconnecting won't change this. Ask your ServiceNow admin for the role "
    "`snc_platform_rest_api_access` (or the table's read access) for your account."
)
TROUBLESHOOT_UNAVAILABLE = "ServiceNow isn't answering right now, so I couldn't check your link."
TROUBLESHOOT_UNAVAILABLE_FIX = "Try again in a few minutes; if it lasts, tell your admin."
TROUBLESHOOT_WORKS = (
    "Your link works: you're connected as {name} on {host}, and "
    "ServiceNow answers."
)
TROUBLESHOOT_WORKS_FIX = (
    "Nothing to fix. If something still looks wrong, Reconnect "
    "links you afresh."
)
TROUBLESHOOT_NO_INSTANCE_ADMIN = "An admin can connect it with `/snow setup`."

# The connection test's sign-in link and the colleague test (admins).
SETUP_SIGN_IN_BUTTON = "Sign in to ServiceNow"
SETUP_SIGN_IN_AGAIN_BUTTON = "Sign in again without PKCE"
SETUP_SIGN_IN_NOTE = (
    "This opens your instance's real sign-in page. Sign in as an admin, choose *Allow*, "
    "then come back here: I'll finish the test and show the results. The link works "
    "once, for 10 minutes."
)
SETUP_WAITING = "Waiting for you to sign in."
SETUP_COLLEAGUE_BUTTON = "Test as an ordinary user"
SETUP_COLLEAGUE_WHY = (
    "Your own account passes checks that ordinary users fail (the REST API role, table "
    "ACLs, the feedback table). Pick a colleague without admin roles: I'll send them a "
    "Connect link and report back here what their link can do."
)
SETUP_COLLEAGUE_MODAL_TITLE = "Test as a colleague"
SETUP_COLLEAGUE_LABEL = "Colleague without admin roles"

# The colleague test and links an admin should know about.
SETUP_COLLEAGUE_ASKED = (
    "An admin is setting up snowbot and asked you to link your ServiceNow account, to "
    "check that it works for everyone. It takes a minute."
)
SETUP_PRIVILEGED_LINK = (
    "<@{user}> linked a ServiceNow account with admin roles ({roles}). snowbot acts with "
    "that account's rights, so anything they ask it to do runs as an admin."
)

# Setup (admins): saving credentials, the re-check, disconnecting someone.
SETUP_SAVED = (
    "Saved. The client secret is stored encrypted; I'll only ever show its last four "
    "characters. Now run the connection test."
)
SETUP_SAVED_STAGED = (
    "Saved, not in use yet: the current connection keeps working until the connection "
    "test passes with these credentials. Run it now. The client secret is stored "
    "encrypted; I'll only ever show its last four characters."
)
SETUP_NEW_CLIENT_NEEDS_ALL = (
    "Please enter the client secret too: a new instance or client id needs the secret of "
    "that same Application Registry record."
)
SETUP_NO_CREDENTIALS = (
    "There's nothing to test yet: enter the client id and secret in step 2 first."
)
SETUP_FORCE_DISCONNECTED = "Done: I've disconnected <@{user}> and revoked their ServiceNow link."
SETUP_DISCONNECTED_BY_ADMIN = (
    "An admin disconnected your ServiceNow link. Connect again any time with `/snow connect`."
)
SETUP_NOT_LINKED = "<@{user}> has no ServiceNow link any more."
SETUP_RECHECK_NEEDS_TEST = "Run the connection test (step 3) first: the re-check uses your link."

# Smaller sentences that sat in the handlers.
FEEDBACK_RATING_REQUIRED = "Please choose a rating from 1 to 5."
SETUP_PICK_COLLEAGUE = "Pick a colleague."
SETUP_DEFAULT_INVALID = "Use a short value without special characters."
CONNECT_ANOTHER_ACCOUNT = "Use the button below only if you want to link a different account."
INSTANCE_CHANGED_RECONNECT = (
    "This workspace now uses another ServiceNow instance ({host}), so your link no longer "
    "works. Please connect again."
)
DEFAULT_SHORT_DESCRIPTION = "Problem reported in Slack"
SETUP_COLLEAGUE_NOT_YOU = "Please pick a colleague other than yourself."
SETUP_COLLEAGUE_ACTIVE = "Please pick an active member of this workspace (not a guest or a bot)."
SETUP_COLLEAGUE_THIS_WORKSPACE = "Please pick someone from this workspace."
SETUP_COLLEAGUE_NOT_ADMIN = "Please pick a colleague who is not an admin."
# The browser page after the setup test's sign-in (title, sentence).
SETUP_TEST_PAGE_TITLE = "Connection test"
SETUP_TEST_PAGE_DENIED = "Access was not allowed. The details are in Slack."
SETUP_TEST_PAGE_DONE_TITLE = "Connection test finished"
SETUP_TEST_PAGE_DONE = "Head back to Slack for the results."

# --- notifications (bot.notify) ------------------------------------------------------
NOTIFY_FALLBACK = "Update on {number}: {what}"
NOTIFY_COMMENTED = "{who} commented:"
NOTIFY_STATE = "{who} set it to *{state}*."
NOTIFY_ASSIGNED = "{who} assigned it to *{assignee}*."
NOTIFY_SOMEONE = "Someone"
NOTIFY_REPLY_BUTTON = "Reply"
NOTIFY_FIXED_BUTTON = "It's fixed"
NOTIFY_BROKEN_BUTTON = "Still broken"
NOTIFY_RESOLVED_ASK = "Is it fixed? Tell the desk, or tell them it's still broken."
NOTIFY_RATE_ASK = "How did we do? Rate the help you got (1 = poor, 5 = great)."
NOTIFY_ACCEPT_CLOSED = "Thanks! {number} is closed now."
NOTIFY_ACCEPT_COMMENTED = (
    "Thanks! ServiceNow doesn't let you close {number} yourself, so I added a comment "
    "telling the desk the fix works; they'll close it."
)
NOTIFY_ACCEPT_NOT_RESOLVED = "{number} is {state} now, so there was no resolution to accept."
NOTIFY_BROKEN_TITLE = "Still broken"
NOTIFY_BROKEN_SUBMIT = "Reopen"
NOTIFY_BROKEN_LABEL = "What is still wrong?"
NOTIFY_REASON_REQUIRED = "Please say what is still wrong."
NOTIFY_BROKEN_HINT = "The desk sees this as a comment on {number}."
NOTIFY_RATED_ALREADY = "You already rated the help on {number}. Thanks!"
WATCH_ADDED = "You'll get a DM when {number} changes."
WATCH_ALREADY = "You already watch {number}."
UNWATCH_DONE = "You no longer watch {number}."
UNWATCH_NOT_WATCHED = "You don't watch {number}."
NOTIFICATIONS_ON = (
    "Notifications are on: I'll DM you when the desk comments on, changes the state of "
    "or assigns an incident you raised."
)
NOTIFICATIONS_OFF = (
    "Notifications are off for incidents you raised. Incidents you watch still DM you; "
    "`/snow notifications on` turns them back on."
)
NOTIFICATIONS_USAGE = "Say `/snow notifications on` or `/snow notifications off`."
HOME_NOTIFY_TITLE = "Notifications"
HOME_NOTIFY_ON = "On for incidents you raised (`/snow notifications off` to stop)."
HOME_NOTIFY_OFF = "Off for incidents you raised (`/snow notifications on` to start)."
HOME_WATCHING = "Watching: {numbers}"
HOME_WATCHING_NONE = "You watch no other incidents (`/snow watch INC…`)."

# --- setup: notifications by Business Rule (bot.notify) ---------------------------------
SETUP_EVENTS_BUTTON = "Notifications (Business Rule)"
SETUP_EVENTS_TITLE = "Notifications"
SETUP_EVENTS_CLOSE = "Done"
SETUP_EVENTS_INTRO = (
    "snowbot can tell people about changes to their incidents the moment they happen: a "
    "Business Rule on the incident table sends the bot a signed pointer, and the bot reads "
    "the change with each person's own link. Without it, the bot polls every few minutes."
)
SETUP_EVENTS_STEPS = (
    "1. Create the system property `{property}` (type string, *Private* ticked) holding the "
    "secret below.\n"
    "2. In *System Definition → Business Rules*, create a rule on `incident`: When *after*, "
    "*Insert* and *Update*, *Advanced* and *Async* ticked, Condition `{condition}`, and "
    "this script:"
)
SETUP_EVENTS_TEST_STEP = (
    "3. Run this in *System Definition → Scripts - Background*, then press *Check for the "
    "test event*:"
)
SETUP_EVENTS_FROM_ENV = (
    "The secret comes from `SERVICENOW_EVENTS_SECRET` (set by your operator)."
)
SETUP_EVENTS_KEY_SET = "A secret is set. Rotate it to get a new one (the old one stops working)."
SETUP_EVENTS_KEY_NONE = "No secret yet: generate one."
SETUP_EVENTS_KEY_SHOWN = (
    "Your new secret, shown this once (copy it into `{property}` now): `{secret}`"
)
SETUP_EVENTS_GENERATE = "Generate secret"
SETUP_EVENTS_ROTATE = "Rotate secret"
SETUP_EVENTS_CHECK = "Check for the test event"
SETUP_EVENTS_TEST_OK = "A signed test event arrived {when}. Notifications by push work."
SETUP_EVENTS_TEST_NONE = (
    "No test event has arrived in the last day. Check the property, the rule's endpoint, "
    "and that the instance can reach {endpoint}."
)
