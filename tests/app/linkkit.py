"""Small helpers shared by the link and resilience tests (not fixtures, not tests)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.models import SlackUser
from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import TEAM_ID, render_blocks, render_surface
from snowbot_sandbox.slack.render import find_button

ABEL = "U0ABEL"
BOW = "U0BOW"
ADMIN = "U0ADMIN"
CONNECT_LABELS = ("Connect ServiceNow", "Reconnect")


def slack_user(user_id: str) -> SlackUser:
    """The SlackUser of a seeded stand-in person."""
    return SlackUser(enterprise_id=None, team_id=TEAM_ID, user_id=user_id)


async def replies(bot: BotHarness, text: str, *, user_id: str = ABEL) -> list[str]:
    """Run `/snow <text>`; every response_url reply it produced, each as text."""
    seen = len(bot.slack.responses)
    response = await bot.driver.slash_command("/snow", text, user_id=user_id)
    assert response.status_code == 200, response.text
    await bot.container.work.settle()
    return [render_blocks(p.blocks, text=p.text) for p in bot.slack.responses[seen:]]


async def ask(bot: BotHarness, text: str, *, user_id: str = ABEL) -> str:
    """Run `/snow <text>` and return, as text, every response_url reply it produced."""
    return "\n".join(await replies(bot, text, user_id=user_id))


async def say(bot: BotHarness, text: str, *, user_id: str = ABEL) -> str:
    """Write a DM to the bot and return, as text, what it posted in that DM afterwards."""
    seen = len(bot.slack.calls)
    response = await bot.driver.dm(text, user_id=user_id)
    assert response.status_code == 200, response.text
    await bot.container.work.settle()
    posts = [c for c in bot.slack.calls[seen:] if c.method == "chat.postMessage"]
    return "\n".join(render_blocks(c.args.get("blocks"), text=c.args.get("text")) for c in posts)


def dms_to(bot: BotHarness, user_id: str) -> list[str]:
    """Texts of the bot's messages in its DM with ``user_id``."""
    channel = "D" + user_id.removeprefix("U")
    return [
        str(c.args.get("text"))
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel
    ]


def connect_prompts(bot: BotHarness, user_id: str) -> int:
    """How many surfaces the user sees that offer a Connect or Reconnect button."""
    return sum(
        1
        for surface in bot.slack.visible_to(user_id)
        if any(find_button(surface.blocks, label) is not None for label in CONNECT_LABELS)
    )


def latest_text(bot: BotHarness, user_id: str) -> str:
    """What the user sees last, as text."""
    return render_surface(bot.slack.visible_to(user_id)[0])


def tokens_of(bot: BotHarness, user_name: str) -> list[str]:
    """Every access and refresh token the sandbox ever issued to ``user_name``."""
    return [t.value for t in bot.servicenow.tokens.tokens.values() if t.user_name == user_name]


def live_tokens_of(bot: BotHarness, user_name: str) -> list[str]:
    """Tokens of ``user_name`` that are neither revoked nor expired."""
    now = bot.servicenow.clock()
    return [
        t.value
        for t in bot.servicenow.tokens.tokens.values()
        if t.user_name == user_name and not t.revoked and t.expires_at > now
    ]


async def all_redis_bytes(bot: BotHarness) -> bytes:
    """Every key name and value under the bot's prefix, concatenated (any Redis type)."""
    redis = bot.container.redis
    chunks: list[Any] = []
    async for key in redis.scan_iter(match=bot.container.keys.all_pattern(), count=500):
        chunks.append(key if isinstance(key, bytes) else str(key).encode())
        kind = await redis.type(key)
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        if kind == "string":
            chunks.append(await redis.get(key) or b"")
        elif kind == "hash":
            for k, v in (await redis.hgetall(key)).items():
                chunks += [k, v]
        elif kind == "set":
            chunks += list(await redis.smembers(key))
        elif kind == "zset":
            chunks += list(await redis.zrange(key, 0, -1))
        elif kind == "list":
            chunks += list(await redis.lrange(key, 0, -1))
        elif kind == "stream":
            for _, fields in await redis.xrange(key) or []:
                for k, v in (fields or {}).items():
                    chunks += [k, v]
    return b"\n".join(c if isinstance(c, bytes) else str(c).encode() for c in chunks)


_BOT_OR_GROUP = re.compile(
    r"caller_id=[0-9a-f]{32}\^ORopened_by=[0-9a-f]{32}\^ORassigned_to=[0-9a-f]{32}"
)


def injected_operators(query: str) -> list[str]:
    """Encoded-query operators in ``query`` that the bot's own templates never write."""
    folded = unicodedata.normalize("NFKC", query)
    cleaned = _BOT_OR_GROUP.sub("", folded).replace("^ORDERBY", "^")
    return [op for op in ("^NQ", "^OR", "javascript:") if op.lower() in cleaned.lower()]


async def audit_events(bot: BotHarness) -> list[str]:
    """The names of every audit event recorded so far, oldest first."""
    return [event.event for event in reversed(await bot.container.audit.recent(500))]
