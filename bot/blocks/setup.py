"""Admin views: the guided setup, the connection test's checklist and diagnosis, linked users.

All of these go to the admin only: ephemeral replies to `/snow setup` (buttons replace
the message in place), the admin's DM, or the admin part of App Home. The client
secret is never shown: only ``mask_secret`` (last four characters).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    Block,
    ConfirmObject,
    DividerBlock,
    InputBlock,
    PlainTextObject,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import texts
from bot.blocks import ids
from bot.blocks.models import CheckItem, Finding, LinkedUser, SetupProgress
from bot.blocks.parts import (
    MAX_SECTION_TEXT,
    Message,
    actions,
    button,
    context,
    fit_blocks,
    header,
    is_web_url,
    link_button,
    mask_secret,
    message,
    one_line,
    safe,
    section,
    short_date,
)

if TYPE_CHECKING:
    from bot.setup.diagnosis import Diagnosis

SETUP_STEPS = 4
MAX_FINDINGS = 10
MAX_LINKED_SHOWN = 30
_TICK, _CROSS, _SKIP, _TODO = "✅", "❌", "⏭️", "⬜"


def hardened_findings() -> list[Finding]:
    """``texts.HARDENED_CHECKLIST`` as findings, most likely first."""
    return [Finding(title=t, why=w, fix=f) for t, w, f in texts.HARDENED_CHECKLIST]


def _steps_done(progress: SetupProgress) -> dict[int, bool]:
    return {
        1: bool(progress.client_id),
        2: bool(progress.instance_host and progress.client_id and progress.client_secret),
        3: progress.connection_ok is True,
        4: progress.feedback_table_ok is True,
    }


def _stored_line(progress: SetupProgress) -> str:
    if not (progress.instance_host or progress.client_id or progress.client_secret):
        return texts.SETUP_STEP2_NOTHING
    secret = (
        mask_secret(progress.client_secret.get_secret_value())
        if progress.client_secret
        else texts.SETUP_NOT_SET
    )
    return texts.SETUP_STEP2_STORED.format(
        host=safe(progress.instance_host or texts.SETUP_NOT_SET, 255),
        client_id=safe(progress.client_id or texts.SETUP_NOT_SET, 255),
        secret=secret,
    )


def _registry_button(progress: SetupProgress) -> Block | None:
    if not progress.instance_host:
        return None
    url = f"https://{progress.instance_host}/oauth_entity_list.do"
    if not is_web_url(url) or any(c in progress.instance_host for c in "/?#@ "):
        return None
    return actions(
        link_button(texts.SETUP_REGISTRY_BUTTON, url=url, action_id=ids.SETUP_REGISTRY_LINK)
    )


def _step_blocks(step: int, *, redirect_uri: str, progress: SetupProgress) -> list[Block | None]:
    table = safe(progress.feedback_table, 80)
    if step == 1:
        return [
            section(texts.SETUP_STEP1),
            section(f"{texts.SETUP_STEP1_FIELDS}\n`{safe(redirect_uri, 2000)}`"),
            section(texts.SETUP_STEP1_DEFAULTS),
            context(texts.SETUP_STEP1_SCOPE.format(table=table)),
            _registry_button(progress),
        ]
    if step == 2:
        return [
            section(texts.SETUP_STEP2),
            context(_stored_line(progress)),
            actions(
                button(texts.SETUP_STEP2_BUTTON, action_id=ids.SETUP_OPEN_CREDENTIALS,
                       style="primary")
            ),
        ]
    if step == 3:
        last = {
            True: texts.SETUP_STEP3_PASSED,
            False: texts.SETUP_STEP3_FAILED,
            None: None,
        }[progress.connection_ok]
        return [
            section(texts.SETUP_STEP3),
            context(_stored_line(progress)),
            context(last) if last else None,
            actions(button(texts.SETUP_STEP3_BUTTON, action_id=ids.SETUP_RUN_TEST,
                           style="primary")),
        ]
    defaults = progress.defaults
    table_state = {
        True: texts.SETUP_STEP4_TABLE_OK,
        False: texts.SETUP_STEP4_TABLE_MISSING,
        None: None,
    }[progress.feedback_table_ok]
    return [
        section(f"{texts.SETUP_STEP4_TABLE.format(table=table)}\n{texts.SETUP_STEP4_COLUMNS}"),
        section(texts.SETUP_STEP4_ACL.format(table=table)),
        context(table_state) if table_state else None,
        section(texts.SETUP_STEP4_DEFAULTS),
        context(
            texts.SETUP_STEP4_DEFAULTS_NOW.format(
                category=safe(defaults.category, 100) or texts.SETUP_NOT_SET,
                group=safe(defaults.assignment_group, 100) or texts.SETUP_NOT_SET,
                contact=safe(defaults.contact_type, 100) or texts.SETUP_NOT_SET,
            )
        ),
        actions(
            button(texts.SETUP_DEFAULTS_BUTTON, action_id=ids.SETUP_OPEN_DEFAULTS),
            button(texts.SETUP_RECHECK_BUTTON, action_id=ids.SETUP_RECHECK),
        ),
    ]


def setup_guide(step: int, *, redirect_uri: str, progress: SetupProgress) -> Message:
    """Ephemeral (admin, from `/snow setup`) or DM: one step of the guided setup.

    1 Application Registry record with the exact redirect URL (in a code span, to copy),
    2 a button opening ``setup_credentials_modal``, 3 the connection test, 4 the feedback
    table and incident defaults. A progress line ("Step 2 of 4", a tick per finished
    step), and Back / "Done, next step" (``ids.SETUP_BACK`` / ``ids.SETUP_NEXT``, value:
    the step number to show), or Finish on the last step. ``step`` is clamped to 1..4.
    """
    step = min(max(step, 1), SETUP_STEPS)
    done = _steps_done(progress)
    ticks = "  ".join(f"{_TICK if done[n] else _TODO} {n}" for n in range(1, SETUP_STEPS + 1))
    position = texts.SETUP_STEP.format(step=step, total=SETUP_STEPS)
    title = texts.SETUP_STEP_TITLES[step]
    back = (
        button(texts.SETUP_BACK, action_id=ids.SETUP_BACK, value=str(step - 1))
        if step > 1
        else None
    )
    forward = (
        button(texts.SETUP_DONE, action_id=ids.SETUP_NEXT, value=str(step + 1), style="primary")
        if step < SETUP_STEPS
        else button(texts.SETUP_FINISH_BUTTON, action_id=ids.SETUP_FINISH, style="primary")
    )
    blocks: list[Block | None] = [
        header(texts.SETUP_TITLE),
        context(f"*{position}* · {title}", ticks),
        DividerBlock(),
        *_step_blocks(step, redirect_uri=redirect_uri, progress=progress),
        DividerBlock(),
        actions(back, forward),
    ]
    return message(f"{texts.SETUP_TITLE}: {position}, {title}", blocks)


def diagnosis_blocks(findings: Sequence[Finding]) -> list[Block]:
    """Numbered findings, most likely first (the caller ranks them), at most 10."""
    blocks: list[Block] = []
    for n, finding in enumerate(findings[:MAX_FINDINGS], start=1):
        blocks.append(
            section(
                f"*{n}. {safe(one_line(finding.title), 200)}*\n"
                f"_{texts.DIAGNOSIS_WHY}:_ {safe(finding.why, 1200)}\n"
                f"_{texts.DIAGNOSIS_FIX}:_ {safe(finding.fix, 1200)}"
            )
        )
    return blocks


def diagnosis(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Blocks for a ranked diagnosis (ephemeral/DM or home): title, why, what to change."""
    return fit_blocks(diagnosis_blocks(findings))


