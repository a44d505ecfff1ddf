"""Cross-cutting guarantees of every builder: escaping, Slack's limits, no secret echoed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from bot import errors
from bot.blocks import (
    AdminHome,
    CheckItem,
    ConnectionStatus,
    FeedbackEntry,
    FeedbackSummary,
    Finding,
    IncidentDefaults,
    LinkedUser,
    Message,
    SetupProgress,
    WeekStat,
    app_home,
    checklist_message,
    clarify_intent,
    close_result,
    comment_added,
    comment_modal,
    connect_prompt,
    connected_message,
    create_confirmation,
    create_modal,
    diagnosis,
    did_you_mean_number,
    disconnected_message,
    error_message,
    fallback_message,
    feedback_modal,
    feedback_summary,
    feedback_thanks,
    greeting_message,
    help_message,
    incident_card,
    incident_created,
    incident_list,
    linked_users,
    lookup_posted_privately_note,
    not_admin_message,
    setup_credentials_modal,
    setup_defaults_modal,
    setup_guide,
    status_message,
    welcome_message,
)
from bot.blocks.confirm import (
    close_already_asked,
    other_record_message,
    reopen_result,
    write_confirmation,
)
from bot.blocks.incident import FIELDS, field_answer, incident_count
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import nothing_found
from bot.blocks.tone import TOPICS, complaint_message, identity_message, out_of_scope_message
from bot.servicenow.models import (
    Comment,
    Incident,
    IncidentDraft,
    IncidentFilter,
    IncidentPage,
    ServiceNowUser,
)
from bot.settings import Settings
from tests.blocks.scan import HOSTILE, injection_problems, limit_problems, walk

NOW = datetime(2026, 11, 28, 11, 40, tzinfo=UTC)
LINKED_ID = "U0HOSTILE"
Output = Message | dict[str, Any] | list[dict[str, Any]]


def _error_classes() -> list[type[errors.BotError]]:
    found, pending = [], [errors.BotError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _incident(text: str, n: int = 1) -> Incident:
    """An incident with ``text`` in every free-text field (the number stays realistic)."""
    return Incident(
        sys_id=f"{n:032x}", number=f"INC{n:07d}", short_description=text, description=text,
        state=6, state_label=text, priority=1, priority_label=text, assigned_to=text,
        assignment_group=text, caller=text, updated_at=NOW - timedelta(minutes=5),
        latest_comment=Comment(author=text, text=text, created=NOW), url=text,
        correlation_id=text,
    )


def _feedback(text: str, *, many: int = 3) -> FeedbackSummary:
    return FeedbackSummary(
        count=many, average=3.5,
        weeks=tuple(WeekStat(week_start=date(2026, 1, 5) + timedelta(weeks=w), count=w + 1,
                             average=3 + (w % 3) / 2) for w in range(many)),
        recent=tuple(FeedbackEntry(rating=1 + w % 5, comment=text, incident_number=text, when=NOW)
                     for w in range(many)),
        chart_url=text, refused_count=1, refused_reason=text,
    )


SECRET = "s3cr3t-VALUE-abcd9876"


def all_outputs(text: str, *, many: int = 3, secret: str = SECRET) -> dict[
    str, tuple[Output, int]
]:
    """Every builder's output with ``text`` in every user/ServiceNow field; value: (output, cap)."""
    incident = _incident(text)
    open_incident = incident.model_copy(update={"state": 2})
    user = ServiceNowUser(sys_id="a" * 32, user_name=text, name=text, email=text)
    draft = IncidentDraft(short_description=text[:160], description=text[:4000])
    page = IncidentPage(incidents=[_incident(text, n) for n in range(many)], total=many * 3,
                        offset=many, limit=many)
    progress = SetupProgress(
        instance_host=text, client_id=text, client_secret=SecretStr(secret), connection_ok=False,
        feedback_table=text, feedback_table_ok=False,
        defaults=IncidentDefaults(category=text, assignment_group=text, contact_type=text),
    )
    linked = tuple(LinkedUser(slack_user_id=LINKED_ID, servicenow_name=f"{n} {text}",
                              servicenow_email=text, since=NOW) for n in range(many))
    findings = [Finding(title=text, why=text, fix=text) for _ in range(many)]
    checks = [CheckItem(label=text, ok=n % 2 == 0, detail=text) for n in range(many)]
    admin = AdminHome(setup=progress, linked=linked, feedback=_feedback(text, many=many))
    outputs: dict[str, tuple[Output, int]] = {
        "help": (help_message(), 50),
        "welcome": (welcome_message(), 50),
        "greeting": (greeting_message(), 50),
        "fallback": (fallback_message(), 50),
        "connect_prompt": (connect_prompt(text, reason=text), 50),
        "connected": (connected_message(user, text), 50),
        "status_connected": (status_message(user=user, instance_host=text), 50),
        "status_reconnect": (status_message(user=user, instance_host=text,
                                            needs_reconnect=True, start_url=text), 50),
        "status_none": (status_message(user=None, instance_host=text), 50),
        "disconnected": (disconnected_message(), 50),
        "card": (incident_card(incident, now=NOW), 50),
        "card_open": (incident_card(open_incident, now=NOW), 50),
        "card_shared": (incident_card(incident, now=NOW, shared=True), 50),
        "private_note": (lookup_posted_privately_note(), 50),
        "list": (incident_list(page, title=text, now=NOW), 50),
        "list_filtered": (incident_list(page, title=text, now=NOW, which=IncidentFilter(
            state="closed", period="last_month", scope="groups")), 50),
        "count": (incident_count(many, which=IncidentFilter(state="all")), 50),
        "card_lead": (incident_card(open_incident, now=NOW, shareable=False,
                                    lead=escape_mrkdwn(text)), 50),
        **{
            f"field_{name}": (field_answer(incident, field=name, now=NOW), 50)
            for name in sorted(FIELDS)
        },
        "nothing_found": (nothing_found(escape_mrkdwn(text)), 50),
        "complaint": (complaint_message(), 50),
        "identity": (identity_message(), 50),
        **{
            f"out_of_scope_{topic}": (out_of_scope_message(topic, portal_url=text), 50)
            for topic in sorted(TOPICS)
        },
        "create_goods": (create_confirmation(draft, draft_id="conv-1",
                                             note=escape_mrkdwn(text), portal_url=text), 50),
        "created": (incident_created(incident), 50),
        "did_you_mean": (did_you_mean_number(text[:40], intent=text[:60]), 50),
        "clarify": (clarify_intent([("incident.create", 0.5), ("help", 0.4)], text), 50),
        "create_confirmation": (create_confirmation(draft, draft_id="conv-1"), 50),
        "create_modal": (create_modal(draft, private_metadata="conv-1"), 100),
        "comment_modal_number": (comment_modal(text), 100),
        "comment_modal_pick": (comment_modal(open_incidents=page.incidents), 100),
        "comment_added": (comment_added(text, text), 50),
        "close_resolved": (close_result(text, "resolved"), 50),
        "close_comment": (close_result(text, "comment_added"), 50),
        "close_already_asked": (close_already_asked(text, when=text), 50),
        **{
            f"confirm_{kind}": (
                write_confirmation(kind, write_id="w-1", number=text, title=text, text=text,
                                   account=text),
                50,
            )
            for kind in ("comment", "close", "reopen", "disconnect")
        },
        **{
            f"reopen_{shown}": (reopen_result(text, shown, state=text), 50)
            for shown in ("reopened", "comment_added", "still_open", "final")
        },
        "other_record": (other_record_message(text, text), 50),
        "feedback_modal": (feedback_modal(text), 100),
        "feedback_thanks": (feedback_thanks(rating=3, added_as_comment_to=text,
                                            kept_for_admin=True), 50),
        "feedback_summary": ({"blocks": feedback_summary(admin.feedback, now=NOW)}, 100),
        "credentials_modal": (setup_credentials_modal(instance=text, client_id=text,
                                                      stored_secret=SecretStr(secret)), 100),
        "defaults_modal": (setup_defaults_modal(progress.defaults), 100),
        "checklist": (checklist_message(checks, findings=findings), 50),
        "checklist_hardened": (checklist_message(checks, findings=findings, hardened=True), 50),
        "diagnosis": ({"blocks": diagnosis(findings)}, 50),
        "linked_users": ({"blocks": linked_users(linked)}, 100),
        "not_admin": (not_admin_message(text), 50),
        "home_user": (app_home(status=ConnectionStatus(instance_host=text, user=user),
                               open_incidents=page.incidents, now=NOW), 100),
        "home_admin": (app_home(status=ConnectionStatus(instance_host=text, needs_reconnect=True),
                                open_incidents=None, now=NOW, connect_url=text, admin=admin), 100),
    }
    for step in range(1, 5):
        outputs[f"setup_{step}"] = (setup_guide(step, redirect_uri=text, progress=progress), 50)
    for cls in _error_classes():
        outputs[f"error_{cls.__name__}"] = (error_message(cls(text), reconnect_url=text), 50)
    return outputs


