"""Spark's plans for the populations: every join of assignments to periods is on equality."""

from __future__ import annotations

from equitrack.measures import populations as pop
from equitrack.store import Store
from tests.engines.plans import spark_plans

#: A join Spark makes by testing every row of one side against every row of the other: what a
#: join of assignments to periods on a date range became (most of a regional run's time).
NESTED_LOOP = "NestedLoopJoin"


def test_populations_reach_their_periods_without_a_nested_loop(spark: Store) -> None:
    years = (2024, 2025, 2026)
    with spark_plans(spark) as plans:
        for scope in (pop.Scope(), pop.Scope(system=True)):
            spark.con.to_pyarrow(pop.bank_only_workers(spark, scope, years).count())
            spark.con.to_pyarrow(pop.board(spark, scope, years).count())
    assert plans
    assert [p for p in plans if NESTED_LOOP in p] == []
