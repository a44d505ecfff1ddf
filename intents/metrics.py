"""Evaluation of an engine on labelled examples: the figures of ``evaluate`` and the bench."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import numpy as np

from intents.dataset import Example
from intents.engine import IntentEngine, Prediction


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def evaluate_engine(
    engine: IntentEngine, examples: list[Example], *, digits: int = 7, latency_sample: int = 500
) -> dict[str, Any]:
    """Accuracy, in-scope accuracy, OOS precision/recall, macro and per-intent F1, latency.

    ``accuracy`` and F1 score ``Prediction.intent`` (the out-of-scope label when rejected;
    the top intent when the bot clarifies). Write intents get two precisions:

    - ``write_precision``: among messages the bot **acts on** for that write intent
      (``decision == "accept"``: it writes without asking); a clarify only asks, so it
      is not an action. This is the bar (≥ 98 % per write intent).
    - ``write_precision_predicted``: among messages whose ``Prediction.intent`` is that
      write intent, accepted or clarified (a stricter, model-only figure).

    ``write_acted_coverage`` is the share of each write intent's gold messages the bot
    acts on correctly (how often it writes without having to ask).
    """
    oos = engine.oos_label
    preds: list[Prediction] = [engine.predict(e.text, incident_digits=digits) for e in examples]
    gold = [e.intent for e in examples]
    got = [p.intent for p in preds]
    inscope = [i for i, g in enumerate(gold) if g != oos]
    outscope = [i for i, g in enumerate(gold) if g == oos]
    said_oos = [i for i, p in enumerate(got) if p == oos]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, got, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    labels = sorted(set(gold) | set(got))
    per_intent = {label: round(_f1(tp[label], fp[label], fn[label]), 4) for label in labels}
    write_labels = sorted(engine.write_labels)
    predicted_precision = {
        label: round(tp[label] / (tp[label] + fp[label]), 4) if tp[label] + fp[label] else None
        for label in write_labels
    }
    acted_precision: dict[str, float | None] = {}
    acted_coverage: dict[str, float | None] = {}
    for label in write_labels:
        acted = [i for i, p in enumerate(preds) if p.intent == label and p.decision == "accept"]
        right = sum(1 for i in acted if gold[i] == label)
        acted_precision[label] = round(right / len(acted), 4) if acted else None
        wanted = sum(1 for g in gold if g == label)
        acted_coverage[label] = round(right / wanted, 4) if wanted else None

    sample = [e.text for e in examples[:latency_sample]]
    timings: list[float] = []
    for text in sample:
        start = time.perf_counter_ns()
        engine.predict(text, incident_digits=digits)
        timings.append((time.perf_counter_ns() - start) / 1000.0)
    n = len(examples)
    return {
        "n": n,
        "accuracy": round(sum(g == p for g, p in zip(gold, got, strict=True)) / n, 4),
        "in_scope_accuracy": round(sum(got[i] == gold[i] for i in inscope) / len(inscope), 4)
        if inscope
        else None,
        "oos_recall": round(sum(got[i] == oos for i in outscope) / len(outscope), 4)
        if outscope
        else None,
        "oos_precision": round(sum(gold[i] == oos for i in said_oos) / len(said_oos), 4)
        if said_oos
        else None,
        "macro_f1": round(float(np.mean([per_intent[label] for label in set(gold)])), 4),
        "per_intent_f1": per_intent,
        "write_precision": acted_precision,
        "write_precision_predicted": predicted_precision,
        "write_acted_coverage": acted_coverage,
        "decisions": dict(Counter(p.decision for p in preds)),
        "p50_us": round(float(np.percentile(timings, 50)), 1) if timings else None,
        "p99_us": round(float(np.percentile(timings, 99)), 1) if timings else None,
    }
