"""Slack markup as plain text: every kind of markup, and input that is not markup at all."""

from __future__ import annotations

import pytest

from bot import markup


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("hi <@U0BETH>", "hi @Beth"),
        ("hi <@U0BETH|beth>", "hi @Beth"),
        ("hi <@U0GONE|dana>", "hi @dana"),
        ("hi <@U0GONE>", "hi a Slack user"),
        ("see <https://x.example/a?b=1&amp;c=2|the doc>", "see the doc (https://x.example/a?b=1&c=2)"),
        ("see <https://x.example/>", "see https://x.example/"),
        ("see <https://x.example/|https://x.example/>", "see https://x.example/"),
        ("mail <mailto:a@example.com|a@example.com>", "mail a@example.com"),
        ("mail <mailto:a@example.com|Abel>", "mail Abel (a@example.com)"),
        ("in <#C0SUPPORT|it-support>", "in #it-support"),
        ("in <#C0SUPPORT>", "in #it-support"),
        ("in <#C0UNKNOWN|>", "in #channel"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!subteam^S123|@desk> look", "@desk look"),
        ("<!subteam^S123> look", "@group look"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
        ("a &lt;b&gt; &amp;amp;", "a <b> &amp;"),
        ("no markup at all", "no markup at all"),
        ("a < b <@U0BETH>", "a < b @Beth"),
        ("unclosed <@U0BETH", "unclosed <@U0BETH"),
        ("", ""),
    ],
)
def test_markup_becomes_plain_text(raw: str, plain: str) -> None:
    """Each kind of Slack markup reads as people would write it."""
    pieces = markup.parse(raw)
    users, channels = markup.references(pieces)
    named = markup.render(
        pieces,
        users={"U0BETH": "Beth"} if "U0BETH" in users else {},
        channels={"C0SUPPORT": "it-support"} if "C0SUPPORT" in channels else {},
    )
    assert named == plain


def test_references_list_what_to_look_up() -> None:
    """Users are always looked up; channels only when their name is missing."""
    pieces = markup.parse("<@U1> <@U2|two> <#C1> <#C2|named>")
    assert markup.references(pieces) == ({"U1", "U2"}, {"C1"})


def test_plain_names_nobody_without_look_ups() -> None:
    """``plain`` uses only what the text carries."""
    assert markup.plain("<@U1|abel> and <@U2> in <#C1>") == "@abel and a Slack user in #channel"


def test_hostile_input_is_read_in_one_pass() -> None:
    """Long runs of unbalanced brackets are plain text, read without backtracking."""
    text = "<" * 100_000 + "x" + ">" * 100_000
    assert markup.plain(text) == "<" * 99_999 + "x" + ">" * 99_999
