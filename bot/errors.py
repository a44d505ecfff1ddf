"""The one error hierarchy of snowbot.

Operational errors (things that go wrong in the world: ServiceNow down, a token
refused, Redis unreachable, a user typing something we cannot use) all derive from
``BotError``. Adapters translate library exceptions at the edge with
``raise ... from exc`` so that handlers only ever see this tree, and
``bot.texts.error_sentence`` maps each class to the one sentence the user sees.

Misuse of our own code (a bug) is *not* in this tree: it raises ``TypeError``,
``ValueError`` or ``AssertionError`` and is logged with its traceback, while the user
gets the generic apology.

    BotError
    ├── ConfigError                    settings missing or inconsistent
    │   ├── NotConfiguredError         no ServiceNow instance connected to this workspace
    │   └── InstanceRefusedError       an instance value outside the allowed hosts
    ├── UserInputError                 something the user typed that we cannot use
    │   ├── InvalidIncidentNumberError
    │   └── UnsafeQueryValueError      a value that would alter an encoded query
    ├── AuthError                      the user's own ServiceNow link
    │   ├── NotLinkedError             no token stored for this user
    │   ├── ReconnectRequiredError     refresh refused: the user must consent again
    │   ├── LinkRefusedError           the callback refused the link (email policy, guest, state)
    │   ├── TokenRefusedError          the token endpoint refused a code or the client credentials
    │   └── TokenRecordError           a stored record that does not decrypt or belongs elsewhere
    ├── ServiceNowError                the instance answered, but not with what we asked for
    │   ├── ServiceNowAuthError        401 after one refresh
    │   ├── ServiceNowForbiddenError   403: an ACL or role refuses this user
    │   ├── ServiceNowNotFoundError    404, or a record not visible to the user
    │   ├── ServiceNowRateLimitedError 429, with the wait it asked for
    │   ├── ServiceNowUnavailableError 5xx, time-out, connection refused, TLS/proxy error
    │   │   └── WriteOutcomeUnknownError  a create's answer was lost and it is not found (yet)
    │   ├── ServiceNowRejectedError    400 and other refusals of a write
    │   └── WriteNotAppliedError       a write answered 200 and changed nothing (field ACL)
    ├── SlackError                     the Slack Web API refused or failed
    ├── StoreError                     Redis unreachable or failing: fail closed
    │   └── ConcurrencyError           a compare-and-set lost to another replica
    └── IntentModelError               the intent model is missing, stale or unreadable
"""

from __future__ import annotations


class BotError(Exception):
    """Root of every operational error; ``detail`` is for logs, never for users."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.__class__.__name__)
        self.detail = detail


class ConfigError(BotError):
    """Settings are missing or inconsistent."""


class NotConfiguredError(ConfigError):
    """No ServiceNow instance is connected to this workspace yet."""


class InstanceRefusedError(ConfigError):
    """An instance name or URL that is not an allowed ServiceNow host."""


class UserInputError(BotError):
    """Something the user typed that the bot cannot use."""


class InvalidIncidentNumberError(UserInputError):
    """Text that is not an incident number in canonical form."""


class UnsafeQueryValueError(UserInputError):
    """A value that would change the meaning of an encoded query."""


class AuthError(BotError):
    """Problems with the user's own ServiceNow link."""


class NotLinkedError(AuthError):
    """No ServiceNow token is stored for this Slack user."""


class ReconnectRequiredError(AuthError):
    """ServiceNow refused the refresh token: the user must consent again."""


class LinkRefusedError(AuthError):
    """The OAuth callback refused to link (state, cookie, email policy, guest)."""

    def __init__(self, detail: str = "", *, reason: str = "refused") -> None:
        super().__init__(detail)
        self.reason = reason


class TokenRefusedError(AuthError):
    """The token endpoint refused a code exchange (bad code, secret, redirect, verifier).

    ``error`` and ``error_description`` carry what ServiceNow said (usually
    ``server_error``/``access_denied``), for the admin's diagnosis.
    """

    def __init__(
        self, detail: str = "", *, error: str = "", error_description: str = ""
    ) -> None:
        super().__init__(detail)
        self.error = error
        self.error_description = error_description


class TokenRecordError(AuthError):
    """A stored token record that does not decrypt or belongs to someone else."""


class ServiceNowError(BotError):
    """ServiceNow answered, but not with what the bot asked for."""

    def __init__(self, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(detail)
        self.status = status


class ServiceNowAuthError(ServiceNowError):
    """401 even after one refresh."""


class ServiceNowForbiddenError(ServiceNowError):
    """403: an ACL or a missing role refuses this user."""


class ServiceNowNotFoundError(ServiceNowError):
    """404, or a record the user cannot see."""


class ServiceNowRateLimitedError(ServiceNowError):
    """429 with a wait too long to retry inside one Slack interaction."""

    def __init__(self, detail: str = "", *, retry_after: float = 0.0) -> None:
        super().__init__(detail, status=429)
        self.retry_after = retry_after


class ServiceNowUnavailableError(ServiceNowError):
    """5xx, time-out, refused connection, TLS or proxy failure."""


class WriteOutcomeUnknownError(ServiceNowUnavailableError):
    """A create was sent, its answer was lost, and the record is not found (yet).

    The idempotency key stays pending: asking again with the same key finds the
    record once ServiceNow has finished, and never creates a second one.
    """


class ServiceNowRejectedError(ServiceNowError):
    """A 400 or other refusal of a request the bot made."""


class WriteNotAppliedError(ServiceNowError):
    """A write answered 200 but reading the record back shows no change."""


class SlackError(BotError):
    """The Slack Web API refused or failed."""


class StoreError(BotError):
    """Redis is unreachable or failing; callers fail closed."""


class ConcurrencyError(StoreError):
    """A compare-and-set lost to a concurrent writer."""


class IntentModelError(BotError):
    """The intent model is missing, stale, or cannot be loaded safely."""
