"""RedisTokenVault: encrypted records, compare-and-set, rotation, workspace purge."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.errors import ConcurrencyError, NotLinkedError, StoreError, TokenRecordError
from bot.models import SlackUser
from bot.settings import Settings
from bot.store.connection import open_redis
from bot.store.crypto import RecordCipher, key_fingerprint
from bot.store.keys import Keys
from bot.store.vault import RedisTokenVault

from .conftest import INSTANCE, make_record, raw_dump


async def test_stored_record_reads_back(vault: RedisTokenVault, alice: SlackUser) -> None:
    """A stored record reads back with its tokens, identity and version 1."""
    stored = await vault.put(alice, make_record(), expected_version=0)
    record = await vault.require(alice)
    assert record == stored
    assert record.access_token == "TESTSECRET-access-alice"
    assert record.refresh_token == "TESTSECRET-refresh-alice"
    assert record.servicenow_user.email == "alice@example.com"
    assert record.version == 1
    assert record.status == "active"


async def test_no_token_is_stored_in_clear(
    vault: RedisTokenVault, redis: Redis, redis_prefix: str, alice: SlackUser, bob: SlackUser
) -> None:
    """No Redis value under the prefix holds a token in clear."""
    await vault.put(alice, make_record("alice"), expected_version=0)
    await vault.put(bob, make_record("bob"), expected_version=0)
    dump = await raw_dump(redis, redis_prefix)
    assert b"ct" in dump
    assert b"TESTSECRET" not in dump


async def test_record_repr_hides_tokens() -> None:
    """A token record's repr shows no token."""
    assert "TESTSECRET" not in repr(make_record())


async def test_missing_record_is_not_linked(vault: RedisTokenVault, alice: SlackUser) -> None:
    """A user without a record gets None, or NotLinkedError when one is required."""
    assert await vault.get(alice) is None
    with pytest.raises(NotLinkedError):
        await vault.require(alice)


async def test_record_copied_under_another_user_is_rejected(
    vault: RedisTokenVault, redis: Redis, keys: Keys, alice: SlackUser, bob: SlackUser
) -> None:
    """A record copied byte for byte under another user's key is refused."""
    await vault.put(alice, make_record(), expected_version=0)
    await redis.copy(
        keys.token(alice.enterprise_id, alice.team_id, alice.user_id),
        keys.token(bob.enterprise_id, bob.team_id, bob.user_id),
    )
    with pytest.raises(TokenRecordError):
        await vault.get(bob)


async def test_record_with_instance_changed_in_clear_is_rejected(
    vault: RedisTokenVault, redis: Redis, keys: Keys, alice: SlackUser
) -> None:
    """A record whose clear instance URL was edited no longer opens."""
    await vault.put(alice, make_record(), expected_version=0)
    key = keys.token(alice.enterprise_id, alice.team_id, alice.user_id)
    await redis.hset(key, "instance", "https://evil.service-now.com")
    with pytest.raises(TokenRecordError):
        await vault.get(alice)


async def test_stale_write_is_refused(vault: RedisTokenVault, alice: SlackUser) -> None:
    """A writer holding an older version cannot overwrite a newer record."""
    first = await vault.put(alice, make_record("first"), expected_version=0)
    second = await vault.put(alice, make_record("second"), expected_version=first.version)
    with pytest.raises(ConcurrencyError):
        await vault.put(alice, make_record("stale"), expected_version=first.version)
    record = await vault.require(alice)
    assert record.version == second.version == 2
    assert record.access_token == "TESTSECRET-access-second"


async def test_create_only_write_is_refused_when_a_record_exists(
    vault: RedisTokenVault, alice: SlackUser
) -> None:
    """A write expecting no record fails when one is already stored."""
    await vault.put(alice, make_record(), expected_version=0)
    with pytest.raises(ConcurrencyError):
        await vault.put(alice, make_record("again"), expected_version=0)


