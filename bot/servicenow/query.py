"""Encoded queries (``sysparm_query``) built from typed clauses only.

ServiceNow has no escape for ``^`` inside a value and silently drops clauses it
cannot parse, which widens results (ServiceNow's encoded-query behaviour). So nothing
here concatenates raw text:

* field names are bot-authored and must match ``[a-z0-9_.]+`` (a bug otherwise:
  ``ValueError``);
* identifiers are typed: ``SysId`` (32 lowercase hex) and ``IncidentNumber``
  (``INC`` + digits, the digit count a parameter, default 7);
* free text is cleaned by ``clean_text``: control characters (newlines included)
  and ``^`` become spaces, runs of spaces collapse, the length is capped; a value
  that then contains ``javascript:`` (any case, spaces before the colon allowed) is
  refused with ``UnsafeQueryValueError``, as is a search term that ends up empty;
* conditions join with ``^`` (AND); ``AnyOf`` joins simple conditions with ``^OR``,
  which ServiceNow binds to its neighbours only, so ``AnyOf(a, b)`` followed by ``c``
  reads (a OR b) AND c;
* date-time bounds (``OnOrAfter``, ``Before``) take an aware ``datetime`` only, written
  as the raw UTC ``YYYY-MM-DD HH:MM:SS`` ServiceNow stores;
* every query ends with the unique sort key ``ORDERBYsys_id`` so offset paging
  neither skips nor repeats rows.

The one bot-authored script query, ``CURRENT_USER_QUERY``, is a constant and is
reachable only through ``Query.current_user()``. ``UpdatedAfter`` is the one script
*value*: ``gs.dateGenerate`` of a ``datetime`` the bot formats itself (digits, dashes
and colons only), so no text can reach it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import InvalidIncidentNumberError, UnsafeQueryValueError

CURRENT_USER_QUERY = "sys_id=javascript:gs.getUserID()"
UNIQUE_SORT_FIELD = "sys_id"
DEFAULT_INCIDENT_DIGITS = 7
MAX_TEXT_LENGTH = 100

_FIELD = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")
_SYS_ID = re.compile(r"[0-9a-f]{32}")
_SCRIPT = re.compile(r"javascript\s*:", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class SysId(str):
    """A record's sys_id: exactly 32 lowercase hexadecimal characters."""

    __slots__ = ()

    def __new__(cls, value: str) -> SysId:
        """Validate ``value`` (surrounding spaces are trimmed)."""
        text = value.strip() if isinstance(value, str) else ""
        if not _SYS_ID.fullmatch(text):
            msg = "That is not a ServiceNow record id (32 hexadecimal characters)."
            raise UnsafeQueryValueError(msg)
        return super().__new__(cls, text)


class IncidentNumber(str):
    """An incident number in canonical form, like ``INC0012345``."""

    __slots__ = ()

    def __new__(cls, value: str, digits: int = DEFAULT_INCIDENT_DIGITS) -> IncidentNumber:
        """Validate ``value``: ``INC`` (any case) and at least ``digits`` digits (at most 12)."""
        text = value.strip().upper() if isinstance(value, str) else ""
        high = max(digits, 12)
        if not re.fullmatch(rf"INC[0-9]{{{digits},{high}}}", text):
            msg = f"An incident number looks like INC{'0' * (digits - 1)}1."
            raise InvalidIncidentNumberError(msg)
        return super().__new__(cls, text)


def check_field(name: str) -> str:
    """``name`` if it is a plain (optionally dot-walked) field name; else ``ValueError``."""
    if not isinstance(name, str) or not _FIELD.fullmatch(name):
        msg = f"not a field name: {name!r}"
        raise ValueError(msg)
    return name


def clean_text(value: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Free text made safe to stand as one query value, or ``UnsafeQueryValueError``."""
    chars = []
    for ch in str(value):
        category = unicodedata.category(ch)
        if ch == "^" or category in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            chars.append(" ")
        else:
            chars.append(ch)
    text = _SPACES.sub(" ", "".join(chars)).strip()[:max_length].strip()
    return _refuse_script(text)


def _refuse_script(text: str) -> str:
    if _SCRIPT.search(text):
        msg = "That text looks like a script, which I can't search for."
        raise UnsafeQueryValueError(msg)
    return text


Value: TypeAlias = str | int | bool | SysId | IncidentNumber


def encode_value(value: Value, *, separators: str = "") -> str:
    """The query form of one value; free text is cleaned, ``separators`` removed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, SysId | IncidentNumber):
        return str(value)
    text = clean_text(value)
    for sep in separators:
        text = text.replace(sep, " ")
    return _refuse_script(_SPACES.sub(" ", text).strip())


def _term(value: Value, *, separators: str = "") -> str:
    text = encode_value(value, separators=separators)
    if not text:
        msg = "There is nothing left to search for once special characters are removed."
        raise UnsafeQueryValueError(msg)
    return text


@dataclass(frozen=True)
class Eq:
    """``field=value``."""

    field: str
    value: Value

    def encode(self) -> str:
        """The encoded condition."""
        return f"{check_field(self.field)}={_term(self.value)}"


