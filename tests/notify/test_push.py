"""Push: a desk change reaches the caller as one DM (issue 14, items 1, 2 and 4)."""

from __future__ import annotations

from snowbot_sandbox.harness import BotHarness
from snowbot_sandbox.slack import render_surface
from tests.app.flows import ABEL, connected
from tests.notify.helpers import dms, settle


async def test_a_desk_comment_reaches_the_caller_as_one_dm(pushed: BotHarness) -> None:
    """Beth comments on Abel's incident: Abel gets one DM with who said what."""
    await connected(pushed, "abel.tuter")
    pushed.servicenow.desk.comment("INC0010001", "Please restart the VPN client and retry.")
    await settle(pushed)
    found = dms(pushed, ABEL)
    assert len(found) == 1
    shown = render_surface(found[0])
    assert "Beth Anglin commented" in shown
    assert "Please restart the VPN client and retry." in shown
    assert "[Reply]" in shown

