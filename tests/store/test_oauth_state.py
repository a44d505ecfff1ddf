"""OAuthStateStore: single-use tickets and states, bound to a user, an instance and a browser."""

from __future__ import annotations

import asyncio
import base64
import hashlib

import pytest
from redis.asyncio import Redis

from bot.errors import LinkRefusedError
from bot.models import SlackUser
from bot.servicenow.oauth import pkce_challenge
from bot.store.crypto import RecordCipher
from bot.store.keys import Keys
from bot.store.oauth_state import OAuthStateStore

from .conftest import INSTANCE, raw_dump


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The hand-moved clock."""
    return Clock()


@pytest.fixture
def store(redis: Redis, keys: Keys, cipher: RecordCipher, clock: Clock) -> OAuthStateStore:
    """A state store on the real Redis with the hand-moved clock."""
    return OAuthStateStore(redis, keys=keys, cipher=cipher, clock=clock)


async def test_state_carries_user_instance_and_verifier(
    store: OAuthStateStore, alice: SlackUser
) -> None:
    """A consumed state names its user and instance and the verifier of its challenge."""
    flow = await store.begin(alice, instance_url=INSTANCE)
    state = await store.consume(flow.state, browser_nonce=flow.browser_nonce)
    assert state.user == alice
    assert state.instance_url == INSTANCE
    assert pkce_challenge(state.code_verifier) == flow.code_challenge
    assert 43 <= len(state.code_verifier) <= 128


def test_pkce_challenge_matches_rfc7636_example() -> None:
    """The S256 challenge of RFC 7636's example verifier is the RFC's example challenge."""
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    digest = hashlib.sha256(verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == pkce_challenge(verifier)


async def test_reused_state_is_refused(store: OAuthStateStore, alice: SlackUser) -> None:
    """A state presented a second time is refused."""
    flow = await store.begin(alice, instance_url=INSTANCE)
    await store.consume(flow.state, browser_nonce=flow.browser_nonce)
    with pytest.raises(LinkRefusedError) as refused:
        await store.consume(flow.state, browser_nonce=flow.browser_nonce)
    assert refused.value.reason == "state_unknown"


async def test_parallel_callbacks_have_one_winner(
    store: OAuthStateStore, alice: SlackUser
) -> None:
    """Of ten parallel callbacks with the same state exactly one gets it."""
    flow = await store.begin(alice, instance_url=INSTANCE)
    results = await asyncio.gather(
        *(store.consume(flow.state, browser_nonce=flow.browser_nonce) for _ in range(10)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert sum(isinstance(r, LinkRefusedError) for r in results) == 9


async def test_state_older_than_its_ttl_is_refused(
    store: OAuthStateStore, clock: Clock, alice: SlackUser
) -> None:
    """A state presented 601 seconds after it was issued is refused."""
    flow = await store.begin(alice, instance_url=INSTANCE)
    clock.now += 601
    with pytest.raises(LinkRefusedError) as refused:
        await store.consume(flow.state, browser_nonce=flow.browser_nonce)
    assert refused.value.reason == "state_expired"


async def test_state_disappears_from_redis_after_its_ttl(
    redis: Redis, keys: Keys, cipher: RecordCipher, alice: SlackUser
) -> None:
    """Redis drops a state once its TTL has passed."""
    store = OAuthStateStore(redis, keys=keys, cipher=cipher, state_ttl_s=0.2)
    flow = await store.begin(alice, instance_url=INSTANCE)
    await asyncio.sleep(0.4)
    with pytest.raises(LinkRefusedError) as refused:
        await store.consume(flow.state, browser_nonce=flow.browser_nonce)
    assert refused.value.reason == "state_unknown"


async def test_state_from_another_browser_is_refused_and_kept(
    store: OAuthStateStore, alice: SlackUser
) -> None:
    """A callback without the starting browser's cookie is refused; the state stays usable
    by the browser that holds the cookie."""
    flow = await store.begin(alice, instance_url=INSTANCE)
    with pytest.raises(LinkRefusedError) as refused:
        await store.consume(flow.state, browser_nonce="someone-elses-cookie")
    assert refused.value.reason == "browser_mismatch"
    consumed = await store.consume(flow.state, browser_nonce=flow.browser_nonce)
    assert consumed.user == alice
    with pytest.raises(LinkRefusedError):
        await store.consume(flow.state, browser_nonce=flow.browser_nonce)


async def test_state_without_cookie_is_refused(store: OAuthStateStore, alice: SlackUser) -> None:
    """A callback with no browser cookie at all is refused."""
    flow = await store.begin(alice, instance_url=INSTANCE)
    with pytest.raises(LinkRefusedError) as refused:
        await store.consume(flow.state, browser_nonce=None)
    assert refused.value.reason == "browser_mismatch"


async def test_unknown_state_is_refused(store: OAuthStateStore) -> None:
    """A state that was never issued is refused."""
    with pytest.raises(LinkRefusedError) as refused:
        await store.consume("made-up", browser_nonce="x")
    assert refused.value.reason == "state_unknown"


async def test_state_record_moved_under_another_state_is_refused(
    store: OAuthStateStore, redis: Redis, keys: Keys, alice: SlackUser, bob: SlackUser
) -> None:
    """A state record copied under another state's key does not open."""
    mine = await store.begin(alice, instance_url=INSTANCE)
    theirs = await store.begin(bob, instance_url=INSTANCE)
    await redis.copy(keys.oauth_state(mine.state), keys.oauth_state(theirs.state), replace=True)
    with pytest.raises(LinkRefusedError) as refused:
        await store.consume(theirs.state, browser_nonce=mine.browser_nonce)
    assert refused.value.reason == "state_invalid"


