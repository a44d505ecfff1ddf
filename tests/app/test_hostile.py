"""What actually went over the wire to Slack, with hostile text everywhere in ServiceNow
and in what users type: no mass mention, user ping, disguised link or bare "&" that came
from data, and no message or view Slack would refuse for its size."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.blocks import Message
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.servicenow import ServiceNowSandbox
from tests.blocks.scan import HOSTILE, injection_problems

ABEL = "U0ABEL"
ADMIN = "U0ADMIN"
# The admin's list of linked people mentions them by their (validated) Slack ids: ours.
OUR_MENTIONS = ("<@U0ABEL>", "<@U0ADMIN>")
TEXT_FIELDS = ("short_description", "description", "category", "subcategory", "close_notes")


def poison(sandbox: ServiceNowSandbox) -> None:
    """Hostile text in every text field of every incident, comment, person and group."""
    store = sandbox.store
    for row in store.rows["incident"].values():
        for name in TEXT_FIELDS:
            row[name] = f"{row[name]} {HOSTILE}".strip()
    for row in store.rows["sys_journal_field"].values():
        row["value"] = f"{row['value']} {HOSTILE}"
    for row in store.rows["sys_user_group"].values():
        row["name"] = f"{row['name']} {HOSTILE}"
    for user_name, user in list(store.users.items()):
        hostile_name = f"{user.name} {HOSTILE}"
        store.users[user_name] = dataclasses.replace(user, name=hostile_name)
        row = store.rows["sys_user"][user.sys_id]
        row["name"] = hostile_name
        row["last_name"] = f"{row['last_name']} {HOSTILE}"


def sent_to_slack(bot: BotHarness) -> list[tuple[str, Message | dict[str, Any]]]:
    """Every message and view the bot sent: Web API calls and response_url posts."""
    sent: list[tuple[str, Message | dict[str, Any]]] = []
    for call in bot.slack.calls:
        args = call.args
        if call.method.startswith("chat."):
            text = args.get("text")
            sent.append(
                (
                    call.method,
                    Message(text=text if isinstance(text, str) else "", blocks=list(
                        args.get("blocks") or []
                    )),
                )
            )
        elif call.method.startswith("views.") and isinstance(args.get("view"), dict):
            sent.append((call.method, args["view"]))
    for post in bot.slack.responses:
        sent.append(("response_url", Message(text=post.text or "", blocks=list(post.blocks))))
    return sent


# Looking up a mentioned person or channel that does not exist is refused, and fine.
_UNKNOWN_NAMES = {("users.info", "user_not_found"), ("conversations.info", "channel_not_found")}


def refused(bot: BotHarness) -> list[tuple[str, str | None]]:
    """Web API calls the Slack stand-in refused (limits, bad blocks)."""
    return [
        (c.method, c.error)
        for c in bot.slack.calls
        if not c.ok and (c.method, c.error) not in _UNKNOWN_NAMES
    ]


async def _dm(bot: BotHarness, text: str, *, user_id: str = ABEL) -> None:
    await bot.container.work.settle()
    seen = len(bot.slack.calls)
    await bot.driver.dm(text, user_id=user_id)
    await bot.slack.wait_for_call("chat.postMessage", after=seen)
    await bot.container.work.settle()


async def _snow(bot: BotHarness, text: str, *, user_id: str = ABEL) -> None:
    await bot.container.work.settle()
    seen = len(bot.slack.responses)
    await bot.driver.slash_command("/snow", text, user_id=user_id)
    await bot.slack.wait_for_response(after=seen)
    await bot.container.work.settle()


async def test_hostile_data_never_reaches_slack_unescaped(bot: BotHarness) -> None:
    """Lookups, lists, errors, feedback, alerts and home tabs over hostile data escape it all."""
    poison(bot.servicenow)
    await bot.connect("abel.tuter")
    await bot.connect("admin")
    await _snow(bot, "mine")
    await _dm(bot, f"show me my open tickets {HOSTILE}")
    await _dm(bot, f"status of INC0010001 {HOSTILE}")
    await _snow(bot, "INC0010004")
    await _dm(bot, f"status of INC9999999 {HOSTILE}")
    await _dm(bot, f"inc 4521 {HOSTILE}")
    await _dm(bot, f"what's up with INC0010001 {HOSTILE}")
    await _dm(bot, f"how do I map a network drive {HOSTILE}")
    await _dm(bot, f"hello {HOSTILE}")
    # Feedback with no table: kept, and the admin is told.
    await _dm(bot, f"rate the service 5 stars {HOSTILE}")
    # Feedback through the modal, about a resolved incident, shared as a comment.
    bot.servicenow.create_table(
        "u_snowbot_feedback", ["u_rating", "u_comment", "u_incident", "u_slack_user", "u_source"]
    )
    await _snow(bot, "INC0010004")
    seen = len(bot.slack.calls)
    await bot.driver.press("How did we do?", user_id=ABEL)
    await bot.slack.wait_for_call("views.open", after=seen)
    await bot.driver.submit_view(
        {"Your rating": "4", "Anything you'd like to tell us?": f"fine {HOSTILE}",
         "Share with the team": ["add_comment"]},
        user_id=ABEL,
    )
    await bot.container.work.settle()
    for user_id in (ABEL, ADMIN):
        seen = len(bot.slack.calls)
        await bot.driver.app_home_opened(user_id=user_id)
        await bot.slack.wait_for_call("views.publish", after=seen)
        await bot.container.work.settle()

    sent = sent_to_slack(bot)
    escaped = {method for method, output in sent if "&lt;!channel&gt;" in str(output)}
    assert {"chat.postMessage", "views.publish", "response_url"} <= escaped
    alerts = [c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == "D0ADMIN"]
    assert any("could not be saved" in str(c.args.get("text")) for c in alerts)
    methods = {method for method, _ in sent}
    assert {"chat.postMessage", "views.publish", "views.open", "response_url"} <= methods
    problems = [
        (method, bad)
        for method, output in sent
        for bad in injection_problems(output, allowed=OUR_MENTIONS)
    ]
    assert problems == []
    assert refused(bot) == []


async def test_a_list_of_200_incidents_stays_within_slacks_limits(bot: BotHarness) -> None:
    """Two hundred long, hostile incidents list, page and show on Home without a refusal."""
    store = bot.servicenow.store
    abel = store.users["abel.tuter"]
    for n in range(200):
        store.insert(
            "incident",
            {
                "short_description": (f"{n} {HOSTILE} " * 8)[:160],
                "description": (HOSTILE + " ") * 60,
                "caller_id": abel.sys_id,
            },
            user=abel,
        )
    await bot.connect("abel.tuter")
    await _snow(bot, "mine")
    pages_posted = 0
    for _ in range(3):  # a button's answer in the DM is a message there
        seen = len(bot.slack.calls)
        await bot.driver.press("Next", user_id=ABEL)
        await bot.slack.wait_for_call("chat.postMessage", after=seen)
        await bot.container.work.settle()
        pages_posted += 1
    await _dm(bot, "show me my open tickets")
    seen = len(bot.slack.calls)
    await bot.driver.app_home_opened(user_id=ABEL)
    await bot.slack.wait_for_call("views.publish", after=seen)
    await bot.container.work.settle()
    assert refused(bot) == []
    assert all(post.status == 200 for post in bot.slack.responses)
    pages = [p for p in bot.slack.responses if "of 2" in " ".join(str(b) for b in p.blocks)]
    assert len(pages) >= 1
    assert pages_posted == 3
    problems = [
        bad
        for _, output in sent_to_slack(bot)
        for bad in injection_problems(output, allowed=OUR_MENTIONS)
    ]
    assert problems == []
