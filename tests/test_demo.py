"""`snowbot demo`: the script syntax, scripted runs against the sandboxes, the chat view."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from rich.console import Console

from intents import IntentEngine
from snowbot_sandbox.demo import record
from snowbot_sandbox.demo.console import ChatConsole
from snowbot_sandbox.demo.plain import format_step, run_script
from snowbot_sandbox.demo.script import Desk, Fill, Press, Say, Slash, Submit, parse_line
from snowbot_sandbox.demo.session import DemoError, DemoSession, open_demo
from tests.conftest import REDIS_URL

DOCS = Path(__file__).resolve().parents[1] / "docs" / "demo"


@pytest.fixture
async def demo(engine: IntentEngine) -> AsyncIterator[DemoSession]:
    """A demo for Abel Tuter on the real Redis (its throwaway keys are removed after)."""
    async with open_demo(user_name="abel.tuter", redis_url=REDIS_URL, engine=engine) as session:
        yield session


async def _run(session: DemoSession, script: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = await run_script(session, script.splitlines(), out=out, err=err, store="test")
    return status, out.getvalue(), err.getvalue()


# ---- the script syntax ------------------------------------------------------------


def test_slash_line_is_a_command() -> None:
    """A line starting with a slash is a command with the rest as its text."""
    assert parse_line("/snow comment INC0010001 hi there") == Slash(
        command="/snow", text="comment INC0010001 hi there"
    )


def test_bracketed_line_presses_a_button() -> None:
    """`[Label]` presses the button with that label."""
    assert parse_line("  [View INC0010001] ") == Press(label="View INC0010001")


def test_field_line_fills_an_input() -> None:
    """`field Label: value` fills the input with that label, colons in the value kept."""
    assert parse_line("field Short description: VPN: down again") == Fill(
        label="Short description", value="VPN: down again"
    )


def test_submit_line_submits() -> None:
    """`submit` alone submits the open modal."""
    assert parse_line("submit") == Submit()


def test_comments_and_blank_lines_are_skipped() -> None:
    """Blank lines and `#` comments do nothing."""
    assert parse_line("") is None
    assert parse_line("# connect first") is None


def test_desk_line_acts_as_the_service_desk() -> None:
    """`(desk) comment INC… text` is the desk's comment, the text kept whole."""
    assert parse_line("(desk) comment inc0010001 Try again: now") == Desk(
        action="comment", number="INC0010001", value="Try again: now"
    )


async def test_a_desk_comment_arrives_as_a_dm_and_a_resolution_asks_for_feedback(
    demo: DemoSession,
) -> None:
    """The desk comments, then resolves: one DM, edited, asking whether it is fixed."""
    script = "(desk) comment INC0010003 Mail profile reset.\n(desk) state INC0010003 resolved\n"
    status, out, _ = await _run(demo, script)
    assert status == 0
    assert "Beth Anglin commented:\n  >Mail profile reset." in out
    assert "Beth Anglin set it to *Resolved*." in out
    assert "[It's fixed] [Still broken]" in out


def test_anything_else_is_a_direct_message() -> None:
    """Any other line is a DM, brackets inside the text included."""
    assert parse_line("my [work] laptop is slow") == Say(text="my [work] laptop is slow")


# ---- scripted runs ----------------------------------------------------------------


async def test_start_walks_consent_for_the_seeded_user(demo: DemoSession) -> None:
    """Start-up consents in the loopback browser and shows the bot's connected message."""
    text = format_step(await demo.start(), demo)
    assert "(browser) consent given as Abel Tuter" in text
    assert "You're connected to ServiceNow as *Abel Tuter" in text


async def test_transcripts_name_the_sandboxes_not_their_ports(demo: DemoSession) -> None:
    """Printed replies show `<servicenow>` where the sandbox's random loopback port would be."""
    status, out, _ = await _run(demo, "/snow status\n")
    assert status == 0
    assert "Instance: <servicenow>" in out
    assert "127.0.0.1" not in out


