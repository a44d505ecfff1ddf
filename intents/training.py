"""Fitting an engine: features, classifier, calibration and operating point from examples."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from intents import labels
from intents.dataset import Example
from intents.decision import Targets, choose_thresholds
from intents.engine import IntentEngine, decided_by_rules, features_of, featurize
from intents.entities import DEFAULT_DIGITS, find_other_record, incident_number_pattern
from intents.guard import judge
from intents.labels import ACTING_INTENTS
from intents.model import (
    DEFAULT_VIEWS,
    build_classifier,
    build_features,
    fit_calibration,
    oov_fractions,
    out_of_fold_scores,
)
from intents.normalize import normalize
from intents.slots import Slots


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
    normed = [normalize(e.text) for e in train]
    texts = [featurize(n, digits=digits) for n in normed]
    y = [e.intent for e in train]
    features = build_features(views)
    model = build_classifier(classifier).fit(features.fit_transform(texts), np.asarray(y))
    classes = np.asarray(model.classes_)

    if val is not None:
        held = [normalize(e.text) for e in val]
        val_texts = [featurize(n, digits=digits) for n in held]
        scores = np.asarray(model.decision_function(features.transform(val_texts)))
        oov = oov_fractions(features, val_texts)
        gold = [e.intent for e in val]
    else:
        scores, oov = out_of_fold_scores(build_features(views), texts, y, kind=classifier)
        gold = y
        held = normed
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
    write_labels = frozenset(ACTING_INTENTS & {str(c) for c in classes})
    # The guard decides some messages whatever the thresholds (intents.guard): the
    # operating point is chosen on the rest, i.e. on what the thresholds really decide.
    free = ~_guarded(held, predicted, oov, digits=digits)
    thresholds = choose_thresholds(
        confidences=calibration.apply(top_scores[free], oov[free]),
        runner_up=calibration.apply(second_scores[free], oov[free]),
        predicted=[p for p, keep in zip(predicted, free, strict=True) if keep],
        gold=[g for g, keep in zip(gold, free, strict=True) if keep],
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
    info["guarded_rows"] = int((~free).sum())
    return IntentEngine(
        features=features,
        classifier=model,
        calibration=calibration,
        thresholds=thresholds,
        oos_label=oos_label,
        write_labels=write_labels,
        meta={**info, **(meta or {})},
    )


def _guarded(
    normalised: list[str], predicted: list[str], oov: Any, *, digits: int
) -> NDArray[np.bool_]:
    """Which held-apart predictions the engine overrules whatever the thresholds: another
    record's number and no incident (rules 4 and 7), a top intent the guard blocks, or
    one that rules 5 and 6 decide (``intents.engine.decided_by_rules``)."""
    out = np.zeros(len(normalised), dtype=bool)
    pattern = incident_number_pattern(digits)
    for row, (norm, top) in enumerate(zip(normalised, predicted, strict=True)):
        if top not in ACTING_INTENTS | {labels.LOOKUP}:
            continue
        spans = [m.span() for m in pattern.finditer(norm)]
        if not spans and find_other_record(norm, digits=digits):
            out[row] = True
            continue
        masked, _, scopes = features_of(norm, digits=digits)
        verdict = judge(masked=masked, scopes=scopes, unseen=float(oov[row]) > 0.0)
        out[row] = top in verdict.blocked or decided_by_rules(
            top, verdict, slots=Slots(norm, spans), negated=bool(scopes)
        ) is not None
    return out
