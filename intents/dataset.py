"""Labelled utterances in JSON Lines (``{"text", "intent"}``) and their content hash.

Shipped files in ``intents/data/``: ``train.jsonl`` (what the bot's model is fitted
on), ``dev.jsonl`` (written from the labels' rules before any prediction was looked at;
used
to find weak borders, never trained on), ``heldout.jsonl`` (written by someone else
from those rules only; never used for tuning or for writing training data; its reopen
and rule 5–7 rows were written apart from the training rows) and ``must_not_write.jsonl``
(messages that ask for no write: refusals, reversals that are
questions, questions about writes, other records, other apps; ``python -m bench.intents``
counts how many the bot would act on as a write, which must be none).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from intents.errors import IntentDataError


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled utterance."""

    text: str
    intent: str


def bundled_path(name: str) -> Path:
    """Path of a file shipped in ``intents/data/`` (training data, model, held-out set)."""
    return Path(__file__).resolve().parent / "data" / name


def read_texts(lines: list[str]) -> list[str]:
    """The ``text`` field of each non-blank JSON line (the input of ``predict``)."""
    texts: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IntentDataError(f"line {number} is not JSON: {exc.msg}") from exc
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise IntentDataError(f'line {number} has no string "text" field')
        texts.append(row["text"])
    return texts


def read_examples(path: Path) -> list[Example]:
    """Every ``{"text", "intent"}`` row of a JSON Lines file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise IntentDataError(f"cannot read {path}: {exc.strerror}") from exc
    examples: list[Example] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IntentDataError(f"{path}:{number} is not JSON: {exc.msg}") from exc
        text, intent = (row.get("text"), row.get("intent")) if isinstance(row, dict) else (0, 0)
        if not isinstance(text, str) or not isinstance(intent, str):
            raise IntentDataError(f'{path}:{number} needs string "text" and "intent" fields')
        examples.append(Example(text=text, intent=intent))
    if not examples:
        raise IntentDataError(f"{path} holds no examples")
    return examples


def data_hash(*paths: Path) -> str:
    """sha256 over the bytes of the given files, in order (what a model was trained on)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()
