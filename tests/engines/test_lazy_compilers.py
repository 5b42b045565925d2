"""Ibis's SQL compilers imported when first used (`equitrack.store.compilers`): a store loads
its own dialect's alone, and the package still gives every compiler it gave before."""

from __future__ import annotations

import json
import subprocess
import sys

LAZY = "from equitrack.store import compilers\ncompilers.load_lazily()\n"


def _run(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def _package_as_seen(prefix: str) -> dict:
    """What code reading the package finds: its names, each compiler's class, a `*` import,
    the attribute a backend reads, SQL in another dialect, and which compilers got imported."""
    return _run(
        prefix
        + """
import json, sys
import ibis
con = ibis.duckdb.connect()
loaded_by_duckdb = sorted(m for m in sys.modules if m.startswith("ibis.backends.sql.compilers."))
import ibis.backends.sql.compilers as sc
star = {}
exec("from ibis.backends.sql.compilers import *", star)
t = ibis.table({"a": "int64", "b": "string"}, name="t")
print(json.dumps({
    "loaded_by_duckdb": loaded_by_duckdb,
    "all": sorted(sc.__all__),
    "classes": {n: f"{getattr(sc, n).__module__}.{getattr(sc, n).__qualname__}" for n in sc.__all__},
    "star": sorted(n for n in star if not n.startswith("__")),
    "postgres": type(sc.postgres.compiler).__name__,
    "sql": ibis.to_sql(t.filter(t.a > 1).b, dialect="postgres"),
    "sum": con.to_pyarrow(ibis.memtable({"a": [1, 2]}).a.sum()).as_py(),
}))
"""
    )


def test_a_duckdb_store_loads_its_compiler_alone_and_the_package_reads_as_before() -> None:
    lazy, eager = _package_as_seen(LAZY), _package_as_seen("")
    assert lazy["loaded_by_duckdb"] == [
        "ibis.backends.sql.compilers._compat",
        "ibis.backends.sql.compilers.base",
        "ibis.backends.sql.compilers.duckdb",
    ]
    assert "ibis.backends.sql.compilers.trino" in eager["loaded_by_duckdb"]  # what it saves
    assert len(lazy["all"]) > 15
    assert {k: v for k, v in lazy.items() if k != "loaded_by_duckdb"} == {
        k: v for k, v in eager.items() if k != "loaded_by_duckdb"
    }


def test_an_unknown_dialect_is_refused_as_ibis_refuses_it() -> None:
    code = """
import json, ibis
t = ibis.table({"a": "int64"}, name="t")
try:
    ibis.to_sql(t, dialect="no_such_dialect")
except ValueError as e:
    print(json.dumps(str(e)))
"""
    assert _run(LAZY + code) == _run(code) == "Unknown dialect no_such_dialect"


def test_nothing_changes_once_the_package_is_imported() -> None:
    code = """
import json, sys
import ibis.backends.sql.compilers as before
from equitrack.store import compilers
compilers.load_lazily()
print(json.dumps(sys.modules["ibis.backends.sql.compilers"] is before))
"""
    assert _run(code) is True
