"""Modals: create, comment, feedback, credentials, defaults."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from bot.blocks import (
    IncidentDefaults,
    comment_modal,
    create_modal,
    feedback_modal,
    ids,
    setup_credentials_modal,
    setup_defaults_modal,
)
from bot.servicenow.models import IncidentDraft
from tests.blocks.conftest import make_incident
from tests.blocks.scan import walk


def _inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_create_modal_is_prefilled_from_the_draft() -> None:
    """Short description, details and urgency come from the draft."""
    draft = IncidentDraft(short_description="VPN drops", description="Every hour", urgency=1)
    view = create_modal(draft, private_metadata="conv-1")
    inputs = _inputs(view)
    assert inputs[ids.SHORT_DESCRIPTION_BLOCK]["element"]["initial_value"] == "VPN drops"
    assert inputs[ids.DESCRIPTION_BLOCK]["element"]["initial_value"] == "Every hour"
    assert inputs[ids.URGENCY_BLOCK]["element"]["initial_option"]["value"] == "1"
    assert view["callback_id"] == ids.CREATE_MODAL
    assert view["private_metadata"] == "conv-1"


def test_create_modal_without_draft_defaults_to_low_urgency() -> None:
    """An empty form starts with urgency Low and no text."""
    inputs = _inputs(create_modal(private_metadata=""))
    assert "initial_value" not in inputs[ids.SHORT_DESCRIPTION_BLOCK]["element"]
    assert inputs[ids.URGENCY_BLOCK]["element"]["initial_option"]["value"] == "3"


def test_create_modal_refuses_content_in_private_metadata() -> None:
    """private_metadata is for an id: anything past Slack's limit is a bug."""
    with pytest.raises(ValueError, match="private_metadata"):
        create_modal(private_metadata="x" * 3001)


def test_comment_modal_with_number_has_no_picker() -> None:
    """With a number the incident is fixed (private_metadata) and only the text is asked."""
    view = comment_modal("INC0012345")
    assert set(_inputs(view)) == {ids.COMMENT_TEXT_BLOCK}
    assert view["private_metadata"] == "INC0012345"


def test_comment_modal_offers_the_users_open_incidents() -> None:
    """Without a number, a select lists the open incidents by number."""
    view = comment_modal(open_incidents=[make_incident(1), make_incident(2)])
    element = _inputs(view)[ids.COMMENT_INCIDENT_BLOCK]["element"]
    assert element["type"] == "static_select"
    assert [o["value"] for o in element["options"]] == ["INC0000001", "INC0000002"]


def test_comment_modal_caps_the_picker_at_a_hundred() -> None:
    """More than 100 open incidents still make a valid select."""
    view = comment_modal(open_incidents=[make_incident(n) for n in range(150)])
    assert len(_inputs(view)[ids.COMMENT_INCIDENT_BLOCK]["element"]["options"]) == 100


def test_comment_modal_asks_for_a_number_when_nothing_is_open() -> None:
    """With no open incidents the user types the number."""
    element = _inputs(comment_modal())[ids.COMMENT_INCIDENT_BLOCK]["element"]
    assert element["type"] == "plain_text_input"


def test_feedback_modal_has_five_ratings_and_a_comment() -> None:
    """The rating offers 1 to 5 and the comment is optional."""
    inputs = _inputs(feedback_modal())
    values = {o["value"] for o in inputs[ids.RATING_BLOCK]["element"]["options"]}
    assert values == {"1", "2", "3", "4", "5"}
    assert inputs[ids.FEEDBACK_TEXT_BLOCK]["optional"] is True


def test_feedback_modal_offers_the_comment_opt_in_only_for_an_incident() -> None:
    """The "also add as a comment" checkbox appears only when an incident is given."""
    assert ids.FEEDBACK_AS_COMMENT_BLOCK not in _inputs(feedback_modal())
    view = feedback_modal("INC0012345")
    box = _inputs(view)[ids.FEEDBACK_AS_COMMENT_BLOCK]
    assert box["optional"] is True
    assert "initial_options" not in box["element"]
    assert "INC0012345" in box["element"]["options"][0]["text"]["text"]
    assert view["private_metadata"] == "INC0012345"


def test_credentials_modal_never_prefills_the_secret() -> None:
    """Instance and client id are prefilled; the secret input is empty, its hint masked."""
    secret = "s3cr3t-VALUE-abcd9876"
    view = setup_credentials_modal(
        instance="dev98042", client_id="cid-1", stored_secret=SecretStr(secret)
    )
    inputs = _inputs(view)
    assert inputs[ids.INSTANCE_BLOCK]["element"]["initial_value"] == "dev98042"
    assert "initial_value" not in inputs[ids.CLIENT_SECRET_BLOCK]["element"]
    assert "••••9876" in inputs[ids.CLIENT_SECRET_BLOCK]["hint"]["text"]
    assert view.get("private_metadata", "") == ""


def test_credentials_modal_requires_a_secret_when_none_is_stored() -> None:
    """The first time, the secret is mandatory."""
    assert _inputs(setup_credentials_modal())[ids.CLIENT_SECRET_BLOCK]["optional"] is False


def test_defaults_modal_shows_current_defaults() -> None:
    """The defaults form is prefilled with what is stored."""
    view = setup_defaults_modal(IncidentDefaults(category="network", contact_type="chat"))
    values = [d.get("initial_value") for d in walk(view["blocks"])
              if d.get("type") == "plain_text_input"]
    assert values == ["network", None, "chat"]
