"""The intent labels the bot routes on, and which of them write to ServiceNow."""

from __future__ import annotations

from typing import Final

LOOKUP: Final = "incident.lookup"
LIST_MINE: Final = "incident.list_mine"
CREATE: Final = "incident.create"
COMMENT: Final = "incident.comment"
CLOSE: Final = "incident.close_request"
REOPEN: Final = "incident.reopen"
FEEDBACK: Final = "feedback.give"
CONNECT: Final = "connect"
DISCONNECT: Final = "disconnect"
SETUP: Final = "setup.admin"
TROUBLESHOOT: Final = "troubleshoot.connection"
HELP: Final = "help"
GREETING: Final = "greeting"
OUT_OF_SCOPE: Final = "out_of_scope"

LABELS: Final[tuple[str, ...]] = (
    LOOKUP,
    LIST_MINE,
    CREATE,
    COMMENT,
    CLOSE,
    REOPEN,
    FEEDBACK,
    CONNECT,
    DISCONNECT,
    SETUP,
    TROUBLESHOOT,
    HELP,
    GREETING,
    OUT_OF_SCOPE,
)

#: Intents whose handler changes a ServiceNow record: the reject rule is stricter for them.
WRITE_INTENTS: Final[frozenset[str]] = frozenset({CREATE, COMMENT, CLOSE, REOPEN})

#: Intents whose handler changes something the user owns: a ServiceNow record, or the
#: link itself (``disconnect``). From free text, each is confirmed on a card; the engine's
#: guard never accepts one a message refuses or asks about (``intents.guard``), and the
#: reject rule holds all of them to the write thresholds.
ACTING_INTENTS: Final[frozenset[str]] = WRITE_INTENTS | {DISCONNECT}


def is_write(intent: str) -> bool:
    """Whether acting on ``intent`` writes to ServiceNow."""
    return intent in WRITE_INTENTS
