"""RecordCipher: the owner is sealed inside the ciphertext, keys rotate."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.errors import ConfigError, TokenRecordError
from bot.settings import Settings
from bot.store.crypto import RecordBinding, RecordCipher, key_fingerprint

BINDING = RecordBinding(
    purpose="token",
    enterprise_id=None,
    team_id="T01",
    subject="U01",
    instance_url="https://dev1.service-now.com",
)


def test_sealed_payload_opens_with_its_binding() -> None:
    """A sealed payload opens to the same payload under the same binding."""
    cipher = RecordCipher([Settings.generate_key()])
    sealed = cipher.seal({"access_token": "TESTSECRET-a"}, binding=BINDING)
    assert cipher.open(sealed.ciphertext, binding=BINDING) == {"access_token": "TESTSECRET-a"}
    assert "TESTSECRET" not in sealed.ciphertext


@pytest.mark.parametrize(
    "other",
    [
        replace(BINDING, subject="U02"),
        replace(BINDING, team_id="T02"),
        replace(BINDING, enterprise_id="E9"),
        replace(BINDING, instance_url="https://evil.service-now.com"),
        replace(BINDING, purpose="instance"),
    ],
)
def test_payload_under_another_binding_is_refused(other: RecordBinding) -> None:
    """A ciphertext opened as another user's, workspace's, instance's or purpose's is refused."""
    cipher = RecordCipher([Settings.generate_key()])
    sealed = cipher.seal({"x": 1}, binding=BINDING)
    with pytest.raises(TokenRecordError):
        cipher.open(sealed.ciphertext, binding=other)


def test_tampered_ciphertext_is_refused() -> None:
    """A ciphertext with one character changed does not open."""
    cipher = RecordCipher([Settings.generate_key()])
    sealed = cipher.seal({"x": 1}, binding=BINDING).ciphertext
    tampered = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    with pytest.raises(TokenRecordError):
        cipher.open(tampered, binding=BINDING)


def test_rotation_reseals_with_the_newest_key() -> None:
    """After rotation a ciphertext opens with the new key alone and reports its version."""
    old, new = Settings.generate_key(), Settings.generate_key()
    sealed = RecordCipher([old]).seal({"x": 1}, binding=BINDING)
    both = RecordCipher([new, old])
    assert not both.is_current(sealed.ciphertext)
    assert both.sealing_version(sealed.ciphertext) == key_fingerprint(old)
    rotated = both.rotate(sealed.ciphertext, binding=BINDING)
    assert rotated.key_version == key_fingerprint(new)
    assert RecordCipher([new]).open(rotated.ciphertext, binding=BINDING) == {"x": 1}


def test_ciphertext_under_a_removed_key_is_refused() -> None:
    """A ciphertext sealed with a key that is no longer configured does not open."""
    sealed = RecordCipher([Settings.generate_key()]).seal({"x": 1}, binding=BINDING)
    with pytest.raises(TokenRecordError):
        RecordCipher([Settings.generate_key()]).open(sealed.ciphertext, binding=BINDING)


def test_cipher_without_keys_is_a_configuration_error() -> None:
    """A cipher with no key configured is refused with a configuration error."""
    with pytest.raises(ConfigError):
        RecordCipher.from_settings(Settings.for_tests())


def test_key_version_does_not_reveal_the_key() -> None:
    """The key version is a short fingerprint that does not contain the key."""
    key = Settings.generate_key()
    version = RecordCipher([key]).key_version
    assert len(version) == 12
    assert version not in key