HOSTILE_OUTPUTS = all_outputs(HOSTILE)
OUR_MENTION = f"<@{LINKED_ID}>"


@pytest.mark.parametrize("name", sorted(HOSTILE_OUTPUTS))
def test_hostile_text_is_escaped_in_every_builder(name: str) -> None:
    """No mention, broadcast, channel link or link from data survives unescaped in mrkdwn."""
    output, _cap = HOSTILE_OUTPUTS[name]
    assert injection_problems(output, allowed=(OUR_MENTION,)) == []


def test_hostile_text_reaches_the_user_escaped() -> None:
    """Escaping keeps the text readable: the hostile string shows as escaped entities."""
    card, _cap = HOSTILE_OUTPUTS["card"]
    assert "&lt;!channel&gt; &lt;https://evil.example|x&gt; &amp; &lt;@U123&gt;" in json.dumps(
        card.blocks if isinstance(card, Message) else card
    )


def test_hostile_url_never_becomes_a_link_button() -> None:
    """A record URL that is not http(s) is not put on a button."""
    card, _cap = HOSTILE_OUTPUTS["card"]
    assert "evil.example|x" not in json.dumps([
        d.get("url") for d in (card.blocks if isinstance(card, Message) else [])
    ])
    assert '"url"' not in json.dumps(card.blocks if isinstance(card, Message) else card)


