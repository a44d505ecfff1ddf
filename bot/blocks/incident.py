"""Messages about incidents: the card, lists, create confirmation, comment and close results.

Incident details are personal data: every builder here is meant for an ephemeral
reply or the user's DM, except ``incident_card(..., shared=True)``, which the user
chose to post in a channel, and ``lookup_posted_privately_note``, which reveals nothing.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    PlainTextObject,
)

from bot import texts
from bot.blocks import ids
from bot.blocks.models import CloseOutcome
from bot.blocks.parts import (
    Message,
    actions,
    button,
    clip,
    context,
    fields_section,
    header,
    is_web_url,
    link_button,
    message,
    one_line,
    relative_time,
    safe,
    section,
    state_label,
)
from bot.servicenow.models import (
    Comment,
    Incident,
    IncidentDraft,
    IncidentFilter,
    IncidentPage,
    IncidentState,
)

MAX_LIST_ROWS = 20  # rows per message; the rest is reached with Next
_ROW_DESCRIPTION_CHARS = 150
_CARD_DESCRIPTION_CHARS = 600
_COMMENT_CHARS = 1200
_NAME_CHARS = 120
_NUMBER_CHARS = 40


def _number(incident: Incident) -> str:
    return safe(one_line(incident.number), _NUMBER_CHARS)


def _priority(incident: Incident) -> str:
    if incident.priority_label:
        return safe(incident.priority_label, 60)
    if incident.priority is not None:
        return f"P{incident.priority}"
    return texts.UNKNOWN


def _state(incident: Incident) -> str:
    return safe(state_label(state=incident.state, label=incident.state_label), 60)


def _is_resolved(incident: Incident) -> bool:
    return incident.state in (IncidentState.RESOLVED, IncidentState.CLOSED)


def quote(text: str, *, limit: int) -> str:
    """Untrusted ``text`` as an escaped mrkdwn block quote (every line starts with ">")."""
    body = safe(text.strip(), limit)
    return "\n".join(f">{line}" for line in body.splitlines() or [""])


def _comment_blocks(comments: tuple[Comment, ...], *, now: datetime) -> list[Block | None]:
    """The latest comments, newest first: who and when, then the words quoted."""
    if not comments:
        return [context(texts.NO_COMMENTS)]
    blocks: list[Block | None] = [context(texts.LATEST_COMMENTS.format(count=len(comments)))]
    for comment in comments:
        who = safe(one_line(comment.author), _NAME_CHARS) or texts.UNKNOWN
        when = relative_time(comment.created, now=now) if comment.created else ""
        byline = f"*{who}*, {when}" if when else f"*{who}*"
        blocks.append(section(f"{byline}\n{quote(comment.text, limit=_COMMENT_CHARS)}"))
    return blocks


def record_button(incident: Incident) -> Block | None:
    """An actions block holding only "Open in ServiceNow" (None without a web URL)."""
    if not is_web_url(incident.url):
        return None
    return actions(
        link_button(texts.OPEN_IN_SERVICENOW, url=incident.url, action_id=ids.INCIDENT_OPEN_LINK)
    )


def _ask_close_button(number: str) -> ButtonElement:
    element = button(texts.ASK_CLOSE_BUTTON, action_id=ids.INCIDENT_ASK_CLOSE, value=number)
    element.confirm = ConfirmObject(
        title=PlainTextObject(text=texts.ASK_CLOSE_CONFIRM_TITLE),
        text=PlainTextObject(text=texts.ASK_CLOSE_CONFIRM),
        confirm=PlainTextObject(text=texts.ASK_CLOSE_BUTTON),
        deny=PlainTextObject(text=texts.CANCEL_BUTTON),
    )
    return element


def incident_card(
    incident: Incident,
    *,
    now: datetime,
    shared: bool = False,
    shareable: bool = True,
    lead: str | None = None,
) -> Message:
    """Ephemeral or DM: one incident in full, with what the user can do next.

    The title is said once (the header). Fields: state, priority, assignee, assignment
    group, last update; then the description and the latest comments (never work notes:
    the client reads the ``comments`` journal only). Buttons (values carry the incident
    number only): Open in ServiceNow (link), Add comment, Ask to close (open incidents),
    Share in channel (``shareable``: not in a DM, where there is no channel to share
    to), and "How did we do?" once resolved. ``shared=True`` is the channel copy the
    user chose to post: same facts, only the link button. ``lead`` (trusted mrkdwn) says
    how the incident was found ("the one we were just talking about").
    """
    number = _number(incident)
    summary = safe(one_line(incident.short_description), 500) or texts.UNKNOWN
    fields = [
        f"*{texts.FIELD_STATE}*\n{_state(incident)}",
        f"*{texts.FIELD_PRIORITY}*\n{_priority(incident)}",
        f"*{texts.FIELD_ASSIGNED_TO}*\n"
        f"{safe(incident.assigned_to, _NAME_CHARS) or texts.NOBODY_YET}",
        f"*{texts.FIELD_GROUP}*\n{safe(incident.assignment_group, _NAME_CHARS) or texts.NONE_YET}",
        f"*{texts.FIELD_UPDATED}*\n{relative_time(incident.updated_at, now=now)}",
    ]
    blocks: list[Block | None] = [
        context(lead) if lead else None,
        header(f"{incident.number} · {incident.short_description}"),
        fields_section(fields),
    ]
    if incident.description.strip():
        blocks.append(section(safe(incident.description.strip(), _CARD_DESCRIPTION_CHARS)))
    comments = incident.comments or (
        (incident.latest_comment,) if incident.latest_comment else ()
    )
    blocks += _comment_blocks(comments, now=now)
    value = clip(incident.number, _NUMBER_CHARS)
    link = (
        link_button(texts.OPEN_IN_SERVICENOW, url=incident.url, action_id=ids.INCIDENT_OPEN_LINK)
        if is_web_url(incident.url)
        else None
    )
    if shared:
        blocks.append(actions(link))
    else:
        if _is_resolved(incident):
            blocks.append(context(texts.RESOLVED_FEEDBACK_PROMPT))
        blocks.append(
            actions(
                link,
                button(texts.ADD_COMMENT_BUTTON, action_id=ids.INCIDENT_ADD_COMMENT, value=value),
                _ask_close_button(value) if incident.is_open else None,
                button(
                    texts.FEEDBACK_BUTTON,
                    action_id=ids.INCIDENT_FEEDBACK,
                    value=value,
                    style="primary",
                )
                if _is_resolved(incident)
                else None,
                button(texts.SHARE_BUTTON, action_id=ids.INCIDENT_SHARE, value=value)
                if shareable
                else None,
            )
        )
    fallback = f"{number}: {summary} ({_state(incident)})"
    return message(fallback, blocks)


def lookup_posted_privately_note() -> Message:
    """In-channel reply to a lookup asked in a channel: says where the answer went, nothing else."""
    return message(texts.POSTED_PRIVATELY, [context(texts.POSTED_PRIVATELY)])


def incident_row(incident: Incident, *, now: datetime) -> str:
    """One compact escaped mrkdwn row: number · state · priority · updated, then the title."""
    title = safe(one_line(incident.short_description), _ROW_DESCRIPTION_CHARS)
    updated = (
        f"  ·  {texts.ROW_UPDATED.format(when=relative_time(incident.updated_at, now=now))}"
        if incident.updated_at
        else ""
    )
    return (
        f"*{_number(incident)}*  ·  {_state(incident)}  ·  {_priority(incident)}{updated}\n"
        f"{title}"
    )


FIELDS = frozenset({"priority", "state", "assignee", "assignment_group", "updated", "comments"})


def field_answer(incident: Incident, *, field: str, now: datetime) -> Message:
    """Ephemeral or DM: the one field asked about ("what's the priority?"), naming the incident."""
    values = {
        "priority": _priority(incident),
        "state": _state(incident),
        "assignee": safe(incident.assigned_to, _NAME_CHARS) or texts.NOBODY_YET,
        "assignment_group": safe(incident.assignment_group, _NAME_CHARS) or texts.NONE_YET,
        "updated": relative_time(incident.updated_at, now=now),
    }
    number = _number(incident)
    title = safe(one_line(incident.short_description), 200)
    if field == "comments":
        line = texts.FIELD_ANSWER_COMMENTS.format(number=number, title=title)
        comments = incident.comments or (
            (incident.latest_comment,) if incident.latest_comment else ()
        )
        return message(line, [section(line), *_comment_blocks(comments, now=now)])
    line = texts.FIELD_ANSWER.format(
        number=number, title=title, field=texts.FIELD_NAMES.get(field, field),
        value=values.get(field, texts.UNKNOWN),
    )
    return message(line, [section(line)])


def _list_phrase(which: IncidentFilter | None) -> str:
    if which is None:
        return texts.LIST_PHRASE_DEFAULT
    phrase = texts.LIST_STATE_WORDS[which.state]
    if which.scope is not None:
        phrase += texts.LIST_SCOPE_WORDS[which.scope]
    if which.period is not None:
        phrase += texts.LIST_PERIOD_WORDS[which.period]
    return phrase


def list_title(which: IncidentFilter | None) -> str:
    """A list's heading: "Your open incidents", "Your closed incidents opened last month"."""
    if which is None:
        return texts.LIST_MINE_TITLE
    return texts.LIST_TITLE.format(what=_list_phrase(which))


