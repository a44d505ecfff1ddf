"""The reject rule: accept, clarify (ask with buttons) or reject, stricter for writes.

For the top candidate with confidence ``c1`` and runner-up ``c2``:

- the top candidate is the out-of-scope label, or ``c1 < floor_read`` → **reject**;
- a write intent with ``c1 < floor_write`` → **clarify**: the bot never writes on it
  without asking (the write floor is chosen for ≥ 98 % precision on validation);
- ``c1 ≥ accept`` and ``c1 − c2 ≥ margin`` → **accept**;
- otherwise → **clarify**: the bot asks "did you mean…" with the top candidates.

Each knob has a value for read intents and a stricter one for the write intents
(create, comment, close). All are chosen on validation data by ``choose_thresholds``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Decision = Literal["accept", "clarify", "reject"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The operating point: a floor, an accept threshold and a margin, per read/write group."""

    floor_read: float = 0.2
    floor_write: float = 0.3
    accept_read: float = 0.6
    accept_write: float = 0.8
    margin_read: float = 0.1
    margin_write: float = 0.2

    def as_dict(self) -> dict[str, float]:
        """Plain values for the model's metadata."""
        return asdict(self)


def decide(
    *, top: str, c1: float, c2: float, write: bool, oos_label: str, thresholds: Thresholds
) -> Decision:
    """Accept, clarify or reject the top candidate."""
    t = thresholds
    if top == oos_label or c1 < t.floor_read:
        return "reject"
    if write and c1 < t.floor_write:
        return "clarify"
    accept, margin = (
        (t.accept_write, t.margin_write) if write else (t.accept_read, t.margin_read)
    )
    if c1 >= accept and c1 - c2 >= margin:
        return "accept"
    return "clarify"


@dataclass(frozen=True, slots=True)
class Targets:
    """What the operating point is chosen for."""

    in_scope_budget: float = 0.01  # in-scope accuracy a floor may cost on validation
    #: When set, the floor is instead the one with the best validation in-scope accuracy
    #: whose validation OOS recall reaches this share (``in_scope_budget`` is then unused).
    oos_recall: float | None = None
    write_precision: float = 0.98  # per write intent, on what the bot acts on
    accept_precision_read: float = 0.97  # among accepted read predictions
    accept_precision_write: float = 0.99  # among accepted write predictions


def _floor_for(
    conf: NDArray[np.float64], pred: NDArray[np.str_], gold: NDArray[np.str_], oos: str,
    targets: Targets,
) -> float:
    """The read floor on validation predictions.

    Without ``targets.oos_recall``: the highest OOS recall whose in-scope accuracy stays
    within ``targets.in_scope_budget`` of no floor. With it: the best in-scope accuracy
    (lowest floor on ties) whose OOS recall reaches ``targets.oos_recall``; when no floor
    reaches it, the one with the highest recall.
    """
    inscope = gold != oos
    if not inscope.any():
        return 0.0
    base = float((pred[inscope] == gold[inscope]).mean())
    points: list[tuple[float, float, float]] = []  # (floor, in-scope accuracy, OOS recall)
    for floor in np.unique(np.round(np.quantile(conf, np.linspace(0, 0.6, 241)), 4)):
        acted = np.where(conf < floor, oos, pred)
        acc = float((acted[inscope] == gold[inscope]).mean())
        recall = float((acted[~inscope] == oos).mean()) if (~inscope).any() else 0.0
        points.append((float(floor), acc, recall))
    if targets.oos_recall is not None:
        reached = [p for p in points if p[2] >= targets.oos_recall]
        if not reached:
            return max(points, key=lambda p: (p[2], -p[0]))[0]
        return max(reached, key=lambda p: (p[1], -p[0]))[0]
    best_floor, best_recall = 0.0, -1.0
    for floor, acc, recall in points:
        if acc >= base - targets.in_scope_budget and recall > best_recall:
            best_floor, best_recall = floor, recall
    return best_floor


def choose_thresholds(
    *,
    confidences: NDArray[np.float64],
    runner_up: NDArray[np.float64],
    predicted: list[str],
    gold: list[str],
    write_labels: frozenset[str],
    oos_label: str,
    targets: Targets | None = None,
) -> Thresholds:
    """The operating point chosen on validation predictions (top confidence, runner-up)."""
    tg = targets or Targets()
    conf = np.asarray(confidences, dtype=np.float64)
    second = np.asarray(runner_up, dtype=np.float64)
    pred = np.asarray(predicted)
    truth = np.asarray(gold)
    writes = np.isin(pred, list(write_labels))

    floor_read = _floor_for(conf, pred, truth, oos_label, tg)
    floor_write = floor_read
    for label in write_labels:
        mine = pred == label
        for floor in np.unique(np.round(np.concatenate([[floor_write], conf[mine]]), 4)):
            if floor < floor_write:
                continue
            kept = mine & (conf >= floor)
            if not kept.any() or float((truth[kept] == label).mean()) >= tg.write_precision:
                floor_write = float(floor)
                break

    def accept_point(group: NDArray[np.bool_], floor: float, target: float) -> tuple[float, float]:
        best = (1.0, 1.0)
        best_cover = -1.0
        live = group & (pred != oos_label) & (conf >= floor)
        if not live.any():
            return (max(floor, 0.5), 0.1)
        for margin in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3):
            for accept in np.unique(np.round(np.quantile(conf[live], np.linspace(0, 1, 41)), 4)):
                ok = live & (conf >= accept) & (conf - second >= margin)
                if not ok.any():
                    continue
                precision = float((truth[ok] == pred[ok]).mean())
                cover = float(ok.sum()) / float(live.sum())
                if precision >= target and cover > best_cover:
                    best, best_cover = (float(max(accept, floor)), margin), cover
        return best

    accept_read, margin_read = accept_point(~writes, floor_read, tg.accept_precision_read)
    accept_write, margin_write = accept_point(writes, floor_write, tg.accept_precision_write)
    return Thresholds(
        floor_read=floor_read,
        floor_write=floor_write,
        accept_read=accept_read,
        accept_write=max(accept_write, accept_read),
        margin_read=margin_read,
        margin_write=max(margin_write, margin_read),
    )
