"""A store view builds each expression over its tables once (`Store.built`): a table as a reader
sees it, and the organisations' units, are asked for hundreds of times in a run of the measures.
What a view sees changes with the batches an import has committed through it, and so does what
it is handed."""

from __future__ import annotations

from pathlib import Path

from equitrack.measures.populations import Scope, units
from equitrack.store import connect


def test_a_view_hands_back_what_it_built_and_builds_again_what_it_sees_anew(
    tmp_path: Path,
) -> None:
    store = connect(str(tmp_path / "store.duckdb"))
    assert store.table("assignments") is store.table("assignments")
    assert units(store, Scope(system=True)) is units(store, Scope(system=True))
    assert units(store, Scope(system=True)) is not units(store, Scope())

    view = store.importing()
    before = view.table("assignments")
    view.own.add(41)  # a batch this import committed: the view sees its rows
    seen = view.table("assignments")
    assert seen is not before
    assert "41" in store.con.compile(seen) and "41" not in store.con.compile(before)
    view.own.add(42)
    assert "42" in store.con.compile(view.table("assignments"))
    assert "41" not in store.con.compile(store.table("assignments"))
    store.close()
