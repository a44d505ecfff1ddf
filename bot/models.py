"""Domain types shared by handlers, adapters and views (no I/O, no Slack dicts)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SlackUser(BaseModel):
    """Who is asking: a Slack user in one workspace (enterprise id outside Grid is None)."""

    model_config = ConfigDict(frozen=True)

    enterprise_id: str | None = None
    team_id: str
    user_id: str
