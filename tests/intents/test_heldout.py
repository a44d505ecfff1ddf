"""The shipped model on the held-out file (written apart from the training data)."""

from __future__ import annotations

import pytest

from intents import load_engine
from intents.dataset import bundled_path, read_examples
from intents.entities import find_incident_numbers
from intents.metrics import evaluate_engine


@pytest.mark.xfail(
    strict=True,
    reason="held-out accuracy 91.6 % and comment/close precision 92.9/96.4 % after removing "
    "near duplicates of the held-out file from training: below the issue's bar",
)
def test_the_shipped_model_meets_the_held_out_bar() -> None:
    """Accuracy ≥ 95 %, OOS recall ≥ 90 %, each write intent's precision ≥ 98 %."""
    report = evaluate_engine(load_engine(), read_examples(bundled_path("heldout.jsonl")))
    assert report["accuracy"] >= 0.95
    assert report["oos_recall"] >= 0.90
    assert all(p is None or p >= 0.98 for p in report["write_precision"].values())


def test_held_out_incident_numbers_are_exact() -> None:
    """Every held-out message yields exactly the number the INTENTS.md rule gives."""
    engine = load_engine()
    for example in read_examples(bundled_path("heldout.jsonl")):
        found = engine.predict(example.text).entities.get("incident_number")
        expected = find_incident_numbers(example.text)
        assert found == (expected[0] if expected else None)
