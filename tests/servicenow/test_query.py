"""Encoded queries: typed clauses, cleaned values, a unique sort key last."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidIncidentNumberError, UnsafeQueryValueError
from bot.servicenow.query import (
    CURRENT_USER_QUERY,
    AnyOf,
    Before,
    Eq,
    In,
    IncidentNumber,
    IsEmpty,
    Like,
    NotEq,
    OnOrAfter,
    OrderBy,
    Query,
    StartsWith,
    SysId,
    clean_text,
)

ME = SysId("0123456789abcdef0123456789abcdef")


def test_conditions_join_with_and_and_end_with_the_unique_sort_key() -> None:
    """Conditions are joined by ^ and ORDERBYsys_id comes last."""
    query = Query.of(Eq("caller_id", ME), Eq("active", True), order=[OrderBy("number", desc=True)])
    assert query.encode() == (
        f"caller_id={ME}^active=true^ORDERBYDESCnumber^ORDERBYsys_id"
    )


def test_an_explicit_sys_id_order_is_not_repeated() -> None:
    """A query already ordered by sys_id last gets no second sort key."""
    assert Query.of(order=[OrderBy("sys_id")]).encode() == "ORDERBYsys_id"


def test_any_of_joins_with_or() -> None:
    """AnyOf puts ^OR between its conditions, binding to its neighbours only."""
    query = Query.of(AnyOf(Eq("caller_id", ME), Eq("opened_by", ME)), Eq("active", True))
    assert query.encode() == f"caller_id={ME}^ORopened_by={ME}^active=true^ORDERBYsys_id"


def test_operators_encode_as_servicenow_spells_them() -> None:
    """IN, STARTSWITH, LIKE, != and ISEMPTY use ServiceNow's operator names."""
    query = Query.of(
        In("state", (1, 2, 3)),
        StartsWith("number", "INC00"),
        Like("short_description", "printer"),
        NotEq("state", 7),
        IsEmpty("assigned_to"),
    )
    assert query.encode() == (
        "stateIN1,2,3^numberSTARTSWITHINC00^short_descriptionLIKEprinter"
        "^state!=7^assigned_toISEMPTY^ORDERBYsys_id"
    )


def test_the_identity_query_is_the_named_constant() -> None:
    """The one script query is the constant, followed by the sort key."""
    assert CURRENT_USER_QUERY == "sys_id=javascript:gs.getUserID()"
    assert Query.current_user().encode() == CURRENT_USER_QUERY + "^ORDERBYsys_id"


def test_free_text_loses_carets_and_control_characters() -> None:
    """^, newlines and control characters become single spaces."""
    assert clean_text(" printer^NQactive=true\r\n on\x00 4th\u2028floor ") == (
        "printer NQactive=true on 4th floor"
    )


def test_free_text_is_capped() -> None:
    """Free text is cut to the maximum length."""
    assert len(clean_text("x" * 500)) == 100


@pytest.mark.parametrize(
    "text", ["javascript:gs.getUserID()", "  JavaScript:x", "\tjavascript:x", "a javascript :b"]
)
def test_script_values_are_refused(text: str) -> None:
    """A value that is (or becomes) javascript: is refused, whatever its case."""
    with pytest.raises(UnsafeQueryValueError):
        Query.of(Like("short_description", text)).encode()


def test_a_search_term_that_cleans_to_nothing_is_refused() -> None:
    """A LIKE term made only of special characters would match everything: refused."""
    with pytest.raises(UnsafeQueryValueError):
        Like("short_description", "^^\n").encode()


def test_in_values_cannot_add_list_items() -> None:
    """Commas inside a free-text IN value do not split it into more items."""
    assert In("category", ("a,b", "c")).encode() == "categoryINa b,c"


@pytest.mark.parametrize("name", ["caller_id=x", "Caller", "a^b", "", "a..b", ".a", "a b", "ä"])
def test_field_names_are_validated(name: str) -> None:
    """A field name outside [a-z0-9_.] is a programming error."""
    with pytest.raises(ValueError, match="not a field name"):
        Eq(name, "x").encode()


