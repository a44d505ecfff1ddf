"""TokenRefresher: one refresh per user across coroutines and processes, refusals handled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.errors import (
    NotLinkedError,
    ReconnectRequiredError,
    ServiceNowUnavailableError,
)
from bot.models import SlackUser
from bot.servicenow.models import TokenSet
from bot.store.crypto import RecordCipher
from bot.store.keys import Keys
from bot.store.refresh import TokenRefresher
from bot.store.vault import RedisTokenVault
from tests.conftest import REDIS_URL

from .conftest import INSTANCE, make_record

NOW = 50_000.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TokenEndpoint:
    """Stands in for ServiceNow's refresh grant: counts calls, can wait, refuse or fail."""

    def __init__(
        self,
        clock: Clock,
        *,
        name: str = "a",
        delay: float = 0.05,
        gate: asyncio.Event | None = None,
        error: Exception | None = None,
        new_refresh_token: bool = False,
        before: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.clock = clock
        self.name = name
        self.delay = delay
        self.gate = gate
        self.error = error
        self.new_refresh_token = new_refresh_token
        self.before = before
        self.calls: list[str] = []
        self.started = asyncio.Event()

    async def __call__(self, refresh_token: str) -> TokenSet:
        self.calls.append(refresh_token)
        self.started.set()
        if self.before is not None:
            await self.before()
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        n = len(self.calls)
        return TokenSet(
            access_token=f"TESTSECRET-access-{self.name}{n}",
            refresh_token=f"TESTSECRET-refresh-{self.name}{n}" if self.new_refresh_token else None,
            expires_at=self.clock() + 1800,
        )


@pytest.fixture
def clock() -> Clock:
    """The shared hand-moved clock."""
    return Clock()


@pytest.fixture
async def other_redis() -> AsyncIterator[Redis]:
    """A second Redis client, as another replica would have."""
    client: Redis = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def stack(
    redis: Redis, *, keys: Keys, cipher: RecordCipher, clock: Clock, **options: float
) -> tuple[RedisTokenVault, TokenRefresher]:
    """One process's vault and refresher (their own in-process state)."""
    vault = RedisTokenVault(redis, keys=keys, cipher=cipher)
    return vault, TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock, **options)


@dataclass
class Replicas:
    """Two processes' worth of Redis clients over the same keys, cipher and clock."""

    redis: Redis
    other_redis: Redis
    keys: Keys
    cipher: RecordCipher
    clock: Clock

    def first(self, **options: float) -> tuple[RedisTokenVault, TokenRefresher]:
        """A process on the first client."""
        return stack(self.redis, keys=self.keys, cipher=self.cipher, clock=self.clock, **options)

    def second(self, **options: float) -> tuple[RedisTokenVault, TokenRefresher]:
        """Another process, with its own client and in-process state."""
        return stack(
            self.other_redis, keys=self.keys, cipher=self.cipher, clock=self.clock, **options
        )


@pytest.fixture
def replicas(
    redis: Redis, other_redis: Redis, keys: Keys, cipher: RecordCipher, clock: Clock
) -> Replicas:
    """Two simulated processes sharing one Redis."""
    return Replicas(redis, other_redis, keys, cipher, clock)


async def test_first_token_comes_from_the_record_already_read(
    redis: Redis, keys: Keys, cipher: RecordCipher, clock: Clock, alice: SlackUser
) -> None:
    """A source made with the record just read hands out its token without reading again."""
    vault, refresher = stack(redis, keys=keys, cipher=cipher, clock=clock)
    stored = await vault.put(alice, make_record(expires_at=NOW + 3600), expected_version=0)
    source = refresher.source(alice, refresh_call=TokenEndpoint(clock), record=stored)
    await redis.delete(keys.token(alice.enterprise_id, alice.team_id, alice.user_id))
    assert await source.access_token() == "TESTSECRET-access-alice"
    with pytest.raises(NotLinkedError):
        await source.access_token()  # later calls read the vault again


