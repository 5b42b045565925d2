"""The canonical tables a measure reads, found in the queries its declaration builds.

Why here: the engine needs them to say "no data loaded" for a measure whose source table is
empty, and the data-quality report to say which recommendations an empty table leaves without
evidence; both ask this one function.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis.expr.operations as ops
import ibis.expr.types as ir

from equitrack.measures.declare import Frame, Kind, Measure, Shared
from equitrack.measures.populations import Scope
from equitrack.model.tables import TABLES
from equitrack.store import Store


class _ShapeOnly(Shared):
    """Shared populations built as queries and never computed: only their shape is wanted."""

    def get(
        self,
        store: Store,
        key: object,
        years: tuple[int, ...],
        build: Callable[[tuple[int, ...]], ir.Table],
    ) -> ir.Table:
        return build(tuple(sorted(set(years))))

    def keep(self, store: Store, expr: ir.Table) -> ir.Table:
        return expr


_TABLES_READ: dict[str, frozenset[str]] = {}
#: The year the queries `tables_read` inspects are built for: their shape is the same in any.
SHAPE_YEAR = 2026


def tables_read(store: Store, measure: Measure) -> frozenset[str]:
    """The canonical tables a measure reads, found in the queries its declaration builds (no
    query is run, so any year will do). Survey measures also read the survey table, which
    their evaluation reads directly rather than through the declared population."""
    if measure.id not in _TABLES_READ:
        frame = Frame(store, Scope(), (SHAPE_YEAR,), measure.resolve(None), shared=_ShapeOnly())
        queries = [measure.population(frame)]
        if measure.event is not None:
            queries.append(measure.event(frame))
        names = {node.name for q in queries for node in q.op().find(ops.DatabaseTable)}
        if measure.kind is Kind.SURVEY:
            names.add("survey")
        _TABLES_READ[measure.id] = frozenset(names & {t.name for t in TABLES})
    return _TABLES_READ[measure.id]


__all__ = ["SHAPE_YEAR", "tables_read"]
