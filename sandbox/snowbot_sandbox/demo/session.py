"""A demo session: the whole bot on both sandboxes, driven and seen as one seeded user.

``open_demo(user_name=, redis_url=)`` starts ``running_bot`` (the tests' wiring) and
yields a ``DemoSession``. ``start()`` walks the real consent flow over loopback for the
user; ``apply(input)`` does one thing of the script syntax (``snowbot_sandbox.demo.script``) and
returns a ``Step``: what the user sees next (new or changed messages and modals, in
order) with the demo's own notes (``(browser) …``) in between. A line that cannot be
applied (a button that is not on screen, a field with no form open) raises
``DemoError`` with a sentence saying why.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.models import SlackUser
from intents import IntentEngine, load_engine
from snowbot_sandbox.demo.script import (
    DENY_CREATES,
    DESK_ACTIONS,
    DemoInput,
    Desk,
    Fill,
    Press,
    Say,
    Slash,
    Submit,
)
from snowbot_sandbox.harness import SLACK_USER_FOR, BotHarness, running_bot
from snowbot_sandbox.servicenow import ServiceNowSandbox
from snowbot_sandbox.slack import Message, View, find_button, iter_buttons

CONNECT_LABELS = ("Connect ServiceNow", "Reconnect")
FEEDBACK_TABLE = "u_snowbot_feedback"
FEEDBACK_COLUMNS = ("u_rating", "u_comment", "u_incident", "u_slack_user", "u_source")
_QUIET = 0.1  # seconds without a new call or surface before a step counts as settled


class DemoError(Exception):
    """A script line that cannot be applied; the message is for people."""


@dataclass(frozen=True)
class Note:
    """A line of the demo's own (what happens in the browser, a modal closing)."""

    text: str


Item = Note | Message | View


@dataclass
class Step:
    """What one input produced, oldest first."""

    items: list[Item] = field(default_factory=list)

    @property
    def surfaces(self) -> list[Message | View]:
        """The messages and modals among the items."""
        return [item for item in self.items if not isinstance(item, Note)]


def modal_inputs(view: View) -> list[dict[str, Any]]:
    """The input blocks of a modal, in order."""
    return [b for b in view.blocks if isinstance(b, Mapping) and b.get("type") == "input"]


def input_label(block: Mapping[str, Any]) -> str:
    """The label text of an input block."""
    label = block.get("label")
    return str(label.get("text", "")) if isinstance(label, Mapping) else ""


def view_button_labels(view: View) -> tuple[str, str]:
    """The labels of a modal's submit and close buttons."""
    submit = view.payload.get("submit")
    close = view.payload.get("close")
    return (
        str(submit.get("text", "Submit")) if isinstance(submit, Mapping) else "Submit",
        str(close.get("text", "Cancel")) if isinstance(close, Mapping) else "Cancel",
    )


