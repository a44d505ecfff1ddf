"""The reject rule."""

from __future__ import annotations

import numpy as np

from intents.decision import Targets, Thresholds, choose_thresholds, decide

T = Thresholds(
    floor_read=0.3, floor_write=0.7, accept_read=0.6, accept_write=0.9, margin_read=0.1,
    margin_write=0.2,
)


def _decide(top: str, *, c1: float, c2: float, write: bool) -> str:
    return decide(top=top, c1=c1, c2=c2, write=write, oos_label="oos", thresholds=T)


def test_a_confidence_that_accepts_a_read_only_clarifies_a_write() -> None:
    """The same confidence accepts a lookup but asks before a create."""
    assert _decide("incident.lookup", c1=0.8, c2=0.1, write=False) == "accept"
    assert _decide("incident.create", c1=0.8, c2=0.1, write=True) == "clarify"


def test_below_the_floor_is_rejected() -> None:
    """A top confidence under the floor is rejected."""
    assert _decide("help", c1=0.2, c2=0.1, write=False) == "reject"


def test_a_small_margin_clarifies() -> None:
    """Two close candidates make the bot ask."""
    assert _decide("help", c1=0.8, c2=0.75, write=False) == "clarify"


def test_the_out_of_scope_label_is_rejected() -> None:
    """An out-of-scope top candidate is rejected whatever its confidence."""
    assert _decide("oos", c1=0.99, c2=0.1, write=False) == "reject"


def test_an_oos_recall_target_sets_the_lowest_floor_that_reaches_it() -> None:
    """With an OOS recall target the floor rises until that share of OOS is rejected."""
    inscope = [0.9, 0.85, 0.8, 0.75, 0.7, 0.5]
    outscope = [0.2, 0.4, 0.6, 0.65]
    conf = np.asarray(inscope + outscope)
    chosen = choose_thresholds(
        confidences=conf,
        runner_up=conf / 4,
        predicted=["a"] * len(conf),
        gold=["a"] * len(inscope) + ["oos"] * len(outscope),
        write_labels=frozenset(),
        oos_label="oos",
        targets=Targets(oos_recall=0.75),
    )
    assert 0.6 < chosen.floor_read <= 0.65


def test_each_write_intent_has_its_own_floor() -> None:
    """A confidence that accepts a close can still only clarify a disconnect."""
    t = Thresholds(
        floor_read=0.3, floor_write=0.9, accept_read=0.6, accept_write=0.7, margin_read=0.1,
        margin_write=0.1, write_floors={"close": 0.7, "disconnect": 0.9},
    )
    assert decide(top="close", c1=0.8, c2=0.1, write=True, oos_label="oos", thresholds=t) == (
        "accept"
    )
    assert decide(
        top="disconnect", c1=0.8, c2=0.1, write=True, oos_label="oos", thresholds=t
    ) == "clarify"
