"""The Slack stand-in's workspace: a team, its users (seeded and added by tests) and channels.

Seeded people match the ServiceNow sandbox by email, so the bot can link them:

| id         | who                  | email                     | notes                      |
| ---------- | -------------------- | ------------------------- | -------------------------- |
| U0ADMIN    | System Administrator | admin@example.com         | workspace admin            |
| U0OWNER    | Olivia Owner         | owner@example.com         | primary owner (and admin)  |
| U0ABEL     | Abel Tuter           | abel.tuter@example.com    | ordinary member            |
| U0CAROL    | Carol White          | carol.white@example.com   | ordinary member            |
| U0BETH     | Beth Anglin          | beth.anglin@example.com   | ordinary member            |
| U0GUEST    | Gary Guest           | guest@example.com         | multi-channel guest        |
| U0GUEST1   | Sally Single         | single.guest@example.com  | single-channel guest       |
| U0GONE     | Dana Departed        | dana.departed@example.com | deactivated (``deleted``)  |
| U0EXTERNAL | Erin External        | erin@partner.example      | another team (T0PARTNER)   |
| U0SNOWBOT  | snowbot              | (none)                    | the bot (bot id B0SNOWBOT) |

Channels: ``C0GENERAL`` (#general) and ``C0SUPPORT`` (#it-support), with every active
member but single-channel guests; each user has a DM with the bot, ``D`` + the user id
without its ``U`` (``D0ABEL``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

TEAM_ID = "T0SANDBOX"
TEAM_NAME = "Sandbox"
TEAM_DOMAIN = "sandbox"
PARTNER_TEAM_ID = "T0PARTNER"
BOT_USER_ID = "U0SNOWBOT"
BOT_ID = "B0SNOWBOT"
APP_ID = "A0SNOWBOT"
GENERAL_CHANNEL = "C0GENERAL"
SUPPORT_CHANNEL = "C0SUPPORT"


@dataclasses.dataclass
class SandboxUser:
    """One Slack user as the stand-in knows them; ``to_api`` gives Slack's ``user`` object."""

    id: str
    name: str
    real_name: str
    email: str | None
    team_id: str = TEAM_ID
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    is_bot: bool = False
    deleted: bool = False
    tz: str = "Europe/London"

    def to_api(self) -> dict[str, Any]:
        """The user as ``users.info`` returns it."""
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "display_name": self.name,
            "real_name_normalized": self.real_name,
            "display_name_normalized": self.name,
            "team": self.team_id,
        }
        if self.email is not None:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = BOT_ID
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
        }


@dataclasses.dataclass
class Channel:
    """A conversation: public channel (``C…``) or a DM with the bot (``D…``)."""

    id: str
    name: str
    members: set[str]
    is_im: bool = False


def seed_users() -> list[SandboxUser]:
    """The seeded people (see the module docstring)."""
    return [
        SandboxUser("U0ADMIN", "admin", "System Administrator", "admin@example.com",
                    is_admin=True),
        SandboxUser("U0OWNER", "olivia", "Olivia Owner", "owner@example.com",
                    is_admin=True, is_owner=True, is_primary_owner=True),
        SandboxUser("U0ABEL", "abel.tuter", "Abel Tuter", "abel.tuter@example.com"),
        SandboxUser("U0CAROL", "carol.white", "Carol White", "carol.white@example.com"),
        SandboxUser("U0BETH", "beth.anglin", "Beth Anglin", "beth.anglin@example.com"),
        SandboxUser("U0GUEST", "gary", "Gary Guest", "guest@example.com", is_restricted=True),
        SandboxUser("U0GUEST1", "sally", "Sally Single", "single.guest@example.com",
                    is_restricted=True, is_ultra_restricted=True),
        SandboxUser("U0GONE", "dana", "Dana Departed", "dana.departed@example.com",
                    deleted=True),
        SandboxUser("U0EXTERNAL", "erin", "Erin External", "erin@partner.example",
                    team_id=PARTNER_TEAM_ID),
        SandboxUser(BOT_USER_ID, "snowbot", "snowbot", None, is_bot=True),
    ]


def dm_channel_id(user_id: str) -> str:
    """The id of the bot's DM with ``user_id`` (stable, so tests can predict it)."""
    return "D" + user_id.removeprefix("U")


class Directory:
    """Users and channels of the sandbox workspace; tests may add to both."""

    def __init__(self, *, team_id: str = TEAM_ID) -> None:
        self.team_id = team_id
        self.users: dict[str, SandboxUser] = {}
        self.channels: dict[str, Channel] = {}
        self.channels[GENERAL_CHANNEL] = Channel(GENERAL_CHANNEL, "general", set())
        self.channels[SUPPORT_CHANNEL] = Channel(SUPPORT_CHANNEL, "it-support", set())
        for user in seed_users():
            if user.team_id == TEAM_ID:
                user.team_id = team_id
            self.add_user(user)

    def add_user(self, user: SandboxUser) -> SandboxUser:
        """Add (or replace) a user; active members join the public channels and get a DM."""
        self.users[user.id] = user
        dm = dm_channel_id(user.id)
        self.channels[dm] = Channel(dm, dm, {user.id, BOT_USER_ID}, is_im=True)
        for channel in self.channels.values():
            if not channel.is_im and not user.deleted and not user.is_ultra_restricted:
                channel.members.add(user.id)
        return user

    def add_channel(self, channel_id: str, name: str, *,
                    members: set[str] | None = None) -> Channel:
        """Add a public channel; by default everyone active (and the bot) is a member."""
        if members is None:
            members = {u.id for u in self.users.values() if not u.deleted}
        channel = Channel(channel_id, name, set(members) | {BOT_USER_ID})
        self.channels[channel_id] = channel
        return channel

    def by_email(self, email: str) -> SandboxUser | None:
        """The user whose profile email is ``email`` (case-insensitive), if any."""
        wanted = email.strip().lower()
        for user in self.users.values():
            if user.email is not None and user.email.lower() == wanted:
                return user
        return None

    def resolve_channel(self, channel: str) -> Channel | None:
        """A channel by id; a user id means the bot's DM with that user, as in Slack."""
        if channel in self.channels:
            return self.channels[channel]
        if channel in self.users:
            return self.channels.get(dm_channel_id(channel))
        return None
