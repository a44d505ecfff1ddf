"""Modals: create, comment, feedback, and the admin's credentials and defaults forms.

Each returns a view dict for ``views.open`` / ``views.update``. Input block and action
ids come from ``bot.blocks.ids`` and stay the same across updates (Slack keeps typed
input only then). ``private_metadata`` holds an id at most (a conversation id or an
incident number), never personal data or secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import SecretStr
from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import texts
from bot.blocks import ids
from bot.blocks.models import IncidentDefaults
from bot.blocks.parts import (
    MAX_INPUT_LABEL,
    MAX_OPTION_TEXT,
    MAX_OPTION_VALUE,
    MAX_OPTIONS,
    MAX_PRIVATE_METADATA,
    MAX_VIEW_BLOCKS,
    clip,
    context,
    mask_secret,
    one_line,
    safe,
)
from bot.servicenow.models import Incident, IncidentDraft

SHORT_DESCRIPTION_MAX = 160  # IncidentDraft.short_description
DESCRIPTION_MAX = 4000  # IncidentDraft.description
COMMENT_MAX = 4000
FEEDBACK_COMMENT_MAX = 3000
_NUMBER_CHARS = 40


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=clip(text, MAX_INPUT_LABEL))


def _option(label: str, value: str) -> Option:
    return Option(
        text=PlainTextObject(text=clip(one_line(label) or value, MAX_OPTION_TEXT)),
        value=clip(value, MAX_OPTION_VALUE),
    )


def _metadata(private_metadata: str) -> str:
    if len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError("private_metadata holds an id, not content")
    return private_metadata


def _modal(
    *,
    callback_id: str,
    title: str,
    submit: str,
    blocks: Sequence[Block | None],
    private_metadata: str = "",
) -> dict[str, Any]:
    present = [b for b in blocks if b is not None][:MAX_VIEW_BLOCKS]
    view = View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text=texts.CANCEL_BUTTON),
        blocks=present,
        private_metadata=_metadata(private_metadata),
    )
    return view.to_dict()


def _text_input(
    *,
    block_id: str,
    action_id: str,
    label: str,
    initial: str | None = None,
    multiline: bool = False,
    max_length: int | None = None,
    optional: bool = False,
    placeholder: str | None = None,
    hint: str | None = None,
) -> InputBlock:
    initial_value = clip(initial, max_length) if initial and max_length else initial or None
    return InputBlock(
        block_id=block_id,
        label=_plain(label),
        element=PlainTextInputElement(
            action_id=action_id,
            initial_value=initial_value,
            multiline=multiline or None,
            max_length=max_length,
            placeholder=PlainTextObject(text=placeholder) if placeholder else None,
        ),
        optional=optional,
        hint=_plain(hint) if hint else None,
    )


def create_modal(draft: IncidentDraft | None = None, *, private_metadata: str) -> dict[str, Any]:
    """Modal: report a problem (short description, details, urgency), prefilled from a draft.

    ``private_metadata`` is the conversation id of the stored draft (or ""), nothing more.
    Submission values: ``ids.SHORT_DESCRIPTION_*``, ``ids.DESCRIPTION_*``,
    ``ids.URGENCY_*`` (option values "1", "2", "3").
    """
    urgency_options = [_option(texts.URGENCY_LABELS[u], str(u)) for u in (1, 2, 3)]
    chosen = draft.urgency if draft else 3
    blocks: list[Block | None] = [
        _text_input(
            block_id=ids.SHORT_DESCRIPTION_BLOCK,
            action_id=ids.SHORT_DESCRIPTION_INPUT,
            label=texts.CREATE_SHORT_DESCRIPTION,
            initial=draft.short_description if draft else None,
            max_length=SHORT_DESCRIPTION_MAX,
            placeholder=texts.CREATE_SHORT_PLACEHOLDER,
        ),
        _text_input(
            block_id=ids.DESCRIPTION_BLOCK,
            action_id=ids.DESCRIPTION_INPUT,
            label=texts.CREATE_DESCRIPTION,
            initial=draft.description if draft else None,
            multiline=True,
            max_length=DESCRIPTION_MAX,
            optional=True,
            placeholder=texts.CREATE_DESCRIPTION_PLACEHOLDER,
        ),
        InputBlock(
            block_id=ids.URGENCY_BLOCK,
            label=_plain(texts.CREATE_URGENCY),
            element=StaticSelectElement(
                action_id=ids.URGENCY_INPUT,
                options=urgency_options,
                initial_option=urgency_options[chosen - 1],
            ),
        ),
    ]
    return _modal(
        callback_id=ids.CREATE_MODAL,
        title=texts.CREATE_MODAL_TITLE,
        submit=texts.CREATE_BUTTON,
        blocks=blocks,
        private_metadata=private_metadata,
    )


def comment_modal(
    number: str | None = None, *, open_incidents: Sequence[Incident] = (), text: str = ""
) -> dict[str, Any]:
    """Modal: add a comment; the incident is fixed, picked from the user's open ones, or typed.

    With ``number``: it is the private_metadata and no picker is shown. Without: a select
    of up to 100 ``open_incidents`` (value = number), or a text input when there are none.
    Submission values: ``ids.COMMENT_INCIDENT_*`` (when no number), ``ids.COMMENT_TEXT_*``.
    ``text`` prefills the comment (what the user already typed, say before a clarify).
    """
    blocks: list[Block | None] = []
    if number:
        blocks.append(
            context(texts.COMMENT_ON.format(number=safe(one_line(number), _NUMBER_CHARS)))
        )
    elif open_incidents:
        options = [
            _option(f"{i.number} · {i.short_description}", i.number)
            for i in open_incidents[:MAX_OPTIONS]
        ]
        blocks.append(
            InputBlock(
                block_id=ids.COMMENT_INCIDENT_BLOCK,
                label=_plain(texts.COMMENT_PICK),
                element=StaticSelectElement(
                    action_id=ids.COMMENT_INCIDENT_INPUT,
                    options=options,
                    placeholder=PlainTextObject(text=texts.COMMENT_PICK_PLACEHOLDER),
                    initial_option=options[0] if len(options) == 1 else None,
                ),
            )
        )
    else:
        blocks.append(
            _text_input(
                block_id=ids.COMMENT_INCIDENT_BLOCK,
                action_id=ids.COMMENT_INCIDENT_INPUT,
                label=texts.COMMENT_NUMBER_LABEL,
                max_length=_NUMBER_CHARS,
                placeholder=texts.COMMENT_NUMBER_PLACEHOLDER,
            )
        )
    blocks.append(
        _text_input(
            block_id=ids.COMMENT_TEXT_BLOCK,
            action_id=ids.COMMENT_TEXT_INPUT,
            label=texts.COMMENT_TEXT_LABEL,
            multiline=True,
            max_length=COMMENT_MAX,
            hint=texts.COMMENT_VISIBLE,
            initial=text.strip() or None,
        )
    )
    return _modal(
        callback_id=ids.COMMENT_MODAL,
        title=texts.COMMENT_MODAL_TITLE,
        submit=texts.SEND,
        blocks=blocks,
        private_metadata=clip(number, _NUMBER_CHARS) if number else "",
    )


def feedback_modal(
    incident_number: str | None = None,
    *,
    comment: str | None = None,
    rating: int | None = None,
) -> dict[str, Any]:
    """Modal: rating 1–5 (radio buttons), an optional comment, and, only about an incident,
    an opt-in "also add as a comment on INC…" checkbox (a comment reaches everyone on it).

    ``comment`` prefills the comment (the text of ``/snow feedback <text>``); ``rating``
    (1–5) preselects a rating. The opt-in box is never ticked in advance.
    private_metadata: the incident number or "". Submission values: ``ids.RATING_*``
    (option values "1".."5"), ``ids.FEEDBACK_TEXT_*``, ``ids.FEEDBACK_AS_COMMENT_*``
    (ticked when its selected options include ``ids.FEEDBACK_AS_COMMENT_VALUE``).
    """
    ratings = [_option(texts.FEEDBACK_RATINGS[r], str(r)) for r in (5, 4, 3, 2, 1)]
    chosen = ratings[5 - rating] if rating is not None and 1 <= rating <= 5 else None
    blocks: list[Block | None] = []
    if incident_number:
        shown = safe(one_line(incident_number), _NUMBER_CHARS)
        blocks.append(context(texts.FEEDBACK_ABOUT.format(number=shown)))
    blocks += [
        InputBlock(
            block_id=ids.RATING_BLOCK,
            label=_plain(texts.FEEDBACK_RATING),
            element=RadioButtonsElement(
                action_id=ids.RATING_INPUT, options=ratings, initial_option=chosen
            ),
        ),
        _text_input(
            block_id=ids.FEEDBACK_TEXT_BLOCK,
            action_id=ids.FEEDBACK_TEXT_INPUT,
            label=texts.FEEDBACK_COMMENT,
            initial=comment.strip() if comment and comment.strip() else None,
            multiline=True,
            max_length=FEEDBACK_COMMENT_MAX,
            optional=True,
        ),
    ]
    if incident_number:
        label = texts.FEEDBACK_AS_COMMENT.format(number=clip(one_line(incident_number), 40))
        blocks.append(
            InputBlock(
                block_id=ids.FEEDBACK_AS_COMMENT_BLOCK,
                label=_plain(texts.FEEDBACK_AS_COMMENT_LABEL),
                optional=True,
                element=CheckboxesElement(
                    action_id=ids.FEEDBACK_AS_COMMENT_INPUT,
                    options=[
                        Option(
                            text=PlainTextObject(text=clip(label, MAX_OPTION_TEXT)),
                            value=ids.FEEDBACK_AS_COMMENT_VALUE,
                            description=PlainTextObject(text=texts.FEEDBACK_AS_COMMENT_HINT),
                        )
                    ],
                ),
            )
        )
    return _modal(
        callback_id=ids.FEEDBACK_MODAL,
        title=texts.FEEDBACK_MODAL_TITLE,
        submit=texts.SEND,
        blocks=blocks,
        private_metadata=clip(incident_number, _NUMBER_CHARS) if incident_number else "",
    )


def setup_credentials_modal(
    *,
    instance: str | None = None,
    client_id: str | None = None,
    stored_secret: SecretStr | None = None,
) -> dict[str, Any]:
    """Modal (admins): instance, client id and client secret.

    The secret input is never prefilled; when one is stored, the hint shows its last four
    characters and the field may be left empty to keep it. Nothing goes in
    private_metadata. Submission values: ``ids.INSTANCE_*``, ``ids.CLIENT_ID_*``,
    ``ids.CLIENT_SECRET_*``.
    """
    secret_hint = texts.CREDENTIALS_TYPING_HINT
    if stored_secret is not None:
        kept = texts.CREDENTIALS_KEEP_STORED.format(
            last4=mask_secret(stored_secret.get_secret_value())
        )
        secret_hint = f"{kept} {secret_hint}"
    blocks: list[Block | None] = [
        _text_input(
            block_id=ids.INSTANCE_BLOCK,
            action_id=ids.INSTANCE_INPUT,
            label=texts.CREDENTIALS_INSTANCE,
            initial=instance,
            max_length=255,
            hint=texts.CREDENTIALS_INSTANCE_HINT,
        ),
        _text_input(
            block_id=ids.CLIENT_ID_BLOCK,
            action_id=ids.CLIENT_ID_INPUT,
            label=texts.CREDENTIALS_CLIENT_ID,
            initial=client_id,
            max_length=255,
        ),
        _text_input(
            block_id=ids.CLIENT_SECRET_BLOCK,
            action_id=ids.CLIENT_SECRET_INPUT,
            label=texts.CREDENTIALS_CLIENT_SECRET,
            max_length=255,
            optional=stored_secret is not None,
            hint=secret_hint,
        ),
    ]
    return _modal(
        callback_id=ids.SETUP_CREDENTIALS_MODAL,
        title=texts.CREDENTIALS_MODAL_TITLE,
        submit=texts.SAVE,
        blocks=blocks,
    )


def setup_defaults_modal(defaults: IncidentDefaults | None = None) -> dict[str, Any]:
    """Modal (admins): category, assignment group and contact type for created incidents.

    Submission values: ``ids.CATEGORY_*``, ``ids.ASSIGNMENT_GROUP_*``, ``ids.CONTACT_TYPE_*``
    (all optional: empty lets ServiceNow decide).
    """
    current = defaults or IncidentDefaults()
    fields = (
        (ids.CATEGORY_BLOCK, ids.CATEGORY_INPUT, texts.DEFAULTS_CATEGORY, current.category),
        (
            ids.ASSIGNMENT_GROUP_BLOCK,
            ids.ASSIGNMENT_GROUP_INPUT,
            texts.DEFAULTS_GROUP,
            current.assignment_group,
        ),
        (
            ids.CONTACT_TYPE_BLOCK,
            ids.CONTACT_TYPE_INPUT,
            texts.DEFAULTS_CONTACT_TYPE,
            current.contact_type,
        ),
    )
    blocks: list[Block | None] = [
        _text_input(
            block_id=block_id,
            action_id=action_id,
            label=label,
            initial=value,
            max_length=100,
            optional=True,
            hint=texts.DEFAULTS_HINT,
        )
        for block_id, action_id, label, value in fields
    ]
    return _modal(
        callback_id=ids.SETUP_DEFAULTS_MODAL,
        title=texts.DEFAULTS_MODAL_TITLE,
        submit=texts.SAVE,
        blocks=blocks,
    )
