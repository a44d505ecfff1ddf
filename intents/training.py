"""Fitting an engine: features, classifier, calibration and operating point from examples."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from intents import labels
from intents.dataset import Example
from intents.decision import Targets, choose_thresholds
from intents.engine import IntentEngine, featurize
from intents.entities import DEFAULT_DIGITS
from intents.model import (
    DEFAULT_VIEWS,
    build_classifier,
    build_features,
    fit_calibration,
    oov_fractions,
    out_of_fold_scores,
)
from intents.normalize import normalize


def train_engine(
    train: list[Example],
    *,
    val: list[Example] | None = None,
    oos_label: str = labels.OUT_OF_SCOPE,
    digits: int = DEFAULT_DIGITS,
    targets: Targets | None = None,
    views: tuple[str, ...] = DEFAULT_VIEWS,
    oov_signal: bool = True,
    classifier: str = "ovr",
    meta: dict[str, Any] | None = None,
) -> IntentEngine:
    """Fit on ``train``; calibrate and choose thresholds on ``val`` (else out-of-fold scores).

    ``views`` names the TF-IDF views (``intents.model.VIEWS``); with ``oov_signal`` the
    confidence also weighs the share of unseen words (fitted with the calibration);
    ``classifier`` names the linear model (``intents.model.CLASSIFIERS``).
    """
    import sklearn

    started = time.perf_counter()
    texts = [featurize(normalize(e.text), digits=digits) for e in train]
    y = [e.intent for e in train]
    features = build_features(views)
    model = build_classifier(classifier).fit(features.fit_transform(texts), np.asarray(y))
    classes = np.asarray(model.classes_)

    if val is not None:
        val_texts = [featurize(normalize(e.text), digits=digits) for e in val]
        scores = np.asarray(model.decision_function(features.transform(val_texts)))
        oov = oov_fractions(features, val_texts)
        gold = [e.intent for e in val]
    else:
        scores, oov = out_of_fold_scores(build_features(views), texts, y, kind=classifier)
        gold = y
    order = np.argsort(-scores, axis=1)
    top_scores = scores[np.arange(len(scores)), order[:, 0]]
    second_scores = scores[np.arange(len(scores)), order[:, 1]]
    predicted = [str(c) for c in classes[order[:, 0]]]
    calibration = fit_calibration(
        top_scores,
        np.asarray(predicted) == np.asarray(gold),
        oov if oov_signal else None,
        np.asarray(gold) == oos_label,
    )
    write_labels = frozenset(labels.WRITE_INTENTS & {str(c) for c in classes})
    thresholds = choose_thresholds(
        confidences=calibration.apply(top_scores, oov),
        runner_up=calibration.apply(second_scores, oov),
        predicted=predicted,
        gold=gold,
        write_labels=write_labels,
        oos_label=oos_label,
        targets=targets,
    )
    info = {
        "sklearn_version": sklearn.__version__,
        "train_rows": len(train),
        "val_rows": len(val) if val is not None else 0,
        "threshold_source": "val" if val is not None else "5-fold out-of-fold",
        "fit_seconds": round(time.perf_counter() - started, 3),
        "digits": digits,
        "views": list(views),
        "oov_signal": oov_signal,
        "classifier": classifier,
    }
    return IntentEngine(
        features=features,
        classifier=model,
        calibration=calibration,
        thresholds=thresholds,
        oos_label=oos_label,
        write_labels=write_labels,
        meta={**info, **(meta or {})},
    )