async def test_no_flow_secret_is_stored_in_clear(
    store: OAuthStateStore, redis: Redis, redis_prefix: str, alice: SlackUser
) -> None:
    """Neither the state, the verifier nor the browser nonce appears in Redis in clear."""
    ticket = await store.issue_ticket(alice, instance_url=INSTANCE)
    flow = await store.begin(alice, instance_url=INSTANCE)
    dump = await raw_dump(redis, redis_prefix)
    assert ticket.encode() not in dump
    assert flow.state.encode() not in dump
    assert flow.browser_nonce.encode() not in dump
    state = await store.consume(flow.state, browser_nonce=flow.browser_nonce)
    assert state.code_verifier.encode() not in dump


async def test_ticket_starts_a_flow_for_its_user_once(
    store: OAuthStateStore, alice: SlackUser
) -> None:
    """A Connect link's ticket starts one flow for the user it was made for, then is spent."""
    ticket = await store.issue_ticket(alice, instance_url=INSTANCE)
    flow = await store.redeem_ticket(ticket)
    assert (flow.user, flow.instance_url) == (alice, INSTANCE)
    with pytest.raises(LinkRefusedError) as refused:
        await store.redeem_ticket(ticket)
    assert refused.value.reason == "ticket_unknown"
    state = await store.consume(flow.state, browser_nonce=flow.browser_nonce)
    assert state.user == alice


async def test_expired_ticket_is_refused(
    store: OAuthStateStore, clock: Clock, alice: SlackUser
) -> None:
    """A Connect link opened after its ticket's lifetime is refused."""
    ticket = await store.issue_ticket(alice, instance_url=INSTANCE)
    clock.now += 601
    with pytest.raises(LinkRefusedError) as refused:
        await store.redeem_ticket(ticket)
    assert refused.value.reason == "ticket_expired"


async def test_flows_never_share_random_values(store: OAuthStateStore, alice: SlackUser) -> None:
    """Two hundred flows have distinct states, challenges and nonces of full length."""
    flows = [await store.begin(alice, instance_url=INSTANCE) for _ in range(200)]
    assert len({f.state for f in flows}) == 200
    assert len({f.code_challenge for f in flows}) == 200
    assert len({f.browser_nonce for f in flows}) == 200
    assert min(len(f.state) for f in flows) >= 43  # 32 random bytes, url-safe base64
