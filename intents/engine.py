"""The intent engine: normalise, extract entities, fast path, model, reject rule.

``IntentEngine.predict`` is what the bot calls once per free-text message; the engine is
built once per process (``load_engine`` or ``train_engine``) and is read-only after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from intents import labels
from intents.decision import Decision, Thresholds, decide
from intents.entities import (
    DEFAULT_DIGITS,
    find_incident_numbers,
    find_partial_number,
    mask_numbers,
    short_description,
)
from intents.model import Calibration
from intents.normalize import normalize
from intents.rules import fast_path

TOP_K = 5


class Candidate(NamedTuple):
    """One ranked intent and its confidence."""

    intent: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the engine made of one message (or of one request in it, see ``predict_all``).

    ``entities`` keys: ``incident_number`` (the first exact number, canonical),
    ``short_description`` (create), ``comment_text`` (comment: the words to write;
    reopen: the reason), ``other_record`` (the first number of another ServiceNow table,
    ``RITM…``, ``CHG…``). ``numbers`` holds every exact incident number, in order.
    """

    text: str
    intent: str
    decision: Decision
    confidence: float
    candidates: list[Candidate]
    entities: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    numbers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``python -m intents predict``."""
        return {
            "text": self.text,
            "intent": self.intent,
            "decision": self.decision,
            "confidence": round(self.confidence, 4),
            "candidates": [
                {"intent": c.intent, "confidence": round(c.confidence, 4)} for c in self.candidates
            ],
            "entities": dict(self.entities),
            "hints": dict(self.hints),
        }


def featurize(normalised: str, *, digits: int) -> str:
    """The string the vectoriser sees: lower case, incident numbers as a placeholder."""
    return mask_numbers(normalised, digits=digits).lower()


class IntentEngine:
    """A fitted classifier with its operating point; predict is pure and fast."""

    def __init__(
        self,
        *,
        features: Any,
        classifier: Any,
        calibration: Calibration,
        thresholds: Thresholds,
        oos_label: str = labels.OUT_OF_SCOPE,
        write_labels: frozenset[str] = labels.WRITE_INTENTS,
        use_rules: bool = True,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.features = features
        self.classifier = classifier
        self.calibration = calibration
        self.thresholds = thresholds
        self.oos_label = oos_label
        self.write_labels = write_labels
        self.use_rules = use_rules
        self.meta: dict[str, Any] = dict(meta or {})
        self.classes: list[str] = [str(c) for c in classifier.classes_]
        self._class_set = frozenset(self.classes)
        coef = np.asarray(classifier.coef_, dtype=np.float64)
        intercept = np.asarray(classifier.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # a two-class model keeps one row: score the pair symmetric
            coef = np.vstack([-coef[0], coef[0]]) / 2.0
            intercept = np.array([-intercept[0], intercept[0]]) / 2.0
        self._coef_t = np.ascontiguousarray(coef.T)
        self._intercept = intercept
        self._blocks: list[tuple[Any, dict[str, int], Any, int, bool]] = []
        self._word_block = 0  # the word view comes first (intents.model.build_features)
        offset = 0
        for _, vec in features.transformer_list:
            vocabulary = {str(k): int(v) for k, v in vec.vocabulary_.items()}
            vec.vocabulary_ = vocabulary  # one copy of the (large) vocabulary, not two
            idf = np.asarray(vec.idf_, dtype=np.float64)
            self._blocks.append((vec.build_analyzer(), vocabulary, idf, offset, vec.sublinear_tf))
            offset += len(vocabulary)

    def scores(self, texts: list[str], *, digits: int = DEFAULT_DIGITS) -> Any:
        """Raw class scores of normalised texts (rows follow ``texts``, columns ``classes``)."""
        return np.vstack([self._score_one(featurize(t, digits=digits))[0] for t in texts])

    def _score_one(self, doc: str) -> tuple[Any, float]:
        """Class scores of one featurized document, and its share of unseen words."""
        # The TF-IDF arithmetic of each fitted vectoriser (sublinear tf, idf, l2 per block)
        # done directly on one document: sklearn's transform validates and dispatches per
        # call, which costs ~1 ms; this costs tens of µs and gives the same numbers
        # (tests/intents/test_engine.py checks it against decision_function).
        total = self._intercept.copy()
        oov = 0.0
        for block, (analyzer, vocabulary, idf, offset, sublinear) in enumerate(self._blocks):
            counts: dict[int, int] = {}
            grams = analyzer(doc)
            for gram in grams:
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if block == self._word_block:
                unigrams = [g for g in grams if " " not in g]
                if unigrams:
                    oov = sum(g not in vocabulary for g in unigrams) / len(unigrams)
            if not counts:
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                tf = np.log(tf) + 1.0
            values = tf * idf[idx]
            values /= np.sqrt(values @ values)
            total += values @ self._coef_t[offset + idx]
        return total, oov

    def predict_all(
        self, text: str, *, incident_digits: int = DEFAULT_DIGITS
    ) -> list[Prediction]:
        """One prediction per request in a message, in the order they were written.

        A message that asks for different things about different incidents ("close
        INC0010002 and add a comment to INC0010003: …") is one prediction per request,
        each with only its own numbers; any other message is a one-element list.
        """
        return [self.predict(text, incident_digits=incident_digits)]

    def predict(self, text: str, *, incident_digits: int = DEFAULT_DIGITS) -> Prediction:
        """Classify one raw Slack message."""
        norm = normalize(text)
        entities: dict[str, str] = {}
        hints: dict[str, str] = {}
        numbers = find_incident_numbers(norm, digits=incident_digits)
        if numbers:
            entities["incident_number"] = numbers[0]
        else:
            partial = find_partial_number(norm, digits=incident_digits)
            if partial:
                hints["partial_incident_number"] = partial
        if not norm:
            return Prediction(
                text=norm,
                intent=self.oos_label,
                decision="reject",
                confidence=0.0,
                candidates=[],
                entities=entities,
                hints=hints,
                numbers=tuple(numbers),
            )
        ruled = fast_path(norm, digits=incident_digits) if self.use_rules else None
        if ruled is not None and ruled in self._class_set:
            return Prediction(
                text=norm,
                intent=ruled,
                decision="accept",
                confidence=1.0,
                candidates=[Candidate(ruled, 1.0)],
                entities=entities,
                hints=hints,
                numbers=tuple(numbers),
            )
        raw, oov = self._score_one(featurize(norm, digits=incident_digits))
        conf = self.calibration.apply(raw, oov)
        order = np.argsort(-raw)[:TOP_K]
        candidates = [Candidate(self.classes[i], float(conf[i])) for i in order]
        top = candidates[0]
        c2 = candidates[1].confidence if len(candidates) > 1 else 0.0
        decision = decide(
            top=top.intent,
            c1=top.confidence,
            c2=c2,
            write=top.intent in self.write_labels,
            oos_label=self.oos_label,
            thresholds=self.thresholds,
        )
        intent = self.oos_label if decision == "reject" else top.intent
        if intent == labels.CREATE:
            summary = short_description(norm, digits=incident_digits)
            if summary:
                entities["short_description"] = summary
        return Prediction(
            text=norm,
            intent=intent,
            decision=decision,
            confidence=top.confidence,
            candidates=candidates,
            entities=entities,
            hints=hints,
            numbers=tuple(numbers),
        )
