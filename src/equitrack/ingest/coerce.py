"""Turning what a file holds into the model's types, a whole column at a time.

Each converter returns the typed column and a mask of values it could not read, so that a
million-row file is checked at Arrow speed and every bad value can still be pointed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.ingest.dates import TIME_OF_DAY, implausible, in_years, strict_strptime
from equitrack.ingest.readers import contiguous
from equitrack.model.tables import DATE_YEARS, Column, Kind
from equitrack.store.types import ARROW_TYPES

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
INTEGER = r"^[+-]?[0-9]{1,18}(\.0*)?$"  # 19 digits may not fit in 64 bits
WHOLE = re.compile(r"^[+-]?[0-9]+(\.0*)?$")
#: Floats up to this are whole numbers exactly; beyond it they are not numbers a file means.
EXACT = float(2**53)
NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass
class Coerced:
    values: pa.Array
    bad: np.ndarray  # True where a non-blank value could not be read
    reason: Callable[[str], str]  # the message for one bad value


def text(values: pa.Array) -> pa.Array:
    """Any column as trimmed text, with blanks as nulls."""
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        if pa.types.is_floating(values.type):
            values = _float_text(values)
        else:
            values = values.cast(pa.string())
    values = values.cast(pa.string())
    trimmed = pc.utf8_trim_whitespace(values)
    if _total_length(trimmed) == _total_length(values):  # trimming only ever shortens a value
        trimmed = values  # nothing to trim: keep the file's text rather than a copy of it
    return _blank_as_null(trimmed)


def _total_length(values: pa.Array) -> int:
    return pc.sum(pc.binary_length(values)).as_py() or 0


def _blank_as_null(values: pa.Array) -> pa.Array:
    """Empty strings become nulls by clearing their validity bits, without copying the text.

    A national file has columns of millions of values; the check holds them alongside the
    file as read, so every copy not made is memory not needed.
    """
    present = pc.fill_null(pc.greater(pc.binary_length(values), 0), False)
    if values.offset or present.offset:
        return pc.if_else(present, values, pa.scalar(None, values.type))
    _, offsets, data = values.buffers()
    return pa.Array.from_buffers(values.type, len(values), [present.buffers()[1], offsets, data])


def _float_text(values: pa.Array) -> pa.Array:
    """12345.0 → "12345", so numeric ids from Parquet or Excel read as they were typed."""
    integral = pc.fill_null(
        pc.and_(pc.equal(values, pc.floor(values)), pc.less_equal(pc.abs(values), EXACT)), False
    )
    as_int = pc.if_else(integral, values, pa.scalar(None, values.type)).cast(pa.int64(), safe=False)
    return pc.coalesce(as_int.cast(pa.string()), values.cast(pa.string()))


def _mask(values: pa.Array, ok: pa.Array) -> np.ndarray:
    """Bad = present but not ok."""
    present = pc.is_valid(values)
    bad = pc.and_(present, pc.invert(pc.fill_null(ok, False)))
    return bad.to_numpy(zero_copy_only=False)


def _nulled(values: pa.Array, bad: np.ndarray, target: pa.DataType) -> pa.Array:
    keep = pc.and_(pc.is_valid(values), pa.array(~bad))
    return pc.if_else(keep, values, pa.scalar(None, values.type))


def to_str(values: pa.Array, _column: Column) -> Coerced:
    out = text(values)
    return Coerced(out, np.zeros(len(out), bool), str)


def _int_reason(value: str) -> str:
    if WHOLE.match(value):
        return f"'{value}' is too large to be a whole number equitrack stores"
    return f"'{value}' is not a whole number"


def to_int(values: pa.Array, column: Column) -> Coerced:
    if pa.types.is_integer(values.type):
        if pa.types.is_unsigned_integer(values.type):  # above 2^63 - 1 does not fit
            fits = pc.less_equal(values, pa.scalar(2**63 - 1, values.type))
            bad = _mask(values, fits)
            ints = _nulled(values, bad, values.type).cast(pa.int64())
            return Coerced(ints, bad, _int_reason)
        return Coerced(values.cast(pa.int64()), np.zeros(len(values), bool), str)
    t = text(values)
    ok = pc.match_substring_regex(t, INTEGER)
    bad = _mask(t, ok)
    clean = _nulled(t, bad, pa.string())
    ints = pc.cast(pc.replace_substring_regex(clean, r"\.0*$", ""), pa.int64())
    return Coerced(ints, bad, _int_reason)


def to_float(values: pa.Array, column: Column) -> Coerced:
    if pa.types.is_integer(values.type) or pa.types.is_decimal(values.type):
        # 2^53 + 1 has no float of its own: the nearest will do (a bound refuses it anyway)
        return Coerced(values.cast(pa.float64(), safe=False), np.zeros(len(values), bool), str)
    if pa.types.is_floating(values.type):
        floats = values.cast(pa.float64())
        bad = _mask(floats, pc.invert(pc.is_nan(floats)))  # NaN is no number a file means
        return Coerced(_nulled(floats, bad, floats.type), bad, lambda v: f"'{v}' is not a number")
    t = text(values)
    bad = _mask(t, pc.match_substring_regex(t, NUMBER))
    floats = pc.cast(_nulled(t, bad, pa.string()), pa.float64())
    return Coerced(floats, bad, lambda v: f"'{v}' is not a number")


def to_date(values: pa.Array, column: Column) -> Coerced:
    """Dates, refused outside DATE_YEARS: 0001-01-01 and 9999-12-31 are placeholders or slips,
    not days anyone started a job or asked for leave."""
    if pa.types.is_date(values.type) or pa.types.is_timestamp(values.type):
        dates = values.cast(pa.date32())
        bad = _mask(dates, in_years(dates))
        return Coerced(_nulled(dates, bad, dates.type), bad, _date_reason)
    t = _day_only(text(values))
    try:  # every value a real YYYY-MM-DD, as a clean export writes them: one cast reads them
        parsed = t.cast(pa.date32())
    except pa.ArrowInvalid:  # one is not: find which, one pattern and parse a column at a time
        written = pc.if_else(pc.match_substring_regex(t, ISO_DATE), t, pa.scalar(None, t.type))
        parsed = strict_strptime(written, "%Y-%m-%d", 5, 8)
    bad = _mask(t, in_years(parsed))
    dates = pc.if_else(pa.array(~bad), parsed, pa.scalar(None, parsed.type)).cast(pa.date32())
    return Coerced(dates, bad, _date_reason)


def _day_only(t: pa.Array) -> pa.Array:
    """The day, not the time: a time of day after a date is dropped. Only values longer than a
    date (YYYY-MM-DD) can hold both, so only they are searched for one."""
    longer = pc.fill_null(pc.greater(pc.binary_length(t), len("YYYY-MM-DD")), False)
    if not pc.any(longer).as_py():
        return t
    days = pc.replace_substring_regex(t.filter(longer), TIME_OF_DAY, "")
    return pc.replace_with_mask(t, longer, days)


def _date_reason(value: str) -> str:
    year = re.match(r"^\s*([0-9]{4})-[0-9]{2}-[0-9]{2}", value)
    if year and not DATE_YEARS[0] <= int(year[1]) <= DATE_YEARS[1]:
        return implausible(value)
    return f"'{value}' is not a date written as YYYY-MM-DD (for example 2024-03-31)"


def to_bool(values: pa.Array, column: Column) -> Coerced:
    if pa.types.is_boolean(values.type):
        return Coerced(values, np.zeros(len(values), bool), str)
    t = pc.utf8_lower(text(values))
    is_true = pc.is_in(t, pa.array(TRUE_WORDS))
    is_false = pc.is_in(t, pa.array(FALSE_WORDS))
    bad = _mask(t, pc.or_(is_true, is_false))
    out = pc.if_else(pc.and_(pc.is_valid(t), pa.array(~bad)), is_true, pa.scalar(None, pa.bool_()))
    return Coerced(
        out,
        bad,
        lambda v: f"'{v}' is not true or false (Y/N, yes/no and 1/0 are read too)",
    )


def to_enum(values: pa.Array, column: Column) -> Coerced:
    """Matches ignoring case and spaces, and stores the spelling the model uses."""
    t = text(values)
    allowed = list(column.allowed)
    index = pc.index_in(pc.utf8_lower(t), pa.array([a.lower() for a in allowed]))
    bad = _mask(t, pc.is_valid(index))
    out = pc.take(pa.array(allowed, pa.string()), index)
    listed = ", ".join(allowed) if len(allowed) <= 12 else ", ".join(allowed[:12]) + ", …"
    return Coerced(out, bad, lambda v: f"'{v}' is not one of the allowed values ({listed})")


CONVERTERS: dict[Kind, Callable[[pa.Array, Column], Coerced]] = {
    Kind.STR: to_str,
    Kind.ENUM: to_enum,
    Kind.INT: to_int,
    Kind.FLOAT: to_float,
    Kind.DATE: to_date,
    Kind.BOOL: to_bool,
}


def coerce(values: pa.Array | pa.ChunkedArray, column: Column) -> Coerced:
    values = contiguous(values)
    result = CONVERTERS[column.kind](values, column)
    if result.values.type != ARROW_TYPES[column.kind]:
        result.values = result.values.cast(ARROW_TYPES[column.kind])
    return result
