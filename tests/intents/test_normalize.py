"""Slack markup normalisation."""

from __future__ import annotations

from intents.normalize import normalize, normalized


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


def test_a_normalised_span_maps_back_to_the_users_characters() -> None:
    """A span of the normalised text gives back the raw text, markup included."""
    raw = "add to INC0010001:  see <https://kb.example.com/a|the KB> and ask <@U0BETH> :pray:"
    source = normalized(raw)
    assert source.text == "add to INC0010001: see the KB and ask"
    start = source.text.index("see")
    begin, end = source.raw_span(start, len(source.text))
    assert raw[begin:end] == "see <https://kb.example.com/a|the KB> and ask"


def test_words_keep_the_markup_next_to_them() -> None:
    """A mention removed right after (or before) a span still belongs to its words."""
    raw = "add to INC0010001: <@U0BETH> says ask <@U0ABEL> :pray:"
    source = normalized(raw)
    start = source.text.index("says")
    begin, end = source.raw_words(start, len(source.text))
    assert raw[begin:end].strip() == "<@U0BETH> says ask <@U0ABEL> :pray:"


def test_plain_text_maps_onto_itself() -> None:
    """A message with nothing to normalise is its own map."""
    source = normalized("close INC0010001 please")
    assert source.raw_span(6, 16) == (6, 16)