async def link_expired(vault: RedisTokenVault, user: SlackUser) -> None:
    """Store a link whose access token expired long ago."""
    await vault.put(user, make_record(expires_at=NOW - 60), expected_version=0)


async def test_fresh_token_is_used_as_it_is(
    redis: Redis, keys: Keys, cipher: RecordCipher, clock: Clock, alice: SlackUser
) -> None:
    """A token valid beyond the margin is handed out without a refresh."""
    vault, refresher = stack(redis, keys=keys, cipher=cipher, clock=clock)
    await vault.put(alice, make_record(expires_at=NOW + 3600), expected_version=0)
    endpoint = TokenEndpoint(clock)
    source = refresher.source(alice, refresh_call=endpoint)
    assert await source.access_token() == "TESTSECRET-access-alice"
    assert endpoint.calls == []


async def test_expiring_token_is_refreshed_and_stored_first(
    redis: Redis, keys: Keys, cipher: RecordCipher, clock: Clock, alice: SlackUser
) -> None:
    """A token inside the margin is refreshed, stored, and the old refresh token kept."""
    vault, refresher = stack(redis, keys=keys, cipher=cipher, clock=clock)
    await vault.put(alice, make_record(expires_at=NOW + 60), expected_version=0)
    endpoint = TokenEndpoint(clock)
    token = await refresher.source(alice, refresh_call=endpoint).access_token()
    stored = await vault.require(alice)
    assert token == stored.access_token == "TESTSECRET-access-a1"
    assert endpoint.calls == ["TESTSECRET-refresh-alice"]
    assert stored.refresh_token == "TESTSECRET-refresh-alice"
    assert stored.version == 2


