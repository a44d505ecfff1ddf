"""Every Redis key name snowbot uses, built in this one module.

Keys carry the prefix (default ``snowbot``), then the kind, then the enterprise id
(``-`` outside Enterprise Grid) and the team id, so one Redis can serve several
workspaces and several deployments. Values that identify a user are Slack ids or
hashes, never free text. TTLs for each kind live here too, next to the names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# Time-to-live of everything that is not a token or instance configuration.
OAUTH_STATE_TTL = 600  # 10 minutes: the consent round trip
OAUTH_START_TTL = 600  # a Connect link's one-time ticket, opened within 10 minutes
EVENT_DEDUPE_TTL = 3600  # Slack retries within ~5 minutes; keep an hour
IDEMPOTENCY_TTL = 86_400  # a create's answer may be looked for a day later
REFRESH_LOCK_TTL = 15.0  # seconds; longer than the token call's time-out
CONVERSATION_TTL = 1800  # multi-turn slots: half an hour
DRAFT_TTL = 7200  # an incident draft waiting for Create: two hours
PENDING_WRITE_TTL = 3600  # a write shown on a confirmation card: one hour to press it
CLOSE_REQUEST_TTL = 86_400  # a close request written by the bot: not repeated for a day
SLACK_NAME_TTL = 3600  # a Slack user's or channel's name, for plain text in ServiceNow
PENDING_REQUEST_TTL = 3600  # what a user asked before connecting, kept for an hour
REFRESH_FAILURE_TTL = 86_400  # refused refreshes kept a day, for the admin alert
RECONNECT_PROMPT_TTL = 3600  # ask a user to reconnect at most once an hour
FEEDBACK_ALERT_TTL = 3600  # tell admins about refused feedback once an hour per reason
FEEDBACK_DRAFT_TTL = 1800  # what a user said in a DM, prefilled when they press "Rate us"
STAGED_INSTANCE_TTL = 30 * 86_400  # credentials saved in setup but not yet tested: a month
AUDIT_STREAM_MAXLEN = 10_000
FEEDBACK_STREAM_MAXLEN = 5_000


def _part(value: str | None) -> str:
    if not value:
        return "-"
    if any(ch in value for ch in ":{}* \n\r\t"):
        msg = f"identifier with reserved characters: {value!r}"
        raise ValueError(msg)
    return value


def digest(value: str) -> str:
    """A short stable hash, for values that must not appear in key names in clear."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Keys:
    """Builds key names under one prefix."""

    prefix: str = "snowbot"

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def workspace(self, enterprise_id: str | None, team_id: str) -> str:
        """The ``{enterprise}:{team}`` part every workspace-scoped key carries."""
        return f"{_part(enterprise_id)}:{_part(team_id)}"

    # Tokens and configuration: no TTL.
    def token(self, enterprise_id: str | None, team_id: str, user_id: str) -> str:
        """One user's encrypted ServiceNow token record."""
        return self._k("token", self.workspace(enterprise_id, team_id), _part(user_id))

    def token_pattern(self, enterprise_id: str | None = None, team_id: str | None = None) -> str:
        """A SCAN pattern over token records (all, or one workspace's)."""
        if team_id is None:
            return self._k("token", "*")
        return self._k("token", self.workspace(enterprise_id, team_id), "*")

    def parse_token(self, key: str | bytes) -> tuple[str | None, str, str] | None:
        """``(enterprise_id, team_id, user_id)`` of a token record's key name, else None."""
        text = key.decode() if isinstance(key, bytes) else key
        head = self._k("token") + ":"
        if not text.startswith(head):
            return None
        parts = text[len(head) :].split(":")
        if len(parts) != 3 or not all(parts):
            return None
        enterprise_id, team_id, user_id = parts
        return (None if enterprise_id == "-" else enterprise_id), team_id, user_id

    def token_index(self, enterprise_id: str | None, team_id: str) -> str:
        """Set of Slack user ids with a token record in one workspace."""
        return self._k("token-index", self.workspace(enterprise_id, team_id))

    def instance(self, enterprise_id: str | None, team_id: str) -> str:
        """The workspace's ServiceNow connection (client secret encrypted)."""
        return self._k("instance", self.workspace(enterprise_id, team_id))

    def parse_instance(self, key: str | bytes) -> tuple[str | None, str] | None:
        """``(enterprise_id, team_id)`` of a connection record's key name, else None."""
        text = key.decode() if isinstance(key, bytes) else key
        head = self._k("instance") + ":"
        if not text.startswith(head):
            return None
        parts = text[len(head) :].split(":")
        if len(parts) != 2 or not all(parts):
            return None
        enterprise_id, team_id = parts
        return (None if enterprise_id == "-" else enterprise_id), team_id

    def instance_pattern(self) -> str:
        """A SCAN pattern over every workspace's connection record."""
        return self._k("instance", "*")

    def instance_staged(self, enterprise_id: str | None, team_id: str) -> str:
        """New credentials saved in setup, waiting for their connection test to pass
        before they replace the connection (``STAGED_INSTANCE_TTL``)."""
        return self._k("instance-staged", self.workspace(enterprise_id, team_id))

    def instance_staged_pattern(self) -> str:
        """A SCAN pattern over every staged connection record."""
        return self._k("instance-staged", "*")

    def parse_instance_staged(self, key: str | bytes) -> tuple[str | None, str] | None:
        """``(enterprise_id, team_id)`` of a staged connection record's key name, else None."""
        text = key.decode() if isinstance(key, bytes) else key
        head = self._k("instance-staged") + ":"
        if not text.startswith(head):
            return None
        return self.parse_instance(self._k("instance", text[len(head) :]))

    # Short-lived state: always with a TTL.
    def oauth_state(self, state: str) -> str:
        """A pending consent, bound to enterprise, team, user and instance."""
        return self._k("oauth-state", digest(state))

    def oauth_start(self, ticket: str) -> str:
        """A Connect link not yet opened in a browser."""
        return self._k("oauth-start", digest(ticket))

    def event_seen(self, team_id: str, event_id: str) -> str:
        """Marks a Slack event id as handled, for retries."""
        return self._k("event", _part(team_id), _part(event_id))

    def idempotency(self, scope: str, key: str) -> str:
        """A write's idempotency key (scope: ``create``, ``comment`` ...)."""
        return self._k("idem", _part(scope), digest(key))

    def refresh_lock(self, enterprise_id: str | None, team_id: str, user_id: str) -> str:
        """The cross-replica lock around one user's token refresh."""
        return self._k("lock", "refresh", self.workspace(enterprise_id, team_id), _part(user_id))

    def reconnect_prompted(self, enterprise_id: str | None, team_id: str, user_id: str) -> str:
        """Set when a user has been asked to reconnect, so they are asked once."""
        return self._k("reconnect", self.workspace(enterprise_id, team_id), _part(user_id))

    def refresh_failures(self, enterprise_id: str | None, team_id: str) -> str:
        """Sorted set of recent refused refreshes in a workspace (admin alert)."""
        return self._k("refresh-failures", self.workspace(enterprise_id, team_id))

    def conversation(self, enterprise_id: str | None, team_id: str, user_id: str) -> str:
        """A user's multi-turn conversation state."""
        return self._k("conv", self.workspace(enterprise_id, team_id), _part(user_id))

    def draft(self, enterprise_id: str | None, team_id: str, user_id: str, draft_id: str) -> str:
        """An incident draft shown with Create / Edit / Cancel, by its id."""
        return self._k(
            "draft", self.workspace(enterprise_id, team_id), _part(user_id), digest(draft_id)
        )

    def pending_write(
        self, enterprise_id: str | None, team_id: str, user_id: str, write_id: str
    ) -> str:
        """A write waiting on its confirmation card, by the card's id."""
        return self._k(
            "write", self.workspace(enterprise_id, team_id), _part(user_id), digest(write_id)
        )

    def slack_name(self, enterprise_id: str | None, team_id: str, kind: str, slack_id: str) -> str:
        """The cached name of a Slack user or channel (``kind``: ``user`` or ``channel``)."""
        return self._k(
            "name", self.workspace(enterprise_id, team_id), _part(kind), _part(slack_id)
        )

    def pending_request(self, enterprise_id: str | None, team_id: str, user_id: str) -> str:
        """What a not-yet-connected user asked, finished once they connect."""
        return self._k("pending", self.workspace(enterprise_id, team_id), _part(user_id))

    def setup_session(self, enterprise_id: str | None, team_id: str) -> str:
        """The admin's guided-setup progress."""
        return self._k("setup", self.workspace(enterprise_id, team_id))

    def admin_alert(self, enterprise_id: str | None, team_id: str, reason: str) -> str:
        """Set while admins have been told about a workspace-wide problem (rate limit)."""
        return self._k("admin-alert", self.workspace(enterprise_id, team_id), _part(reason))

    def feedback_draft(self, enterprise_id: str | None, team_id: str, user_id: str) -> str:
        """A user's feedback words from a DM, waiting for the modal they open next."""
        return self._k("feedback-draft", self.workspace(enterprise_id, team_id), _part(user_id))

    # Streams: bounded by length.
    def audit_stream(self) -> str:
        """Audit events of every workspace."""
        return self._k("audit")

    def feedback_stream(self, enterprise_id: str | None, team_id: str) -> str:
        """Feedback of one workspace, including what ServiceNow refused."""
        return self._k("feedback", self.workspace(enterprise_id, team_id))

    def all_pattern(self) -> str:
        """Everything under this prefix (tests and purges)."""
        return self._k("*")