def incident_count(total: int, *, which: IncidentFilter | None) -> Message:
    """Ephemeral or DM: "You have 2 closed incidents." with a button to list them."""
    line = texts.LIST_COUNT.format(count=total, what=_list_phrase(which))
    return message(
        line,
        [section(line), actions(button(texts.SHOW_MINE_BUTTON, action_id=ids.LIST_MINE,
                                       value=_page_value(0, which)))],
    )


def _page_value(offset: int, which: IncidentFilter | None) -> str:
    if which is None:
        return str(offset)
    return ids.encode_value(
        offset=str(offset), state=which.state, period=which.period or "", scope=which.scope or ""
    )


def incident_list(
    page: IncidentPage, *, title: str, now: datetime, which: IncidentFilter | None = None
) -> Message:
    """Ephemeral or DM: a page of incidents as compact rows with View buttons and paging.

    At most ``MAX_LIST_ROWS`` rows are shown whatever the page holds; Next carries the
    offset of the first row not shown, Previous the offset of the page before (both as
    decimal strings, or with ``which`` the offset and the filter). ``now`` dates the "last
    update" of each row.
    """
    if not page.incidents:
        return message(
            texts.LIST_EMPTY,
            [
                header(title),
                section(texts.LIST_EMPTY),
                actions(button(texts.NEW_INCIDENT_BUTTON, action_id=ids.NEW_INCIDENT)),
            ],
        )
    shown = page.incidents[:MAX_LIST_ROWS]
    first = page.offset + 1
    last = page.offset + len(shown)
    total = max(page.total, last)
    blocks: list[Block | None] = [
        header(title),
        context(texts.LIST_RANGE.format(first=first, last=last, total=total)),
        DividerBlock(),
    ]
    for incident in shown:
        blocks.append(
            section(
                incident_row(incident, now=now),
                accessory=button(
                    texts.VIEW_BUTTON.format(number=incident.number),
                    action_id=ids.INCIDENT_VIEW,
                    value=clip(incident.number, _NUMBER_CHARS),
                ),
            )
        )
    step = min(max(page.limit, 1), MAX_LIST_ROWS)
    previous = (
        button(texts.LIST_PREVIOUS, action_id=ids.LIST_PREVIOUS,
               value=_page_value(max(page.offset - step, 0), which))
        if page.offset > 0
        else None
    )
    following = (
        button(texts.LIST_NEXT, action_id=ids.LIST_NEXT, value=_page_value(last, which))
        if last < total
        else None
    )
    blocks.append(actions(previous, following))
    rows = "\n".join(f"{_number(i)} {_state(i)}" for i in shown[:10])
    return message(f"{safe(title, 150)}\n{rows}", blocks)


