"""Storing a new link: the encrypted record, then its ``connect`` audit event.

Both ways a link is made end here: a person's own Connect (``bot.connect``) and an admin
linked as themselves by the setup's connection test (``bot.setup.flow``).
"""

from __future__ import annotations

from bot.container import Container
from bot.models import SlackUser
from bot.servicenow.models import ServiceNowUser, TokenSet
from bot.services import SlackProfile
from bot.store.vault import TokenRecord


async def save_link(
    c: Container,
    user: SlackUser,
    *,
    tokens: TokenSet,
    identity: ServiceNowUser,
    instance_url: str,
    profile: SlackProfile,
) -> TokenRecord:
    """Store ``user``'s link to ``identity`` (replacing any, a flagged one included) and
    audit it; the record as stored."""
    slack_email = profile.email.strip().lower()
    record = TokenRecord.linked(
        tokens=tokens,
        servicenow_user=identity,
        instance_url=instance_url,
        linked_at=c.clock(),
        slack_email=slack_email,
        slack_admin=profile.is_admin or profile.is_owner,
    )
    stored = await c.vault.put(user, record, expected_version=None)
    await c.audit.record(
        "connect",
        user=user,
        servicenow_user=identity.user_name,
        instance=instance_url,
        email_matches=slack_email == identity.email.strip().lower(),
    )
    return stored