class DemoSession:
    """One seeded user talking to the bot through the Slack stand-in."""

    def __init__(self, harness: BotHarness, *, user_name: str) -> None:
        self.harness = harness
        self.user_name = user_name
        self.user_id = SLACK_USER_FOR[user_name]
        self.person = harness.servicenow.user_by_name(user_name).name
        self._fields: dict[str, Any] = {}
        self._modal_id: str | None = None

    # -- what the user sees --------------------------------------------------------

    def scrub(self, text: str) -> str:
        """``text`` with the sandboxes' random loopback addresses replaced by names."""
        h = self.harness
        for url, name in (
            (h.servicenow_url, "<servicenow>"),
            (h.bot_url, "<snowbot>"),
            (h.slack_url, "<slack>"),
        ):
            text = text.replace(url, name).replace(urlsplit(url).netloc, name)
        return text

    def top_modal(self) -> View | None:
        """The modal open on top of the user's stack, if any."""
        return self.harness.slack.top_modal(self.user_id)

    def _changes(self, mark: int) -> list[Item]:
        out: list[Item] = []
        for surface in self.harness.slack.changes_since(mark, user_id=self.user_id):
            if isinstance(surface, Message) and surface.source == "user":
                continue  # the user's own words: the caller echoes the input
            if isinstance(surface, View) and surface.type == "home":
                continue
            out.append(surface)
        return out

    def visible_buttons(self) -> list[str]:
        """Labels of the buttons the user can press now, newest surface first."""
        labels: list[str] = []
        modal = self.top_modal()
        if modal is not None:
            labels.extend(view_button_labels(modal))
        for surface in self.harness.slack.visible_to(self.user_id):
            if isinstance(surface, View) and surface.type == "home":
                continue
            labels.extend(b.label for b in iter_buttons(surface.blocks) if b.label not in labels)
        return labels

    async def settle(self, *, within: float = 20.0) -> None:
        """Wait until the bot has finished what it started and Slack saw nothing new."""
        h = self.harness
        deadline = time.monotonic() + within
        while True:
            seen = (h.slack.mark, len(h.slack.calls), len(h.slack.responses))
            await asyncio.sleep(_QUIET)
            await h.container.work.settle(within=max(0.1, deadline - time.monotonic()))
            now = (h.slack.mark, len(h.slack.calls), len(h.slack.responses))
            if (now == seen and h.container.work.in_flight == 0) or time.monotonic() > deadline:
                return

    # -- doing things --------------------------------------------------------------

    async def start(self) -> Step:
        """Connect the user for real: ``/snow connect``, the link, consent, the callback."""
        h = self.harness
        mark = h.slack.mark
        await h.driver.slash_command("/snow", "connect", user_id=self.user_id)
        url = await h.connect_link(self.user_id, after=mark, within=10.0)
        return Step(await self._consent(url))

    async def _consent(self, url: str) -> list[Item]:
        await self.settle()
        mark = self.harness.slack.mark
        page = await self.harness.browse_consent(url, consent_as=self.user_name)
        if page.status_code == 200:
            note = Note(f"(browser) consent given as {self.person}")
        else:
            note = Note(f"(browser) the consent page answered HTTP {page.status_code}")
        await self.settle()
        return [note, *self._changes(mark)]

    async def _linked(self) -> bool:
        user = SlackUser(enterprise_id=None, team_id=self.harness.slack.team_id,
                         user_id=self.user_id)
        record = await self.harness.container.vault.get(user)
        return record is not None and record.status == "active"

    async def apply(self, action: DemoInput) -> Step:
        """Do ``action`` as the user and return what they see next."""
        h = self.harness
        before = self.top_modal()
        mark = h.slack.mark
        extra: list[Item] = []
        if isinstance(action, Slash):
            extra = await self._slash(action, mark)
        elif isinstance(action, Say):
            await h.driver.dm(action.text, user_id=self.user_id)
        elif isinstance(action, Press):
            extra = await self._press(action.label, mark)
        elif isinstance(action, Fill):
            self._fill(action)
            return Step()
        elif isinstance(action, Submit):
            await self._submit()
        elif isinstance(action, Desk):
            self._desk(action)
            await h.servicenow.rule.settle()
        await self.settle()
        items = extra or self._changes(mark)
        after = self.top_modal()
        if after is None or (before is not None and after.id != before.id):
            self._fields = {}
        if before is not None and after is None:
            items.append(Note("(modal closed)"))
        return Step(items)

    async def _slash(self, action: Slash, mark: int) -> list[Item]:
        if action.command != "/snow":
            raise DemoError(f"{action.command} is not a command of this app; try /snow help")
        linked = await self._linked()
        response = await self.harness.driver.slash_command(
            action.command, action.text, user_id=self.user_id
        )
        _check(response.status_code, f"{action.command} {action.text}".strip())
        if action.text.strip().casefold() != "connect" or linked:
            return []
        await self.settle()
        shown = self._changes(mark)
        url = _connect_url(shown)
        return [*shown, *(await self._consent(url))] if url else shown

    async def _press(self, label: str, mark: int) -> list[Item]:
        h = self.harness
        modal = self.top_modal()
        if modal is not None:
            submit, close = view_button_labels(modal)
            wanted = label.casefold()
            if wanted in (submit.casefold(), "submit"):
                await self._submit()
                return []
            if wanted in (close.casefold(), "cancel", "close"):
                await h.driver.close_view(user_id=self.user_id)
                return []
        try:
            _, button = h.driver.find_button(label, user_id=self.user_id)
        except LookupError:
            shown = ", ".join(f"[{b}]" for b in self.visible_buttons()) or "none"
            raise DemoError(f"no button [{label}] on screen; buttons: {shown}") from None
        response = await h.driver.press(label, user_id=self.user_id)
        _check(response.status_code, f"[{label}]")
        confirm = button.element.get("confirm")
        if isinstance(confirm, Mapping):
            await self.settle()
            return [_confirmed(confirm), *self._changes(mark)]
        if button.url is None:
            return []
        if button.url.startswith(f"{h.bot_url}/servicenow/oauth/start"):
            await self.settle()
            return [*self._changes(mark), *(await self._consent(button.url))]
        await self.settle()
        return [*self._changes(mark), Note(f"(browser) opens {self.scrub(button.url)}")]

    def _desk(self, action: Desk) -> None:
        """The service desk acts in the sandbox ServiceNow (its rule tells the bot)."""
        desk = self.harness.servicenow.desk
        if (action.action, action.number) == DENY_CREATES and not action.value:
            desk.deny_creates()
            return
        if action.action not in DESK_ACTIONS or not action.number or not action.value:
            raise DemoError(
                "a desk line is (desk) comment INC… <text>, (desk) state INC… "
                "resolved|in progress|on hold, (desk) assign INC… <user name>, "
                "or (desk) deny creates"
            )
        try:
            if action.action == "comment":
                desk.comment(action.number, action.value)
            elif action.action == "state":
                desk.state(action.number, action.value)
            else:
                desk.assign(action.number, action.value)
        except (KeyError, ValueError) as exc:
            raise DemoError(f"the desk cannot do that: {exc}") from None

    def _fill(self, action: Fill) -> None:
        modal = self.top_modal()
        if modal is None:
            raise DemoError(f"no form is open to fill {action.label!r}")
        if modal.id != self._modal_id:
            self._fields, self._modal_id = {}, modal.id
        inputs = {input_label(b).casefold(): b for b in modal_inputs(modal)}
        block = inputs.get(action.label.casefold())
        if block is None:
            names = ", ".join(input_label(b) for b in modal_inputs(modal)) or "none"
            raise DemoError(f"the form has no field {action.label!r}; its fields: {names}")
        element = block.get("element") or {}
        value: Any = action.value
        if element.get("type") in ("checkboxes", "multi_static_select"):
            value = [part.strip() for part in action.value.split(",") if part.strip()]
        self._fields[input_label(block)] = value

    async def _submit(self) -> None:
        modal = self.top_modal()
        if modal is None:
            raise DemoError("no form is open to submit")
        fields = self._fields if self._modal_id == modal.id else {}
        response = await self.harness.driver.submit_view(fields, user_id=self.user_id)
        _check(response.status_code, "submit")


