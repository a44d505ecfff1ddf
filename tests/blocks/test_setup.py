"""The guided setup, the connection checklist and diagnosis, and linked users."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import SecretStr

from bot import texts
from bot.blocks import (
    CheckItem,
    Finding,
    LinkedUser,
    SetupProgress,
    checklist_message,
    diagnosis,
    hardened_findings,
    ids,
    linked_users,
    setup_guide,
)
from tests.blocks.scan import mrkdwn_texts, walk

REDIRECT = "https://bot.example.com/servicenow/oauth/callback"


def _buttons(blocks: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(d["action_id"]): d for d in walk(blocks) if d.get("type") == "button"}


def _shown(step: int, progress: SetupProgress | None = None) -> str:
    msg = setup_guide(step, redirect_uri=REDIRECT, progress=progress or SetupProgress())
    return "\n".join(mrkdwn_texts(msg))


def test_step_one_names_the_registry_record_and_the_exact_redirect() -> None:
    """Step 1 names the Application Registry choice and shows the redirect URL in a code span."""
    shown = _shown(1)
    assert "Application Registry" in shown
    assert "Create an OAuth API endpoint for external clients" in shown
    assert f"`{REDIRECT}`" in shown
    assert "Step 1 of 4" in shown


def test_step_one_recommends_limiting_token_scope() -> None:
    """Step 1 recommends restricting tokens to the tables the bot uses."""
    shown = _shown(1)
    for table in ("incident", "sys_user", "u_snowbot_feedback"):
        assert f"`{table}`" in shown


def test_first_step_has_no_back_and_last_has_finish() -> None:
    """Back is absent on step 1; step 4 ends with Finish instead of Next."""
    first = _buttons(setup_guide(1, redirect_uri=REDIRECT, progress=SetupProgress()).blocks)
    last = _buttons(setup_guide(4, redirect_uri=REDIRECT, progress=SetupProgress()).blocks)
    assert ids.SETUP_BACK not in first
    assert first[ids.SETUP_NEXT]["value"] == "2"
    assert last[ids.SETUP_BACK]["value"] == "3"
    assert ids.SETUP_FINISH in last
    assert ids.SETUP_NEXT not in last


def test_step_two_opens_the_credentials_modal() -> None:
    """Step 2 asks for the credentials through a modal button, never in a message."""
    msg = setup_guide(2, redirect_uri=REDIRECT, progress=SetupProgress())
    assert ids.SETUP_OPEN_CREDENTIALS in _buttons(msg.blocks)
    assert "never paste a secret in a message" in "\n".join(mrkdwn_texts(msg))


def test_step_two_shows_what_is_stored_with_the_secret_masked() -> None:
    """Stored credentials are listed with only the secret's last four characters."""
    progress = SetupProgress(
        instance_host="dev98042.service-now.com", client_id="cid-1",
        client_secret=SecretStr("s3cr3t-VALUE-abcd9876"),
    )
    shown = _shown(2, progress)
    assert "••••9876" in shown
    assert "cid-1" in shown


def test_step_three_runs_the_connection_test() -> None:
    """Step 3 offers the connection test."""
    msg = setup_guide(3, redirect_uri=REDIRECT, progress=SetupProgress())
    assert ids.SETUP_RUN_TEST in _buttons(msg.blocks)


def test_step_four_describes_the_feedback_table_and_defaults() -> None:
    """Step 4 names the table, its columns, the create ACL and the incident defaults."""
    shown = _shown(4)
    for needed in ("u_snowbot_feedback", "u_rating", "u_comment", "u_incident",
                   "u_slack_user", "u_source", "*create* ACL", "assignment group"):
        assert needed in shown
    buttons = _buttons(setup_guide(4, redirect_uri=REDIRECT, progress=SetupProgress()).blocks)
    assert {ids.SETUP_OPEN_DEFAULTS, ids.SETUP_RECHECK} <= set(buttons)


def test_progress_ticks_finished_steps() -> None:
    """The progress line ticks what is done."""
    progress = SetupProgress(
        instance_host="dev98042.service-now.com", client_id="c", client_secret=SecretStr("x" * 20),
    )
    assert "✅ 1  ✅ 2  ⬜ 3  ⬜ 4" in _shown(3, progress)


