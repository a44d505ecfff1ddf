"""``python -m bench.intents``: CLINC150 Full the paper's way, and the bot's held-out file.

CLINC150: train on ``train`` + ``oos_train``, choose the operating point on ``val`` +
``oos_val`` (the floor with the best OOS recall whose in-scope accuracy stays within one
point of no floor), report in-scope accuracy (150-way, ``oos`` counts as wrong) and OOS
recall on ``test`` + ``oos_test``, beside Table 2 of Larson et al. 2019. Then the bot's
own shipped model on ``intents/data/heldout.jsonl``, its load time and the resident
memory it adds. Latency: one ``predict`` per single message, on this process's core.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from intents.dataset import Example, bundled_path, read_examples
from intents.metrics import evaluate_engine
from intents.training import train_engine

CLINC = Path("/work/shared/data/clinc150/data_full.json")
PAPER = [  # Table 2, Full: (classifier, scheme, in-scope acc, OOS recall)
    ("SVM", "oos-train", 91.0, 14.5),
    ("MLP (USE)", "oos-train", 93.5, 47.4),
    ("Rasa", "oos-train", 91.5, 45.3),
    ("BERT", "oos-train", 96.9, 40.3),
    ("SVM", "oos-threshold", 88.2, 18.0),
    ("MLP (USE)", "oos-threshold", 93.4, 49.1),
    ("BERT", "oos-threshold", 96.2, 52.3),
]


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _rows(split: list[list[str]]) -> list[Example]:
    return [Example(text=t, intent=label) for t, label in split]


def clinc(path: Path) -> dict[str, object]:
    """Train, choose the operating point and score CLINC150 Full."""
    data = json.loads(path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    engine = train_engine(
        _rows(data["train"] + data["oos_train"]),
        val=_rows(data["val"] + data["oos_val"]),
        oos_label="oos",
    )
    seconds = time.perf_counter() - started
    report = evaluate_engine(engine, _rows(data["test"] + data["oos_test"]), latency_sample=2000)
    report["train_seconds"] = round(seconds, 1)
    return report


def heldout() -> dict[str, object]:
    """The shipped model on the held-out file, with load time and RSS delta."""
    before = _rss_kib()
    started = time.perf_counter()
    from intents import load_engine

    engine = load_engine()
    load_seconds = time.perf_counter() - started
    after = _rss_kib()
    report = evaluate_engine(engine, read_examples(bundled_path("heldout.jsonl")))
    report["load_seconds"] = round(load_seconds, 3)
    report["rss_delta_mib"] = round((after - before) / 1024, 1)
    return report


def _pct(value: object) -> str:
    return f"{100 * float(value):5.1f}" if isinstance(value, float) else "    -"


def main() -> int:
    """Print the tables."""
    import scipy.sparse
    import sklearn.feature_extraction.text
    import sklearn.svm
    import skops.io  # libraries imported first: the RSS delta is the model's own

    del scipy, sklearn, skops
    own = heldout()
    print("== bot held-out file (intents/data/heldout.jsonl), shipped model")
    print(
        f"n={own['n']}  accuracy {_pct(own['accuracy'])}  in-scope acc "
        f"{_pct(own['in_scope_accuracy'])}  OOS recall {_pct(own['oos_recall'])}  "
        f"macro F1 {_pct(own['macro_f1'])}"
    )
    print(f"write precision (intent acted on): {own['write_precision']}")
    print(f"write precision (accepted only):   {own['write_precision_accepted']}")
    print(f"decisions {own['decisions']}  p50 {own['p50_us']} µs  p99 {own['p99_us']} µs")
    print(f"model load {own['load_seconds']} s, RSS delta {own['rss_delta_mib']} MiB")
    if "--skip-clinc" in sys.argv:
        return 0
    report = clinc(CLINC)
    print("\n== CLINC150 Full (train+oos_train / op. point on val+oos_val / test+oos_test)")
    print(f"{'classifier':34s} {'in-scope acc':>12s} {'OOS recall':>10s}")
    for name, scheme, acc, rec in PAPER:
        print(f"{'paper ' + name + ' ' + scheme:34s} {acc:12.1f} {rec:10.1f}")
    print(
        f"{'snowbot TF-IDF+LinearSVC+floor':34s} {_pct(report['in_scope_accuracy']):>12s} "
        f"{_pct(report['oos_recall']):>10s}"
    )
    print(
        f"macro F1 {_pct(report['macro_f1'])}  p50 {report['p50_us']} µs  "
        f"p99 {report['p99_us']} µs  training {report['train_seconds']} s  "
        f"thresholds {report['thresholds'] if 'thresholds' in report else ''}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
