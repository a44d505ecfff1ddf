"""``Notifier``: from "this incident may have changed" to at most one DM per change.

Both paths end here: an event (``on_event``: the sys_id is all it trusts) and a poll
(``poll_user``). For each user who hears about the incident (its caller, its
watchers), with that user's own token:

1. read the record (``sys_mod_count``, ``sys_updated_by``, state, assignee);
2. under the (user, incident) lock, skip a version already handled (the ``Seen``
   baseline, then ``SET NX`` on ``v<sys_mod_count>``: push and poll, two replicas, a
   restart: one of them goes on);
3. read the new comments (``sys_journal_field``, comments only), work out the changes
   (``bot.notify.changes``: not the user's own), claim each one (``SET NX`` on
   ``j<journal id>`` or ``s<state>@<mod count>``);
4. DM the fresh ones. Changes within a minute of the first DM *edit* that DM
   (``chat.update``) instead of sending another: one DM per incident per minute that
   always shows everything in it. When Slack refuses, the claims are given back and
   the baseline stays, so the next event or poll tries again.

A user with no link (disconnected) or a link marked for reconnecting is skipped before
any ServiceNow call. Notifications about incidents the user raised follow their
``/snow notifications on|off``; watched incidents always notify.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import errors
from bot.blocks.notify import notification
from bot.models import SlackUser
from bot.notify.changes import Change, Seen, comments_since, detect, seen_after
from bot.notify.store import NotifyLockedError
from bot.servicenow.models import Incident, IncidentVersion
from bot.services import UserClient
from bot.store.keys import NOTIFY_COALESCE_S

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)

PRIME_SINCE = 946_684_800.0  # 2000-01-01: a first poll reads every active incident
MAX_POLL_PAGES = 5


class Notifier:
    """Works out changes for users and DMs them, once."""

    def __init__(self, c: Container) -> None:
        self.c = c
        self.store = c.notify

    # -- push ----------------------------------------------------------------------
    async def on_event(self, enterprise_id: str | None, team_id: str, sys_id: str) -> int:
        """An incident changed: check it for everyone who hears about it; DMs sent."""
        sent = 0
        for user_id in await self.store.people(enterprise_id, team_id, sys_id):
            user = SlackUser(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
            client = await self._client(user)
            if client is None:
                continue
            try:
                version = await client.incidents.incident_version(sys_id)
                sent += await self.consider(user, client, version)
            except (errors.ServiceNowNotFoundError, errors.ServiceNowForbiddenError):
                continue  # not (or no longer) theirs to see
            except (errors.BotError, NotifyLockedError) as exc:
                log.warning("notification check failed: %s", type(exc).__name__)
        return sent

    # -- poll ----------------------------------------------------------------------
    async def poll_user(self, user: SlackUser) -> int:
        """Poll one user's incidents changed since their cursor; DMs sent.

        The first poll (no cursor) reads every active (open or resolved) incident and
        only records what it saw, as the baseline later changes are told from. The
        cursor moves to the second before this poll started, never past its start, so a
        change made while it ran is read again next time (and deduplicated).
        """
        started = self.c.clock()
        client = await self._client(user)
        if client is None:
            return 0
        me = client.record.servicenow_user
        cursor = await self.store.cursor(user)
        if cursor is None:
            tz = await client.incidents.time_zone(me.sys_id)
            after, prime = PRIME_SINCE, True
        else:
            (after, tz), prime = cursor, False
        watched = await self.store.watched(user)
        self.c.metrics.users_polled.inc()
        sent = 0
        offset: int | None = 0
        cursor_at = float(math.floor(started) - 1)
        last: datetime | None = None
        for _ in range(MAX_POLL_PAGES):
            if offset is None:
                break
            versions, offset = await client.incidents.changed_incidents(
                caller_sys_id=me.sys_id,
                watched=sorted(watched),
                updated_after=datetime.fromtimestamp(after, tz=UTC),
                tz=tz,
                active_only=prime,
                offset=offset,
            )
            await self.store.add_people(user, *(v.incident.sys_id for v in versions))
            for version in versions:
                try:
                    sent += await self.consider(user, client, version, notify=not prime)
                except NotifyLockedError:
                    log.info("an incident is being checked by another replica")
            last = versions[-1].incident.updated_at if versions else None
        if offset is not None and last is not None:  # more pages than one poll reads:
            cursor_at = min(cursor_at, last.timestamp() - 1)  # the next poll goes on from here
        await self.store.put_cursor(user, at=cursor_at, tz=tz)
        return sent

    async def prime(self, user: SlackUser) -> None:
        """Right after linking: record the user's incidents as seen, so that later
        events have a baseline (never raises)."""
        try:
            await self.poll_user(user)
        except errors.BotError as exc:
            log.info("notification baseline not recorded: %s", type(exc).__name__)

    async def record_new(self, user: SlackUser, incident: Incident) -> None:
        """An incident the user just raised through the bot: they hear about it from now
        on, with a baseline (never raises: the incident is made either way)."""
        seen = Seen(state=incident.state, comments_after=float(int(self.c.clock())))
        try:
            await self.store.add_people(user, incident.sys_id)
            await self.store.put_seen(user, incident.sys_id, seen)
        except errors.StoreError as exc:
            log.info("a new incident is not yet indexed for notifications: %s", exc.detail)

    # -- one incident, one user --------------------------------------------------------
    async def consider(
        self, user: SlackUser, client: UserClient, version: IncidentVersion, *,
        notify: bool = True,
    ) -> int:
        """Handle one version of one incident for one user, once; DMs sent (0 or 1)."""
        incident = version.incident
        sys_id = incident.sys_id
        metrics = self.c.metrics.notifications
        me = client.record.servicenow_user
        async with self.store.lock(user, sys_id):
            seen = await self.store.seen(user, sys_id)
            if seen is not None and version.mod_count <= seen.mod_count:
                metrics.labels(outcome="deduplicated").inc()
                return 0
            if not await self.store.claim(user, sys_id, f"v{version.mod_count}"):
                metrics.labels(outcome="deduplicated").inc()
                return 0
            fresh: list[Change] = []
            try:
                if notify and await self._wanted(user, client, version):
                    since = comments_since(seen, linked_at=client.record.linked_at)
                    comments = await client.incidents.comments_after(sys_id, after=since)
                    changes = detect(
                        version, comments, seen=seen, me=me.user_name,
                        linked_at=client.record.linked_at,
                    )
                    for change in changes:
                        if await self.store.claim(user, sys_id, change.key):
                            fresh.append(change)
                        else:
                            metrics.labels(outcome="deduplicated").inc()
                if fresh:
                    await self._send(user, client, version, fresh)
            except errors.BotError as exc:
                # Nothing was told: give the claims back so the next event or poll retries.
                if isinstance(exc, errors.SlackError):
                    metrics.labels(outcome="failed").inc()
                log.warning("notification not sent: %s", type(exc).__name__)
                keys = [c.key for c in fresh] + [f"v{version.mod_count}"]
                await self.store.release(user, sys_id, keys)
                return 0
            baseline = seen_after(version, read_at=self.c.clock(), told=notify)
            await self.store.put_seen(user, sys_id, baseline)
            return 1 if fresh else 0

    async def _wanted(self, user: SlackUser, client: UserClient, version: IncidentVersion) -> bool:
        sys_id = version.incident.sys_id
        if sys_id in await self.store.watched(user):
            return True
        raised = version.incident.caller_sys_id == client.record.servicenow_user.sys_id
        return raised and await self.store.enabled(user)

    async def _client(self, user: SlackUser) -> UserClient | None:
        try:
            return await self.c.servicenow.for_user(user)
        except errors.NotLinkedError:
            await self.store.drop(user)
            return None
        except (errors.ReconnectRequiredError, errors.ConfigError):
            return None

    async def _send(
        self, user: SlackUser, client: UserClient, version: IncidentVersion, fresh: list[Change]
    ) -> None:
        sys_id = version.incident.sys_id
        now = self.c.clock()
        open_dm = await self.store.open_dm(user, sys_id)
        earlier = [Change.model_validate(c) for c in (open_dm or {}).get("changes", [])]
        changes = [*earlier, *fresh]
        names = await client.incidents.display_names([c.who for c in changes])
        shown = notification(
            number=version.incident.number,
            title=version.incident.short_description,
            changes=changes,
            names=names,
            state=version.incident.state,
        )
        record: dict[str, Any] = {"changes": [c.model_dump() for c in changes]}
        try:
            if open_dm is not None:
                await self.c.slack.chat_update(
                    channel=str(open_dm["channel"]), ts=str(open_dm["ts"]),
                    text=shown.text, blocks=shown.blocks,
                )
                record.update(channel=open_dm["channel"], ts=open_dm["ts"], at=open_dm["at"])
                outcome = "updated"
            else:
                opened = await self.c.slack.conversations_open(users=user.user_id)
                channel = str(opened["channel"]["id"])
                posted = await self.c.slack.chat_postMessage(
                    channel=channel, text=shown.text, blocks=shown.blocks, unfurl_links=False
                )
                record.update(channel=channel, ts=str(posted["ts"]), at=now)
                outcome = "sent"
        except (SlackApiError, SlackClientError, ClientError, TimeoutError, KeyError,
                TypeError) as exc:
            msg = f"notification: Slack refused ({type(exc).__name__})"
            raise errors.SlackError(msg) from exc
        self.c.metrics.notifications.labels(outcome=outcome).inc()
        left = int(float(record["at"]) + NOTIFY_COALESCE_S - now)
        try:  # the DM is out: bookkeeping that fails now must not undo it (nor repeat it)
            if left > 0:
                await self.store.keep_dm(user, sys_id, record, ttl=left)
            await self.c.audit.record(
                "notify.dm", user=user, number=version.incident.number,
                changes=",".join(c.kind for c in fresh), outcome=outcome,
            )
        except errors.StoreError as exc:
            log.warning("notification sent but not recorded: %s", exc.detail)