async def test_a_button_not_on_screen_stops_the_script(demo: DemoSession) -> None:
    """Pressing a label nobody shows exits 1 naming the line and the buttons on screen."""
    status, out, err = await _run(demo, "/snow status\n[Frobnicate]\n/snow mine\n")
    assert status == 1
    assert "line 2 ([Frobnicate]): no button [Frobnicate] on screen" in err
    assert "[Disconnect]" in err
    assert "Your open incidents" not in out


async def test_pressing_connect_walks_consent_and_finishes_the_request(
    demo: DemoSession,
) -> None:
    """After a disconnect, `[Connect ServiceNow]` consents and the pending list arrives."""
    status, out, _ = await _run(
        demo, "/snow disconnect\n/snow mine\n[Connect ServiceNow]\n"
    )
    assert status == 0
    after_press = out.split("> [Connect ServiceNow]", 1)[1]
    assert "(browser) consent given as Abel Tuter" in after_press
    assert "Your open incidents" in after_press


async def test_a_field_with_no_form_open_is_refused(demo: DemoSession) -> None:
    """`field …` with no modal open raises a DemoError that says so."""
    with pytest.raises(DemoError, match="no form is open"):
        await demo.apply(Fill(label="Short description", value="x"))


async def test_a_modal_is_filled_and_submitted(demo: DemoSession) -> None:
    """`/snow new`, a filled field and `submit` open the incident with the typed value."""
    status, out, err = await _run(
        demo, "/snow new printer\nfield Short description: Printer on 4 jams on every job\n"
        "submit\n"
    )
    assert status == 0, err
    assert "== Report a problem ==" in out
    assert "I've opened *INC00" in out
    titles = [row["short_description"] for row in demo.harness.servicenow.rows("incident")]
    assert "Printer on 4 jams on every job" in titles


# ---- the chat view ----------------------------------------------------------------


async def test_chat_numbers_buttons_so_a_digit_presses_one(demo: DemoSession) -> None:
    """The chat view numbers the buttons it shows; the number maps to the button's label."""
    screen = io.StringIO()
    chat = ChatConsole(demo, console=Console(file=screen, width=100, color_system=None))
    await demo.start()
    chat.show(await demo.apply(Slash(command="/snow", text="mine")))
    number = next(n for n, label in chat.buttons.items() if label == "View INC0010001")
    assert f" {number} View INC0010001 " in screen.getvalue()


# ---- docs ----------------------------------------------------------------------------


def test_the_recorder_writes_beside_the_scripts() -> None:
    """`python -m snowbot_sandbox.demo record` reads and writes the checkout's docs/demo."""
    assert record.DOCS == DOCS


def test_every_demo_script_has_a_recorded_transcript() -> None:
    """Each docs/demo/*.txt script has its .out transcript next to it."""
    scripts = sorted(DOCS.glob("*.txt"))
    assert scripts
    assert [p.name for p in scripts if not p.with_suffix(".out").exists()] == []


async def test_a_desk_line_can_take_away_the_right_to_create(engine: IntentEngine) -> None:
    """`(desk) deny creates` makes ServiceNow refuse the next create, and the demo shows it."""
    async with open_demo(user_name="abel.tuter", redis_url="memory://", engine=engine) as demo:
        before = len(demo.harness.servicenow.rows("incident"))
        status, out, err = await _run(
            demo, "(desk) deny creates\n/snow new printer\n"
            "field Short description: Printer jams\nsubmit\n",
        )
        after = len(demo.harness.servicenow.rows("incident"))
    assert status == 0, err
    assert "ServiceNow doesn't let your account do that." in out
    assert after == before


async def test_a_refused_create_shows_servicenows_refusal(engine: IntentEngine) -> None:
    """With the demo's `memory://` store, a create ServiceNow refuses says so, not "storage"."""
    async with open_demo(user_name="abel.tuter", redis_url="memory://", engine=engine) as demo:
        demo.harness.servicenow.faults.add(
            path="/api/now/v2/table/incident", kind="403", method="POST"
        )
        status, out, err = await _run(
            demo, "/snow new printer\nfield Short description: Printer jams\nsubmit\n"
        )
    assert status == 0, err
    assert "ServiceNow doesn't let your account do that." in out
    assert "I can't reach my storage" not in out
