"""Each shape of query translated to SQL once in a process, whichever store it is asked of.

Why: Ibis spends much of a measure's time turning its expression into SQL (rewriting the
expression graph, then building sqlglot's tree): about half of measuring a small store, and the
same work again for every store and every data version a long-lived process measures (the
dashboard after an upload, the test suite's many stores). The SQL depends only on the
expression's shape: its operations and their values, the tables' names and schemas. So a
translation is kept under that shape, with the tables' names as placeholders (a population
cached for one run is a table with a name of its own each time), and handed back with the
names of the tables asked about now.

The shape is every argument of every operation, interned node by node (so a graph whose nodes
are shared is read once, and looking it up costs one small tuple per node); rows held in memory
(the reporting years) are a table by name, as the SQL reads them. An expression with anything
whose value is not plainly comparable (Python objects) or with parameters is translated as
before, never kept.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import itertools
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.schema as sch
import sqlglot.expressions as sge
from ibis import options
from ibis.backends.sql.compilers.base import SQLGlotCompiler

#: Translations kept, the least recently used let go first: a release asks about 150 shapes,
#: and each kept takes about 170 kB (measured on the small system: 22 MB for 130).
KEPT = 512
#: Nodes interned before the table is emptied and begun again: a release's are about 7,000
#: (with its 130 translations above).
INTERNED = 200_000
#: A table's name while kept: nothing Ibis or a store names a table looks like it.
PLACEHOLDER = "__equitrack_table_{}__"
#: Argument values compared by their type and repr: True is not 1 here, nor -0.0 0.0, nor a
#: time in one zone the same instant in another.
PLAIN = (
    str, int, float, bool, type(None), bytes, datetime.date, datetime.datetime, datetime.time,
    datetime.timedelta, decimal.Decimal, uuid.UUID, enum.Enum,
)  # fmt: skip

Translate = Callable[..., sge.Expression]
Table = tuple[str, str | None, str | None]  # name, catalog, database


class _Unkept(Exception):
    """The expression holds something its shape cannot be told by."""


class _Shapes:
    """Interned shapes of nodes and the translations kept under a whole expression's shape."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.numbers: dict[Hashable, int] = {}
        #: Never reused, even after `numbers` is emptied: a shape made of numbers from before
        #: and after cannot be mistaken for another.
        self.counter = itertools.count()
        self.kept: OrderedDict[Hashable, sge.Expression] = OrderedDict()
        self.hits = self.misses = self.unkept = 0

    def number(self, key: Hashable) -> int:
        found = self.numbers.get(key)
        if found is None:
            if len(self.numbers) >= INTERNED:
                self.numbers = {}
            found = self.numbers.setdefault(key, next(self.counter))
        return found

    def shape(self, op: ops.Node, tables: dict[Table, int], memtables_by_name: bool) -> Hashable:
        """`op`'s shape, numbering each table it reads in `tables` in the order met (rows held
        in memory too, where the compiler names them as a table: `memtables_by_name`).

        A reference to a relation (each side of a join, a self-join's copy) carries a number
        Ibis draws from a counter as the expression is built, so the same query built again
        has others: each is numbered in the order met instead, and the order of Ibis's numbers
        is kept with the shape, so nothing that could follow from them is lost."""
        memo: dict[int, int] = {}
        references: dict[int, int] = {}

        def value(v: Any) -> Hashable:
            if isinstance(v, ops.Node):
                return node(v)
            if isinstance(v, PLAIN):
                return (type(v), repr(v))  # -0.0 and 0.0, 1.0 and 1.00 (Decimal) are equal
            if isinstance(v, dt.DataType | sch.Schema):
                return v
            if isinstance(v, tuple):
                return tuple(value(x) for x in v)
            if isinstance(v, frozenset) and all(isinstance(x, PLAIN) for x in v):
                return ("set", frozenset((type(x), repr(x)) for x in v))  # columns to drop
            if isinstance(v, Mapping):
                return ("map", tuple((k, value(x)) for k, x in v.items()))
            raise _Unkept(type(v).__name__)

        def node(n: ops.Node) -> int:
            found = memo.get(id(n))
            if found is not None:
                return found
            if isinstance(n, ops.DatabaseTable):
                table = (n.name, n.namespace.catalog, n.namespace.database)
                number = tables.setdefault(table, len(tables))
                key: Hashable = ("table", number, n.schema, n.namespace)
            elif isinstance(n, ops.InMemoryTable):
                if not memtables_by_name:
                    raise _Unkept("rows in memory written into the SQL")
                # named in the SQL, its rows handed to the engine apart when the query runs
                key = ("rows", tables.setdefault((n.name, None, None), len(tables)), n.schema)
            elif isinstance(n, ops.Reference):
                met = references.setdefault(n.identifier, len(references))
                args = zip(n.__argnames__, n.__args__, strict=True)
                key = (type(n), tuple(met if a == "identifier" else value(v) for a, v in args))
            else:
                key = (type(n), tuple(value(a) for a in n.__args__))
            memo[id(n)] = found = self.number(key)
            return found

        root = node(op)
        return root, tuple(references[i] for i in sorted(references))


