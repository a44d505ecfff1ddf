"""``Message``: what every message builder returns (fallback text plus blocks)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    """A Slack message: plain-text fallback (notifications, screen readers) and blocks."""

    model_config = ConfigDict(frozen=True)

    text: str
    blocks: list[dict[str, Any]] = Field(default_factory=list)
