"""python -m intents train | predict | evaluate, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROWS = {
    "greeting": ["hi", "hello", "hey there", "good morning", "thanks", "bye now"],
    "lookup": ["status of INC0012345", "check INC0044120", "any update on INC0031001",
               "where is INC0020017 at", "who has INC0051122", "INC0033100 eta?"],
    "oos": ["what's the weather", "tell me a joke", "book a taxi", "order lunch",
            "what time is it", "sing a song"],
}


def _write(path: Path, rows: dict[str, list[str]]) -> Path:
    path.write_text("".join(json.dumps({"text": t, "intent": k}) + "\n"
                            for k, ts in rows.items() for t in ts))
    return path


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # Our own interpreter and module with fixed arguments: no untrusted input.
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "intents", *args],
        input=stdin, capture_output=True, text=True, check=False, timeout=60,
    )


def test_train_then_predict_writes_one_line_per_input(tmp_path: Path) -> None:
    """A model trained on a small file predicts JSON Lines with every contract field."""
    data = _write(tmp_path / "d.jsonl", ROWS)
    model = tmp_path / "m.skops"
    trained = _run("train", "--data", str(data), "--oos-label", "oos", "--out", str(model))
    assert trained.returncode == 0
    stdin = '{"text": "status of inc-0099999"}\n{"text": "hi"}\n'
    out = _run("predict", "--model", str(model), stdin=stdin)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 2
    assert set(lines[0]) == {
        "text", "intent", "decision", "confidence", "candidates", "entities", "hints"
    }
    assert lines[0]["entities"] == {"incident_number": "INC0099999"}


def test_evaluate_prints_the_figures(tmp_path: Path) -> None:
    """evaluate with --oos-label oos prints accuracy, OOS recall, F1 and latency."""
    data = _write(tmp_path / "d.jsonl", ROWS)
    out = _run("evaluate", "--train", str(data), "--test", str(data), "--oos-label", "oos")
    report = json.loads(out.stdout)
    assert {"accuracy", "in_scope_accuracy", "oos_precision", "oos_recall", "macro_f1",
            "per_intent_f1", "p50_us", "p99_us"} <= set(report)


def test_a_missing_model_is_one_clear_line(tmp_path: Path) -> None:
    """predict with a missing model exits 2 with a sentence, not a traceback."""
    out = _run("predict", "--model", str(tmp_path / "none.skops"), stdin='{"text": "hi"}\n')
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
