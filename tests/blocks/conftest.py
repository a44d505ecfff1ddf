"""Sample domain objects for the view tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.servicenow.models import Comment, Incident

NOW = datetime(2026, 11, 28, 11, 40, tzinfo=UTC)


def make_incident(n: int = 12345, **changes: object) -> Incident:
    """An ordinary open incident numbered ``INC00nnnnn``, with ``changes`` applied."""
    values: dict[str, object] = {
        "sys_id": f"{n:032x}",
        "number": f"INC{n:07d}",
        "short_description": "Laptop won't boot",
        "description": "Black screen after the update.",
        "state": 2,
        "state_label": "In Progress",
        "priority": 3,
        "priority_label": "3 - Moderate",
        "assigned_to": "Beth Anglin",
        "assignment_group": "Service Desk",
        "caller": "Abel Tuter",
        "updated_at": NOW - timedelta(hours=2),
        "latest_comment": Comment(
            author="Beth Anglin", text="Can you try a hard reset?", created=NOW - timedelta(hours=2)
        ),
        "url": f"https://dev98042.service-now.com/incident.do?sys_id={n:032x}",
    }
    values.update(changes)
    return Incident.model_validate(values)


@pytest.fixture
def now() -> datetime:
    """The fixed clock the view tests pass in."""
    return NOW


@pytest.fixture
def incident() -> Incident:
    """An ordinary open incident."""
    return make_incident()