def _check_line(item: CheckItem) -> str:
    mark = {True: _TICK, False: _CROSS, None: _SKIP}[item.ok]
    line = f"{mark} {safe(one_line(item.label), 200)}"
    if item.ok is None:
        line += f" ({texts.CHECK_SKIPPED})"
    if item.detail:
        line += f": {safe(one_line(item.detail), 400)}"
    return line


def hardened_checklist_blocks() -> list[Block]:
    """The hardened-instance checklist with its introduction, for a 504 or
    ``access_denied``/``server_error`` seen during sign-in."""
    return [section(texts.HARDENED_INTRO), *diagnosis_blocks(hardened_findings())]


def checklist_message(
    items: Sequence[CheckItem], *, findings: Sequence[Finding] = (), hardened: bool = False
) -> Message:
    """Ephemeral or DM (admin): the connection test, a tick or cross per step, then, when
    something failed, the ranked diagnosis (``findings``, most likely first) and, with
    ``hardened=True`` (a 504 or ``access_denied``/``server_error`` was seen), the
    hardened-instance checklist."""
    passed = all(item.ok is not False for item in items)
    chunks: list[str] = []
    for line in (_check_line(i) for i in items):
        if chunks and len(chunks[-1]) + len(line) + 1 <= MAX_SECTION_TEXT:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    blocks: list[Block | None] = [header(texts.CHECKLIST_TITLE)]
    blocks += [section(chunk) for chunk in chunks[:20]]
    if passed:
        blocks.append(section(texts.CHECKLIST_PASSED))
        verdict = texts.CHECKLIST_PASSED
    else:
        verdict = texts.CHECKLIST_FAILED_SHORT
        blocks += [DividerBlock(), section(texts.CHECKLIST_FAILED), *diagnosis_blocks(findings)]
        if hardened:
            blocks += [DividerBlock(), *hardened_checklist_blocks()]
        blocks.append(
            actions(button(texts.SETUP_RECHECK_BUTTON, action_id=ids.SETUP_RUN_TEST,
                           style="primary"))
        )
    return message(f"{texts.CHECKLIST_TITLE}: {verdict}", blocks)


