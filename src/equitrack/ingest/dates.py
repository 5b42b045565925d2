"""Dates as exports write them, read only in the forms a profile declares, never guessed.

Forms a profile may declare (`dates = [...]`):

- `day_first`: 31/03/2024, 31-03-2024, 31.03.2024, 1/4/2024, 31-Mar-2024, 31 March 2024 (UK).
- `iso`: 2024-03-31 (also 2024/03/31).
- `excel_serial`: 45382, the day number Excel shows when a date cell loses its format (days
  since 30 December 1899); only 1910 to 2100 is read, so that a stray year or count is not
  taken for a date.

A time of day after the date is dropped, in each form (a date column holds days): TRAC's
`05/03/2024 14:32` and `05/03/2024 14:32:10`, NHS Jobs's `2024-03-05T14:32:00`, a database's
`2024-03-05 14:32:00.000`, `05/03/2024 2:32 PM`, and an Excel serial's fraction (`45356.6055`).
A workbook's date-and-time cell reaches here as `2024-03-05T14:32:00`. A time with a zone
(`…T14:32:00Z`, `+01:00`) is not read: its day may not be the day the export means.
Decisions, so nothing is guessed:

- A value in a form the profile does not declare is refused with the form named, even when
  it is unambiguous (an ISO date under a day-first-only profile): the profile says what the
  export writes, and a different form means a different export.
- Month-first (US) dates are never read. A day-first column holding a value that is only
  possible month-first (03/31/2024) refuses the whole file: it shows the column is
  month-first, so none of its other dates (03/04/2024) can be trusted either.
- Without `day_first`, a d/m/y value is refused as ambiguous (3 April or 4 March).
- Two-digit years (31/03/24) are refused: 1924 or 2024 cannot be told apart for birth dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model.tables import DATE_YEARS

EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (
    (dt.date(1910, 1, 1) - EXCEL_EPOCH).days,
    (dt.date(2100, 12, 31) - EXCEL_EPOCH).days,
)
MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
#: A time of day after a date (24-hour, or 12-hour with AM/PM), seconds and fractions optional;
#: RE2 syntax too, as `coerce.py` drops it with pyarrow.
TIME_OF_DAY = (
    r"(?:T|\s+)(?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?"
    r"|(?:0?[1-9]|1[0-2]):[0-5][0-9](?::[0-5][0-9])?\s*[AaPp]\.?[Mm]\.?)$"
)
_TIME = re.compile(TIME_OF_DAY)
_ZONED = re.compile(
    r"[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})$"
)
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-/]+([A-Za-z]{3,9})[\s\-/,]+(\d{2}|\d{4})$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")
EXAMPLES = {
    "day_first": "day-first like 31/03/2024",
    "iso": "ISO like 2024-03-31",
    "excel_serial": "Excel serial numbers like 45382",
}


@dataclass(frozen=True)
class Reading:
    iso: str | None  # the date as YYYY-MM-DD, or None when refused
    reason: str = ""  # why it was refused
    month_first: bool = False  # only possible as a month-first date


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _plausible(value: str, d: dt.date) -> Reading:
    """A real date, read when it falls in DATE_YEARS (0001-01-01 is a placeholder, not a day)."""
    if DATE_YEARS[0] <= d.year <= DATE_YEARS[1]:
        return Reading(d.isoformat())
    return Reading(None, implausible(value))


def implausible(value: str) -> str:
    """Why a real date outside DATE_YEARS is refused."""
    first, last = DATE_YEARS
    return (
        f"'{value}' is not a plausible date: equitrack reads dates in the years {first} to {last}"
    )


def _declared(forms: tuple[str, ...]) -> str:
    return ", ".join(EXAMPLES[f] for f in forms)


def read_one(value: str, forms: tuple[str, ...]) -> Reading:
    if _ZONED.search(value.strip()):
        return Reading(None, f"'{value}' has a time with a zone (Z or an offset), and the day it "
                       "falls on depends on the zone; export dates without the zone")  # fmt: skip
    text = _TIME.sub("", value.strip())
    if m := _ISO.match(text):
        if "iso" not in forms:
            return Reading(None, f"'{value}' is an ISO date, which this profile does not read "
                           f"(it reads {_declared(forms)}; add \"iso\" to its dates)")  # fmt: skip
        d = _date(int(m[1]), int(m[2]), int(m[3]))
        return _plausible(value, d) if d else Reading(None, f"'{value}' is not a real date")
    if m := _NUMERIC.match(text):
        a, b, year = int(m[1]), int(m[3]), m[4]
        if len(year) == 2:
            return Reading(None, f"'{value}' has a two-digit year, which could be 19{year} or "
                           f"20{year}; write the year in full")  # fmt: skip
        day_first, month_first = _date(int(year), b, a), _date(int(year), a, b)
        if "day_first" in forms:
            if day_first:
                return _plausible(value, day_first)
            if month_first:
                return Reading(None, f"'{value}' cannot be day/month/year (there is no month "
                               f"{b}): it is written month-first, which equitrack does not read",
                               month_first=True)  # fmt: skip
            return Reading(None, f"'{value}' is not a real date")
        if day_first and month_first and a != b:
            return Reading(None, f"'{value}' is ambiguous: it could be {day_first:%d %B %Y} or "
                           f"{month_first:%d %B %Y}, and this profile does not say which "
                           f"(it reads {_declared(forms)})")  # fmt: skip
        return Reading(None, f"'{value}' is written day/month/year or month/day/year, which this "
                       f"profile does not read (it reads {_declared(forms)})")  # fmt: skip
    if m := _NAMED.match(text):
        month = MONTHS.get(m[2].lower())
        if month is None:
            return Reading(None, f"'{value}' is not a date ('{m[2]}' is not a month)")
        if len(m[3]) == 2:
            return Reading(None, f"'{value}' has a two-digit year; write the year in full")
        if "day_first" not in forms:
            return Reading(None, f"'{value}' is written day-first, which this profile does not "
                           f"read (it reads {_declared(forms)})")  # fmt: skip
        d = _date(int(m[3]), month, int(m[1]))
        return _plausible(value, d) if d else Reading(None, f"'{value}' is not a real date")
    if _SERIAL.match(text):
        if "excel_serial" not in forms:
            return Reading(None, f"'{value}' looks like an Excel date serial, which this profile "
                           f"does not read (it reads {_declared(forms)})")  # fmt: skip
        serial = int(float(text))
        if not SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
            return Reading(None, f"'{value}' is not a date: as an Excel serial it falls outside "
                           "1910 to 2100")  # fmt: skip
        return Reading((EXCEL_EPOCH + dt.timedelta(days=serial)).isoformat())
    return Reading(None, f"'{value}' is not a date (this profile reads {_declared(forms)})")


@dataclass
class Dates:
    """A column of dates read: ISO text (null where refused), and what was refused."""

    iso: pa.Array
    bad: np.ndarray
    reasons: list[str]  # one per bad row, in row order
    month_first: np.ndarray  # rows only possible as month-first dates


#: The plainest spellings of each form, which pyarrow reads a column at a time: the shape a
#: value must have, its strptime format, and where its month and day are written (to refuse
#: what strptime would roll over, 30/02 into March). A value of another spelling, or one these
#: do not read, is read by `read_one`, which has the words for every refusal.
QUICK = {
    "iso": [(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "%Y-%m-%d", 5, 8)],
    "day_first": [
        (rf"^[0-9]{{2}}{re.escape(sep)}[0-9]{{2}}{re.escape(sep)}[0-9]{{4}}$",
         f"%d{sep}%m{sep}%Y", 3, 0)
        for sep in "/-."
    ],
}  # fmt: skip


def _quick(values: pa.Array, forms: tuple[str, ...]) -> pa.Array:
    """The ISO text of each value in one of QUICK's spellings of `forms` that is a real date
    in DATE_YEARS; null for every other value."""
    out = pa.nulls(len(values), pa.string())
    for shape, form, month, day in (q for f in forms for q in QUICK.get(f, ())):
        written = pc.if_else(pc.match_substring_regex(values, shape), values, pa.scalar(None))
        parsed = strict_strptime(written, form, month, day)
        iso = parsed.cast(pa.date32()).cast(pa.string())
        out = pc.coalesce(out, pc.if_else(in_years(parsed), iso, pa.scalar(None, pa.string())))
    return out


def strict_strptime(written: pa.Array, form: str, month: int, day: int) -> pa.Array:
    """Each value parsed by `form`, null where it is not a real date. strptime rolls 30/02
    over into March, so a date parsed must keep the month and day written (two digits each,
    at offsets `month` and `day`)."""
    parsed = pc.strptime(written, form, "s", error_is_null=True)
    real = pc.and_(
        pc.equal(pc.month(parsed), _two_digits(written, month)),
        pc.equal(pc.day(parsed), _two_digits(written, day)),
    )
    return pc.if_else(real, parsed, pa.scalar(None, parsed.type))


def in_years(dates: pa.Array) -> pa.Array:
    """Whether each date falls in DATE_YEARS (null where there is none)."""
    years = pc.year(dates)
    return pc.and_(pc.greater_equal(years, DATE_YEARS[0]), pc.less_equal(years, DATE_YEARS[1]))


def _two_digits(written: pa.Array, start: int) -> pa.Array:
    return pc.utf8_slice_codeunits(written, start, start + 2).cast(pa.int64())


def read_dates(values: pa.Array, forms: tuple[str, ...]) -> Dates:
    """Reads each distinct value once (a column of dates has few distinct values): the plainest
    spellings by pyarrow, the rest (and every refusal) one by one."""
    if pa.types.is_date(values.type) or pa.types.is_timestamp(values.type):
        iso = values.cast(pa.date32()).cast(pa.string())
        return Dates(iso, np.zeros(len(values), bool), [], np.array([], np.int64))
    distinct = pc.unique(values.drop_null()).cast(pa.string())
    isos = _quick(distinct, forms).to_pylist()
    readings: dict[int, Reading] = {}
    for i, value in enumerate(distinct.to_pylist()):
        if isos[i] is None:
            readings[i] = read_one(value, forms)
            isos[i] = readings[i].iso
    index = pc.index_in(values, distinct)
    iso = pc.take(pa.array(isos, pa.string()), index)
    refused = pa.array([isos[i] is None for i in range(len(isos))], pa.bool_())
    bad = pc.fill_null(pc.take(refused, index), False).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(bad)
    picked = index.take(pa.array(rows)).to_pylist()
    reasons = [readings[i].reason for i in picked]
    month_first = rows[[readings[i].month_first for i in picked]] if len(rows) else rows
    return Dates(iso, bad, reasons, np.asarray(month_first, np.int64))