@dataclass(frozen=True)
class NotEq:
    """``field!=value``."""

    field: str
    value: Value

    def encode(self) -> str:
        """The encoded condition."""
        return f"{check_field(self.field)}!={_term(self.value)}"


@dataclass(frozen=True)
class In:
    """``fieldINa,b,c`` (commas inside free-text values become spaces)."""

    field: str
    values: tuple[Value, ...]

    def encode(self) -> str:
        """The encoded condition."""
        if not self.values:
            msg = "IN needs at least one value"
            raise ValueError(msg)
        terms = ",".join(_term(value, separators=",") for value in self.values)
        return f"{check_field(self.field)}IN{terms}"


@dataclass(frozen=True)
class StartsWith:
    """``fieldSTARTSWITHtext``."""

    field: str
    value: Value

    def encode(self) -> str:
        """The encoded condition."""
        return f"{check_field(self.field)}STARTSWITH{_term(self.value)}"


@dataclass(frozen=True)
class Like:
    """``fieldLIKEtext`` (contains)."""

    field: str
    value: Value

    def encode(self) -> str:
        """The encoded condition."""
        return f"{check_field(self.field)}LIKE{_term(self.value)}"


@dataclass(frozen=True)
class IsEmpty:
    """``fieldISEMPTY``."""

    field: str

    def encode(self) -> str:
        """The encoded condition."""
        return f"{check_field(self.field)}ISEMPTY"


def _moment(when: datetime) -> str:
    if not isinstance(when, datetime) or when.tzinfo is None:
        msg = "a date-time condition needs an aware datetime"
        raise ValueError(msg)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class OnOrAfter:
    """``field>=YYYY-MM-DD HH:MM:SS`` (UTC, as raw date-times are stored)."""

    field: str
    when: datetime

    def encode(self) -> str:
        """The encoded condition."""
        return f"{check_field(self.field)}>={_moment(self.when)}"


@dataclass(frozen=True)
class Before:
    """``field<YYYY-MM-DD HH:MM:SS`` (UTC)."""

    field: str
    when: datetime

    def encode(self) -> str:
        """The encoded condition."""
        return f"{check_field(self.field)}<{_moment(self.when)}"


@dataclass(frozen=True)
class UpdatedAfter:
    """``field>javascript:gs.dateGenerate('YYYY-MM-DD','HH:MM:SS')``, at second precision.

    ``gs.dateGenerate`` reads its date and time in the *session user's* time zone
    (reference/servicenow.md §3.6), so the aware moment ``when`` is written in ``tz``
    (the user's IANA zone; UTC when unknown or not a zone name).
    """

    field: str
    when: datetime
    tz: str = "UTC"

    def encode(self) -> str:
        """The encoded condition (the script built from the datetime's own digits)."""
        if self.when.tzinfo is None:
            msg = "UpdatedAfter needs a timezone-aware datetime"
            raise ValueError(msg)
        moment = self.when.astimezone(_zone(self.tz))
        day, clock = moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")
        return f"{check_field(self.field)}>javascript:gs.dateGenerate('{day}','{clock}')"


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


Condition: TypeAlias = (
    Eq | NotEq | In | StartsWith | Like | IsEmpty | OnOrAfter | Before | UpdatedAfter
)


@dataclass(frozen=True)
class AnyOf:
    """Simple conditions joined by ``^OR``: true when any of them is."""

    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Condition) -> None:
        if len(conditions) < 2:
            msg = "AnyOf needs at least two conditions"
            raise ValueError(msg)
        object.__setattr__(self, "conditions", tuple(conditions))

    def encode(self) -> str:
        """The encoded OR group."""
        return "^OR".join(condition.encode() for condition in self.conditions)


@dataclass(frozen=True)
class OrderBy:
    """``ORDERBYfield`` or ``ORDERBYDESCfield``."""

    field: str
    desc: bool = False

    def encode(self) -> str:
        """The encoded ordering."""
        keyword = "ORDERBYDESC" if self.desc else "ORDERBY"
        return f"{keyword}{check_field(self.field)}"


Clause: TypeAlias = Condition | AnyOf


@dataclass(frozen=True)
class Query:
    """Conditions ANDed together, then orderings, then the unique sort key."""

    where: tuple[Clause, ...] = ()
    order: tuple[OrderBy, ...] = ()
    _trusted: str = ""

    @classmethod
    def of(cls, *where: Clause, order: Sequence[OrderBy] = ()) -> Query:
        """``Query.of(Eq(...), AnyOf(...), order=[OrderBy(...)])``."""
        return cls(where=tuple(where), order=tuple(order))

    @classmethod
    def current_user(cls) -> Query:
        """The bot's one identity query: the token's own ``sys_user`` record."""
        return cls(_trusted=CURRENT_USER_QUERY)

    def encode(self) -> str:
        """The ``sysparm_query`` value."""
        parts = [self._trusted] if self._trusted else []
        parts.extend(clause.encode() for clause in self.where)
        order = list(self.order)
        if not order or order[-1].field != UNIQUE_SORT_FIELD:
            order.append(OrderBy(UNIQUE_SORT_FIELD))
        parts.extend(item.encode() for item in order)
        return "^".join(parts)

    def __str__(self) -> str:
        return self.encode()
