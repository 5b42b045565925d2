"""The bench's hand-tuned SQL for WRES 1-4 (the yardstick issue 20 measures the engine against)
counts what the engine counts: a third implementation, sharing no code with either."""

from __future__ import annotations

from collections.abc import Callable

from bench import tuned

from equitrack.store import Store


def test_the_tuned_sql_and_the_engine_give_the_same_wres_1_to_4_counts(
    loaded_system: Callable[..., Store],
) -> None:
    store = loaded_system("mini")
    years = (2024, 2025, 2026)
    sql = tuned.counts(store.con.con, years)
    engine = tuned.engine_counts(store, years)
    assert {r[0] for r in sql} == {"wres1", "wres2", "wres3", "wres4"}
    assert {r[2] for r in sql} == set(years)
    assert sum(r[5] for r in sql) > 0
    assert tuned.disagreements(engine, sql) == []


def test_a_count_that_differs_is_named() -> None:
    row = ("wres2", "RXA", 2026, "All", "BME", 12, 40)
    assert tuned.disagreements([row], [row]) == []
    moved = tuned.disagreements([row], [(*row[:5], 13, 40)])
    assert moved == ["('wres2', 'RXA', 2026, 'All', 'BME'): engine (12, 40), SQL (13, 40)"]
    assert len(tuned.disagreements([row], [])) == 1
    # a group with no one in it may be left out by either side
    assert tuned.disagreements([(*row[:5], 0, 40)], []) == []