@pytest.mark.parametrize("name", sorted(HOSTILE_OUTPUTS))
def test_every_builder_keeps_slacks_limits_for_ordinary_input(name: str) -> None:
    """Each output fits its surface's block cap and every element limit."""
    output, cap = HOSTILE_OUTPUTS[name]
    assert not isinstance(output, list)
    assert limit_problems(output, max_blocks=cap) == []


HUGE_TEXT = "<&> " * 1250  # 5000 characters that grow when escaped
HUGE_OUTPUTS = all_outputs(HUGE_TEXT, many=200)


@pytest.mark.parametrize("name", sorted(HUGE_OUTPUTS))
def test_every_builder_keeps_slacks_limits_for_huge_input(name: str) -> None:
    """200 incidents, findings, linked users and 5000-character texts still fit every limit."""
    output, cap = HUGE_OUTPUTS[name]
    assert not isinstance(output, list)
    assert limit_problems(output, max_blocks=cap) == []


def test_a_list_of_200_incidents_fits_one_message() -> None:
    """The largest list stays under 50 blocks and 3000 characters per section."""
    page = IncidentPage(incidents=[_incident("x" * 5000, n) for n in range(200)], total=200,
                        offset=0, limit=200)
    msg = incident_list(page, title="Everything", now=NOW)
    assert limit_problems(msg, max_blocks=50) == []


def test_the_secret_never_appears_only_its_last_four() -> None:
    """Given a configuration with a client secret, no output contains it; step 2 shows ••••9876."""
    settings = Settings.for_tests(
        servicenow_instance="dev98042", servicenow_client_id="cid",
        servicenow_client_secret="s3cr3t-VALUE-abcd9876",
    )
    assert settings.servicenow_client_secret is not None
    secret = settings.servicenow_client_secret.get_secret_value()
    outputs = all_outputs("ordinary text", secret=secret)
    dumped = json.dumps(
        {k: (v.model_dump() if isinstance(v, Message) else v) for k, (v, _) in outputs.items()},
        ensure_ascii=False,
    )
    assert secret not in dumped
    assert secret[:-4] not in dumped
    assert "s3cr3t" not in dumped
    assert "••••9876" in dumped


def test_no_private_metadata_holds_more_than_an_id() -> None:
    """Modals keep private_metadata to an id (here at most an incident number or conversation)."""
    for name, (output, _cap) in HOSTILE_OUTPUTS.items():
        if isinstance(output, dict) and output.get("type") == "modal":
            assert len(output.get("private_metadata", "")) <= 40, name


def _labels(output: Output, kind: str) -> list[str]:
    blocks = output.blocks if isinstance(output, Message) else output
    if kind == "button":
        return [d["text"]["text"] for d in walk(blocks) if d.get("type") == "button"]
    return [d["label"]["text"] for d in walk(blocks) if d.get("type") == "input"]


@pytest.mark.parametrize("name", sorted(HOSTILE_OUTPUTS))
def test_labels_are_unique_within_each_output(name: str) -> None:
    """No two buttons (or modal inputs) of one output share a label: the demo picks by label."""
    output, _cap = HOSTILE_OUTPUTS[name]
    for kind in ("button", "input"):
        labels = _labels(output, kind)
        assert len(labels) == len(set(labels)), labels
