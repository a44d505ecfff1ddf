"""Views about the user's own ServiceNow link: connect, connected, status, disconnect, errors."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ButtonElement

from bot import errors, texts
from bot.blocks import ids
from bot.blocks.parts import (
    Message,
    actions,
    button,
    context,
    escape_mrkdwn,
    is_web_url,
    link_button,
    message,
    safe,
    section,
)
from bot.servicenow.models import ServiceNowUser

_NAME_CHARS = 200


def _display_name(user: ServiceNowUser) -> str:
    """Escaped "Name (email)" of a ServiceNow account, or its user name."""
    name = user.name or user.user_name or user.sys_id
    shown = safe(name, _NAME_CHARS)
    if user.email:
        shown += f" ({safe(user.email, _NAME_CHARS)})"
    return shown


def connect_button(*, start_url: str | None, label: str = texts.CONNECT_BUTTON) -> Block | None:
    """The Connect action: a link button to ``start_url``, else a "give me a link" button."""
    element: ButtonElement
    if start_url and is_web_url(start_url):
        element = link_button(label, url=start_url, action_id=ids.CONNECT_LINK, style="primary")
    else:
        element = button(label, action_id=ids.CONNECT_START, style="primary")
    return actions(element)


def connect_prompt(start_url: str, reason: str | None = None) -> Message:
    """Ephemeral (or DM): why the bot needs the user's link, and a Connect link button.

    ``reason`` is an optional sentence shown first (e.g. ``error_sentence(exc)``);
    it is escaped like data. The url button carries ``ids.CONNECT_LINK``: the app acks it.
    """
    lines: list[Block | None] = []
    if reason:
        lines.append(section(safe(reason, 500)))
    lines += [
        section(texts.CONNECT_WHY),
        connect_button(start_url=start_url),
        context(texts.CONNECT_LINK_NOTE),
    ]
    fallback = f"{escape_mrkdwn(reason)} " if reason else ""
    return message(f"{fallback}{texts.CONNECT_WHY}", lines)


def connected_message(user: ServiceNowUser, instance_host: str) -> Message:
    """DM sent after the OAuth callback: connected as whom, on which instance, what next."""
    line = texts.CONNECTED.format(name=_display_name(user))
    return message(
        line,
        [
            section(line),
            context(texts.STATUS_INSTANCE.format(host=safe(instance_host, 255))),
            section(texts.CONNECTED_NEXT),
        ],
    )


def status_message(
    *,
    user: ServiceNowUser | None,
    instance_host: str | None,
    needs_reconnect: bool = False,
    start_url: str | None = None,
) -> Message:
    """Ephemeral answer to `/snow status`: connected as whom / not connected / reconnect.

    ``start_url`` (a fresh Connect link) turns the Connect button into a link button.
    """
    blocks: list[Block | None] = []
    if instance_host is None:
        return message(texts.STATUS_NO_INSTANCE, [section(texts.STATUS_NO_INSTANCE)])
    where = context(texts.STATUS_INSTANCE.format(host=safe(instance_host, 255)))
    if needs_reconnect:
        line = texts.STATUS_NEEDS_RECONNECT
        blocks = [
            section(line),
            where,
            connect_button(start_url=start_url, label=texts.RECONNECT_BUTTON),
        ]
    elif user is None:
        line = texts.STATUS_NOT_CONNECTED
        blocks = [section(line), where, connect_button(start_url=start_url)]
    else:
        line = texts.STATUS_CONNECTED.format(name=_display_name(user))
        blocks = [
            section(line),
            where,
            actions(button(texts.DISCONNECT_BUTTON, action_id=ids.DISCONNECT)),
        ]
    return message(line, blocks)


def disconnected_message() -> Message:
    """Ephemeral confirmation of `/snow disconnect`."""
    return message(texts.DISCONNECTED, [section(texts.DISCONNECTED)])


_AUTH_FAMILY = (errors.AuthError, errors.ServiceNowAuthError)
_TEMPORARY = (
    errors.ServiceNowUnavailableError,
    errors.ServiceNowRateLimitedError,
    errors.StoreError,
    errors.SlackError,
)


def error_message(exc: errors.BotError, *, reconnect_url: str | None = None) -> Message:
    """Ephemeral: the user's sentence for ``exc``, plus what they can do next.

    Auth errors get a Reconnect button (a link when ``reconnect_url`` is given, else a
    button asking for a fresh link); temporary failures a retry hint; 403s the ACL hint.
    A refused link for a non-retryable reason (guest, other workspace) gets no button.
    """
    sentence = texts.error_sentence(exc)
    blocks: list[Block | None] = [section(escape_mrkdwn(sentence))]
    no_retry = isinstance(exc, errors.LinkRefusedError) and exc.reason in {
        "guest",
        "external",
        "denied",
    }
    if isinstance(exc, _AUTH_FAMILY) and not no_retry:
        blocks.append(connect_button(start_url=reconnect_url, label=texts.RECONNECT_BUTTON))
    elif isinstance(exc, errors.ServiceNowForbiddenError):
        blocks.append(context(texts.FORBIDDEN_HINT))
    elif isinstance(exc, _TEMPORARY) and "in a minute" not in sentence:
        blocks.append(context(texts.RETRY_HINT))
    return message(escape_mrkdwn(sentence), blocks)


def link_dropped_message(reason: str) -> Message:
    """DM: the link was dropped after a Slack profile change (``texts.LINK_DROPPED``)."""
    line = texts.LINK_DROPPED[reason]
    return message(line, [section(line)])


def not_admin_message(admin_hint: str | None = None) -> Message:
    """Ephemeral, polite refusal of `/snow setup` to a non-admin.

    ``admin_hint`` names who to ask (e.g. "your IT team"); it is escaped.
    """
    blocks: list[Block | None] = [section(texts.NOT_ADMIN)]
    if admin_hint:
        blocks.append(context(texts.NOT_ADMIN_HINT.format(who=safe(admin_hint, 300))))
    return message(texts.NOT_ADMIN, blocks)


def troubleshoot_answer(found: str, fix: str, *, connect_url: str | None) -> Message:
    """What troubleshooting found about the asker's link, the fix, and Reconnect."""
    blocks = [
        section(f"*{texts.TROUBLESHOOT_FOUND}:* {found}"),
        section(f"*{texts.TROUBLESHOOT_FIX}:* {fix}"),
        connect_button(start_url=connect_url, label=texts.RECONNECT_BUTTON),
    ]
    return message(found, blocks)


def troubleshoot_no_instance() -> Message:
    """Troubleshooting in a workspace with no ServiceNow connection."""
    return message(
        texts.STATUS_NO_INSTANCE,
        [section(texts.STATUS_NO_INSTANCE), context(texts.TROUBLESHOOT_NO_INSTANCE_ADMIN)],
    )


def refresh_failures_alert(*, count: int, minutes: int, host: str) -> Message:
    """The admin DM when many people's refreshes were refused: how many, and why."""
    line = texts.REFRESH_FAILURES_ALERT.format(
        count=count, minutes=minutes, host=escape_mrkdwn(host)
    )
    return message(line, [section(line)])


def with_warning(told: Message, warning: str) -> Message:
    """``told`` with a warning (trusted mrkdwn) appended as its own section."""
    return Message(
        text=f"{told.text} {warning}", blocks=[*told.blocks, section(warning).to_dict()]
    )
