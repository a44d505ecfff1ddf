"""Encoded queries (``sysparm_query``): parse, evaluate, order, like ServiceNow does.

Grammar: ``^`` is AND, ``^OR`` ORs a condition with the one before it, ``^NQ`` starts
a new OR'ed group: ``(A^B)^NQ(C^D)``. A condition is ``<field><OPERATOR><value>``.
``ORDERBY<field>`` / ``ORDERBYDESC<field>`` sort (chainable). Anything the parser
cannot use (unknown field, unknown operator, a script it will not run) is **silently
dropped** and the rest still runs, which widens the result, as on a real instance.
``javascript:gs.getUserID()`` (and ``gs.getUserName()``) are evaluated; other scripts
are dropped. ``DYNAMIC<id>`` works for the two "Me" filter ids in ``DYNAMIC_ME``.
Matching: ``=``/``!=``/``IN`` compare raw values exactly; ``LIKE``, ``STARTSWITH`` and
``ENDSWITH`` ignore case; ``<``/``>`` compare numbers as numbers, else as strings
(raw dates sort correctly as strings).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

Record = dict[str, str]

# Longest operators first so that "NOT LIKE" wins over "LIKE", "!=" over "=".
OPERATORS = (
    "NOT LIKE",
    "NOT IN",
    "STARTSWITH",
    "ENDSWITH",
    "ISNOTEMPTY",
    "ISEMPTY",
    "EMPTYSTRING",
    "ANYTHING",
    "BETWEEN",
    "NSAMEAS",
    "SAMEAS",
    "DYNAMIC",
    "LIKE",
    "IN",
    "!=",
    "<=",
    ">=",
    "=",
    "<",
    ">",
)
NO_VALUE = frozenset({"ISEMPTY", "ISNOTEMPTY", "ANYTHING", "EMPTYSTRING"})
_FIELD = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?")
# Dynamic filter options ServiceNow's docs show for "Me"; other ids are dropped.
DYNAMIC_ME = frozenset({"54635e965f510100a9ad2572f2b4774c", "90d1921e5f510100a9ad2572f2b477fe"})
_SCRIPT = re.compile(r"^javascript:\s*gs\.(getUserID|getUserName)\(\)\s*;?\s*$")


@dataclass(frozen=True)
class Condition:
    """``field OPERATOR value`` (value already resolved if it was a script)."""

    field: str
    op: str
    value: str


@dataclass
class Query:
    """OR'ed groups of AND'ed terms, each term an OR of conditions; plus the ordering."""

    groups: list[list[list[Condition]]] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    dropped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What a query needs to know: which fields exist and who is asking."""

    has_field: Callable[[str], bool]
    user_sys_id: str = ""
    user_name: str = ""
    allow_scripts: bool = True


def parse(text: str, ctx: Context) -> Query:
    """Parse an encoded query, dropping the parts ServiceNow would ignore."""
    query = Query()
    if not text:
        return query
    for group_text in text.split("^NQ"):
        terms: list[list[Condition]] = []
        for part in group_text.split("^"):
            if not part or part == "EQ":
                continue
            if part.startswith("ORDERBYDESC"):
                _add_order(query, part[len("ORDERBYDESC") :], descending=True, ctx=ctx)
                continue
            if part.startswith("ORDERBY"):
                _add_order(query, part[len("ORDERBY") :], descending=False, ctx=ctx)
                continue
            is_or = part.startswith("OR")
            body = part[2:] if is_or else part
            condition = _condition(body, ctx)
            if condition is None:
                query.dropped.append(part)
                continue
            if is_or and terms:
                terms[-1].append(condition)
            else:
                terms.append([condition])
        query.groups.append(terms)
    return query


def _add_order(query: Query, name: str, *, descending: bool, ctx: Context) -> None:
    if name and _FIELD.fullmatch(name) and ctx.has_field(name):
        query.order.append((name, descending))
    else:
        query.dropped.append(("ORDERBYDESC" if descending else "ORDERBY") + name)


def _condition(text: str, ctx: Context) -> Condition | None:
    match = _FIELD.match(text)
    if not match:
        return None
    name = match.group(0)
    rest = text[match.end() :]
    op = next((o for o in OPERATORS if rest.startswith(o)), None)
    if op is None or not ctx.has_field(name):
        return None
    value = _value(op, rest[len(op) :], ctx)
    if value is None:
        return None
    return Condition(name, "=" if op == "DYNAMIC" else op, value)


def _value(op: str, value: str, ctx: Context) -> str | None:
    """The value to compare with, or None when the clause must be dropped."""
    if op == "DYNAMIC":
        return ctx.user_sys_id if value in DYNAMIC_ME else None
    if op in NO_VALUE:
        return None if value else ""
    if not value.lower().startswith("javascript:"):
        return value
    script = _SCRIPT.match(value)
    if not ctx.allow_scripts or script is None:
        return None
    return ctx.user_sys_id if script.group(1) == "getUserID" else ctx.user_name


def matches(query: Query, record: Record, value_of: Callable[[Record, str], str]) -> bool:
    """Whether ``record`` satisfies the query (an empty query matches everything)."""
    groups = [g for g in query.groups if g]
    if not groups:
        return True
    return any(
        all(any(_test(c, value_of(record, c.field), record, value_of) for c in term) for term in g)
        for g in groups
    )


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(left: str, right: str) -> int:
    a, b = _num(left), _num(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    return (left > right) - (left < right)


def _between(actual: str, bounds: str) -> bool:
    lo, _, hi = bounds.partition("@")
    return _compare(actual, lo) >= 0 and _compare(actual, hi) <= 0


# Each operator: (actual raw value, condition value) -> bool. LIKE and friends ignore case.
_TESTS: dict[str, Callable[[str, str], bool]] = {
    "=": lambda a, v: a == v,
    "!=": lambda a, v: a != v,
    "LIKE": lambda a, v: v.lower() in a.lower(),
    "NOT LIKE": lambda a, v: v.lower() not in a.lower(),
    "STARTSWITH": lambda a, v: a.lower().startswith(v.lower()),
    "ENDSWITH": lambda a, v: a.lower().endswith(v.lower()),
    "IN": lambda a, v: a in v.split(","),
    "NOT IN": lambda a, v: a not in v.split(","),
    "ISEMPTY": lambda a, v: a == "",
    "EMPTYSTRING": lambda a, v: a == "",
    "ISNOTEMPTY": lambda a, v: a != "",
    "ANYTHING": lambda a, v: True,
    "BETWEEN": _between,
    "<": lambda a, v: _compare(a, v) < 0,
    "<=": lambda a, v: _compare(a, v) <= 0,
    ">": lambda a, v: _compare(a, v) > 0,
    ">=": lambda a, v: _compare(a, v) >= 0,
}


def _test(
    c: Condition, actual: str, record: Record, value_of: Callable[[Record, str], str]
) -> bool:
    if c.op == "SAMEAS":
        return actual == value_of(record, c.value)
    if c.op == "NSAMEAS":
        return actual != value_of(record, c.value)
    return _TESTS[c.op](actual, c.value)


def order(records: list[Record], query: Query, value_of: Callable[[Record, str], str]) -> None:
    """Sort ``records`` in place by the query's ORDERBY clauses (first clause wins)."""
    for name, descending in reversed(query.order):

        def key(record: Record, name: str = name) -> tuple[int, float, str]:
            return _sort_key(value_of(record, name))

        records.sort(key=key, reverse=descending)


def _sort_key(value: str) -> tuple[int, float, str]:
    number = _num(value)
    if number is not None:
        return (0, number, "")
    return (1, 0.0, value.lower())
