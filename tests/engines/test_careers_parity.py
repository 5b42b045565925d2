"""Careers over time: the engine finds one row per person and counts them per duration and
outcome: the same rows, the same counts, and so the same curves and tests, on DuckDB,
PostgreSQL and Spark."""

from __future__ import annotations

import pytest

from equitrack.measures import Scope
from equitrack.measures.careers import (
    GRACE_DAYS,
    bank_counts,
    bank_rows,
    bank_to_substantive,
    promotion_counts,
    promotion_rows,
    time_to_promotion,
)
from equitrack.measures.populations import snapshot, year_start
from equitrack.outputs.journeys import records
from equitrack.store import Store

OTHERS = ("postgres", "spark")
ROWS = {"promotion": promotion_rows, "bank_to_substantive": bank_rows}


def _rows(store: Store, journey: str) -> list[tuple]:
    table = ROWS[journey](store, Scope(system=True), snapshot(2026), year_start(2019))
    got = [
        (
            r["unit"],
            r["key"],
            *(str(r[c])[:10] if r[c] else None for c in ("start", "event", "competing")),
        )
        for r in table.to_pyarrow().to_pylist()
    ]
    return sorted(got, key=str)


def _counts(store: Store, journey: str) -> list[tuple]:
    args = (store, Scope(system=True), snapshot(2026), year_start(2019))
    table = promotion_counts(*args) if journey == "promotion" else bank_counts(*args, GRACE_DAYS)
    rows = table.to_pyarrow().to_pylist()
    return sorted((r["unit"], r["key"], r["days"], r["outcome"], r["people"]) for r in rows)


@pytest.mark.parametrize("journey", ROWS)
def test_counted_people_identical_on_every_engine(journey: str, engines: dict[str, Store]) -> None:
    expected = _counts(engines["duckdb"], journey)
    assert expected and any(r[4] > 1 for r in expected)
    for name in OTHERS:
        assert _counts(engines[name], journey) == expected, name


@pytest.mark.parametrize("journey", ROWS)
def test_person_rows_identical_on_every_engine(journey: str, engines: dict[str, Store]) -> None:
    expected = _rows(engines["duckdb"], journey)
    assert expected
    for name in OTHERS:
        assert _rows(engines[name], journey) == expected, name


def test_journeys_identical_on_every_engine(engines: dict[str, Store]) -> None:
    def measured(store: Store) -> list[dict]:
        found = []
        for scope, by in ((Scope(), "wres"), (Scope(system=True), "broad")):
            found += time_to_promotion(store, scope, by, 2026)
            found += bank_to_substantive(store, scope, by, 2026)
        return records(found)

    expected = measured(engines["duckdb"])
    assert expected
    for name in OTHERS:
        assert measured(engines[name]) == expected, name
