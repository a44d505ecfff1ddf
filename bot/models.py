"""Domain types shared by handlers, adapters and views (no I/O, no Slack dicts)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def is_slack_user_id(value: str) -> bool:
    """Whether ``value`` is a Slack user id (``U…`` or ``W…``), safe in a mention."""
    return bool(_SLACK_USER_ID.match(value))


class SlackUser(BaseModel):
    """Who is asking: a Slack user in one workspace (enterprise id outside Grid is None)."""

    model_config = ConfigDict(frozen=True)

    enterprise_id: str | None = None
    team_id: str
    user_id: str
