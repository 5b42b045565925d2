"""The canonical tables a measure reads, found in the queries its declaration builds.

Why here: the engine needs them to say "no data loaded" for a measure whose source table is
empty, and the data-quality report to say which recommendations an empty table leaves without
evidence; both ask this one function.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar, cast

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from equitrack.measures.declare import Frame, Kind, Measure, Shared
from equitrack.measures.populations import Scope
from equitrack.model.tables import TABLES
from equitrack.store import Store
from equitrack.store.schema import all_schemas

T = TypeVar("T")


class _Unbound:
    """The store's tables as shapes alone, with no database behind them: what a query reads is
    the same on any store, and a query built on these holds none open."""

    def table(self, name: str) -> ir.Table:
        return ibis.table(all_schemas()[name], name=name)

    def built(self, key: Hashable, make: Callable[[], T]) -> T:
        """As `Store.built`, kept nowhere: shapes alone are cheap, and this holds no store."""
        return make()


class _ShapeOnly(Shared):
    """Shared populations built as queries and never computed: only their shape is wanted.

    Each is built once in the process for all the measures that read it (fifteen read the
    staff in post): building a population's query takes a tenth of a second or more, and a
    run asks for the tables of every measure it counts."""

    def __init__(self) -> None:
        super().__init__()
        self._shapes: dict[Hashable, ir.Table] = {}

    def get(
        self,
        store: Store,
        key: Hashable,
        years: tuple[int, ...],
        build: Callable[[tuple[int, ...]], ir.Table],
    ) -> ir.Table:
        wanted = tuple(sorted(set(years)))
        if (key, wanted) not in self._shapes:
            self._shapes[(key, wanted)] = build(wanted)
        return self._shapes[(key, wanted)]

    def keep(self, store: Store, expr: ir.Table) -> ir.Table:
        return expr


_TABLES_READ: dict[str, frozenset[str]] = {}
_SHAPES = _ShapeOnly()
#: The year the queries `tables_read` inspects are built for: their shape is the same in any.
SHAPE_YEAR = 2026


def tables_read(measure: Measure) -> frozenset[str]:
    """The canonical tables a measure reads, found in the queries its declaration builds (no
    query is run, so any year will do, and any store: they are built on the tables' shapes).
    Survey measures also read the survey table, which their evaluation reads directly rather
    than through the declared population."""
    if measure.id not in _TABLES_READ:
        unbound = cast(Store, _Unbound())
        frame = Frame(unbound, Scope(), (SHAPE_YEAR,), measure.resolve(None), shared=_SHAPES)
        queries = [measure.population(frame)]
        if measure.event is not None:
            queries.append(measure.event(frame))
        found = (node for q in queries for node in q.op().find(ops.PhysicalTable))
        names = {node.name for node in found}
        if measure.kind is Kind.SURVEY:
            names.add("survey")
        _TABLES_READ[measure.id] = frozenset(names & {t.name for t in TABLES})
    return _TABLES_READ[measure.id]


__all__ = ["SHAPE_YEAR", "tables_read"]
