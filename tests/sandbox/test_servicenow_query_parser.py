"""The sandbox's encoded-query parser, without HTTP: structure and what it drops."""

from __future__ import annotations

from snowbot_sandbox.servicenow.query import Condition, Context, parse

FIELDS = {"state", "caller_id", "short_description", "number", "active", "caller_id.email"}
CTX = Context(has_field=FIELDS.__contains__, user_sys_id="me" * 16, user_name="abel.tuter")


def test_or_binds_to_the_previous_condition() -> None:
    """A^B^ORC is A AND (B OR C)."""
    query = parse("active=true^state=1^ORstate=2", CTX)
    assert query.groups == [
        [[Condition("active", "=", "true")],
         [Condition("state", "=", "1"), Condition("state", "=", "2")]]
    ]


def test_nq_starts_a_new_or_group() -> None:
    """^NQ splits the query into separately evaluated groups."""
    query = parse("caller_id=x^NQactive=true", CTX)
    assert len(query.groups) == 2


def test_order_clauses_are_collected_in_order() -> None:
    """ORDERBY and ORDERBYDESC become (field, descending) pairs in the order given."""
    query = parse("active=true^ORDERBYDESCnumber^ORDERBYstate", CTX)
    assert query.order == [("number", True), ("state", False)]


def test_unusable_parts_are_listed_as_dropped() -> None:
    """Unknown fields, unknown operators and refused scripts are dropped, not errors."""
    query = parse(
        "stat=1^short_descriptionCONTAINSx^caller_id=javascript:gs.getSession()^ORDERBYnope",
        CTX,
    )
    assert query.groups == [[]]
    assert query.dropped == [
        "stat=1",
        "short_descriptionCONTAINSx",
        "caller_id=javascript:gs.getSession()",
        "ORDERBYnope",
    ]


def test_dynamic_me_means_the_caller() -> None:
    """DYNAMIC with the documented "Me" id becomes an equality on the caller's sys_id."""
    query = parse("caller_idDYNAMIC90d1921e5f510100a9ad2572f2b477fe", CTX)
    assert query.groups == [[[Condition("caller_id", "=", "me" * 16)]]]
