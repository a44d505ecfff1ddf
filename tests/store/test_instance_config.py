"""InstanceConfigStore: the client secret sealed, atomic re-setup, the environment's fallback."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.errors import ConcurrencyError, NotConfiguredError, TokenRecordError
from bot.settings import Settings
from bot.store.crypto import RecordCipher, key_fingerprint
from bot.store.instance_config import InstanceConfig, InstanceConfigStore
from bot.store.keys import Keys

from .conftest import INSTANCE, raw_dump

OTHER = "https://acme.service-now.com"


def setup_of(instance_url: str = INSTANCE, *, team: str = "client") -> InstanceConfig:
    """What an admin enters in the setup modal (secret ``TESTSECRET-<team>``)."""
    return InstanceConfig(
        instance_url=instance_url,
        client_id="a1b2c3d4e5f60718293a4b5c6d7e8f90",
        client_secret=SecretStr(f"TESTSECRET-{team}"),
        feedback_table="u_snowbot_feedback",
        incident_defaults={"category": "inquiry"},
        configured_by="U0ADMIN",
        configured_at=1_000.0,
    )


@pytest.fixture
def store(redis: Redis, keys: Keys, cipher: RecordCipher) -> InstanceConfigStore:
    """A connection store without an environment fallback."""
    return InstanceConfigStore(redis, keys=keys, cipher=cipher)


async def test_setup_reads_back_with_its_secret(store: InstanceConfigStore) -> None:
    """A stored setup reads back with every field, its secret and version 1."""
    replaced = await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    config = await store.require(None, "T01")
    assert config == replaced.config
    assert config.client_secret.get_secret_value() == "TESTSECRET-client"
    assert (config.version, config.source, config.configured_by) == (1, "chat", "U0ADMIN")
    assert config.incident_defaults == {"category": "inquiry"}
    assert "TESTSECRET" not in repr(config)


async def test_secret_is_not_stored_in_clear(
    store: InstanceConfigStore, redis: Redis, redis_prefix: str
) -> None:
    """No Redis value holds the client secret in clear."""
    await store.replace(setup_of(), enterprise_id="E01", team_id="T01")
    dump = await raw_dump(redis, redis_prefix)
    assert INSTANCE.encode() in dump
    assert b"TESTSECRET" not in dump


async def test_first_setup_replaces_nothing(store: InstanceConfigStore) -> None:
    """The first setup of a workspace reports no previous instance."""
    replaced = await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    assert replaced.previous_instance_url is None
    assert not replaced.instance_changed


async def test_new_instance_reports_the_previous_one(store: InstanceConfigStore) -> None:
    """Pointing the workspace at another instance reports the one it replaced."""
    await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    replaced = await store.replace(setup_of(OTHER), enterprise_id=None, team_id="T01")
    assert replaced.previous_instance_url == INSTANCE
    assert replaced.instance_changed
    assert replaced.config.version == 2
    assert (await store.require(None, "T01")).instance_url == OTHER


async def test_stale_setup_is_refused(store: InstanceConfigStore) -> None:
    """A setup that expected an older version does not overwrite a newer one."""
    await store.replace(setup_of(), enterprise_id=None, team_id="T01", expected_version=0)
    await store.replace(setup_of(OTHER), enterprise_id=None, team_id="T01", expected_version=1)
    with pytest.raises(ConcurrencyError):
        await store.replace(setup_of(), enterprise_id=None, team_id="T01", expected_version=1)
    assert (await store.require(None, "T01")).instance_url == OTHER


async def test_record_copied_to_another_workspace_is_rejected(
    store: InstanceConfigStore, redis: Redis, keys: Keys
) -> None:
    """A connection record copied under another workspace's key does not open."""
    await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    await redis.copy(keys.instance(None, "T01"), keys.instance(None, "T02"))
    with pytest.raises(TokenRecordError):
        await store.stored(None, "T02")


async def test_edited_instance_url_is_rejected(
    store: InstanceConfigStore, redis: Redis, keys: Keys
) -> None:
    """A record whose instance URL was edited in Redis does not open, so no secret leaves."""
    await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    key = keys.instance(None, "T01")
    data = json.loads(await redis.get(key) or b"{}")
    data["instance_url"] = "https://evil.service-now.com"
    await redis.set(key, json.dumps(data))
    with pytest.raises(TokenRecordError):
        await store.stored(None, "T01")


async def test_environment_connection_is_the_fallback(
    redis: Redis, keys: Keys, cipher: RecordCipher
) -> None:
    """Without a stored setup the environment's connection applies, normalised."""
    settings = Settings.for_tests(
        servicenow_instance="dev98042",
        servicenow_client_id="env-client",
        servicenow_client_secret="TESTSECRET-env",
    )
    fallback = InstanceConfig.from_settings(settings)
    store = InstanceConfigStore(redis, keys=keys, cipher=cipher, fallback=fallback)
    config = await store.require(None, "T01")
    assert config.instance_url == "https://dev98042.service-now.com"
    assert config.source == "environment"
    assert config.client_secret.get_secret_value() == "TESTSECRET-env"
    await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    assert (await store.require(None, "T01")).instance_url == INSTANCE


