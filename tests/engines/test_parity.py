"""Every registered measure gives identical counts and results on DuckDB, PostgreSQL and Spark.

Measures are discovered from the registry, so one declared later is held to all three engines
without editing this file.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from equitrack.measures import Request, Scope, evaluate, to_arrow
from equitrack.measures.calendar import Interval, months_of
from equitrack.measures.declare import Shared, with_earlier_periods
from equitrack.measures.registry import MEASURES
from equitrack.store import Store
from tests.engines.plans import CARTESIAN, spark_plans

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

YEARS = (2024, 2025, 2026)
#: Each organisation by WRES group, and the whole system by broad group: both scopes and both
#: ways of grouping reach every query path (unit mapping, group mapping) at least once.
ASKS = ((Scope(), "wres"), (Scope(system=True), "broad"))
OTHERS = ("postgres", "spark")


@pytest.fixture(scope="module")
def shared(engines: dict[str, Store]) -> dict[tuple[str, int], Shared]:
    """Populations materialised once per engine and ask, as in a real run."""
    widest = max(m.window for m in MEASURES.values())
    pools = {
        (name, i): Shared(with_earlier_periods(YEARS, widest), MEASURES.values())
        for name in engines
        for i in range(len(ASKS))
    }
    yield pools
    for pool in pools.values():
        pool.release()


def _results(store: Store, measure_id: str, ask: int, pool: Shared) -> pa.Table:
    scope, by = ASKS[ask]
    request = Request(YEARS, scope, by, shared=pool)
    table = to_arrow(evaluate(store, MEASURES[measure_id], request))
    keys = ["measure", "org", "period", "breakdown", "group_type", "group"]
    return table.sort_by([(k, "ascending") for k in keys])


def _first_difference(expected: pa.Table, actual: pa.Table) -> str:
    if expected.num_rows != actual.num_rows:
        return f"{expected.num_rows} rows on DuckDB, {actual.num_rows} here"
    for name in expected.column_names:
        a, b = expected.column(name).to_pylist(), actual.column(name).to_pylist()
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return f"row {i}, column {name}: DuckDB {x!r}, here {y!r}"
    return "no difference found"


@pytest.mark.parametrize("measure_id", sorted(MEASURES))
@pytest.mark.parametrize("ask", range(len(ASKS)), ids=["orgs-wres", "system-broad"])
def test_identical_on_every_engine(
    measure_id: str, ask: int, engines: dict[str, Store], shared: dict
) -> None:
    """And on Spark, no query of the measure is planned as a Cartesian product (a range join
    to a small table must be broadcast)."""
    expected = _results(engines["duckdb"], measure_id, ask, shared[("duckdb", ask)])
    for name in OTHERS:
        with spark_plans(engines[name]) as plans:
            actual = _results(engines[name], measure_id, ask, shared[(name, ask)])
        cartesian = [p for p in plans if CARTESIAN in p]
        assert not cartesian, f"{measure_id} on {name} planned a Cartesian product:\n{cartesian[0]}"
        assert actual.schema == expected.schema
        assert actual.equals(expected), (
            f"{measure_id} on {name}: {_first_difference(expected, actual)}"
        )


#: One measure for each way a monthly period is found: a record's date (wres2), a month-end
#: snapshot (wres1), the six months of bank work to a month's end (bank1), last month's staff
#: followed (promotion) and a date two years on (progression after development).
MONTHLY = ("wres1", "wres2", "bank1", "promotion", "progression_after_development")


@pytest.mark.parametrize("measure_id", MONTHLY)
def test_monthly_series_identical_on_every_engine(
    measure_id: str, engines: dict[str, Store]
) -> None:
    def monthly(store: Store) -> pa.Table:
        request = Request((2026,), Scope(), "wres", interval=Interval.MONTH)
        table = to_arrow(evaluate(store, MEASURES[measure_id], request))
        return table.sort_by([(k, "ascending") for k in ("org", "period", "breakdown", "group")])

    expected = monthly(engines["duckdb"])
    assert pc.sum(expected.column("denominator")).as_py() > 0
    assert set(expected.column("period").to_pylist()) <= set(months_of(2026))
    for name in OTHERS:
        actual = monthly(engines[name])
        assert actual.equals(expected), (
            f"{measure_id} monthly on {name}: {_first_difference(expected, actual)}"
        )


@pytest.mark.parametrize("measure_id", sorted(MEASURES))
def test_parity_is_not_vacuous(measure_id: str, engines: dict[str, Store], shared: dict) -> None:
    """Each measure has counts to compare on the generated data, in at least one ask (a bank
    survey has no broad groups, so the system-by-broad ask is empty for it)."""
    counted = [
        _results(engines["duckdb"], measure_id, ask, shared[("duckdb", ask)])
        for ask in range(len(ASKS))
    ]
    assert sum(pc.sum(t.column("denominator")).as_py() or 0 for t in counted) > 0
