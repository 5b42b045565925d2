"""Periods: reporting years for WRES tables, months for charts of change over time.

A period is an integer that names itself: reporting year Y (1 April Y-1 to 31 March Y) is `Y`;
a month is `yyyymm` (April 2025 is 202504). The two ranges cannot meet, so a period says which
it is, and each population's snapshot, start and bank window follow from it: the staff in post
at 31 March for a year, at the month's last day for a month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum

import ibis
import ibis.expr.types as ir


class Interval(StrEnum):
    YEAR = "year"
    MONTH = "month"


def is_month(period: int) -> bool:
    return period > 9999


def months_of(year: int) -> tuple[int, ...]:
    """The months of reporting year Y, April Y-1 to March Y."""
    return tuple((year - 1) * 100 + m for m in range(4, 13)) + tuple(
        year * 100 + m for m in range(1, 4)
    )


def periods(years: tuple[int, ...] | list[int], interval: Interval) -> tuple[int, ...]:
    """The periods that make up the reporting years."""
    if interval is Interval.YEAR:
        return tuple(sorted(set(years)))
    return tuple(sorted({m for y in years for m in months_of(y)}))


def _month(period: int) -> tuple[int, int]:
    return divmod(period, 100)


def end(period: int) -> dt.date:
    """The snapshot day: 31 March Y, or the month's last day."""
    if not is_month(period):
        return dt.date(period, 3, 31)
    year, month = _month(period)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def start(period: int) -> dt.date:
    if not is_month(period):
        return dt.date(period - 1, 4, 1)
    year, month = _month(period)
    return dt.date(year, month, 1)


def previous(period: int) -> int:
    if not is_month(period):
        return period - 1
    year, month = _month(period)
    return period - 1 if month > 1 else (year - 1) * 100 + 12


def label(period: int) -> str:
    """How NHS papers write it: the financial year 2025/26 for reporting year 2026, Apr 2025
    for a month."""
    if not is_month(period):
        return f"{period - 1}/{str(period)[-2:]}"
    year, month = _month(period)
    return f"{calendar.month_abbr[month]} {year}"


def survey_year(period: int) -> int:
    """The NHS Staff Survey a reporting year's WRES uses: the one that ran in the autumn
    before the year ends (reporting year 2025/26 uses the 2025 survey)."""
    return period - 1


def survey_label(period: int) -> str:
    """How the survey names itself: "NHS Staff Survey 2025" for reporting year 2025/26."""
    return f"NHS Staff Survey {survey_year(period)}"


def period_of(day: ir.DateValue, interval: Interval) -> ir.IntegerValue:
    """The period a date falls in."""
    if interval is Interval.MONTH:
        return (day.year() * 100 + day.month()).cast("int64")
    return (day.year() + ibis.ifelse(day.month() >= 4, 1, 0)).cast("int64")


def ordinal(period: int) -> int:
    """Where a period stands among its kind, counting one a period: the year itself, or a
    month's year times 12 plus its month - 1 (so consecutive months differ by 1)."""
    if not is_month(period):
        return period
    year, month = _month(period)
    return year * 12 + month - 1


def ordinal_of(day: ir.DateValue, interval: Interval) -> ir.IntegerValue:
    """The `ordinal` of the period a date falls in: the first period whose snapshot (its last
    day) is on or after the date."""
    if interval is Interval.MONTH:
        return (day.year() * 12 + day.month() - 1).cast("int64")
    return period_of(day, interval)


def following(period: ir.IntegerValue, interval: Interval) -> ir.IntegerValue:
    """The next period, in the engine (last year's staff are followed into this year)."""
    if interval is Interval.MONTH:
        return ibis.ifelse(period % 100 == 12, period + 89, period + 1).cast("int64")
    return (period + 1).cast("int64")


def years_later(period: ir.IntegerValue, years: int, interval: Interval) -> ir.IntegerValue:
    """The same point `years` later: a reporting year, or the same month in that year."""
    return (period + (years * 100 if interval is Interval.MONTH else years)).cast("int64")
