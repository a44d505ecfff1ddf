"""The engine's own scoring, confidence and reject rule on a small trained model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from intents import IntentEngine, Thresholds, read_engine, save_engine
from intents.dataset import Example
from intents.engine import featurize
from intents.metrics import evaluate_engine
from intents.model import oov_fractions
from intents.training import train_engine

ROWS = {
    "incident.lookup": ["status of INC0012345", "check INC0044120", "any update on INC0031001",
                        "where is INC0020017 at", "who has INC0051122", "INC0033100 eta?"],
    "incident.close_request": ["close INC0012345", "please close INC0044120 it works",
                               "cancel INC0031001", "resolve INC0020017 fixed",
                               "withdraw INC0051122", "INC0033100 can be closed"],
    "greeting": ["hi", "hello", "hey there", "good morning", "thanks", "bye now"],
    "out_of_scope": ["what's the weather", "tell me a joke", "book a taxi", "order lunch",
                     "what time is it", "sing a song"],
}
TEXTS = ["close INC0099999 please", "hello there", "weather tomorrow?", "zyxx qqq"]


@pytest.fixture(scope="module")
def engine() -> IntentEngine:
    examples = [Example(text=t, intent=k) for k, ts in ROWS.items() for t in ts]
    return train_engine(examples)


def test_fast_scoring_matches_scikit_learn(engine: IntentEngine) -> None:
    """The engine's per-message TF-IDF arithmetic gives sklearn's decision_function."""
    docs = [featurize(t, digits=7) for t in TEXTS]
    expected = engine.classifier.decision_function(engine.features.transform(docs))
    assert np.allclose(engine.scores(TEXTS), expected)


def test_unseen_word_share_is_the_same_in_training_and_prediction(engine: IntentEngine) -> None:
    """The share of unseen words the engine feeds the confidence is the one training used."""
    docs = [featurize(t, digits=7) for t in TEXTS]
    shares = [engine._score_one(d)[1] for d in docs]
    assert np.allclose(shares, oov_fractions(engine.features, docs))
    assert shares[3] == 1.0


def test_a_clarified_write_is_not_counted_as_acted_on(engine: IntentEngine) -> None:
    """With nothing accepted, acted-on write precision is undefined, not that of the top intent."""
    asking = IntentEngine(
        features=engine.features,
        classifier=engine.classifier,
        calibration=engine.calibration,
        thresholds=dataclasses.replace(Thresholds(), floor_read=0.0, accept_read=1.1,
                                       accept_write=1.1, floor_write=0.0),
        write_labels=frozenset({"incident.close_request"}),
    )
    report = evaluate_engine(asking, [Example("close INC0099999 please", "greeting")],
                             latency_sample=0)
    assert report["decisions"] == {"clarify": 1}
    assert report["write_precision"] == {"incident.close_request": None}
    assert report["write_precision_predicted"] == {"incident.close_request": 0.0}


def test_a_saved_engine_predicts_the_same_after_loading(
    engine: IntentEngine, tmp_path: Path
) -> None:
    """Saving and reading a model keeps its calibration, thresholds and predictions."""
    path = tmp_path / "m.skops"
    save_engine(engine, path)
    loaded = read_engine(path)
    assert loaded.calibration == engine.calibration
    assert loaded.thresholds == engine.thresholds
    for text in TEXTS:
        assert loaded.predict(text) == engine.predict(text)
