"""Slack markup normalisation."""

from __future__ import annotations

from intents.normalize import normalize


def test_mentions_and_special_mentions_are_removed() -> None:
    """User mentions and <!here> disappear."""
    assert normalize("<@U024BE7LH> <!here> status pls") == "status pls"


def test_links_keep_their_label() -> None:
    """A link is replaced by its label, or by its address when it has none."""
    assert normalize("see <https://x.service-now.com/a?b=1|INC0012345> and <https://y.org>") == (
        "see INC0012345 and https://y.org"
    )


def test_channel_references_keep_their_name() -> None:
    """A channel reference becomes the channel name."""
    assert normalize("post in <#C123ABC|it-help>") == "post in it-help"


def test_emoji_are_dropped_or_become_words() -> None:
    """Shortcodes and Unicode emoji vanish unless they carry a judgement or greeting."""
    assert normalize("thanks :pray: 😩 ⭐⭐ :+1:") == "thanks star star thumbsup"


def test_html_entities_are_decoded() -> None:
    """Slack's &amp; &lt; &gt; are decoded."""
    assert normalize("a &amp; b &lt;c&gt;") == "a & b <c>"
