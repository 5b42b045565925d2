"""PostgreSQL's plans for the measures, on the statistics a real server has.

Its planner underestimates some of equitrack's populations (a filter on a computed year, a
grouped subquery: "rows=1") and, given a choice, made them nested loops that scan a table once
per row of the other: on the generated mini system, 75 s for one measure where DuckDB takes
0.3 s. Every session therefore plans without nested loops where another join can be made, and
an import gathers the statistics at once rather than leaving the planner to whatever
autovacuum had gathered when the question came.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from equitrack.logs import FIELDS
from equitrack.measures import Scope
from equitrack.measures.declare import Frame, Shared, with_earlier_periods
from equitrack.measures.registry import MEASURES
from equitrack.model.tables import TABLES
from equitrack.store import Store, connect

YEARS = (2024, 2025, 2026)
SCOPES = {"orgs": Scope(), "system": Scope(system=True)}


def _rows(store: Store, sql: str) -> list[tuple]:
    cursor = store.con.raw_sql(sql)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def test_an_import_leaves_every_table_with_statistics(postgres: Store) -> None:
    """Gathered by the import itself (`last_analyze`), not by autovacuum (`last_autoanalyze`),
    whose timing no one controls."""
    analysed = dict(_rows(postgres, "SELECT relname, last_analyze FROM pg_stat_user_tables"))
    canonical = [t.name for t in TABLES]
    assert set(canonical) <= analysed.keys()
    assert [name for name in canonical if analysed[name] is None] == []


def test_every_session_plans_without_nested_loops(postgres_url: str) -> None:
    """On a connection of its own, and still after a transaction rolled back."""
    store = connect(postgres_url, create=False)
    try:
        assert _rows(store, "SHOW enable_nestloop") == [("off",)]
        store.con.raw_sql("BEGIN").close()
        store.con.raw_sql("SET LOCAL work_mem = '8MB'").close()
        store.con.raw_sql("ROLLBACK").close()
        assert _rows(store, "SHOW enable_nestloop") == [("off",)]
    finally:
        store.close()


def test_statistics_not_gathered_do_not_fail_an_import_already_committed(
    postgres: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The import's own connection, told its statistics cannot be gathered (a statement
    timeout): the data are committed, so the import finishes, and the log says why."""
    store = connect(postgres.url, create=False)
    run = store.con.raw_sql

    def refusing(query: str, **kwargs: object) -> object:
        if str(query).startswith("ANALYZE"):
            raise RuntimeError("canceling statement due to statement timeout")
        return run(query, **kwargs)

    monkeypatch.setattr(store.con, "raw_sql", refusing)
    try:
        with caplog.at_level(logging.WARNING, logger="equitrack.store.connection"):
            store.finish_import()
    finally:
        store.close()
    (said,) = [r for r in caplog.records if r.getMessage().startswith("statistics not gathered")]
    assert "statement timeout" in getattr(said, FIELDS)["why"]


@pytest.fixture(scope="module")
def pools(postgres: Store) -> Iterator[dict[str, Shared]]:
    widest = max(m.window for m in MEASURES.values())
    made = {name: Shared(with_earlier_periods(YEARS, widest), MEASURES.values()) for name in SCOPES}
    yield made
    for pool in made.values():
        pool.release()


@pytest.mark.parametrize("measure_id", sorted(MEASURES))
@pytest.mark.parametrize("scope", SCOPES)
def test_no_population_or_event_is_planned_as_a_nested_loop(
    measure_id: str, scope: str, postgres: Store, pools: dict[str, Shared]
) -> None:
    measure = MEASURES[measure_id]
    frame = Frame(postgres, SCOPES[scope], YEARS, measure.resolve(None), shared=pools[scope])
    queries = {"population": measure.population(frame)}
    if measure.event is not None:
        queries["event"] = measure.event(frame)
    for name, query in queries.items():
        plan = [line for (line,) in _rows(postgres, f"EXPLAIN {postgres.sql(query)}")]
        nested = [line.strip() for line in plan if "Nested Loop" in line]
        assert nested == [], f"{measure_id}'s {name} on PostgreSQL:\n" + "\n".join(plan)
