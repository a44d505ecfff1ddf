"""The App Home tab."""

from __future__ import annotations

from datetime import datetime

from bot.blocks import AdminHome, ConnectionStatus, LinkedUser, app_home, ids
from bot.servicenow.models import ServiceNowUser
from tests.blocks.conftest import make_incident
from tests.blocks.scan import mrkdwn_texts, walk

HOST = "dev98042.service-now.com"
USER = ServiceNowUser(sys_id="a" * 32, name="Abel Tuter")


def _actions(view: dict[str, object]) -> set[str]:
    return {str(d["action_id"]) for d in walk(view) if d.get("type") == "button"}


def test_home_for_a_linked_user_shows_status_and_incidents(now: datetime) -> None:
    """A linked user sees who they are, Disconnect, and their open incidents."""
    view = app_home(
        status=ConnectionStatus(instance_host=HOST, user=USER),
        open_incidents=[make_incident(1), make_incident(2)],
        now=now,
    )
    shown = "\n".join(mrkdwn_texts(view))
    assert view["type"] == "home"
    assert "Abel Tuter" in shown
    assert "INC0000001" in shown
    assert {ids.DISCONNECT, ids.INCIDENT_VIEW, ids.LIST_MINE} <= _actions(view)


def test_home_for_an_unlinked_user_offers_connect(now: datetime) -> None:
    """An unlinked user gets Connect and no incidents."""
    view = app_home(
        status=ConnectionStatus(instance_host=HOST), open_incidents=None, now=now,
        connect_url="https://bot.example.com/servicenow/oauth/start?s=1",
    )
    assert ids.CONNECT_LINK in _actions(view)
    assert ids.INCIDENT_VIEW not in _actions(view)


def test_home_shows_at_most_five_incidents(now: datetime) -> None:
    """The home keeps the incident list short."""
    view = app_home(
        status=ConnectionStatus(instance_host=HOST, user=USER),
        open_incidents=[make_incident(n) for n in range(40)],
        now=now,
    )
    assert sum(1 for d in walk(view) if d.get("action_id") == ids.INCIDENT_VIEW) == 5


def test_home_has_no_admin_section_for_ordinary_users(now: datetime) -> None:
    """Without admin data the admin part is absent."""
    view = app_home(status=ConnectionStatus(instance_host=HOST, user=USER), open_incidents=[],
                    now=now)
    assert ids.ADMIN_OPEN_SETUP not in _actions(view)


def test_home_for_an_admin_adds_setup_linked_users_and_feedback(now: datetime) -> None:
    """An admin also sees setup status, linked people and the feedback summary."""
    admin = AdminHome(linked=(LinkedUser(slack_user_id="U0ABC", servicenow_name="Abel"),))
    view = app_home(status=ConnectionStatus(instance_host=HOST, user=USER), open_incidents=[],
                    now=now, admin=admin)
    assert {ids.ADMIN_OPEN_SETUP, ids.ADMIN_FORCE_DISCONNECT} <= _actions(view)
    assert "No feedback yet." in mrkdwn_texts(view)
