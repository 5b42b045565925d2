"""The data page's summary for a reader of some organisations (an organisation's analyst or
viewer) counts the same on PostgreSQL as on DuckDB: the rows of each import that are theirs,
and the coverage of their tables. (PostgreSQL casts no boolean to a number, which the count of
a batch's rows in scope once did, so the page failed there for every scoped reader.)"""

from __future__ import annotations

from dataclasses import astuple

import pytest

from equitrack.measures.populations import Scope
from equitrack.reports import quality
from equitrack.store import Store


def _batches(store: Store, scope: Scope) -> list[tuple[object, ...]]:
    """Each batch as the reader sees it, less when it was loaded (each engine's own import)."""
    return sorted(
        (b.table, b.rows_read, b.rows_loaded, b.rows_rejected)
        for b in quality.batches(store, scope)
    )


@pytest.mark.parametrize("orgs", [("RXA",), ("QXA",), ("RXA", "QXA")])
def test_a_scoped_readers_imports_and_coverage_are_counted_alike_on_postgres(
    duck: Store, postgres: Store, orgs: tuple[str, ...]
) -> None:
    scope = Scope(orgs=orgs)
    on_duck = _batches(duck, scope)
    assert on_duck and any(rows for _, _, rows, _ in on_duck)
    assert _batches(postgres, scope) == on_duck
    assert [astuple(c) for c in quality.coverage(postgres, scope)] == [
        astuple(c) for c in quality.coverage(duck, scope)
    ]
