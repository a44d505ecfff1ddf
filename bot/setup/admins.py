"""Who may set up the workspace's connection: Slack admins and owners, and ``SNOWBOT_ADMINS``.

Checked from ``users.info`` on every request that changes or reveals setup (opening
the guide, pressing its buttons, and every modal submission), so a captured setup
submission replayed by someone else is refused. ServiceNow roles that make an
account privileged are listed here too (the warning when such an account links).
"""

from __future__ import annotations

import logging

from bot.container import Container
from bot.errors import SlackError
from bot.models import SlackUser

log = logging.getLogger(__name__)

# ServiceNow roles that see or change far more than an ordinary user.
PRIVILEGED_ROLES = frozenset(
    {"admin", "security_admin", "oauth_admin", "user_admin", "itil_admin", "maint"}
)
# Roles that pass checks ordinary users fail (the colleague test wants none of these).
NON_ORDINARY_ROLES = PRIVILEGED_ROLES | {"itil"}
MAX_NAMED_ADMINS = 5


async def is_setup_admin(c: Container, user: SlackUser) -> bool:
    """Whether ``user`` may run setup (``users.info`` asked every time)."""
    return await c.admins.is_admin(user)


async def who_can_set_up(c: Container) -> str:
    """Who to ask, in words: workspace admins and owners, and the named admins."""
    names: list[str] = []
    for user_id in c.settings.admins[:MAX_NAMED_ADMINS]:
        try:
            profile = await c.directory.profile(user_id)
        except SlackError:
            continue
        if profile.real_name and not profile.deleted:
            names.append(profile.real_name)
    if names:
        return f"a workspace admin or owner, or {', '.join(names)}"
    return "a workspace admin or owner"


def privileged_roles(roles: tuple[str, ...]) -> list[str]:
    """The privileged ServiceNow roles among ``roles``."""
    return sorted(set(roles) & PRIVILEGED_ROLES)
