"""The intent engine: normalise, extract entities, fast path, model, reject rule, guard.

``IntentEngine.predict`` is what the bot calls once per free-text message (``predict_all``
when the message may hold several requests); the engine is built once per process
(``load_engine`` or ``train_engine``) and is read-only after.

The engine reads at most the first ``MAX_CHARS`` characters of a message: enough for any
request, and a bound on the work a message can cause (every pattern is linear, so a
40,000-character message costs what a 4,000-character one does). The rest of the message
is not lost: a comment that runs to the end of what was read runs to the end of the message
in ``entities["comment_text"]``, and the bot sends the whole text to ServiceNow.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from intents import labels
from intents.decision import Decision, Thresholds, decide
from intents.entities import (
    DEFAULT_DIGITS,
    find_other_record,
    find_partial_number,
    incident_number_pattern,
    mask_numbers,
    short_description,
)
from intents.guard import Verdict, judge
from intents.hints import describe
from intents.labels import ACTING_INTENTS
from intents.model import Calibration
from intents.negation import mark
from intents.normalize import Normalized, normalized
from intents.rules import fast_path
from intents.slots import Refusal, Slots
from intents.split import request_spans

TOP_K = 5
#: The engine reads this many characters of a message at most (see the module docstring).
MAX_CHARS = 4000
_TRAILING = " \t,;:-.!?"  # what may follow the words of a comment at the end of a message
_NO_VERDICT = Verdict()  # nothing acting is in sight: the guard has nothing to block


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
    ``intents.hints`` adds the list filters (``list_state``, ``list_period``, ``list_scope``,
    ``list_count``), ``reference`` and ``reference_period`` (an incident named in words) and
    ``goods`` to ``entities``, and ``context_reference``, ``field`` and ``topic`` to ``hints``
    (``partial_incident_number`` is there too); an absent key means "not said".
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


class _WordGrams:
    """A ``char_wb`` view's n-gram counts, from each word's vocabulary indices, cached.

    ``char_wb`` n-grams never cross a word boundary, so a document's n-grams are its
    words' n-grams put together (scikit-learn's own ``_char_wb_ngrams``, word by word).
    Words repeat from message to message, so each word's indices are worked out once
    (the training data's words when the engine is built, others when first seen; up to
    ``WORDS`` words, then the memo starts again) and counted at C speed.
    """

    WORDS = 20_000

    def __init__(self, vec: Any, vocabulary: dict[str, int]) -> None:
        self._preprocess = vec.build_preprocessor()
        self._ngrams = vec._char_wb_ngrams
        self._vocabulary = vocabulary
        self._memo: dict[str, tuple[int, ...]] = {}

    @classmethod
    def of(cls, vec: Any, vocabulary: dict[str, int]) -> _WordGrams | None:
        """The word-by-word counter for a plain ``char_wb`` vectoriser, else None."""
        plain = vec.analyzer == "char_wb" and vec.preprocessor is None and (
            vec.strip_accents is None
        )
        return cls(vec, vocabulary) if plain else None

    def learn(self, words: list[str]) -> None:
        """Work out the indices of ``words`` now (the training data's, at load)."""
        for word in words[: self.WORDS // 2]:
            self._indices(word)

    def _indices(self, word: str) -> tuple[int, ...]:
        found = self._memo.get(word)
        if found is None:
            get = self._vocabulary.get
            found = tuple(i for i in map(get, self._ngrams(word)) if i is not None)
            if len(self._memo) >= self.WORDS:
                self._memo.clear()
            self._memo[word] = found
        return found

    def counts(self, doc: str) -> Counter[int]:
        """How often each vocabulary index occurs among ``doc``'s n-grams."""
        counts: Counter[int] = Counter()
        for word in self._preprocess(doc).split():
            counts.update(self._indices(word))
        return counts


def features_of(normalised: str, *, digits: int) -> tuple[str, str, list[list[str]]]:
    """Masked lower-case text, the same with negation scopes marked, and the scopes."""
    masked = mask_numbers(normalised, digits=digits).lower()
    marked, scopes = mark(masked)
    return masked, marked, scopes


def featurize(normalised: str, *, digits: int) -> str:
    """The string the vectoriser sees: lower case, incident and other record numbers as
    placeholders, words in a negation's scope marked (``intents.negation``)."""
    return features_of(normalised, digits=digits)[1]


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
        self._classes_act = [c in ACTING_INTENTS for c in self.classes]
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
            grams = _WordGrams.of(vec, vocabulary) or vec.build_analyzer()
            self._blocks.append((grams, vocabulary, idf, offset, vec.sublinear_tf))
            offset += len(vocabulary)
        known = [w for w in self._blocks[self._word_block][1] if " " not in w]
        for grams, *_ in self._blocks:
            if isinstance(grams, _WordGrams):
                grams.learn(known)  # the words of the training data: ~3,500, ~50 ms

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
            if isinstance(analyzer, _WordGrams):
                counts = analyzer.counts(doc)
            else:
                counts = Counter()
                grams = analyzer(doc)
                for gram in grams:
                    index = vocabulary.get(gram)
                    if index is not None:
                        counts[index] += 1
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
        each with only its own numbers; any other message is a one-element list
        (``intents.split`` says where a message may be cut, and why it rarely is).
        """
        source = normalized(text[:MAX_CHARS])
        whole = (0, len(source.text))
        spans = request_spans(source.text, digits=incident_digits)
        if len(spans) == 1:
            return [self._predict(source, whole, full=text, digits=incident_digits)]
        parts = [self._predict(source, s, full=text, digits=incident_digits) for s in spans]
        # Neighbouring parts that ask the same thing are one request: (first, last) part.
        groups: list[tuple[int, int]] = []
        for index, part in enumerate(parts):
            if groups and parts[groups[-1][1]].intent == part.intent:
                groups[-1] = (groups[-1][0], index)
            else:
                groups.append((index, index))
        if len(groups) == 1:
            return [self._predict(source, whole, full=text, digits=incident_digits)]
        return [
            parts[first]
            if first == last
            else self._predict(
                source, (spans[first][0], spans[last][1]), full=text, digits=incident_digits
            )
            for first, last in groups
        ]

    def predict(self, text: str, *, incident_digits: int = DEFAULT_DIGITS) -> Prediction:
        """Classify one raw Slack message (its first ``MAX_CHARS`` characters)."""
        source = normalized(text[:MAX_CHARS])
        return self._predict(
            source, (0, len(source.text)), full=text, digits=incident_digits
        )

    def _predict(
        self, source: Normalized, span: tuple[int, int], *, full: str, digits: int
    ) -> Prediction:
        """Classify the part ``span`` of a normalised message."""
        piece = source.text[span[0] : span[1]]
        norm = piece.strip()
        offset = span[0] + len(piece) - len(piece.lstrip())  # where ``norm`` starts in source
        entities: dict[str, str] = {}
        hints: dict[str, str] = {}
        found = list(incident_number_pattern(digits).finditer(norm))
        numbers = tuple(dict.fromkeys(f"INC{m.group(1)}" for m in found))
        if numbers:
            entities["incident_number"] = numbers[0]
        else:
            partial = find_partial_number(norm, digits=digits)
            if partial:
                hints["partial_incident_number"] = partial
        other = find_other_record(norm, digits=digits)
        if other:
            entities["other_record"] = other

        slots = Slots(norm, [m.span() for m in found])

        def comment_text(intent: str) -> str | None:
            where = slots.comment(intent)
            return _user_words(source, where, offset=offset, full=full) if where else None

        def made(intent: str, decision: Decision, confidence: float,
                 candidates: list[Candidate]) -> Prediction:
            if intent in (labels.COMMENT, labels.REOPEN):
                words = comment_text(intent)
                if words:
                    entities["comment_text"] = words
            elif intent == labels.CREATE:
                summary = short_description(norm, digits=digits)
                if summary:
                    entities["short_description"] = summary
            describe(
                intent, norm, numbered=bool(numbers) or "partial_incident_number" in hints,
                other_record=bool(other), entities=entities, hints=hints,
            )
            return Prediction(
                text=norm,
                intent=intent,
                decision=decision,
                confidence=confidence,
                candidates=candidates,
                entities=entities,
                hints=hints,
                numbers=numbers,
            )

        if not norm:
            return made(self.oos_label, "reject", 0.0, [])
        command = fast_path(norm, digits=digits) if self.use_rules else None
        if command is not None and command in self._class_set:
            return made(command, "accept", 1.0, [Candidate(command, 1.0)])
        masked, marked, scopes = features_of(norm, digits=digits)
        raw, oov = self._score_one(marked)
        conf = self.calibration.apply(raw, oov)
        order = np.argsort(-raw)
        top = self.classes[order[0]]
        if other and not numbers and top in _RECORD_INTENTS:
            # Rules 4 and 7: a request about another record's number, and no incident, is
            # never ours to act on; a fault report that only mentions one still is.
            return made(self.oos_label, "reject", float(conf[order[0]]), self._ranked(conf, order))
        verdict = (
            judge(masked=masked, scopes=scopes, unseen=oov > 0.0)
            if self._classes_act[order[0]] or self._classes_act[order[1]]
            or (scopes and found and top in (labels.LOOKUP, labels.COMMENT))
            else _NO_VERDICT
        )
        ruled = decided_by_rules(top, verdict, slots=slots, negated=bool(scopes))
        if ruled is None and top in verdict.blocked:
            ruled = self._best_unblocked(conf, order, verdict.blocked)
        if ruled is not None:
            intent, decision = ruled
            ranked = self._ranked(conf, order, blocked=verdict.blocked - {intent}, first=intent)
            return made(intent, decision, ranked[0].confidence, ranked)
        ranked = self._ranked(conf, order, blocked=verdict.blocked)
        c2 = ranked[1].confidence if len(ranked) > 1 else 0.0
        decision = decide(
            top=top,
            c1=ranked[0].confidence,
            c2=c2,
            write=top in self.write_labels,
            oos_label=self.oos_label,
            thresholds=self.thresholds,
        )
        intent = self.oos_label if decision == "reject" else top
        return made(intent, decision, ranked[0].confidence, ranked)

    def _ranked(
        self, conf: Any, order: Any, *, blocked: frozenset[str] = frozenset(),
        first: str | None = None,
    ) -> list[Candidate]:
        """The top candidates, without blocked intents, ``first`` (if given) first."""
        out = [Candidate(first, float(conf[self.classes.index(first)]))] if first else []
        for i in order[: TOP_K + len(blocked) + 1]:
            name = self.classes[i]
            if name not in blocked and name != first:
                out.append(Candidate(name, float(conf[i])))
                if len(out) == TOP_K:
                    break
        return out

    def _best_unblocked(
        self, conf: Any, order: Any, blocked: frozenset[str]
    ) -> tuple[str, Decision]:
        """The model's best intent that is not blocked; never accepted if it acts."""
        ranked = [self.classes[i] for i in order if self.classes[i] not in blocked]
        best = ranked[0]
        c1 = float(conf[self.classes.index(best)])
        c2 = float(conf[self.classes.index(ranked[1])]) if len(ranked) > 1 else 0.0
        decision = decide(
            top=best, c1=c1, c2=c2, write=best in self.write_labels,
            oos_label=self.oos_label, thresholds=self.thresholds,
        )
        if best in ACTING_INTENTS and decision == "accept":
            decision = "clarify"
        return (self.oos_label if decision == "reject" else best), decision


#: Writes to one incident: refusing one without a number still points at an incident.
_INCIDENT_WRITES: frozenset[str] = frozenset({labels.CLOSE, labels.COMMENT, labels.REOPEN})


def decided_by_rules(
    top: str, verdict: Verdict, *, slots: Slots, negated: bool
) -> tuple[str, Decision] | None:
    """The refusal and question rules for a message about an incident, whatever the model ranked.

    A refusal ("don't close INC…") is a comment when it says more ("…, it's still broken")
    and a lookup when it does not (rule 5); a question about a write is a lookup (rule 6),
    with or without a number; a blocked top intent with nothing more said is a lookup, and
    with more said a comment the bot asks about first. None: nothing here decides (the model
    does, with blocked intents taken out).
    """
    if not slots.numbers:
        # Rule 6 holds without a number too ("did you close my ticket?" is about the latest).
        if verdict.question and top in verdict.blocked:
            return labels.LOOKUP, "accept"
        # Rule 5 too, for an incident named by a pointer or words ("do not close it"):
        # a lookup of it, as "don't close INC…" is (never a refusal read as chit-chat).
        refused = slots.refusal() if negated and not verdict.question else None
        if refused is not None and refused.refused & _INCIDENT_WRITES:
            intent, decision = _answer_to(refused, slots)
            # Without a number, what is left is offered as a comment, never taken as one.
            return intent, ("clarify" if intent == labels.COMMENT else decision)
        return None
    if negated and not verdict.question and (
        top in (labels.LOOKUP, labels.COMMENT) or top in verdict.blocked
    ):
        refused = slots.refusal()
        if refused is not None:
            return _answer_to(refused, slots)
    if top not in verdict.blocked:
        return None
    if verdict.question or labels.COMMENT in verdict.blocked:
        return labels.LOOKUP, "accept"
    if slots.comment(labels.COMMENT) is not None:
        return labels.COMMENT, "clarify"
    return labels.LOOKUP, "accept"


def _answer_to(refused: Refusal, slots: Slots) -> tuple[str, Decision]:
    """A refusal is a comment of what is left when that says something, else a lookup."""
    says_more = (
        refused.left is not None
        and labels.COMMENT not in refused.refused
        and slots.comment(labels.COMMENT) is not None
    )
    return (labels.COMMENT, "accept") if says_more else (labels.LOOKUP, "accept")


#: Intents about one record: aimed at another table's number, they are out of scope.
_RECORD_INTENTS: frozenset[str] = frozenset(
    {labels.LOOKUP, labels.COMMENT, labels.CLOSE, labels.REOPEN}
)


def comment_text(
    text: str, *, intent: str, incident_digits: int = DEFAULT_DIGITS
) -> str | None:
    """The words ``text`` asks to write when read as ``intent`` (a comment or a reopen).

    ``predict`` fills ``entities["comment_text"]`` when it chose one of those intents
    itself; this is for a choice the user made (a clarify button) on the same message.
    The user's own characters come back, Slack markup kept.
    """
    source = normalized(text[:MAX_CHARS])
    norm = source.text.strip()
    offset = len(source.text) - len(source.text.lstrip())
    found = [m.span() for m in incident_number_pattern(incident_digits).finditer(norm)]
    where = Slots(norm, found).comment(intent)
    return _user_words(source, where, offset=offset, full=text) if where else None


def _user_words(
    source: Normalized, span: tuple[int, int], *, offset: int, full: str
) -> str | None:
    """The user's own characters for a span of the normalised text (markup kept).

    A span that runs to the end of what the engine read runs to the end of the message.
    """
    start, end = source.raw_words(offset + span[0], offset + span[1])
    cut_short = len(full) > len(source.raw)
    if cut_short and not source.text[offset + span[1] :].strip(_TRAILING):
        end = len(full)
    words = full[start:end].strip()
    return words or None
