"""Dates as integer days since 1970-01-01, and the financial years of the history.

Integer days keep every date calculation vectorised; they become Arrow date32 on output.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

NO_END = np.int32(2**31 - 1)  # still in post after the history ends
NO_DATE = np.int32(-(2**31))  # blank date
YEAR_DAYS = 365.25


def day(year: int, month: int, dom: int) -> int:
    return (dt.date(year, month, dom) - dt.date(1970, 1, 1)).days


def calendar_year(days: np.ndarray) -> np.ndarray:
    """The calendar year of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


@dataclass(frozen=True)
class Horizon:
    """The reporting years: FY `Y` runs 1 April Y-1 to 31 March Y."""

    end_year: int
    years: int

    @property
    def fy(self) -> tuple[int, ...]:
        return tuple(range(self.end_year - self.years + 1, self.end_year + 1))

    @property
    def start(self) -> int:
        return day(self.end_year - self.years, 4, 1)

    @property
    def end(self) -> int:
        return day(self.end_year, 3, 31)

    def bounds(self, fy: int) -> tuple[int, int]:
        """First and last day of financial year `fy`."""
        return day(fy - 1, 4, 1), day(fy, 3, 31)

    def fy_of(self, days: np.ndarray) -> np.ndarray:
        """Financial year of each day number."""
        d = days.astype("datetime64[D]")
        year = d.astype("datetime64[Y]").astype(np.int64) + 1970
        month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
        return year + (month >= 4)


def overlap(
    start: np.ndarray, end: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each spell's part inside [lo, hi]: (mask of spells that touch it, first day, last day)."""
    a = np.maximum(start, lo)
    b = np.minimum(end, hi)
    return b >= a, a, b


def uniform_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A day drawn uniformly from [lo, hi] for each pair (hi >= lo)."""
    span = (hi.astype(np.int64) - lo + 1).astype(np.float64)
    return (lo + np.floor(rng.random(len(lo)) * span)).astype(np.int32)
