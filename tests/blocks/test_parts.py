"""Escaping, clipping, masking and relative time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.blocks.parts import clip, escape_mrkdwn, mask_secret, relative_time, safe

NOW = datetime(2026, 11, 28, 11, 40, tzinfo=UTC)


def test_escape_replaces_the_three_control_characters_ampersand_first() -> None:
    """``&``, ``<`` and ``>`` become entities and an existing entity is escaped again."""
    assert escape_mrkdwn("<!channel> & &lt;") == "&lt;!channel&gt; &amp; &amp;lt;"


def test_escape_leaves_other_characters_alone() -> None:
    """Only Slack's three control characters change."""
    assert escape_mrkdwn("*bold* _x_ `code` ü ✅") == "*bold* _x_ `code` ü ✅"


def test_clip_keeps_short_text() -> None:
    """Text within the limit is returned unchanged."""
    assert clip("hello", 5) == "hello"


def test_clip_ends_cut_text_with_an_ellipsis_within_the_limit() -> None:
    """Cut text is exactly at the limit and ends in "…"."""
    cut = clip("x" * 100, 10)
    assert len(cut) == 10
    assert cut.endswith("…")


def test_safe_never_leaves_half_an_entity() -> None:
    """Clipping escaped text does not end in a broken ``&am`` fragment."""
    for limit in range(2, 12):
        cut = safe("aaaa<<<<&&&&", limit)
        assert len(cut) <= limit
        assert not any(cut.endswith(f"{frag}…") for frag in ("&", "&a", "&am", "&l", "&g"))


def test_mask_secret_shows_only_the_last_four() -> None:
    """A secret is reduced to its last four characters."""
    assert mask_secret("abcdefghijkl1234") == "••••1234"


def test_mask_secret_hides_short_secrets_completely() -> None:
    """A secret too short to spare four characters shows none."""
    assert mask_secret("abc12345") == "••••"


def test_relative_time_reads_as_words() -> None:
    """Recent times read as minutes, hours or days ago; older ones as a date."""
    assert relative_time(NOW - timedelta(seconds=10), now=NOW) == "just now"
    assert relative_time(NOW - timedelta(minutes=5), now=NOW) == "5 min ago"
    assert relative_time(NOW - timedelta(hours=3), now=NOW) == "3 h ago"
    assert relative_time(NOW - timedelta(days=1, hours=2), now=NOW) == "yesterday"
    assert relative_time(NOW - timedelta(days=4), now=NOW) == "4 days ago"
    assert relative_time(datetime(2026, 3, 3, tzinfo=UTC), now=NOW) == "on 3 Mar 2026"


def test_relative_time_accepts_naive_times_as_utc() -> None:
    """A naive ServiceNow time is taken as UTC rather than failing."""
    assert relative_time(datetime(2026, 11, 28, 11, 0), now=NOW) == "40 min ago"