def incident_created(incident: Incident) -> Message:
    """DM (the durable copy) or ephemeral: the new incident's number, summary and link."""
    number = _number(incident)
    line = texts.CREATED.format(number=number)
    return message(
        line,
        [
            section(line),
            section(f">{safe(one_line(incident.short_description), 500)}"),
            context(texts.CREATED_NEXT.format(number=number)),
            record_button(incident),
        ],
    )


def comment_added(number: str, text: str) -> Message:
    """Ephemeral or DM: confirms the comment, quoting what was added."""
    line = texts.COMMENT_ADDED.format(number=safe(one_line(number), _NUMBER_CHARS))
    return message(line, [section(line), section(quote(text, limit=2500))])


def close_result(number: str, outcome: CloseOutcome) -> Message:
    """Ephemeral or DM: whether the incident was resolved, or a closure comment added instead.

    "comment_added" says honestly that ServiceNow did not let this account resolve it.
    """
    shown = safe(one_line(number), _NUMBER_CHARS)
    wording = {
        "resolved": texts.CLOSE_RESOLVED,
        "comment_added": texts.CLOSE_COMMENT_ADDED,
        "already_closed": texts.CLOSE_ALREADY,
    }[outcome]
    line = wording.format(number=shown)
    return message(line, [section(line)])


