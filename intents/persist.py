"""Saving and loading an engine with skops: no code runs on load.

The model file is a skops archive holding a plain dict: the fitted feature union and
classifier, and the metadata (calibration, thresholds, labels, scikit-learn version,
sha256 of the training data). Loading trusts an explicit list of types only (never
``trusted=True``). The bot's own model is refused with ``IntentModelError`` when the
installed scikit-learn differs from the one that trained it or when the shipped training
data no longer hashes to what it was trained on; ``load_engine(rebuild=True)`` retrains
from the shipped data in memory instead (about a second).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from intents.dataset import bundled_path, data_hash, read_examples
from intents.decision import Thresholds
from intents.engine import IntentEngine
from intents.errors import IntentModelError
from intents.model import Calibration

MODEL_FILE: Final = "model.skops"
TRAIN_FILE: Final = "train.jsonl"

#: Every non-default type a model file may hold; anything else refuses to load.
TRUSTED_TYPES: Final[list[str]] = [
    "sklearn.pipeline.FeatureUnion",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.svm._classes.LinearSVC",
    "numpy.int64",
    "numpy.float64",
    "numpy.dtype",
    "builtins.float",
    "builtins.int",
]


def save_engine(engine: IntentEngine, path: Path) -> None:
    """Write ``engine`` to ``path`` as a skops archive."""
    import skops.io as sio

    state: dict[str, Any] = {
        "features": engine.features,
        "classifier": engine.classifier,
        "calibration": {
            "a": engine.calibration.a,
            "b": engine.calibration.b,
            "c": engine.calibration.c,
        },
        "thresholds": engine.thresholds.as_dict(),
        "oos_label": engine.oos_label,
        "write_labels": sorted(engine.write_labels),
        "use_rules": engine.use_rules,
        "meta": engine.meta,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(state, path, compression=8)


def read_engine(path: Path) -> IntentEngine:
    """Load a model file, refusing unknown types and a different scikit-learn version."""
    import sklearn
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    if not path.is_file():
        raise IntentModelError(f"no intent model at {path}; run `python -m intents train`")
    try:
        # One pass: skops refuses any type outside ``trusted`` while loading.
        state = sio.load(path, trusted=TRUSTED_TYPES)
    except UntrustedTypesFoundException as exc:
        raise IntentModelError(f"{path} holds types that are not trusted: {exc}") from exc
    except Exception as exc:
        raise IntentModelError(f"cannot read intent model {path}: {exc}") from exc
    meta = dict(state["meta"])
    if meta.get("sklearn_version") != sklearn.__version__:
        raise IntentModelError(
            f"{path} was trained with scikit-learn {meta.get('sklearn_version')}, "
            f"this is {sklearn.__version__}; run `python -m intents train`"
        )
    return IntentEngine(
        features=state["features"],
        classifier=state["classifier"],
        calibration=Calibration(**state["calibration"]),
        thresholds=Thresholds(**state["thresholds"]),
        oos_label=state["oos_label"],
        write_labels=frozenset(state["write_labels"]),
        use_rules=bool(state["use_rules"]),
        meta=meta,
    )


def train_bundled() -> IntentEngine:
    """Fit the bot's own engine on the shipped training data (thresholds out-of-fold)."""
    from intents.training import train_engine

    data = bundled_path(TRAIN_FILE)
    return train_engine(read_examples(data), meta={"data_sha256": data_hash(data)})


def load_engine(path: Path | None = None, *, rebuild: bool = False) -> IntentEngine:
    """The bot's own engine, verified against the shipped data and library version.

    With ``path`` another model file is loaded (version checked, data hash not, since its
    data may live elsewhere). With ``rebuild=True`` a missing, stale or unreadable bundled
    model is retrained in memory instead of refused.
    """
    if path is not None:
        return read_engine(path)
    try:
        engine = read_engine(bundled_path(MODEL_FILE))
        expected = data_hash(bundled_path(TRAIN_FILE))
        if engine.meta.get("data_sha256") != expected:
            raise IntentModelError(
                "the bundled intent model was trained on other data than intents/data/"
                f"{TRAIN_FILE}; run `python -m intents train`"
            )
    except IntentModelError:
        if not rebuild:
            raise
        return train_bundled()
    return engine