def test_out_of_range_step_is_clamped() -> None:
    """A stale button with step 9 shows the last step instead of failing."""
    assert "Step 4 of 4" in _shown(9)


def test_checklist_ticks_and_crosses_each_step() -> None:
    """Each check gets a tick, a cross, or "skipped"."""
    items = [
        CheckItem(label="Instance answers", ok=True),
        CheckItem(label="Sign-in page", ok=False, detail="504 Gateway Time-out"),
        CheckItem(label="Read incidents", ok=None),
    ]
    shown = "\n".join(mrkdwn_texts(checklist_message(items, findings=hardened_findings())))
    assert "✅ Instance answers" in shown
    assert "❌ Sign-in page: 504 Gateway Time-out" in shown
    assert "⏭️ Read incidents (skipped)" in shown


def test_failed_checklist_lists_the_diagnosis_in_order() -> None:
    """A failure is followed by the findings, numbered in the order given."""
    items = [CheckItem(label="Sign-in page", ok=False)]
    findings = [Finding(title="First", why="w1", fix="f1"), Finding(title="Second", why="w2",
                                                                    fix="f2")]
    shown = "\n".join(mrkdwn_texts(checklist_message(items, findings=findings)))
    assert shown.index("*1. First*") < shown.index("*2. Second*")
    assert texts.CHECKLIST_FAILED in shown


def test_passed_checklist_says_people_can_connect() -> None:
    """All ticks end with the good news and no diagnosis."""
    msg = checklist_message([CheckItem(label="Everything", ok=True)])
    assert msg.text.endswith(texts.CHECKLIST_PASSED)


def test_hardened_checklist_covers_the_known_blockers() -> None:
    """The hardened-instance findings name the role, ACLs, snc_internal and the second record."""
    shown = json.dumps(diagnosis(hardened_findings()), ensure_ascii=False)
    for needed in ("dedicated role", "web-service-access-only", "`oauth_credential`",
                   "`oauth_credential.*`", "snc_internal", "Explicit Roles",
                   "third-party OAuth provider", "snc_platform_rest_api_access"):
        assert needed in shown


def test_diagnosis_gives_why_and_what_to_change() -> None:
    """Each finding shows its title, why, and what to change."""
    shown = "\n".join(mrkdwn_texts(diagnosis([Finding(title="T", why="because", fix="do X")])))
    assert "because" in shown
    assert "do X" in shown
    assert texts.DIAGNOSIS_FIX in shown


def test_linked_users_list_people_with_force_disconnect() -> None:
    """Each linked person has a confirmed Disconnect button carrying their Slack id."""
    since = datetime(2026, 3, 3, tzinfo=UTC)
    users = [LinkedUser(slack_user_id="U0ABC", servicenow_name="Abel Tuter",
                        servicenow_email="abel@example.com", since=since)]
    blocks = linked_users(users)
    button = _buttons(blocks)[ids.ADMIN_FORCE_DISCONNECT]
    assert button["value"] == "U0ABC"
    assert "confirm" in button
    assert "since 3 Mar 2026" in "\n".join(mrkdwn_texts(blocks))


def test_linked_users_cap_the_list() -> None:
    """Hundreds of linked people still make a short list with a count of the rest."""
    users = [LinkedUser(slack_user_id=f"U{n:05d}", servicenow_name=f"P{n}") for n in range(300)]
    blocks = linked_users(users)
    assert len(blocks) <= 50
    assert "…and 270 more." in "\n".join(mrkdwn_texts(blocks))


def test_hardened_failure_adds_the_hardened_checklist() -> None:
    """After a 504 or access_denied the checklist ends with the hardened-instance steps."""
    items = [CheckItem(label="Sign-in page", ok=False, detail="504 Gateway Time-out")]
    shown = "\n".join(mrkdwn_texts(checklist_message(items, hardened=True)))
    assert texts.HARDENED_INTRO in shown
    assert "`oauth_credential.*`" in shown


def test_plain_failure_leaves_the_hardened_checklist_out() -> None:
    """An ordinary failure does not bury the admin in the hardened checklist."""
    items = [CheckItem(label="Client id", ok=False)]
    shown = "\n".join(mrkdwn_texts(checklist_message(items)))
    assert texts.HARDENED_INTRO not in shown
