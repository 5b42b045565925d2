"""The physical plans Spark makes for equitrack's queries, read while the queries run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from equitrack.store import Store

#: A join Spark can only make by pairing every row with every row, through a shuffle: at national
#: scale on a cluster, the step that does not finish.
CARTESIAN = "CartesianProduct"


@contextmanager
def spark_plans(store: Store) -> Iterator[list[str]]:
    """Each Spark query's executed plan, as the queries in the block run (nothing for another
    engine). Planning is done once per query and reused when it executes, so reading the plan
    costs nothing more."""
    plans: list[str] = []
    if store.backend != "pyspark":
        yield plans
        return
    con = store.con
    original = con.raw_sql

    def raw_sql(query: Any, **kwargs: Any) -> Any:
        frame = original(query, **kwargs)
        plans.append(frame._jdf.queryExecution().executedPlan().toString())
        return frame

    con.raw_sql = raw_sql
    try:
        yield plans
    finally:
        del con.raw_sql
