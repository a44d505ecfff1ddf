"""The reject rule: accept, clarify (ask with buttons) or reject, stricter for writes.

For the top candidate with confidence ``c1`` and runner-up ``c2``:

- the top candidate is the out-of-scope label, or ``c1 < floor_read`` → **reject**;
- a write intent with ``c1`` under its own write floor → **clarify**: the bot never writes
  on it without asking (each write intent's floor is chosen for ≥ 98 % precision on
  validation; ``floor_write`` is the highest of them, and the floor of any write intent
  that has none of its own);
- ``c1 ≥ accept`` (for a write, also ``≥`` its floor) and ``c1 − c2 ≥ margin`` → **accept**;
- otherwise → **clarify**: the bot asks "did you mean…" with the top candidates.

Each knob has a value for read intents and one for the write intents (create, comment,
close, reopen, and disconnect), chosen on validation data by ``choose_thresholds``: the
writes are held to the stricter precision targets (98 % per intent above its floor, 99 %
among accepted writes); their accept threshold is never below the reads'. Each group's
margin is the one that best serves its own target (the reads' margin, chosen for another
target, says nothing about the writes).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

Decision = Literal["accept", "clarify", "reject"]
_MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
_COVER_TIE = 0.01  # coverage within this of the best is a tie (see choose_thresholds)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The operating point: a floor, an accept threshold and a margin, per read/write group."""

    floor_read: float = 0.2
    floor_write: float = 0.3
    accept_read: float = 0.6
    accept_write: float = 0.8
    margin_read: float = 0.1
    margin_write: float = 0.2
    #: Each write intent's own floor (``floor_write`` for one that has none).
    write_floors: dict[str, float] = field(default_factory=dict)

    def floor_for(self, intent: str) -> float:
        """The write floor of ``intent``."""
        return self.write_floors.get(intent, self.floor_write)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the model's metadata."""
        return asdict(self)


def decide(
    *, top: str, c1: float, c2: float, write: bool, oos_label: str, thresholds: Thresholds
) -> Decision:
    """Accept, clarify or reject the top candidate."""
    t = thresholds
    if top == oos_label or c1 < t.floor_read:
        return "reject"
    floor = t.floor_for(top) if write else t.floor_read
    if c1 < floor:
        return "clarify"
    accept, margin = (
        (max(t.accept_write, floor), t.margin_write) if write
        else (t.accept_read, t.margin_read)
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
    write_floors: dict[str, float] = {}
    for label in sorted(write_labels):
        mine = pred == label
        write_floors[label] = floor_read
        for floor in np.unique(np.round(np.concatenate([[floor_read], conf[mine]]), 4)):
            if floor < floor_read:
                continue
            kept = mine & (conf >= floor)
            if not kept.any() or float((truth[kept] == label).mean()) >= tg.write_precision:
                write_floors[label] = float(floor)
                break
    floor_write = max(write_floors.values(), default=floor_read)
    label_floor = np.asarray([write_floors.get(str(p), floor_write) for p in pred])

    def accept_point(
        group: NDArray[np.bool_], floor: float | NDArray[np.float64], target: float
    ) -> tuple[float, float]:
        live = group & (pred != oos_label) & (conf >= floor)
        lowest = float(np.min(floor))
        if not live.any():
            return (max(lowest, 0.5), 0.1)
        feasible: list[tuple[float, float, float]] = []  # (cover, margin, accept)
        for margin in _MARGINS:
            for accept in np.unique(np.round(np.quantile(conf[live], np.linspace(0, 1, 41)), 4)):
                ok = live & (conf >= accept) & (conf - second >= margin)
                if not ok.any():
                    continue
                precision = float((truth[ok] == pred[ok]).mean())
                if precision >= target:
                    feasible.append((float(ok.sum()) / float(live.sum()), margin, float(accept)))
        if not feasible:
            return (1.0, 1.0)
        # Points within a point of the best coverage are a tie (one validation message
        # apart): the smallest margin wins, so the choice does not flip on noise.
        best_cover = max(cover for cover, _, _ in feasible)
        _, margin, accept = min(
            (p for p in feasible if p[0] >= best_cover - _COVER_TIE),
            key=lambda p: (p[1], -p[0], p[2]),
        )
        return (max(accept, lowest), margin)

    accept_read, margin_read = accept_point(~writes, floor_read, tg.accept_precision_read)
    accept_write, margin_write = accept_point(writes, label_floor, tg.accept_precision_write)
    return Thresholds(
        floor_read=floor_read,
        floor_write=floor_write,
        accept_read=accept_read,
        accept_write=max(accept_write, accept_read),
        margin_read=margin_read,
        margin_write=margin_write,
        write_floors=write_floors,
    )
