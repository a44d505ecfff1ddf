"""Confirmation cards for writes from free text, and the reopen and "incidents only" answers."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.confirm import (
    close_already_asked,
    other_record_message,
    reopen_result,
    write_confirmation,
)
from tests.blocks.scan import mrkdwn_texts, walk


def _buttons(blocks: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {
        str(d["action_id"]): d for d in walk(blocks) if d.get("type") == "button"
    }


def test_comment_card_names_the_incident_and_quotes_the_words() -> None:
    """The card asks, names number and title, and quotes exactly what will be written."""
    card = write_confirmation(
        "comment", write_id="wABC", number="INC0010003", title="Outlook keeps asking",
        text="line one\nline two",
    )
    shown = "\n".join(mrkdwn_texts(card))
    assert "Shall I add this comment to *INC0010003*?" in shown
    assert "*INC0010003* · Outlook keeps asking" in shown
    assert ">line one\n>line two" in shown


def test_card_buttons_do_it_or_cancel_carrying_only_the_id() -> None:
    """One button does the write, the other cancels; both carry only the card's id."""
    card = write_confirmation("close", write_id="wABC", number="INC1", title="t", text="x")
    buttons = _buttons(card.blocks)
    assert set(buttons) == {ids.WRITE_CONFIRM, ids.WRITE_CANCEL}
    assert {b["value"] for b in buttons.values()} == {"wABC"}
    labels = {str(b["text"]["text"]) for b in buttons.values()}  # type: ignore[index]
    assert labels == {"Close it", "Cancel"}


def test_each_write_has_its_own_button_label() -> None:
    """Add comment, Close it, Reopen, Disconnect."""
    labels = []
    for kind in ("comment", "close", "reopen", "disconnect"):
        card = write_confirmation(kind, write_id="w", number="INC1", title="t", text="x",
                                  account="Abel")
        labels.append(str(_buttons(card.blocks)[ids.WRITE_CONFIRM]["text"]["text"]))  # type: ignore[index]
    assert labels == ["Add comment", "Close it", "Reopen", "Disconnect"]


def test_disconnect_card_names_the_account() -> None:
    """Unlinking names the ServiceNow account the user would lose."""
    card = write_confirmation("disconnect", write_id="w", account="Abel Tuter")
    assert "Shall I unlink your ServiceNow account (Abel Tuter)?" in card.text


def test_quoted_words_are_escaped() -> None:
    """Words with Slack markup are shown, never acted on."""
    card = write_confirmation("comment", write_id="w", number="INC1", title="<!channel>",
                              text="<@U123> &")
    shown = "\n".join(mrkdwn_texts(card))
    assert "&lt;!channel&gt;" in shown
    assert "&lt;@U123&gt; &amp;" in shown


def test_reopen_results_say_what_happened() -> None:
    """Reopened, refused (a comment instead), still open, and final each say so."""
    assert "open again" in reopen_result("INC1", "reopened").text
    assert "asking the team to reopen" in reopen_result("INC1", "comment_added").text
    assert "still open (On Hold)" in reopen_result("INC1", "still_open", state="On Hold").text
    final = reopen_result("INC1", "final", state="Closed").text
    assert "a closed incident can't be reopened" in final


def test_other_record_names_its_type() -> None:
    """"Incidents only", with the record's number and what it is."""
    text = other_record_message("RITM0010001", "requested item").text
    assert "I work with incidents only" in text
    assert "*RITM0010001* is a requested item" in text


def test_close_already_asked_says_when() -> None:
    """The repeat close request answers when the desk was asked."""
    message = close_already_asked("INC1", when="at 14:02 (UTC)")
    assert message.text == "I asked the desk to close *INC1* at 14:02 (UTC); it isn't closed yet."
