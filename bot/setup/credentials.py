"""The credentials modal's validation, in the ack (pure: Slack wants field errors in 3 s).

The instance is checked against the built-in rules (``InstancePolicy``): anything
outside them gets a field error at once, unless the operator's settings could still
admit it (a loopback test URL, or a custom domain that may be allow-listed); those are
decided by the real policy when the submission runs, still before any socket opens. A
lookalike of a ServiceNow host is never deferred. Client id and secret must be single
words (the secret may be left empty when one is stored for the same client).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import errors
from bot.blocks import ids
from bot.servicenow.instance import InstancePolicy
from bot.turn import Submission

if TYPE_CHECKING:
    from bot.settings import Settings

_MAX_FIELD = 255


def _plain_field(value: str) -> bool:
    return bool(value) and len(value) <= _MAX_FIELD and not any(
        ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value
    )


def _operator_may_allow(value: str) -> bool:
    """Whether the operator's settings could admit ``value`` (a loopback test URL or an
    allow-listed custom domain); the run step decides with the real policy."""
    host = value.strip().lower().removeprefix("https://").rstrip("/").rstrip(".")
    if "service-now" in host or "servicenowservices" in host:
        return False  # a lookalike of a ServiceNow host: never allow-listed
    try:
        lenient = InstancePolicy.build(allowed_domains=[host], allow_insecure=True)
    except errors.InstanceRefusedError:  # not even a host name
        lenient = InstancePolicy(allow_insecure=True)
    try:
        lenient.parse(value)
    except errors.InstanceRefusedError:
        return False
    return True


def validate_credentials(submission: Submission, settings: Settings) -> dict[str, str]:
    """Field errors for the credentials modal (pure: the ack carries them)."""
    problems: dict[str, str] = {}
    instance = submission.text(ids.INSTANCE_INPUT)
    try:
        InstancePolicy().parse(instance)
    except errors.InstanceRefusedError as exc:
        if not _operator_may_allow(instance):
            problems[ids.INSTANCE_BLOCK] = exc.detail
    if not _plain_field(submission.text(ids.CLIENT_ID_INPUT)):
        problems[ids.CLIENT_ID_BLOCK] = "Enter the client id: one word, no spaces."
    secret = submission.text(ids.CLIENT_SECRET_INPUT)
    if secret and not _plain_field(secret):
        problems[ids.CLIENT_SECRET_BLOCK] = "The client secret has no spaces; paste it again."
    return problems
