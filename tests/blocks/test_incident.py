"""Incident messages: the card, lists, create confirmation, comment and close results."""

from __future__ import annotations

import json
from datetime import datetime

from bot.blocks import (
    close_result,
    comment_added,
    create_confirmation,
    ids,
    incident_card,
    incident_created,
    incident_list,
    lookup_posted_privately_note,
)
from bot.blocks.incident import MAX_LIST_ROWS
from bot.servicenow.models import Incident, IncidentDraft, IncidentPage
from tests.blocks.conftest import make_incident
from tests.blocks.scan import mrkdwn_texts, walk


def _buttons(blocks: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(d["action_id"]): d for d in walk(blocks) if d.get("type") == "button"}


def test_card_shows_the_essentials(incident: Incident, now: datetime) -> None:
    """The card holds number, summary, state, priority, assignee, last update, comment."""
    dumped = json.dumps(incident_card(incident, now=now).blocks)
    for expected in (
        "INC0012345", "Laptop won't boot", "In Progress", "3 - Moderate", "Beth Anglin",
        "2 h ago", "Can you try a hard reset?",
    ):
        assert expected in dumped


def test_card_buttons_carry_only_the_number(incident: Incident, now: datetime) -> None:
    """Add comment, Ask to close and Share carry the incident number and nothing else."""
    buttons = _buttons(incident_card(incident, now=now).blocks)
    for action in (ids.INCIDENT_ADD_COMMENT, ids.INCIDENT_ASK_CLOSE, ids.INCIDENT_SHARE):
        assert buttons[action]["value"] == "INC0012345"
    assert buttons[ids.INCIDENT_OPEN_LINK]["url"] == incident.url


def test_open_card_has_no_feedback_button(incident: Incident, now: datetime) -> None:
    """Feedback is asked for only once the incident is resolved."""
    assert ids.INCIDENT_FEEDBACK not in _buttons(incident_card(incident, now=now).blocks)


def test_resolved_card_asks_how_we_did_and_not_to_close(now: datetime) -> None:
    """A resolved incident offers the feedback button and no longer offers closing."""
    resolved = make_incident(state=6, state_label="Resolved")
    buttons = _buttons(incident_card(resolved, now=now).blocks)
    assert buttons[ids.INCIDENT_FEEDBACK]["value"] == "INC0012345"
    assert ids.INCIDENT_ASK_CLOSE not in buttons


def test_shared_card_keeps_only_the_link(incident: Incident, now: datetime) -> None:
    """The copy posted in a channel offers no actions beyond opening the record."""
    assert set(_buttons(incident_card(incident, now=now, shared=True).blocks)) == {
        ids.INCIDENT_OPEN_LINK
    }


def test_card_without_comment_says_so(now: datetime) -> None:
    """An incident with no comment says there is none instead of leaving a gap."""
    bare = make_incident(latest_comment=None, assigned_to="", assignment_group="")
    dumped = json.dumps(incident_card(bare, now=now).blocks)
    assert "No comments yet." in dumped
    assert "Nobody yet" in dumped


def test_card_skips_a_link_that_is_not_a_web_url(now: datetime) -> None:
    """A record URL that is not http(s) gets no link button."""
    odd = make_incident(url="javascript:alert(1)")
    assert ids.INCIDENT_OPEN_LINK not in _buttons(incident_card(odd, now=now).blocks)


def test_private_note_reveals_nothing(incident: Incident) -> None:
    """The channel note names no incident and no detail."""
    note = lookup_posted_privately_note()
    assert "INC" not in json.dumps(note.model_dump())
    assert incident.short_description not in note.text


def _page(
    count: int, *, offset: int = 0, total: int | None = None, limit: int = 20
) -> IncidentPage:
    incidents = [make_incident(1000 + offset + n) for n in range(count)]
    return IncidentPage(
        incidents=incidents, total=total if total is not None else count, offset=offset,
        limit=limit,
    )


def test_list_shows_a_row_and_view_button_per_incident(now: datetime) -> None:
    """Each incident is one compact row with a View button carrying its number."""
    msg = incident_list(_page(3), title="Your open incidents", now=now)
    views = [d for d in walk(msg.blocks) if d.get("action_id") == ids.INCIDENT_VIEW]
    assert [v["value"] for v in views] == ["INC0001000", "INC0001001", "INC0001002"]
    assert "Showing 1–3 of 3" in json.dumps(msg.blocks, ensure_ascii=False)


def test_list_first_page_offers_next_with_the_offset(now: datetime) -> None:
    """With more to come, Next carries the offset of the first row not shown."""
    buttons = _buttons(incident_list(_page(20, total=45), title="Mine", now=now).blocks)
    assert buttons[ids.LIST_NEXT]["value"] == "20"
    assert ids.LIST_PREVIOUS not in buttons


def test_list_middle_page_offers_previous_and_next(now: datetime) -> None:
    """A middle page offers both directions with their offsets."""
    page = _page(20, offset=20, total=45)
    buttons = _buttons(incident_list(page, title="Mine", now=now).blocks)
    assert buttons[ids.LIST_PREVIOUS]["value"] == "0"
    assert buttons[ids.LIST_NEXT]["value"] == "40"


def test_list_caps_rows_and_pages_on_from_the_last_shown(now: datetime) -> None:
    """A page bigger than a message can hold shows the cap and Next continues after it."""
    msg = incident_list(_page(200, limit=200), title="Mine", now=now)
    views = [d for d in walk(msg.blocks) if d.get("action_id") == ids.INCIDENT_VIEW]
    assert len(views) == MAX_LIST_ROWS
    assert _buttons(msg.blocks)[ids.LIST_NEXT]["value"] == str(MAX_LIST_ROWS)


def test_empty_list_offers_to_report_a_problem(now: datetime) -> None:
    """No incidents reads as a friendly empty state with a way forward."""
    msg = incident_list(_page(0), title="Mine", now=now)
    assert "no incidents" in msg.text
    assert ids.NEW_INCIDENT in _buttons(msg.blocks)


def test_created_message_names_the_number_and_links_it(incident: Incident) -> None:
    """The created message gives the new number and a link to the record."""
    msg = incident_created(incident)
    assert "INC0012345" in msg.text
    assert _buttons(msg.blocks)[ids.INCIDENT_OPEN_LINK]["url"] == incident.url


def test_comment_added_quotes_every_line() -> None:
    """The confirmation quotes what was added, line by line."""
    msg = comment_added("INC0012345", "first line\nsecond line")
    assert ">first line\n>second line" in mrkdwn_texts(msg)
    assert "INC0012345" in msg.text


def test_close_result_says_resolved() -> None:
    """A resolved close says the incident is resolved."""
    assert "now resolved" in close_result("INC0012345", "resolved").text


def test_close_result_explains_a_comment_instead() -> None:
    """When ServiceNow refused to resolve, the message says a closure comment was added, and why."""
    text = close_result("INC0012345", "comment_added").text
    assert "doesn't let your account resolve" in text
    assert "comment" in text


def test_create_confirmation_buttons_carry_the_draft_id_only() -> None:
    """Create, Edit and Cancel carry the conversation id, never the draft's text."""
    draft = IncidentDraft(short_description="VPN drops", description="d" * 4000, urgency=2)
    msg = create_confirmation(draft, draft_id="conv-42")
    buttons = _buttons(msg.blocks)
    for action in (ids.CREATE_CONFIRM, ids.CREATE_EDIT, ids.CREATE_CANCEL):
        assert buttons[action]["value"] == "conv-42"
    dumped = json.dumps(msg.blocks)
    assert "VPN drops" in dumped
    assert "Medium" in dumped