async def test_concurrent_writers_of_one_version_have_one_winner(
    vault: RedisTokenVault, alice: SlackUser
) -> None:
    """Of ten writers that read the same version, exactly one succeeds."""
    stored = await vault.put(alice, make_record(), expected_version=0)
    results = await asyncio.gather(
        *(
            vault.put(alice, make_record(f"w{i}"), expected_version=stored.version)
            for i in range(10)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if isinstance(r, BaseException))
    assert (await vault.require(alice)).version == 2


async def test_replacing_write_overwrites_any_version(
    vault: RedisTokenVault, alice: SlackUser
) -> None:
    """A fresh consent replaces the stored record whatever its version."""
    await vault.put(alice, make_record("old"), expected_version=0)
    await vault.mark_needs_reconnect(alice)
    stored = await vault.put(alice, make_record("new"), expected_version=None)
    record = await vault.require(alice)
    assert record.version == stored.version == 3
    assert record.status == "active"
    assert record.access_token == "TESTSECRET-access-new"


async def test_needs_reconnect_flag_keeps_the_tokens(
    vault: RedisTokenVault, alice: SlackUser
) -> None:
    """Flagging a record for reconnect keeps its tokens and changes its status once."""
    stored = await vault.put(alice, make_record(), expected_version=0)
    assert await vault.mark_needs_reconnect(alice, expected_version=stored.version)
    assert not await vault.mark_needs_reconnect(alice)
    record = await vault.require(alice)
    assert record.status == "needs_reconnect"
    assert record.refresh_token == "TESTSECRET-refresh-alice"


async def test_needs_reconnect_flag_loses_to_a_newer_record(
    vault: RedisTokenVault, alice: SlackUser
) -> None:
    """A record that changed since it was read is not flagged."""
    stored = await vault.put(alice, make_record(), expected_version=0)
    await vault.put(alice, make_record("newer"), expected_version=stored.version)
    assert not await vault.mark_needs_reconnect(alice, expected_version=stored.version)
    assert (await vault.require(alice)).status == "active"


async def test_delete_removes_record_and_index_entry(
    vault: RedisTokenVault, alice: SlackUser
) -> None:
    """Deleting a record removes it and its entry in the workspace's list."""
    await vault.put(alice, make_record(), expected_version=0)
    assert await vault.delete(alice)
    assert await vault.get(alice) is None
    assert await vault.list_linked(alice.enterprise_id, alice.team_id) == []
    assert not await vault.delete(alice)


async def test_linked_users_are_listed_without_secrets(
    vault: RedisTokenVault, alice: SlackUser, bob: SlackUser
) -> None:
    """The workspace list names each Slack user, their ServiceNow user and link time."""
    await vault.put(alice, make_record("alice"), expected_version=0)
    await vault.put(bob, make_record("bob"), expected_version=0)
    linked = await vault.list_linked(alice.enterprise_id, alice.team_id)
    assert [(e.slack_user_id, e.servicenow_user.user_name) for e in linked] == [
        ("U0ALICE", "alice"),
        ("U0BOB", "bob"),
    ]
    assert all(e.linked_at == 1_000.0 and e.instance_url == INSTANCE for e in linked)
    assert "TESTSECRET" not in repr(linked)


async def test_the_admin_flag_survives_a_refresh_and_reaches_the_list(
    vault: RedisTokenVault, alice: SlackUser, bob: SlackUser
) -> None:
    """A link's Slack admin flag is kept through a rewrite and listed; unknown stays None."""
    first = await vault.put(
        alice, make_record("alice").model_copy(update={"slack_admin": True}), expected_version=0
    )
    await vault.put(alice, first.model_copy(update={"access_token": "x"}), expected_version=1)
    await vault.put(bob, make_record("bob"), expected_version=0)
    linked = await vault.list_linked(alice.enterprise_id, alice.team_id)
    assert [(e.slack_user_id, e.slack_admin) for e in linked] == [
        ("U0ALICE", True),
        ("U0BOB", None),
    ]


async def test_purge_removes_only_that_workspace(
    vault: RedisTokenVault, alice: SlackUser, bob: SlackUser
) -> None:
    """Purging a workspace deletes its records and leaves other workspaces alone."""
    carol = SlackUser(enterprise_id=None, team_id="T02", user_id="U0CAROL")
    await vault.put(alice, make_record("alice"), expected_version=0)
    await vault.put(bob, make_record("bob"), expected_version=0)
    await vault.put(carol, make_record("carol"), expected_version=0)
    assert await vault.purge_workspace("E01", "T01") == 2
    assert await vault.get(alice) is None
    assert await vault.get(bob) is None
    assert await vault.list_linked("E01", "T01") == []
    assert (await vault.require(carol)).access_token == "TESTSECRET-access-carol"


async def test_rotation_lets_the_old_key_go(redis: Redis, keys: Keys) -> None:
    """After rotating 100 records the old key can be removed and every record still opens."""
    old, new = Settings.generate_key(), Settings.generate_key()
    users = [SlackUser(team_id="T01", user_id=f"U{i:04d}") for i in range(100)]
    before = RedisTokenVault(redis, keys=keys, cipher=RecordCipher([old]))
    await asyncio.gather(
        *(before.put(u, make_record(f"u{i}"), expected_version=0) for i, u in enumerate(users))
    )
    during = RedisTokenVault(redis, keys=keys, cipher=RecordCipher([new, old]))
    report = await during.rotate_all()
    assert (report.rotated, report.already_current, report.left) == (100, 0, 0)
    assert await during.key_version_counts() == {key_fingerprint(new): 100}
    after = RedisTokenVault(redis, keys=keys, cipher=RecordCipher([new]))
    records = await asyncio.gather(*(after.require(u) for u in users))
    assert [r.access_token for r in records] == [f"TESTSECRET-access-u{i}" for i in range(100)]
    assert {r.key_version for r in records} == {key_fingerprint(new)}
    assert {r.version for r in records} == {1}


async def test_second_rotation_finds_everything_current(
    vault: RedisTokenVault, alice: SlackUser
) -> None:
    """Rotating records already sealed with the newest key changes nothing."""
    await vault.put(alice, make_record(), expected_version=0)
    report = await vault.rotate_all()
    assert (report.rotated, report.already_current, report.left) == (0, 1, 0)


async def test_rotation_counts_a_foreign_record_as_failed(
    redis: Redis, keys: Keys, alice: SlackUser, bob: SlackUser
) -> None:
    """A record that does not belong under its key is left alone and reported as left."""
    old, new = Settings.generate_key(), Settings.generate_key()
    before = RedisTokenVault(redis, keys=keys, cipher=RecordCipher([old]))
    await before.put(alice, make_record(), expected_version=0)
    await redis.copy(
        keys.token(alice.enterprise_id, alice.team_id, alice.user_id),
        keys.token(bob.enterprise_id, bob.team_id, bob.user_id),
    )
    during = RedisTokenVault(redis, keys=keys, cipher=RecordCipher([new, old]))
    report = await during.rotate_all()
    assert (report.rotated, report.failed, report.left) == (1, 1, 1)


async def test_unreachable_redis_is_a_store_error(alice: SlackUser, cipher: RecordCipher) -> None:
    """A vault whose Redis is down raises StoreError instead of hanging."""
    down = open_redis(Settings.for_tests(redis_url="redis://127.0.0.1:1/0"))
    vault = RedisTokenVault(down, keys=Keys(prefix="unused"), cipher=cipher)
    try:
        async with asyncio.timeout(5):
            with pytest.raises(StoreError):
                await vault.get(alice)
            with pytest.raises(StoreError):
                await vault.put(alice, make_record(), expected_version=0)
    finally:
        await down.aclose()