def create_confirmation(
    draft: IncidentDraft, *, draft_id: str, note: str | None = None, portal_url: str | None = None
) -> Message:
    """Ephemeral or DM: what the bot understood, with Create / Edit / Cancel.

    The buttons carry ``draft_id`` (a conversation id), not the draft: a description may
    be 4000 characters, over the 2000 a button value holds, and drafts are personal data.
    The handler keeps the draft in Redis conversation state under that id, so its full
    content survives the round trip; Edit opens ``create_modal(draft, ...)`` prefilled.
    ``note`` (trusted mrkdwn) says something about the request first, such as that goods
    are usually ordered from the catalog; ``portal_url`` then adds the portal's link.
    """
    urgency = texts.URGENCY_LABELS.get(draft.urgency, str(draft.urgency))
    details = safe(draft.description.strip(), 2500) or texts.CREATE_NO_DETAILS
    value = clip(draft_id, 200)
    return message(
        f"{texts.CREATE_UNDERSTOOD} {safe(one_line(draft.short_description), 200)}",
        [
            section(texts.CREATE_UNDERSTOOD),
            fields_section(
                [
                    f"*{texts.CREATE_SHORT_DESCRIPTION}*\n"
                    f"{safe(one_line(draft.short_description), 500)}",
                    f"*{texts.CREATE_URGENCY}*\n{urgency}",
                ]
            ),
            section(f"*{texts.CREATE_DESCRIPTION}*\n{details}"),
            context(note) if note else None,
            actions(
                button(texts.CREATE_BUTTON, action_id=ids.CREATE_CONFIRM, value=value,
                       style="primary"),
                button(texts.EDIT_BUTTON, action_id=ids.CREATE_EDIT, value=value),
                link_button(texts.PORTAL_BUTTON, url=portal_url, action_id=ids.PORTAL_LINK)
                if note and portal_url and is_web_url(portal_url)
                else None,
                button(texts.CANCEL_BUTTON, action_id=ids.CREATE_CANCEL, value=value),
            ),
        ],
    )
