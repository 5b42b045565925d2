"""Dates for the plain implementations: one conversion and one reporting year for all of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

Tables = dict[str, pd.DataFrame]


def with_dates(tables: Mapping[str, pd.DataFrame], columns: Mapping[str, Sequence[str]]) -> Tables:
    """The tables with the named columns as datetime64; columns already converted are passed
    through, so converting twice costs nothing."""
    out = dict(tables)
    for name, wanted in columns.items():
        frame = out.get(name)
        if frame is None:
            continue
        todo = [
            c
            for c in wanted
            if c in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[c])
        ]
        if todo:
            frame = frame.copy()
            for column in todo:
                frame[column] = pd.to_datetime(frame[column])
            out[name] = frame
    return out


def reporting_year(dates: pd.Series) -> pd.Series:
    """1 April Y-1 to 31 March Y is year Y; NaN where there is no date."""
    return dates.dt.year + (dates.dt.month >= 4).astype(int)


def bank_window_opens(day):  # a Timestamp or a Series of them
    """The spec's bank window: the six months ending on `day`, from the day after `day` minus six
    calendar months (1 October for 31 March; 31 March for 30 September)."""
    return day - pd.DateOffset(months=6) + pd.Timedelta(days=1)