def linked_users_blocks(users: Sequence[LinkedUser]) -> list[Block]:
    """One section per linked person with a force-disconnect button (value: Slack user id)."""
    blocks: list[Block] = [section(f"*{texts.LINKED_USERS_TITLE}* ({len(users)})")]
    if not users:
        blocks.append(context(texts.LINKED_USERS_NONE))
        return blocks
    confirm = ConfirmObject(
        title=PlainTextObject(text=texts.FORCE_DISCONNECT_CONFIRM_TITLE),
        text=PlainTextObject(text=texts.FORCE_DISCONNECT_CONFIRM),
        confirm=PlainTextObject(text=texts.FORCE_DISCONNECT_CONFIRM_BUTTON),
        deny=PlainTextObject(text=texts.CANCEL_BUTTON),
        style="danger",
    )
    for user in users[:MAX_LINKED_SHOWN]:
        who = safe(one_line(user.servicenow_name), 200)
        if user.servicenow_email:
            who += f" ({safe(one_line(user.servicenow_email), 200)})"
        since = (
            f" · {texts.LINKED_SINCE.format(when=short_date(user.since))}" if user.since else ""
        )
        element = button(
            texts.FORCE_DISCONNECT_BUTTON.format(name=one_line(user.servicenow_name)),
            action_id=ids.ADMIN_FORCE_DISCONNECT,
            value=user.slack_user_id,
            style="danger",
        )
        element.confirm = confirm
        # slack_user_id is validated by LinkedUser's pattern, so the mention is ours.
        blocks.append(section(f"<@{user.slack_user_id}> → {who}{since}", accessory=element))
    if len(users) > MAX_LINKED_SHOWN:
        blocks.append(context(texts.LINKED_MORE.format(count=len(users) - MAX_LINKED_SHOWN)))
    return blocks


def linked_users(users: Sequence[LinkedUser]) -> list[dict[str, Any]]:
    """App Home or ephemeral (admins): who has linked which ServiceNow account, since when,
    with a confirmed force-disconnect button each (at most 30 shown)."""
    return fit_blocks(linked_users_blocks(users))


