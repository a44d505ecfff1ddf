"""The shipped data and model."""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from intents import LABELS, load_engine
from intents.dataset import bundled_path, data_hash, read_examples


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z]+", text.lower()))


def test_every_label_has_enough_examples() -> None:
    """At least 60 utterances per in-scope label and 300 out-of-scope ones."""
    counts = Counter(e.intent for e in read_examples(bundled_path("train.jsonl")))
    assert set(counts) == set(LABELS)
    assert all(n >= 60 for n in counts.values())
    assert counts["out_of_scope"] >= 300


def test_no_training_utterance_nearly_duplicates_a_held_out_one() -> None:
    """No pair of training and held-out texts is 90 % similar or more (letters only)."""
    train = {_key(e.text) for e in read_examples(bundled_path("train.jsonl"))}
    held = {_key(e.text) for e in read_examples(bundled_path("heldout.jsonl"))}
    close = [
        (a, b) for a in train for b in held
        if abs(len(a) - len(b)) < 0.2 * max(len(a), len(b), 1)
        and SequenceMatcher(None, a, b).ratio() >= 0.9
    ]
    assert close == []


def test_the_shipped_model_matches_the_data() -> None:
    """The bundled model records the hash of the shipped training data."""
    assert load_engine().meta["data_sha256"] == data_hash(bundled_path("train.jsonl"))