def test_dot_walked_fields_are_allowed() -> None:
    """A dot-walked field name is accepted."""
    assert Eq("caller_id.email", "a@b.c").encode() == "caller_id.email=a@b.c"


@pytest.mark.parametrize("value", ["INC0012345", "inc0012345", " INC0012345 ", "INC00123456"])
def test_incident_numbers_are_canonical(value: str) -> None:
    """Incident numbers are upper-cased INC plus at least seven digits."""
    assert IncidentNumber(value).startswith("INC")


@pytest.mark.parametrize("value", ["INC123", "INC0012345^ORactive=true", "CHG0012345", "12345"])
def test_bad_incident_numbers_are_refused(value: str) -> None:
    """Anything else is not an incident number."""
    with pytest.raises(InvalidIncidentNumberError):
        IncidentNumber(value)


def test_incident_digit_count_is_a_parameter() -> None:
    """An instance with five-digit numbers accepts INC12345."""
    assert IncidentNumber("INC12345", digits=5) == "INC12345"


@pytest.mark.parametrize("value", ["0123", "0123456789ABCDEF0123456789ABCDEF", "x" * 32])
def test_bad_sys_ids_are_refused(value: str) -> None:
    """A sys_id is exactly 32 lowercase hex characters."""
    with pytest.raises(UnsafeQueryValueError):
        SysId(value)


_hostile = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            ["^", "^OR", "^NQ", "NQ", "OR", "javascript:", "JAVASCRIPT", ":", " ", "\n", "\r",
             "\x00", "\u2028", "\u200b", ",", "=", "active=true", "ORDERBY", "a", "é"]
        ),
        max_size=12,
    ).map("".join),
)


def _template() -> Query:
    return Query.of(
        Eq("caller_id", ME), Eq("active", True), order=[OrderBy("sys_updated_on", desc=True)]
    )


@settings(max_examples=500, deadline=None)
@given(text=_hostile)
def test_user_text_never_adds_operators_or_scripts(text: str) -> None:
    """No user value can introduce ^, ^OR, ^NQ or javascript: into a built query."""
    template = _template()
    for clause in (
        Like("short_description", text),
        StartsWith("short_description", text),
        Eq("short_description", text),
        In("category", (text, "x")),
        AnyOf(Like("short_description", text), Like("description", text)),
    ):
        try:
            encoded = Query.of(*template.where, clause, order=template.order).encode()
        except UnsafeQueryValueError:
            continue
        expected_carets = template.encode().count("^") + 1
        expected_carets += 1 if isinstance(clause, AnyOf) else 0
        assert encoded.count("^") == expected_carets
        or_joins = len(re.findall(r"\^OR(?!DERBY)", encoded))
        assert or_joins == (1 if isinstance(clause, AnyOf) else 0)
        assert "^NQ" not in encoded
        assert not re.search(r"javascript\s*:", encoded, re.IGNORECASE)
        assert not any(ord(ch) < 32 for ch in encoded)


def test_date_bounds_encode_as_raw_utc() -> None:
    """OnOrAfter and Before write aware datetimes as ServiceNow's raw UTC date-time."""
    start = datetime(2026, 5, 4, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    query = Query.of(OnOrAfter("opened_at", start), Before("opened_at", start + timedelta(days=7)))
    assert query.encode() == (
        "opened_at>=2026-05-04 00:00:00^opened_at<2026-05-11 00:00:00^ORDERBYsys_id"
    )


def test_date_bounds_refuse_a_naive_datetime() -> None:
    """A datetime without a time zone is a bug, not a guess."""
    with pytest.raises(ValueError, match="aware"):
        OnOrAfter("opened_at", datetime(2026, 5, 4)).encode()


def test_search_words_cannot_widen_a_query() -> None:
    """`^NQ` and `^OR` inside a LIKE value become spaces: one condition stays one."""
    encoded = Like("short_description", "printer^NQactive=true^ORstate=1").encode()
    assert "^" not in encoded
    assert encoded == "short_descriptionLIKEprinter NQactive=true ORstate=1"
