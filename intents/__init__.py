"""The intent engine: routes every free-text Slack message to a handler.

    from intents import load_engine
    engine = load_engine()
    p = engine.predict("hey can u check inc 0012345 pls", incident_digits=7)
    p.intent, p.decision, p.confidence, p.candidates, p.entities, p.hints, p.text

Imports nothing from ``bot``; importing it loads no model and no scikit-learn.
"""

from __future__ import annotations

from intents.decision import Thresholds
from intents.engine import Candidate, IntentEngine, Prediction
from intents.errors import IntentDataError, IntentError, IntentModelError
from intents.labels import LABELS, OUT_OF_SCOPE, WRITE_INTENTS
from intents.persist import load_engine, read_engine, save_engine

__all__ = [
    "LABELS",
    "OUT_OF_SCOPE",
    "WRITE_INTENTS",
    "Candidate",
    "IntentDataError",
    "IntentEngine",
    "IntentError",
    "IntentModelError",
    "Prediction",
    "Thresholds",
    "load_engine",
    "read_engine",
    "save_engine",
]
