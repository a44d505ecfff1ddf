"""Encryption of secrets at rest: MultiFernet with the record's owner inside the ciphertext.

Fernet is authenticated encryption but has no associated data, so a blob copied from
one user's key to another's would still decrypt. ``RecordCipher`` therefore seals a
JSON envelope ``{"b": <binding>, "d": <payload>}`` and checks on every decrypt that
the binding inside equals the one the caller expects (the purpose, enterprise id,
team id, Slack user id or ``"instance"``, and the instance URL). A mismatch, a
tampered blob or a blob under a key no longer configured is ``TokenRecordError``.

Keys come from ``Settings.encryption_keys``, newest first: new records are sealed
with the first key, every key is tried on decrypt, and ``key_version`` (a short
fingerprint of the sealing key, not the key) lets an operator measure how many
records a rotation still has to rewrite before the old key can be removed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.errors import ConfigError, TokenRecordError
from bot.settings import Settings

_ENVELOPE_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class RecordBinding:
    """Whose record a ciphertext is: checked on every decrypt."""

    purpose: str  # "token", "instance", "oauth-state" ...
    enterprise_id: str | None
    team_id: str
    subject: str  # the Slack user id, or "instance"
    instance_url: str

    def as_json(self) -> dict[str, str]:
        """The binding as it is sealed inside the ciphertext."""
        return {
            "p": self.purpose,
            "e": self.enterprise_id or "-",
            "t": self.team_id,
            "s": self.subject,
            "i": self.instance_url,
        }


@dataclass(frozen=True)
class Sealed:
    """A ciphertext and the fingerprint of the key that sealed it."""

    ciphertext: str
    key_version: str


@dataclass
class RotationReport:
    """What a rotation job did; the old key may go once ``left`` is 0."""

    rotated: int = 0
    already_current: int = 0
    failed: int = 0  # undecryptable, or bound to someone else: left as they were
    conflicts: int = 0  # changed by another writer on every attempt: try again

    @property
    def left(self) -> int:
        """Records still not sealed with the newest key."""
        return self.failed + self.conflicts

    def merge(self, other: RotationReport) -> RotationReport:
        """The sum of two reports (tokens and instance configurations, say)."""
        return RotationReport(
            rotated=self.rotated + other.rotated,
            already_current=self.already_current + other.already_current,
            failed=self.failed + other.failed,
            conflicts=self.conflicts + other.conflicts,
        )


def key_fingerprint(key: str) -> str:
    """A short public name of a Fernet key (a hash prefix: it reveals nothing usable)."""
    return hashlib.sha256(b"snowbot-key-version\x00" + key.encode()).hexdigest()[:12]


class RecordCipher:
    """Seals and opens JSON payloads bound to their owner, with key rotation."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            msg = "SNOWBOT_ENCRYPTION_KEYS is empty: tokens cannot be stored without a key"
            raise ConfigError(msg)
        self._fernets = [Fernet(key) for key in keys]
        self._multi = MultiFernet(self._fernets)
        self._versions = tuple(key_fingerprint(key) for key in keys)

    @classmethod
    def from_settings(cls, settings: Settings) -> RecordCipher:
        """The cipher over the configured keys, newest first."""
        return cls([key.get_secret_value() for key in settings.encryption_keys])

    @property
    def key_version(self) -> str:
        """Fingerprint of the key new records are sealed with."""
        return self._versions[0]

    @property
    def key_versions(self) -> tuple[str, ...]:
        """Fingerprints of every configured key, newest first."""
        return self._versions

    def seal(self, payload: Mapping[str, Any], *, binding: RecordBinding) -> Sealed:
        """``payload`` encrypted with the newest key, ``binding`` inside."""
        envelope = {"v": _ENVELOPE_VERSION, "b": binding.as_json(), "d": dict(payload)}
        plain = json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()
        return Sealed(self._multi.encrypt(plain).decode(), self.key_version)

    def open(self, ciphertext: str | bytes, *, binding: RecordBinding) -> dict[str, Any]:
        """The payload, if the ciphertext is intact and bound to ``binding``."""
        token = ciphertext.encode() if isinstance(ciphertext, str) else ciphertext
        try:
            plain = self._multi.decrypt(token)
        except InvalidToken as exc:
            msg = f"{binding.purpose} record does not decrypt with any configured key"
            raise TokenRecordError(msg) from exc
        try:
            envelope = json.loads(plain)
        except ValueError as exc:
            msg = f"{binding.purpose} record is not a sealed envelope"
            raise TokenRecordError(msg) from exc
        if not isinstance(envelope, dict) or not isinstance(envelope.get("d"), dict):
            msg = f"{binding.purpose} record is not a sealed envelope"
            raise TokenRecordError(msg)
        if envelope.get("b") != binding.as_json():
            msg = f"{binding.purpose} record is bound to another owner or instance"
            raise TokenRecordError(msg)
        data: dict[str, Any] = envelope["d"]
        return data

    def sealing_version(self, ciphertext: str | bytes) -> str | None:
        """Fingerprint of the configured key that opens ``ciphertext``, or None."""
        token = ciphertext.encode() if isinstance(ciphertext, str) else ciphertext
        for version, fernet in zip(self._versions, self._fernets, strict=True):
            try:
                fernet.decrypt(token)
            except InvalidToken:
                continue
            return version
        return None

    def is_current(self, ciphertext: str | bytes) -> bool:
        """Whether ``ciphertext`` is already sealed with the newest key."""
        token = ciphertext.encode() if isinstance(ciphertext, str) else ciphertext
        try:
            self._fernets[0].decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate(self, ciphertext: str | bytes, *, binding: RecordBinding) -> Sealed:
        """``ciphertext`` re-sealed with the newest key, after checking its binding."""
        return self.seal(self.open(ciphertext, binding=binding), binding=binding)
