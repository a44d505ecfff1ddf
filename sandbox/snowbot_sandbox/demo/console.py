"""Interactive mode: a chat in the terminal, with rich.

Every message is a panel (title: who sees it); buttons carry numbers, so typing ``2``
presses the second button shown; a modal is shown as a form and then filled field by
field at the prompt, and submitted (or cancelled). ``help`` lists what you can type,
``quit`` leaves. Everything else follows the script syntax of ``snowbot_sandbox.demo.script``.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from snowbot_sandbox.demo.plain import speaker
from snowbot_sandbox.demo.script import Fill, Press, Submit, parse_line
from snowbot_sandbox.demo.session import (
    DemoError,
    DemoSession,
    Note,
    Step,
    input_label,
    modal_inputs,
    view_button_labels,
)
from snowbot_sandbox.slack import Message, View, iter_buttons, render_surface

_TOKEN = re.compile(r"\[(?P<button>[^\[\]\n]+)\]|\*(?P<bold>[^*\n]+)\*|_(?P<em>[^_\n]+)_")

HELP = """\
[bold]What you can type[/]
  [cyan]/snow mine[/], [cyan]/snow INC0010001[/], [cyan]/snow help[/] …   the slash command
  [cyan]2[/] or [cyan]\\[View INC0010001][/]          press a button (by its number or label)
  anything else                      a direct message to the bot, e.g.
                                     "my laptop won't boot", "what's up with INC0010001?"
  [cyan]help[/]  this list      [cyan]quit[/]  leave (Ctrl-D works too)
A form (modal) is filled field by field when it opens; press Enter to keep a value."""


def _labels(surface: Message | View) -> list[str]:
    labels = [b.label for b in iter_buttons(surface.blocks)]
    if isinstance(surface, View):
        labels.extend(view_button_labels(surface))
    return labels


class ChatConsole:
    """The terminal side of an interactive demo."""

    def __init__(self, session: DemoSession, *, console: Console | None = None) -> None:
        self.session = session
        self.console = console or Console(highlight=False)
        self.buttons: dict[str, str] = {}  # number typed -> button label

    # -- showing ------------------------------------------------------------------

    def _styled(self, line: str, numbers: dict[str, int]) -> Text:
        if line.startswith("# "):
            return Text(line[2:], style="bold")
        text = Text()
        position = 0
        for match in _TOKEN.finditer(line):
            text.append(line[position:match.start()])
            if match.group("button") is not None:
                label = match.group("button")
                number = numbers.get(label)
                shown = f" {number} {label} " if number is not None else f" {label} "
                text.append(shown, style="bold black on cyan")
            elif match.group("bold") is not None:
                text.append(match.group("bold"), style="bold")
            else:
                text.append(match.group("em"), style="italic")
            position = match.end()
        text.append(line[position:])
        return text

    def show(self, step: Step) -> None:
        """Print a step: notes dimmed, messages and modals as panels with numbered buttons."""
        self.buttons = {}
        numbers: dict[str, int] = {}
        for surface in step.surfaces:
            for label in _labels(surface):
                if label not in numbers:
                    numbers[label] = len(numbers) + 1
                    self.buttons[str(numbers[label])] = label
        for item in step.items:
            if isinstance(item, Note):
                self.console.print(Text(item.text, style="dim italic"))
                continue
            body = self.session.scrub(render_surface(item))
            content = Text("\n").join(self._styled(line, numbers) for line in body.splitlines())
            if isinstance(item, View):
                self.console.print(Panel(content, title="form", border_style="magenta"))
            else:
                self.console.print(Panel(content, title=speaker(item), title_align="left",
                                         border_style="green"))

    # -- reading ------------------------------------------------------------------

    async def ask(self, prompt: str) -> str:
        """One line from the terminal, without blocking the bot's event loop."""
        answer: str = await asyncio.to_thread(self.console.input, prompt)
        return answer

    async def fill_form(self) -> Step | None:
        """Walk the open modal's inputs at the prompt, then submit or cancel it."""
        modal = self.session.top_modal()
        if modal is None or not modal_inputs(modal):
            return None  # nothing to fill: its buttons are numbered like any others
        for block in modal_inputs(modal):
            label = escape(input_label(block))
            hint = _hint(block.get("element") or {})
            optional = " (optional)" if block.get("optional") else ""
            value = await self.ask(f"  [magenta]{label}{optional}[/]{hint}: ")
            if value.strip():
                await self.session.apply(Fill(label=input_label(block), value=value.strip()))
        submit, close = view_button_labels(modal)
        choice = await self.ask(
            f"  [bold]{escape(submit)}[/] (Enter) or [bold]{escape(close)}[/] (c)? "
        )
        if choice.strip().casefold() in ("c", "cancel", "close", close.casefold()):
            return await self.session.apply(Press(label=close))
        return await self.session.apply(Submit())

    async def run(self, *, store: str) -> int:
        """The chat loop; returns the exit status."""
        c = self.console
        c.print(Panel(Text.from_markup(
            f"You are [bold]{self.session.person}[/] in a Slack stand-in, talking to snowbot, "
            f"which talks to a sandbox ServiceNow; {store}.\n" + HELP),
            title="snowbot demo", border_style="cyan"))
        with c.status("connecting you to ServiceNow (consent in a loopback browser)…"):
            first = await self.session.start()
        self.show(first)
        while True:
            try:
                line = (await self.ask("[bold cyan]you>[/] ")).strip()
            except (EOFError, KeyboardInterrupt):
                c.print()
                return 0
            if line.casefold() in ("quit", "exit", ":q"):
                return 0
            if line.casefold() in ("help", "?"):
                c.print(Text.from_markup(HELP))
                continue
            action = Press(label=self.buttons[line]) if line in self.buttons else parse_line(line)
            if action is None:
                continue
            try:
                with c.status("snowbot is working…"):
                    step = await self.session.apply(action)
                self.show(step)
                while self.session.top_modal() is not None:
                    form_step = await self.fill_form()
                    if form_step is None:
                        break
                    self.show(form_step)
            except DemoError as exc:
                c.print(Text(str(exc), style="yellow"))


def _hint(element: dict[str, Any]) -> str:
    initial = element.get("initial_value")
    option = element.get("initial_option")
    if isinstance(option, dict):
        initial = (option.get("text") or {}).get("text")
    options = element.get("options") or []
    choices = " / ".join(str((o.get("text") or {}).get("text", "")) for o in options)
    placeholder = element.get("placeholder")
    hint = choices or (str(placeholder.get("text", "")) if isinstance(placeholder, dict) else "")
    parts = [part for part in (hint, f"now: {initial}" if initial else "") if part]
    return f" [dim]({escape('; '.join(parts))})[/]" if parts else ""
