"""The shipped data and model."""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from intents import LABELS, WRITE_INTENTS, labels, load_engine
from intents.dataset import bundled_path, data_hash, read_examples
from intents.labels import ACTING_INTENTS


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z]+", text.lower()))


def _near_duplicates(first: str, second: str) -> list[tuple[str, str]]:
    """Pairs of texts from two shipped files that are 90 % similar or more (letters only).

    One matcher per text of ``second`` (difflib caches what it learns about its second
    sequence), and ``ratio()`` only where its cheap upper bounds reach 0.9: the same
    pairs as comparing every pair with ``ratio()``, in a fraction of the time.
    """
    one = sorted({_key(e.text) for e in read_examples(bundled_path(first))})
    two = sorted({_key(e.text) for e in read_examples(bundled_path(second))})
    found: list[tuple[str, str]] = []
    for b in two:
        matcher = SequenceMatcher(None)
        matcher.set_seq2(b)
        for a in one:
            if abs(len(a) - len(b)) >= 0.2 * max(len(a), len(b), 1):
                continue
            matcher.set_seq1(a)
            if (
                matcher.real_quick_ratio() >= 0.9
                and matcher.quick_ratio() >= 0.9
                and matcher.ratio() >= 0.9
            ):
                found.append((a, b))
    return found


def test_every_label_has_enough_examples() -> None:
    """At least 60 utterances per in-scope label and 300 out-of-scope ones."""
    counts = Counter(e.intent for e in read_examples(bundled_path("train.jsonl")))
    assert set(counts) == set(LABELS)
    assert all(n >= 60 for n in counts.values())
    assert counts["out_of_scope"] >= 300


def test_no_training_utterance_nearly_duplicates_a_held_out_one() -> None:
    """No pair of training and held-out texts is 90 % similar or more (letters only)."""
    assert _near_duplicates("train.jsonl", "heldout.jsonl") == []


def test_the_must_not_write_set_nearly_duplicates_no_training_utterance() -> None:
    """The must-not-write lines are not (near) copies of the training data."""
    assert _near_duplicates("train.jsonl", "must_not_write.jsonl") == []


def test_the_must_not_write_set_nearly_duplicates_no_held_out_utterance() -> None:
    """The must-not-write lines are not (near) copies of the held-out data either."""
    assert _near_duplicates("heldout.jsonl", "must_not_write.jsonl") == []


def test_the_must_not_write_set_asks_for_no_write() -> None:
    """At least 150 lines, each labelled with an intent that writes nothing."""
    rows = read_examples(bundled_path("must_not_write.jsonl"))
    assert len(rows) >= 150
    assert {e.intent for e in rows} <= set(LABELS) - ACTING_INTENTS


def test_the_held_out_file_covers_reopen() -> None:
    """The held-out file has reopen rows of its own."""
    held = Counter(e.intent for e in read_examples(bundled_path("heldout.jsonl")))
    assert held[labels.REOPEN] >= 20
    assert labels.REOPEN in WRITE_INTENTS


def test_no_must_not_write_line_is_acted_on_as_a_write() -> None:
    """Not one must-not-write message is accepted as a write, in any of its requests."""
    engine = load_engine()
    acted = [
        (p.intent, e.text)
        for e in read_examples(bundled_path("must_not_write.jsonl"))
        for p in engine.predict_all(e.text)
        if p.decision == "accept" and p.intent in ACTING_INTENTS
    ]
    assert acted == []


def test_the_shipped_model_matches_the_data() -> None:
    """The bundled model records the hash of the shipped training data."""
    assert load_engine().meta["data_sha256"] == data_hash(bundled_path("train.jsonl"))
