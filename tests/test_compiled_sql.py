"""Each shape of query is translated to SQL once in a process (`equitrack.store.compiled`): a
second store's release asks the same shapes over tables of other names (its populations are
cached under names of their own), and every SQL it is handed back is the SQL Ibis makes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pytest
from ibis.backends.sql.compilers.base import SQLGlotCompiler

from equitrack import release
from equitrack.ingest import import_paths
from equitrack.store import Store, compiled, connect
from tests.factories import small_system


def _measured(tmp_path: Path, name: str, data: Path) -> tuple[Store, list[Any]]:
    store = connect(str(tmp_path / f"{name}.duckdb"))
    assert import_paths([data], store).ok
    return store, sorted(map(repr, release.answers(store).results()))


def test_a_second_store_reads_back_the_sql_ibis_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = small_system(tmp_path / "data")
    first, expected = _measured(tmp_path, "first", data)
    first.close()
    original = compiled._ORIGINAL
    assert original is not None  # installed by `connect`
    handed: list[tuple[str, str]] = []

    def checked(compiler: SQLGlotCompiler, op: Any, *, params: Any) -> Any:
        made = compiled.translate(compiler, op, params=params)
        fresh = original(compiler, op, params=params)
        handed.append((made.sql(compiler.dialect), fresh.sql(compiler.dialect)))
        return made

    monkeypatch.setattr(SQLGlotCompiler, "translate", checked)
    before = compiled.counts()
    second, results = _measured(tmp_path, "second", data)
    after = compiled.counts()
    second.close()
    hits = after["hits"] - before["hits"]
    misses = after["misses"] - before["misses"]
    assert results == expected
    assert [made for made, _ in handed] == [fresh for _, fresh in handed]
    # the populations' own tables are in the SQL read back, under this run's names
    assert any("ibis_cache" in made for made, _ in handed)
    assert hits > 9 * misses, (hits, misses)


def test_one_shape_over_other_tables_names_the_tables_asked_about() -> None:
    """The same query of tables of the same schema under other names is translated once, and
    each time names the tables it is asked of, each in its place; a table of another schema,
    or a value Python calls equal but SQL writes otherwise, is another shape."""
    compiled.install()
    con = ibis.duckdb.connect()
    for name in ("a", "b", "c", "d"):
        con.raw_sql(f"CREATE TABLE {name} (x BIGINT, y VARCHAR)")
    con.raw_sql("CREATE TABLE e (x VARCHAR, y VARCHAR)")

    def joined(left: str, right: str, value: Any = 1) -> str:
        a, b = con.table(left), con.table(right)
        query = a.join(b, a.y == b.y).select(left=a.x, right=b.x, value=ibis.literal(value))
        return con.compile(query)

    pairs = (("a", "b"), ("b", "a"), ("c", "d"))
    #: equal in Python (and in their hash), not in SQL
    values = (1, 1.0, True, 0.0, -0.0, Decimal("1.0"), Decimal("1.00"))
    compiled.uninstall()
    try:
        expected = {pair: joined(*pair) for pair in pairs}  # as Ibis translates it
        typed = [joined("a", "b", v) for v in values]
    finally:
        compiled.install()
    before = compiled.counts()
    sql = {pair: joined(*pair) for pair in pairs}
    after = compiled.counts()
    assert after["hits"] - before["hits"] == 2
    assert after["misses"] - before["misses"] == 1
    assert sql == expected
    for (left, right), text in sql.items():
        assert text.index(f'"{left}"') < text.index(f'"{right}"')
    assert [joined("a", "b", v) for v in values] == typed
    before = compiled.counts()
    joined("e", "b")
    assert compiled.counts()["misses"] == before["misses"] + 1  # "e" has another schema