def setup_status_line(progress: SetupProgress) -> str:
    """One escaped line: connected to which instance, or not set up yet."""
    if progress.is_complete and progress.instance_host:
        return texts.SETUP_STATUS_DONE.format(host=safe(progress.instance_host, 255))
    return texts.SETUP_STATUS_TODO


# --- the connection test (admins) ------------------------------------------------

_SKIP, _WAIT = "⏭️", "⏳"


def checklist_view(
    diagnosis: Diagnosis,
    *,
    sign_in_url: str | None = None,
    retry_without_pkce: bool = False,
    offer_colleague: bool = False,
) -> Message:
    """The connection test's checklist (a tick or cross per step, ranked causes for any
    cross), with the sign-in link when the test waits for the admin, and the colleague
    test once the admin's part passed."""
    base = checklist_message(
        diagnosis.items, findings=diagnosis.findings, hardened=diagnosis.hardened
    )
    blocks: list[dict[str, Any]] = list(base.blocks)
    text = base.text
    if diagnosis.pending:
        blocks = [_waiting_marks(b) for b in blocks if _text_of(b) != texts.CHECKLIST_PASSED]
        text = f"{texts.CHECKLIST_TITLE}: {texts.SETUP_WAITING}"
    extra: list[Any] = []
    if sign_in_url and is_web_url(sign_in_url):
        label = (
            texts.SETUP_SIGN_IN_AGAIN_BUTTON if retry_without_pkce else texts.SETUP_SIGN_IN_BUTTON
        )
        link = link_button(
            label, url=sign_in_url, action_id=ids.SETUP_SIGN_IN_LINK, style="primary"
        )
        extra += [
            actions(link),
            context(texts.SETUP_SIGN_IN_NOTE),
        ]
    if offer_colleague:
        extra += [
            section(texts.SETUP_COLLEAGUE_WHY),
            actions(button(texts.SETUP_COLLEAGUE_BUTTON, action_id=ids.SETUP_COLLEAGUE_OPEN)),
        ]
    blocks += [b.to_dict() for b in extra if b is not None]
    return Message(text=text, blocks=blocks[:50])


def _waiting_marks(block: dict[str, Any]) -> dict[str, Any]:
    """A step that waits for someone reads "⏳ label: waiting…", not "skipped"."""
    inner = block.get("text")
    if block.get("type") != "section" or not isinstance(inner, dict):
        return block
    skipped = f" ({texts.CHECK_SKIPPED}): "
    lines = [
        _WAIT + line[len(_SKIP):].replace(skipped, ": ", 1)
        if line.startswith(_SKIP) and skipped in line
        else line
        for line in str(inner.get("text", "")).split("\n")
    ]
    return {**block, "text": {**inner, "text": "\n".join(lines)}}


def _text_of(block: dict[str, Any]) -> str:
    inner = block.get("text")
    return str(inner.get("text", "")) if isinstance(inner, dict) else ""


def setup_note(line: str, *, extra: Message | None = None) -> Message:
    """A one-sentence note (already escaped), optionally followed by another message."""
    blocks: list[dict[str, Any]] = [section(line).to_dict()]
    if extra is not None:
        blocks += extra.blocks
    return Message(text=line, blocks=blocks[:50])


def colleague_modal() -> dict[str, Any]:
    """Modal (admins): pick a colleague for the ordinary-user test (a users select)."""
    view = View(
        type="modal",
        callback_id=ids.SETUP_COLLEAGUE_MODAL,
        title=PlainTextObject(text=texts.SETUP_COLLEAGUE_MODAL_TITLE),
        submit=PlainTextObject(text=texts.SEND),
        close=PlainTextObject(text=texts.CANCEL_BUTTON),
        blocks=[
            section(texts.SETUP_COLLEAGUE_WHY),
            InputBlock(
                block_id=ids.SETUP_COLLEAGUE_BLOCK,
                label=PlainTextObject(text=texts.SETUP_COLLEAGUE_LABEL),
                element=UserSelectElement(action_id=ids.SETUP_COLLEAGUE_INPUT),
            ),
        ],
    )
    return view.to_dict()