async def test_short_lived_token_is_not_refreshed_on_every_call(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """A token living less than the margin is refreshed only in the second half of its life."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock, margin_s=300)
    short = make_record(expires_at=NOW + 120).model_copy(update={"obtained_at": NOW})
    await vault.put(alice, short, expected_version=0)
    endpoint = TokenEndpoint(clock)
    source = refresher.source(alice, refresh_call=endpoint)
    assert await source.access_token() == "TESTSECRET-access-alice"
    clock.now += 61
    assert await source.access_token() == "TESTSECRET-access-a1"
    assert len(endpoint.calls) == 1


async def test_returned_refresh_token_replaces_the_old_one(
    redis: Redis, keys: Keys, cipher: RecordCipher, clock: Clock, alice: SlackUser
) -> None:
    """A refresh token that comes back with the new access token is stored."""
    vault, refresher = stack(redis, keys=keys, cipher=cipher, clock=clock)
    await link_expired(vault, alice)
    endpoint = TokenEndpoint(clock, new_refresh_token=True)
    await refresher.source(alice, refresh_call=endpoint).access_token()
    assert (await vault.require(alice)).refresh_token == "TESTSECRET-refresh-a1"


async def test_concurrent_callers_in_one_process_share_one_refresh(
    redis: Redis, keys: Keys, cipher: RecordCipher, clock: Clock, alice: SlackUser
) -> None:
    """Fifty concurrent requests for an expired token make exactly one refresh call."""
    vault, refresher = stack(redis, keys=keys, cipher=cipher, clock=clock)
    await link_expired(vault, alice)
    endpoint = TokenEndpoint(clock)
    source = refresher.source(alice, refresh_call=endpoint)
    tokens = await asyncio.gather(*(source.access_token() for _ in range(50)))
    assert len(endpoint.calls) == 1
    assert set(tokens) == {"TESTSECRET-access-a1"}
    assert (await vault.require(alice)).version == 2


async def test_concurrent_callers_in_two_processes_share_one_refresh(
    replicas: Replicas, clock: Clock, alice: SlackUser
) -> None:
    """Two processes with fifty concurrent requests each make exactly one refresh call."""
    vault_a, refresher_a = replicas.first()
    _vault_b, refresher_b = replicas.second()
    await link_expired(vault_a, alice)
    endpoint_a, endpoint_b = TokenEndpoint(clock, name="a"), TokenEndpoint(clock, name="b")
    source_a = refresher_a.source(alice, refresh_call=endpoint_a)
    source_b = refresher_b.source(alice, refresh_call=endpoint_b)
    tokens = await asyncio.gather(
        *(source.access_token() for _ in range(50) for source in (source_a, source_b))
    )
    stored = await vault_a.require(alice)
    assert len(endpoint_a.calls) + len(endpoint_b.calls) == 1
    assert set(tokens) == {stored.access_token}
    assert stored.version == 2


async def test_killed_lock_holder_needs_no_reconnect(
    replicas: Replicas, clock: Clock, alice: SlackUser
) -> None:
    """A holder killed mid-refresh past the lock TTL leaves a record another process refreshes."""
    vault_a, refresher_a = replicas.first(lock_ttl_s=0.3)
    _vault_b, refresher_b = replicas.second(lock_ttl_s=0.3)
    await link_expired(vault_a, alice)
    hung = TokenEndpoint(clock, name="a", gate=asyncio.Event())
    caller_a = asyncio.create_task(refresher_a.source(alice, refresh_call=hung).access_token())
    await hung.started.wait()
    endpoint_b = TokenEndpoint(clock, name="b")
    token_b = await refresher_b.source(alice, refresh_call=endpoint_b).access_token()
    await refresher_a.aclose()  # process A dies
    with pytest.raises(asyncio.CancelledError):
        await caller_a
    stored = await vault_a.require(alice)
    assert endpoint_b.calls == ["TESTSECRET-refresh-alice"]
    assert (stored.status, stored.access_token, stored.version) == ("active", token_b, 2)
    _vault_c, refresher_c = replicas.first()
    endpoint_c = TokenEndpoint(clock, name="c")
    assert await refresher_c.source(alice, refresh_call=endpoint_c).access_token() == token_b
    assert endpoint_c.calls == []


async def test_late_holder_loses_the_write_and_uses_the_stored_token(
    replicas: Replicas, clock: Clock, alice: SlackUser
) -> None:
    """A holder whose lock expired finishes late, loses the compare-and-set, and uses the winner."""
    vault_a, refresher_a = replicas.first(lock_ttl_s=0.3)
    _vault_b, refresher_b = replicas.second(lock_ttl_s=0.3)
    await link_expired(vault_a, alice)
    slow = TokenEndpoint(clock, name="a", gate=asyncio.Event())
    caller_a = asyncio.create_task(refresher_a.source(alice, refresh_call=slow).access_token())
    await slow.started.wait()
    token_b = await refresher_b.source(
        alice, refresh_call=TokenEndpoint(clock, name="b")
    ).access_token()
    assert slow.gate is not None
    slow.gate.set()
    assert await caller_a == token_b
    stored = await vault_a.require(alice)
    assert (stored.status, stored.access_token, stored.version) == ("active", token_b, 2)


async def test_refresh_that_outlived_a_refusal_restores_the_link(
    replicas: Replicas, clock: Clock, alice: SlackUser
) -> None:
    """Where a strict instance refused a racing refresh, the late winner's tokens are kept."""
    vault_a, refresher_a = replicas.first(lock_ttl_s=0.3)
    _vault_b, refresher_b = replicas.second(lock_ttl_s=0.3)
    await link_expired(vault_a, alice)
    winner = TokenEndpoint(clock, name="a", gate=asyncio.Event(), new_refresh_token=True)
    caller_a = asyncio.create_task(refresher_a.source(alice, refresh_call=winner).access_token())
    await winner.started.wait()
    refusing = TokenEndpoint(clock, name="b", error=ReconnectRequiredError("invalid_grant"))
    with pytest.raises(ReconnectRequiredError):
        await refresher_b.source(alice, refresh_call=refusing).access_token()
    assert winner.gate is not None
    winner.gate.set()
    token_a = await caller_a
    stored = await vault_a.require(alice)
    assert (stored.status, stored.access_token) == ("active", token_a)
    assert stored.refresh_token == "TESTSECRET-refresh-a1"


async def test_refusal_flags_the_link_once_and_raises(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """A refused refresh flags the record once, keeps it, and every caller is told to reconnect."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    await link_expired(vault, alice)
    endpoint = TokenEndpoint(clock, error=ReconnectRequiredError("invalid_grant"))
    source = refresher.source(alice, refresh_call=endpoint)
    results = await asyncio.gather(
        *(source.access_token() for _ in range(20)), return_exceptions=True
    )
    assert all(isinstance(r, ReconnectRequiredError) for r in results)
    with pytest.raises(ReconnectRequiredError):
        await source.access_token()
    stored = await vault.require(alice)
    assert len(endpoint.calls) == 1
    assert (stored.status, stored.version) == ("needs_reconnect", 2)
    assert stored.refresh_token == "TESTSECRET-refresh-alice"
    assert await refresher.recent_refresh_failures("E01", "T01", window_s=60) == ["U0ALICE"]


async def test_refusal_after_another_refresh_uses_that_refresh(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """A refusal that follows another replica's successful refresh is not a reconnect."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    await link_expired(vault, alice)

    async def other_replica_refreshes() -> None:
        current = await vault.require(alice)
        fresh = TokenSet(access_token="TESTSECRET-access-other", expires_at=NOW + 1800)
        updated = current.with_tokens(fresh, obtained_at=NOW)
        await vault.put(alice, updated, expected_version=current.version)

    endpoint = TokenEndpoint(
        clock, error=ReconnectRequiredError("invalid_grant"), before=other_replica_refreshes
    )
    token = await refresher.source(alice, refresh_call=endpoint).access_token()
    assert token == "TESTSECRET-access-other"
    assert (await vault.require(alice)).status == "active"
    assert await refresher.recent_refresh_failures("E01", "T01", window_s=60) == []


async def test_unreachable_servicenow_does_not_flag_the_link(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """ServiceNow being unreachable during a refresh leaves the link active for the next try."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    await link_expired(vault, alice)
    down = TokenEndpoint(clock, error=ServiceNowUnavailableError("504"))
    with pytest.raises(ServiceNowUnavailableError):
        await refresher.source(alice, refresh_call=down).access_token()
    assert (await vault.require(alice)).status == "active"
    token = await refresher.source(alice, refresh_call=TokenEndpoint(clock)).access_token()
    assert token == "TESTSECRET-access-a1"


async def test_hanging_refresh_is_cut_at_its_deadline(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """A refresh call that hangs is abandoned at the deadline as unavailable, lock released."""
    refresher = TokenRefresher(
        vault=vault, redis=redis, keys=keys, clock=clock, refresh_timeout_s=0.2
    )
    await link_expired(vault, alice)
    hung = TokenEndpoint(clock, gate=asyncio.Event())
    with pytest.raises(ServiceNowUnavailableError):
        await refresher.source(alice, refresh_call=hung).access_token()
    assert (await vault.require(alice)).status == "active"
    assert await redis.exists(keys.refresh_lock("E01", "T01", "U0ALICE")) == 0


async def test_rejected_token_is_replaced_once(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """Ten callers reporting the same rejected token share one refresh and get a new token."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    await vault.put(alice, make_record(expires_at=NOW + 3600), expected_version=0)
    endpoint = TokenEndpoint(clock)
    source = refresher.source(alice, refresh_call=endpoint)
    rejected = await source.access_token()
    tokens = await asyncio.gather(*(source.refreshed_token(rejected) for _ in range(10)))
    assert set(tokens) == {"TESTSECRET-access-a1"}
    assert len(endpoint.calls) == 1


async def test_rejected_token_already_replaced_needs_no_refresh(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """A rejected token that is no longer the stored one is answered with the stored one."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    await vault.put(alice, make_record(expires_at=NOW + 3600), expected_version=0)
    endpoint = TokenEndpoint(clock)
    token = await refresher.source(alice, refresh_call=endpoint).refreshed_token("old-one")
    assert token == "TESTSECRET-access-alice"
    assert endpoint.calls == []


async def test_link_to_another_instance_is_not_used(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """A token issued by another instance than the configured one is never handed out."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    await vault.put(alice, make_record(expires_at=NOW + 3600), expected_version=0)
    source = refresher.source(
        alice, refresh_call=TokenEndpoint(clock), instance_url="https://other.service-now.com"
    )
    with pytest.raises(ReconnectRequiredError):
        await source.access_token()
    same = refresher.source(alice, refresh_call=TokenEndpoint(clock), instance_url=INSTANCE)
    assert await same.access_token() == "TESTSECRET-access-alice"


async def test_unlinked_user_gets_not_linked(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """A user without a link is told so, with no refresh attempted."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    endpoint = TokenEndpoint(clock)
    with pytest.raises(NotLinkedError):
        await refresher.source(alice, refresh_call=endpoint).access_token()
    assert endpoint.calls == []


async def test_refresh_failures_age_out_of_the_window(
    replicas: Replicas, clock: Clock, alice: SlackUser, bob: SlackUser
) -> None:
    """Refused refreshes are counted per workspace within the asked window only."""
    vault, refresher = replicas.first()
    refusing = TokenEndpoint(clock, error=ReconnectRequiredError("invalid_grant"))
    await link_expired(vault, alice)
    await link_expired(vault, bob)
    with pytest.raises(ReconnectRequiredError):
        await refresher.source(alice, refresh_call=refusing).access_token()
    clock.now += 600
    with pytest.raises(ReconnectRequiredError):
        await refresher.source(bob, refresh_call=refusing).access_token()
    assert await refresher.recent_refresh_failures("E01", "T01", window_s=300) == ["U0BOB"]
    both = await refresher.recent_refresh_failures("E01", "T01", window_s=3600)
    assert sorted(both) == ["U0ALICE", "U0BOB"]


async def test_reconnect_prompt_is_claimed_once(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """A user is asked to reconnect at most once within the prompt window."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    assert await refresher.claim_reconnect_prompt(alice)
    assert not await refresher.claim_reconnect_prompt(alice)


async def test_refresh_logs_no_token(
    vault: RedisTokenVault,
    redis: Redis,
    keys: Keys,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A link, a refresh and a refusal, logged at DEBUG with redis' own logger, show no token."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    users = [SlackUser(team_id="T01", user_id=f"U0{i}") for i in range(2)]
    with caplog.at_level(logging.DEBUG):
        for user in users:
            await link_expired(vault, user)
        await refresher.source(users[0], refresh_call=TokenEndpoint(clock)).access_token()
        refusing = TokenEndpoint(clock, error=ReconnectRequiredError("invalid_grant"))
        with pytest.raises(ReconnectRequiredError):
            await refresher.source(users[1], refresh_call=refusing).access_token()
    assert caplog.records
    assert all("TESTSECRET" not in str(vars(record)) for record in caplog.records)


async def test_fresh_consent_allows_a_new_reconnect_prompt(
    vault: RedisTokenVault, redis: Redis, keys: Keys, clock: Clock, alice: SlackUser
) -> None:
    """After the user links again, a later refusal may prompt them again straight away."""
    refresher = TokenRefresher(vault=vault, redis=redis, keys=keys, clock=clock)
    assert await refresher.claim_reconnect_prompt(alice)
    await vault.put(alice, make_record(), expected_version=None)
    assert await refresher.claim_reconnect_prompt(alice)
