"""Expanding assignments to the periods they count in, by an equality join on period ordinals,
against the plain range join on the same rule: the bounds the expansion uses must never fall
short, at month ends and six-month windows included."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from equitrack.measures import calendar
from equitrack.measures import populations as pop

_DAYS = st.dates(dt.date(2019, 1, 1), dt.date(2027, 6, 30))
_YEARS = st.sets(st.integers(2019, 2027), min_size=1, max_size=4)
_MONTHS = st.sets(
    st.sampled_from([m for y in range(2020, 2027) for m in calendar.months_of(y)]),
    min_size=1,
    max_size=8,
)
_SPANS = st.lists(st.tuples(_DAYS, st.none() | _DAYS), min_size=1, max_size=30)


def _table(spans: list[tuple[dt.date, dt.date | None]]) -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "id": list(range(len(spans))),
                "start_date": pa.array([s for s, _ in spans], pa.date32()),
                "end_date": pa.array([e for _, e in spans], pa.date32()),
            }
        )
    )


def _pairs(con: ibis.BaseBackend, table: ibis.Table) -> list[tuple[int, int]]:
    rows = con.to_pyarrow(table.select("id", "period")).to_pylist()
    return sorted((r["id"], r["period"]) for r in rows)


def _plain(t: ibis.Table, periods: set[int], counts: pop.Counts) -> ibis.Table:
    y = pop.periods_table(sorted(periods))
    return t.join(y, counts(t.start_date, t.end_date, y.snapshot))


@settings(max_examples=60, deadline=None)
@given(spans=_SPANS, periods=_YEARS | _MONTHS)
def test_expansion_is_the_range_join(
    spans: list[tuple[dt.date, dt.date | None]], periods: set[int]
) -> None:
    con = ibis.duckdb.connect()
    t = _table(spans)
    assert _pairs(con, pop._at_snapshot(sorted(periods))(t)) == _pairs(
        con, _plain(t, periods, pop._active_on)
    )
    assert _pairs(con, pop._in_bank_window(sorted(periods))(t)) == _pairs(
        con, _plain(t, periods, pop._held_in_bank_window)
    )


def test_a_window_opening_on_29_august_is_found() -> None:
    """February 2025's six months open on 29 August 2024 (28 February less six months, plus a
    day): a bank assignment ending that day counts in it."""
    con = ibis.duckdb.connect()
    t = _table([(dt.date(2024, 8, 1), dt.date(2024, 8, 29))])
    assert _pairs(con, pop._in_bank_window([202502, 202503])(t)) == [(0, 202502)]