def test_partial_environment_is_no_connection() -> None:
    """An environment with an instance but no client secret offers no connection."""
    settings = Settings.for_tests(servicenow_instance="dev98042", servicenow_client_id="x")
    assert InstanceConfig.from_settings(settings) is None


async def test_unconfigured_workspace_is_not_configured(store: InstanceConfigStore) -> None:
    """A workspace with no setup and no environment connection is not configured."""
    assert await store.get(None, "T01") is None
    with pytest.raises(NotConfiguredError):
        await store.require(None, "T01")


async def test_deleted_setup_is_gone(store: InstanceConfigStore) -> None:
    """Deleting a workspace's setup removes it."""
    await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    assert await store.delete(None, "T01")
    assert await store.stored(None, "T01") is None


async def test_rotation_lets_the_old_key_go(redis: Redis, keys: Keys) -> None:
    """After rotation every stored secret opens with the new key alone."""
    old, new = Settings.generate_key(), Settings.generate_key()
    before = InstanceConfigStore(redis, keys=keys, cipher=RecordCipher([old]))
    for team in ("T01", "T02", "T03"):
        await before.replace(setup_of(team=team), enterprise_id="E01", team_id=team)
    during = InstanceConfigStore(redis, keys=keys, cipher=RecordCipher([new, old]))
    report = await during.rotate_all()
    assert (report.rotated, report.already_current, report.left) == (3, 0, 0)
    after = InstanceConfigStore(redis, keys=keys, cipher=RecordCipher([new]))
    for team in ("T01", "T02", "T03"):
        config = await after.require("E01", team)
        assert config.client_secret.get_secret_value() == f"TESTSECRET-{team}"
        assert (config.key_version, config.version) == (key_fingerprint(new), 1)


async def test_staged_credentials_leave_the_connection_in_use(store: InstanceConfigStore) -> None:
    """Staging new credentials changes nothing about the connection the workspace uses."""
    await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    await store.stage(setup_of(OTHER, team="new"), enterprise_id=None, team_id="T01")
    assert (await store.require(None, "T01")).instance_url == INSTANCE
    staged = await store.staged(None, "T01")
    assert staged is not None
    assert staged.instance_url == OTHER
    assert staged.client_secret.get_secret_value() == "TESTSECRET-new"


async def test_promoting_staged_credentials_makes_them_the_connection(
    store: InstanceConfigStore,
) -> None:
    """Promotion swaps the staged credentials in, reports the old instance, and unstages."""
    await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    await store.stage(setup_of(OTHER, team="new"), enterprise_id=None, team_id="T01")
    replaced = await store.promote(enterprise_id=None, team_id="T01")
    assert replaced is not None
    assert replaced.previous_instance_url == INSTANCE
    assert (await store.require(None, "T01")).instance_url == OTHER
    assert await store.staged(None, "T01") is None
    assert await store.promote(enterprise_id=None, team_id="T01") is None


async def test_a_staged_record_never_opens_as_the_connection(
    store: InstanceConfigStore, redis: Redis, keys: Keys
) -> None:
    """A staged record copied over the connection's key is rejected (bound to "staged")."""
    await store.stage(setup_of(), enterprise_id=None, team_id="T01")
    raw = await redis.get(keys.instance_staged(None, "T01"))
    assert raw is not None
    await redis.set(keys.instance(None, "T01"), raw)
    with pytest.raises(TokenRecordError):
        await store.stored(None, "T01")


async def test_deleting_a_setup_also_forgets_staged_credentials(
    store: InstanceConfigStore,
) -> None:
    """Uninstall's delete takes the staged credentials (and their secret) too."""
    await store.replace(setup_of(), enterprise_id=None, team_id="T01")
    await store.stage(setup_of(OTHER, team="new"), enterprise_id=None, team_id="T01")
    await store.delete(None, "T01")
    assert await store.staged(None, "T01") is None


async def test_rotation_reseals_staged_credentials_too(redis: Redis, keys: Keys) -> None:
    """Staged secrets are rotated with the rest, so the old key can go."""
    old, new = Settings.generate_key(), Settings.generate_key()
    before = InstanceConfigStore(redis, keys=keys, cipher=RecordCipher([old]))
    await before.stage(setup_of(team="staged"), enterprise_id=None, team_id="T01")
    during = InstanceConfigStore(redis, keys=keys, cipher=RecordCipher([new, old]))
    report = await during.rotate_all()
    assert (report.rotated, report.left) == (1, 0)
    after = InstanceConfigStore(redis, keys=keys, cipher=RecordCipher([new]))
    staged = await after.staged(None, "T01")
    assert staged is not None
    assert staged.client_secret.get_secret_value() == "TESTSECRET-staged"
    assert await redis.ttl(keys.instance_staged(None, "T01")) > 0
