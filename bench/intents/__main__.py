"""``python -m bench.intents``: CLINC150 Full the paper's way, and the bot's held-out file.

CLINC150: train on ``train`` + ``oos_train``, choose the operating point on ``val`` +
``oos_val`` (the floor with the best validation in-scope accuracy whose validation OOS
recall reaches 75 %: CLINC's validation OOS queries are easier than its test ones, so
the target sits above the 65 % wanted on test), report in-scope accuracy (150-way,
``oos`` counts as wrong) and OOS recall on ``test`` + ``oos_test``, beside Table 2 of
Larson et al. 2019. Then the bot's
own shipped model on ``intents/data/heldout.jsonl``, its load time and the resident
memory it adds, and on ``intents/data/must_not_write.jsonl``: how many of those messages,
none of which asks for a write, the bot would act on as one (``accept`` with an acting
intent: create, comment, close, reopen, disconnect; the bar is 0). Latency: one
``predict`` per single message, on this process's core; and the slowest of a few
adversarial 40,000-character messages (``predict`` and ``predict_all``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any, Final, NamedTuple

from intents.dataset import Example, bundled_path, read_examples
from intents.decision import Targets
from intents.metrics import evaluate_engine
from intents.training import train_engine

CLINC = Path("/work/shared/data/clinc150/data_full.json")
MUST_NOT_WRITE = "must_not_write.jsonl"
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


class Setup(NamedTuple):
    """One CLINC150 configuration: views, unseen-word signal, classifier, floor rule."""

    name: str
    views: tuple[str, ...]
    oov_signal: bool = True
    classifier: str = "crammer_singer"
    oos_recall: float | None = 0.75  # None: best OOS recall within 1 in-scope point


_VIEWS3: Final = ("word", "char_wb", "char")
#: The CLINC150 configuration and its ablations.
CLINC_MAIN: Final = Setup("3 views + unseen share, C-S, val OOS>=75%", _VIEWS3)
CLINC_ABLATION: Final = (
    Setup("  one-vs-rest instead of Crammer-Singer", _VIEWS3, classifier="ovr"),
    Setup("  floor rule: 1-point in-scope budget", _VIEWS3, oos_recall=None),
    Setup("  both (the previous configuration)", _VIEWS3, classifier="ovr", oos_recall=None),
    Setup("  no unseen-word share", _VIEWS3, oov_signal=False),
    Setup("  word + char_wb only (bot's views)", ("word", "char_wb")),
)


def clinc(path: Path, setup: Setup, *, latency_sample: int = 2000) -> dict[str, Any]:
    """Train, choose the operating point and score CLINC150 Full."""
    data = json.loads(path.read_text(encoding="utf-8"))
    wall, cpu = time.perf_counter(), time.process_time()
    engine = train_engine(
        _rows(data["train"] + data["oos_train"]),
        val=_rows(data["val"] + data["oos_val"]),
        oos_label="oos",
        views=setup.views,
        oov_signal=setup.oov_signal,
        classifier=setup.classifier,
        targets=Targets(oos_recall=setup.oos_recall),
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    report = evaluate_engine(
        engine, _rows(data["test"] + data["oos_test"]), latency_sample=latency_sample
    )
    report["train_seconds"] = round(wall, 1)
    report["train_cpu_seconds"] = round(cpu, 1)
    report["thresholds"] = {
        k: round(v, 4) for k, v in engine.thresholds.as_dict().items() if isinstance(v, float)
    }
    report["calibration"] = engine.calibration
    return report


def heldout() -> dict[str, Any]:
    """The shipped model on the held-out and must-not-write files, with load time, RSS
    delta and the slowest adversarial message."""
    before = _rss_kib()
    started = time.perf_counter()
    from intents import load_engine

    engine = load_engine()
    load_seconds = time.perf_counter() - started
    after = _rss_kib()
    report = evaluate_engine(engine, read_examples(bundled_path("heldout.jsonl")))
    report["load_seconds"] = round(load_seconds, 3)
    report["rss_delta_mib"] = round((after - before) / 1024, 1)
    report["must_not_write"] = must_not_write(engine)
    report["adversarial"] = adversarial(engine)
    return report


def must_not_write(engine: Any) -> dict[str, Any]:
    """How many must-not-write messages the engine would act on as a write, and which."""
    from intents.labels import ACTING_INTENTS

    examples = read_examples(bundled_path(MUST_NOT_WRITE))
    acted: list[tuple[str, str]] = []
    right = 0
    for example in examples:
        for p in engine.predict_all(example.text):
            if p.decision == "accept" and p.intent in ACTING_INTENTS:
                acted.append((p.intent, example.text))
        right += engine.predict(example.text).intent == example.intent
    return {"n": len(examples), "acted": acted, "accuracy": right / len(examples)}


#: Shapes that made end-anchored patterns backtrack (issue 13): long runs of separators.
ADVERSARIAL: Final[dict[str, str]] = {
    "blanks": "close INC0010001" + " " * 40_000 + "x",
    "commas": "add to INC0010001:" + "," * 40_000 + "x",
    "separator mix": ", .!-;?" * 5_715,
    "polite tail": "my laptop is broken" + ", please" * 5_000,
    "numbers and clauses": "close INC0010001 and look at INC0010002, " * 975,
    "open markup": "<@U1|" * 8_000,
}


def adversarial(engine: Any) -> tuple[str, float]:
    """The slowest adversarial message (name, milliseconds) over predict and predict_all."""
    worst = ("", 0.0)
    for name, text in ADVERSARIAL.items():
        for call in (engine.predict, engine.predict_all):
            started = time.perf_counter()
            call(text)
            elapsed = (time.perf_counter() - started) * 1000
            if elapsed > worst[1]:
                worst = (f"{name} ({len(text):,} characters, {call.__name__})", elapsed)
    return worst


def _pct(value: object) -> str:
    return f"{100 * float(value):5.1f}" if isinstance(value, float) else "    -"


def _print_heldout() -> None:
    own = heldout()
    print("== bot held-out file (intents/data/heldout.jsonl), shipped model")
    print(
        f"n={own['n']}  accuracy {_pct(own['accuracy'])}  in-scope acc "
        f"{_pct(own['in_scope_accuracy'])}  OOS recall {_pct(own['oos_recall'])}  "
        f"macro F1 {_pct(own['macro_f1'])}"
    )
    acted = [p for p in own["write_precision"].values() if p is not None]
    print(
        f"acted-on write precision (accept with a write intent; bar 98 % each): "
        f"lowest {_pct(min(acted)) if acted else '    -'}  {own['write_precision']}"
    )
    print(f"write precision, top intent (accept or clarify):  {own['write_precision_predicted']}")
    print(f"write messages acted on correctly (coverage):     {own['write_acted_coverage']}")
    print(f"decisions {own['decisions']}  p50 {own['p50_us']} µs  p99 {own['p99_us']} µs")
    print(f"model load {own['load_seconds']} s, RSS delta {own['rss_delta_mib']} MiB")
    mnw = own["must_not_write"]
    print(
        f"\n== must-not-write file (intents/data/{MUST_NOT_WRITE}), n={mnw['n']}, "
        f"accuracy {_pct(mnw['accuracy'])}"
    )
    print(f"acted on as a write (accept with an acting intent; must be 0): {len(mnw['acted'])}")
    for intent, text in mnw["acted"]:
        print(f"  {intent}: {text}")
    name, millis = own["adversarial"]
    print(f"slowest adversarial message: {millis:.1f} ms, {name}")


def _row(name: str, report: dict[str, Any]) -> str:
    return (
        f"{name:52s} {_pct(report['in_scope_accuracy']):>12s} {_pct(report['oos_recall']):>10s}"
        f" {report['train_seconds']:>8.1f} {report['train_cpu_seconds']:>8.1f}"
    )


def _print_clinc(*, ablation: bool) -> None:
    main = clinc(CLINC, CLINC_MAIN)
    print("\n== CLINC150 Full (train+oos_train / op. point on val+oos_val / test+oos_test)")
    head = f"{'in-scope acc':>12s} {'OOS recall':>10s} {'fit s':>8s} {'cpu s':>8s}"
    print(f"{'classifier':52s} {head}")
    for paper_name, scheme, acc, rec in PAPER:
        print(f"{'paper ' + paper_name + ' ' + scheme:52s} {acc:12.1f} {rec:10.1f}")
    print(_row(f"snowbot {CLINC_MAIN.name}", main))
    print(
        f"macro F1 {_pct(main['macro_f1'])}  p50 {main['p50_us']} µs  p99 {main['p99_us']} µs  "
        f"calibration {main['calibration']}"
    )
    print(f"thresholds {main['thresholds']}")
    if ablation:
        print("\n-- ablation (same protocol; each row its own operating point on val)")
        for setup in CLINC_ABLATION:
            print(_row(setup.name, clinc(CLINC, setup, latency_sample=0)), flush=True)


def main() -> int:
    """Print the tables: ``--skip-clinc``, ``--skip-heldout``, ``--ablation``."""
    import scipy.sparse
    import sklearn.feature_extraction.text
    import sklearn.svm
    import skops.io  # libraries imported first: the RSS delta is the model's own

    del scipy, sklearn, skops
    if "--skip-heldout" not in sys.argv:
        _print_heldout()
    if "--skip-clinc" not in sys.argv:
        _print_clinc(ablation="--ablation" in sys.argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
