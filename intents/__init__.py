"""The intent engine: routes every free-text Slack message to a handler.

    from intents import load_engine
    engine = load_engine()
    p = engine.predict("hey can u check inc 0012345 pls", incident_digits=7)
    p.intent, p.decision, p.confidence, p.candidates, p.entities, p.hints, p.text, p.numbers
    for request in engine.predict_all("close INC0010002 and add to INC0010003: it's slow"):
        ...  # one prediction per request, each with only its own numbers

``entities``: ``incident_number``, ``short_description`` (create), ``comment_text``
(comment: the words to write; reopen: the reason; the user's own characters, Slack
markup kept), ``other_record`` (``RITM…``, ``CHG…``: the message is then out of scope
unless it also names an incident); list filters, references by words and ``goods``
(``intents.hints``). ``hints``: ``partial_incident_number``, ``context_reference``,
``field``, ``topic``. The engine reads the first ``MAX_CHARS`` (4,000)
characters of a message; ``ACTING_INTENTS`` are the intents that change something.

Imports nothing from ``bot``; importing it loads no model and no scikit-learn.
"""

from __future__ import annotations

from intents.decision import Thresholds
from intents.engine import MAX_CHARS, Candidate, IntentEngine, Prediction, comment_text
from intents.errors import IntentDataError, IntentError, IntentModelError
from intents.labels import ACTING_INTENTS, LABELS, OUT_OF_SCOPE, WRITE_INTENTS
from intents.persist import load_engine, read_engine, save_engine

__all__ = [
    "ACTING_INTENTS",
    "LABELS",
    "MAX_CHARS",
    "OUT_OF_SCOPE",
    "WRITE_INTENTS",
    "Candidate",
    "IntentDataError",
    "IntentEngine",
    "IntentError",
    "IntentModelError",
    "Prediction",
    "Thresholds",
    "comment_text",
    "load_engine",
    "read_engine",
    "save_engine",
]
