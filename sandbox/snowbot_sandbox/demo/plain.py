"""Scripted mode: read script lines, print every reply as plain text.

Each input is echoed as ``> line``, followed by what the user sees next: a message as
``snowbot (only you):`` / ``snowbot (DM):`` and its Block Kit rendered as text, a modal
as ``modal:`` and its form, the demo's own notes as ``(browser) …``. The loopback
addresses of the sandboxes are printed as ``<servicenow>`` and ``<snowbot>``, so a
transcript is the same from run to run (apart from times of day the bot mentions).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from snowbot_sandbox.demo.script import parse_line
from snowbot_sandbox.demo.session import DemoError, DemoSession, Item, Note, Step
from snowbot_sandbox.slack import Message, View, render_surface


def speaker(message: Message) -> str:
    """Who says a message, and who sees it."""
    if message.ephemeral_to is not None:
        return "snowbot (only you)"
    if message.channel.startswith("D"):
        return "snowbot (DM)"
    return f"snowbot (in {message.channel})"


def format_item(item: Item, session: DemoSession) -> str:
    """One item of a step as plain text."""
    if isinstance(item, Note):
        return item.text
    body = session.scrub(render_surface(item))
    indented = "\n".join(f"  {line}" if line else "" for line in body.splitlines())
    title = "modal:" if isinstance(item, View) else f"{speaker(item)}:"
    return f"{title}\n{indented}"


def format_step(step: Step, session: DemoSession) -> str:
    """A whole step as plain text (empty when nothing new appeared)."""
    return "\n".join(format_item(item, session) for item in step.items)


def banner(session: DemoSession, *, store: str) -> str:
    """The first line: who you are and what runs."""
    return (
        f"snowbot demo: you are {session.person} ({session.user_name}, Slack "
        f"{session.user_id}); sandbox ServiceNow and Slack stand-in on loopback; {store}."
    )


async def run_script(session: DemoSession, lines: Iterable[str], *, out: TextIO,
                     err: TextIO, store: str) -> int:
    """Apply each script line; 0 at the end, 1 at the first line that cannot be applied."""
    print(banner(session, store=store), file=out)
    print(format_step(await session.start(), session), file=out, flush=True)
    for number, line in enumerate(lines, start=1):
        action = parse_line(line)
        if action is None:
            continue
        print(f"\n> {line.strip()}", file=out)
        try:
            step = await session.apply(action)
        except DemoError as exc:
            out.flush()
            print(f"snowbot demo: line {number} ({line.strip()}): {exc}", file=err)
            return 1
        text = format_step(step, session)
        if text:
            print(text, file=out)
        out.flush()
    return 0
