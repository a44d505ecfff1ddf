"""``python -m bench.notify``: ServiceNow calls per minute and poll lag when polling.

1,000 linked users (``--users``), each the caller of one incident, against the sandbox
ServiceNow over loopback HTTP and the Redis on 127.0.0.1:6379, with the default
``SNOWBOT_POLL_INTERVAL`` of 120 s (``--interval``). Every user starts with a poll
cursor (as after linking), so the run measures steady polling, not first polls. While
it runs the desk comments on ``--changes`` random incidents, spread over the run, so
the calls include the journal reads a change costs. It runs for one interval and a bit
(``--seconds``), then prints one line per figure:

- ServiceNow calls per minute (every Table API request the sandbox received);
- users polled, and DMs sent;
- poll lag (how late each poll started after it was due): mean, and the p99 bucket.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import time

from bot.models import SlackUser
from bot.servicenow.models import ServiceNowUser, TokenSet
from bot.store.vault import TokenRecord
from snowbot_sandbox.harness import CLIENT_ID, running_bot
from snowbot_sandbox.servicenow import ServiceNowSandbox, User

TEAM_ID = "T0SANDBOX"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _people(sandbox: ServiceNowSandbox, count: int) -> list[User]:
    users = []
    for n in range(count):
        name = f"bench.user{n:04d}"
        user = User(f"{n:032x}", name, f"Bench User {n}", f"{name}@example.com")
        sandbox.add_user(user)
        sandbox.store.insert("incident", {"short_description": f"Bench incident {n}",
                                          "caller_id": user.sys_id}, user=user)
        users.append(user)
    return users


def _quantile_bucket(buckets: list[tuple[float, float]], q: float) -> float:
    """The upper bound of the histogram bucket holding quantile ``q``."""
    total = buckets[-1][1] if buckets else 0.0
    for bound, count in buckets:
        if total and count >= q * total:
            return bound
    return math.inf


async def run(*, users: int, interval: float, seconds: float, changes: int) -> list[str]:
    """Run the bench; the lines it prints."""
    sandbox = ServiceNowSandbox(seed=True)
    people = _people(sandbox, users)
    # No prefix given: a throwaway one, whose keys the harness deletes afterwards.
    async with running_bot(redis_url=REDIS_URL, servicenow=sandbox,
                           poll_interval=interval) as bot:
        c = bot.container
        config = await c.instances.require(None, TEAM_ID)
        store = c.notify
        now = c.clock()
        linked: list[SlackUser] = []
        for n, person in enumerate(people):
            pair = sandbox.issue_tokens(user_name=person.user_name, client_id=CLIENT_ID)
            record = TokenRecord.linked(
                tokens=TokenSet(access_token=pair.access_token, refresh_token=pair.refresh_token,
                                expires_at=pair.access_expires_at),
                servicenow_user=ServiceNowUser(sys_id=person.sys_id, user_name=person.user_name,
                                               name=person.name, email=person.email),
                instance_url=config.instance_url,
                linked_at=now - 3600,
            )
            slack_user = SlackUser(team_id=TEAM_ID, user_id=f"U{n:07d}")
            bot.slack.add_user(slack_user.user_id, email=person.email, real_name=person.name)
            await c.vault.put(slack_user, record, expected_version=None)
            await store.put_cursor(slack_user, at=math.floor(now) - 1, tz="UTC")
            linked.append(slack_user)
        # On the schedule now, spread over one interval, as the poller's sync would.
        spread = random.Random(11)
        await store.schedule({u: c.clock() + spread.uniform(0, interval) for u in linked})
        sandbox.recorder.clear()
        started = time.monotonic()
        rng = random.Random(7)
        due = sorted(rng.uniform(0, seconds) for _ in range(changes))
        for at in due:
            await asyncio.sleep(max(0.0, at - (time.monotonic() - started)))
            person = rng.choice(people)
            number = next(r["number"] for r in sandbox.rows("incident")
                          if r["caller_id"] == person.sys_id)
            sandbox.desk.comment(number, "The desk had a look.")
        await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))
        elapsed = time.monotonic() - started
        calls = [r for r in sandbox.requests if "/api/now/" in r.path]
        polled = sum(s.value for m in c.metrics.users_polled.collect() for s in m.samples
                     if s.name.endswith("_total"))
        sent = sum(
            s.value for m in c.metrics.notifications.collect() for s in m.samples
            if s.name.endswith("_total") and s.labels.get("outcome") in ("sent", "updated")
        )
        lag = next(iter(c.metrics.poll_lag.collect()))
        buckets = [(float(s.labels["le"]), s.value) for s in lag.samples
                   if s.name.endswith("_bucket")]
        lag_sum = next(s.value for s in lag.samples if s.name.endswith("_sum"))
        lag_count = next(s.value for s in lag.samples if s.name.endswith("_count"))
        return [
            f"users {users}, interval {interval:.0f} s, ran {elapsed:.0f} s, "
            f"desk changes {changes}",
            f"ServiceNow calls per minute: {len(calls) * 60 / elapsed:.1f} "
            f"({len(calls)} calls)",
            f"users polled: {polled:.0f} ({polled * interval / elapsed / users:.2f} per user "
            "per interval); notification DMs: "
            f"{sent:.0f}",
            f"poll lag: mean {lag_sum / max(lag_count, 1):.3f} s, "
            f"p99 <= {_quantile_bucket(buckets, 0.99)} s over {lag_count:.0f} polls",
        ]


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(prog="python -m bench.notify", description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=120.0)
    parser.add_argument("--seconds", type=float, default=None,
                        help="how long to run (default: one interval and 10 s)")
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    seconds = args.seconds if args.seconds is not None else args.interval + 10
    for line in asyncio.run(run(users=args.users, interval=args.interval, seconds=seconds,
                                changes=args.changes)):
        print(line, flush=True)


if __name__ == "__main__":
    main()