_SHAPES = _Shapes()
_ORIGINAL: Translate | None = None
_INSTALLING = threading.Lock()


def _renamed(tree: sge.Expression, names: dict[str, str]) -> sge.Expression:
    """A copy of `tree` with each table named in `names` renamed (its quoting, database and
    catalog as they were)."""
    out = tree.copy()
    for table in out.find_all(sge.Table):
        to = names.get(table.name)
        if to is not None:
            table.this.set("this", to)
    return out


def translate(
    compiler: SQLGlotCompiler, op: ops.Node, *, params: Mapping[Any, Any]
) -> sge.Expression:
    """`SQLGlotCompiler.translate`, kept by the shape of `op` (see the module's words)."""
    assert _ORIGINAL is not None
    shapes = _SHAPES
    tables: dict[Table, int] = {}
    try:
        if params:
            raise _Unkept("parameters")
        by_name = type(compiler).visit_InMemoryTable is SQLGlotCompiler.visit_InMemoryTable
        key = (type(compiler), options.sql.fuse_selects, shapes.shape(op, tables, by_name))
        if len({name for name, *_ in tables}) < len(tables):
            raise _Unkept("one name in two namespaces")  # renamed by name alone
    except _Unkept:
        shapes.unkept += 1
        return _ORIGINAL(compiler, op, params=params)
    with shapes.lock:
        kept = shapes.kept.get(key)
        if kept is not None:
            shapes.kept.move_to_end(key)
            shapes.hits += 1
    if kept is not None:
        return _renamed(kept, {PLACEHOLDER.format(i): name for (name, *_), i in tables.items()})
    made = _ORIGINAL(compiler, op, params=params)
    placeheld = _renamed(made, {name: PLACEHOLDER.format(i) for (name, *_), i in tables.items()})
    with shapes.lock:
        shapes.misses += 1
        shapes.kept[key] = placeheld
        if len(shapes.kept) > KEPT:
            shapes.kept.popitem(last=False)
    return made


def install() -> None:
    """Keep translations from now on, in every backend of this process (once: two stores
    opened at once by two threads must not take this module's `translate` for Ibis's own)."""
    global _ORIGINAL
    with _INSTALLING:
        if _ORIGINAL is None:
            _ORIGINAL = SQLGlotCompiler.translate
            SQLGlotCompiler.translate = translate  # type: ignore[method-assign]


def uninstall() -> None:
    """Translate as Ibis does, keeping nothing (the tests compare the two)."""
    global _ORIGINAL
    with _INSTALLING:
        if _ORIGINAL is not None:
            SQLGlotCompiler.translate = _ORIGINAL  # type: ignore[method-assign]
            _ORIGINAL = None
            with _SHAPES.lock:
                _SHAPES.kept.clear()


def counts() -> dict[str, int]:
    """Translations read back, made and not kept, since the process started."""
    return {"hits": _SHAPES.hits, "misses": _SHAPES.misses, "unkept": _SHAPES.unkept}


__all__ = ["counts", "install", "translate", "uninstall"]