def _check(status: int, what: str) -> None:
    if status != 200:
        raise DemoError(f"the bot answered HTTP {status} to {what}")


def _confirmed(confirm: Mapping[str, Any]) -> Note:
    """The note for a button whose Slack confirmation dialog the user accepted."""
    def text(key: str) -> str:
        part = confirm.get(key)
        return str(part.get("text", "")) if isinstance(part, Mapping) else ""
    title = text("title") or text("text")
    return Note(f"(Slack asks “{title}” and you press {text('confirm') or 'Yes'})")


def _connect_url(surfaces: Sequence[Item]) -> str | None:
    for surface in reversed(surfaces):
        if isinstance(surface, Note):
            continue
        for label in CONNECT_LABELS:
            button = find_button(surface.blocks, label)
            if button is not None and button.url:
                return button.url
    return None


@contextlib.asynccontextmanager
async def open_demo(
    *, user_name: str, redis_url: str, engine: IntentEngine | None = None
) -> AsyncIterator[DemoSession]:
    """The bot on both sandboxes (``redis_url``: ``memory://`` or a real Redis) for one user.

    Without ``engine`` the bundled intent model is loaded, or retrained in memory when
    it is stale (a demo should run on a checkout whose training data just changed).
    """
    if user_name not in SLACK_USER_FOR:
        names = ", ".join(sorted(SLACK_USER_FOR))
        raise DemoError(f"there is no seeded user {user_name!r}; choose one of: {names}")
    if engine is None:
        engine = load_engine(rebuild=True)
    servicenow = ServiceNowSandbox()
    # The instance looks set up: the feedback table the setup guide has admins create.
    servicenow.create_table(FEEDBACK_TABLE, FEEDBACK_COLUMNS)
    # The instance has the Business Rule too, signing with a secret made for this run.
    events_secret = secrets.token_urlsafe(32)
    async with running_bot(redis_url=redis_url, engine=engine, servicenow=servicenow,
                           servicenow_events_secret=events_secret) as harness:
        servicenow.rule.install(url=f"{harness.bot_url}/servicenow/events", secret=events_secret)
        yield DemoSession(harness, user_name=user_name)
