"""``python -m intents train | predict | evaluate`` (the README lists them)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from intents import labels
from intents.dataset import bundled_path, data_hash, read_examples, read_texts
from intents.entities import DEFAULT_DIGITS
from intents.errors import IntentError
from intents.persist import MODEL_FILE, TRAIN_FILE, load_engine, save_engine


def _train(args: argparse.Namespace) -> int:
    from intents.training import train_engine

    data = Path(args.data) if args.data else bundled_path(TRAIN_FILE)
    val = Path(args.val) if args.val else None
    out = Path(args.out) if args.out else bundled_path(MODEL_FILE)
    started = time.perf_counter()
    hashed = [data, val] if val else [data]
    engine = train_engine(
        read_examples(data),
        val=read_examples(val) if val else None,
        oos_label=args.oos_label,
        digits=args.digits,
        meta={"data_sha256": data_hash(data), "trained_on_sha256": data_hash(*hashed)},
    )
    save_engine(engine, out)
    print(
        json.dumps(
            {
                "model": str(out),
                "train_seconds": round(time.perf_counter() - started, 2),
                "thresholds": engine.thresholds.as_dict(),
                "classes": len(engine.classes),
            }
        )
    )
    return 0

def _predict(args: argparse.Namespace) -> int:
    engine = load_engine(Path(args.model) if args.model else None)
    for text in read_texts(sys.stdin.read().splitlines()):
        p = engine.predict(text, incident_digits=args.digits)
        sys.stdout.write(json.dumps(p.as_dict(), ensure_ascii=False) + "\n")
    return 0

def _evaluate(args: argparse.Namespace) -> int:
    from intents.metrics import evaluate_engine
    from intents.training import train_engine

    started = time.perf_counter()
    engine = train_engine(
        read_examples(Path(args.train)),
        val=read_examples(Path(args.val)) if args.val else None,
        oos_label=args.oos_label,
        digits=args.digits,
    )
    train_seconds = time.perf_counter() - started
    report = evaluate_engine(engine, read_examples(Path(args.test)), digits=args.digits)
    report["train_seconds"] = round(train_seconds, 2)
    report["thresholds"] = engine.thresholds.as_dict()
    print(json.dumps(report))
    return 0

def build_parser() -> argparse.ArgumentParser:
    """The command line: train, predict, evaluate."""
    parser = argparse.ArgumentParser(prog="python -m intents", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--digits", type=int, default=DEFAULT_DIGITS, help="incident digits")
    train = sub.add_parser("train", parents=[common], help="fit and write the model")
    train.add_argument("--data", help="JSON Lines {text,intent} (default: the bot's own)")
    train.add_argument("--val", help="JSON Lines used to choose the reject thresholds")
    train.add_argument("--oos-label", default=labels.OUT_OF_SCOPE)
    train.add_argument("--out", help="model file (default: intents/data/model.skops)")
    predict = sub.add_parser("predict", parents=[common], help="JSON Lines in, out")
    predict.add_argument("--model", help="model file (default: the bot's own)")
    evaluate = sub.add_parser("evaluate", parents=[common], help="train, then score a test file")
    evaluate.add_argument("--train", required=True)
    evaluate.add_argument("--val")
    evaluate.add_argument("--test", required=True)
    evaluate.add_argument("--oos-label", default=labels.OUT_OF_SCOPE)
    return parser

def main(argv: list[str] | None = None) -> int:
    """Run one command; errors become one clear line on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    handlers = {"train": _train, "predict": _predict, "evaluate": _evaluate}
    try:
        return handlers[args.command](args)
    except IntentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

if __name__ == "__main__":
    raise SystemExit(main())
