"""The engine behind the store: a DuckDB file by default, any Ibis backend by URL.

No reader ever sees an unfinished import. An import commits file by file (one transaction per
batch keeps memory bounded at national scale), so between its first commit and its last a
killed or still-running import has rows in the tables. Each such batch is listed in the import
journal, in the same transaction as its rows, until the import finishes and clears its entries
in one transaction. Every read goes through `Store.table`, which leaves out the rows of batches
in the journal within the same SQL statement: a reader sees a batch's rows exactly when it sees
the journal without it, so the import appears whole, at once, or not at all, whatever the
reader's connection (read-only included) and however the import ended. Writing opens also
remove a dead import's batches, so they do not take space for ever.

Why not write into staging tables and publish them in one transaction? Publishing would copy
every row a second time (tens of millions nationally) and the import's own checks (keys already
loaded, references) would have to read two places; hiding by the journal costs readers one
anti-join on an integer column and needs no second copy. The import itself reads through a view
(`Store.importing`) that sees the batches it has committed, and no others.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import ibis
import ibis.expr.operations as ops
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends import BaseBackend

from equitrack import config
from equitrack.logs import log
from equitrack.model.tables import TABLES
from equitrack.store import compilers, pseudonyms
from equitrack.store.schema import (
    BATCH_ID,
    META,
    OPTIONAL,
    SCHEMA_VERSION,
    TEXT_PSEUDONYMS,
    all_schemas,
)
from equitrack.store.spark import connect_spark, is_spark_url

LOG = logging.getLogger(__name__)
#: Bookkeeping tables whose rows belong to a batch, removed with an unfinished import's.
UNDONE_TOO = ("extra_values", "snapshot_rows", "derived_batches", "batches")
#: Every PostgreSQL session's settings. equitrack's queries join whole populations; a planner
#: that underestimates one (a filter on a computed year, a grouped subquery: "rows=1") picks a
#: nested loop and scans a table once per row of the other. Measured on the generated mini
#: system with statistics gathered: two measures took 75 s and 25 s (all of them 169 s); with
#: nested loops only where no other join can be made, 40 s for all, none over 2 s (LLR: 23 s
#: for all, where nested loops had not finished in 17 minutes). Set for the session, so a
#: transaction rolled back does not undo it.
POSTGRES_SESSION = "SET SESSION enable_nestloop = off"


class StoreError(Exception):
    """A problem with the database itself, said in words an analyst can act on."""


class StoreBusy(StoreError):
    """Another process has the DuckDB file open (the dashboard, or another command)."""


#: Backends whose SQL transactions make a batch all-or-nothing.
TRANSACTIONAL = {"duckdb", "postgres"}


class Transaction:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.open = True

    def rollback(self) -> None:
        if self.open:
            self.store.con.raw_sql("ROLLBACK")
            self.open = False


class Database:
    """The database a store is a connection to: what is kept about its data (the release, the
    coverage) belongs to the database, not to one connection, so a dashboard that closes and
    opens the file again (`equitrack.store.lending`) keeps it while anything holds this."""


_DATABASES: weakref.WeakValueDictionary[str, Database] = weakref.WeakValueDictionary()


def database_of(url: str) -> Database:
    """One `Database` per file or server URL in this process; an in-memory one each time."""
    if not url or ":memory:" in url:
        return Database()
    key = url if _is_url(url) else str(Path(url).expanduser().resolve())
    with _LOCK:
        found = _DATABASES.get(key)
        if found is None:
            found = _DATABASES[key] = Database()
        return found


T = TypeVar("T")
#: What `Store.built` has not made yet (None may be made).
_NOT_BUILT = object()
#: Each connection's tables' schemas, by the connection's id (see `Store.raw_table`).
_SCHEMAS: dict[int, dict[str, ibis.Schema]] = {}
_LOCK = threading.Lock()


@dataclass
class Store:
    con: BaseBackend
    url: str
    #: Batches this view committed for an import still running (see `importing`): it sees them.
    own: set[int] = field(default_factory=set)
    #: Tables this view has inserted rows into (an import's checks know what it wrote).
    written: set[str] = field(default_factory=set)
    database: Database = field(init=False)
    _built: dict[Hashable, Any] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.database = database_of(self.url)

    def built(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`, an expression over this view's tables, made once for `key`: an expression
        never changes once made, and a run of the measures builds the same ones (a table as a
        reader sees it, the organisations' units) hundreds of times, a few milliseconds each."""
        found = self._built.get(key, _NOT_BUILT)
        if found is _NOT_BUILT:
            found = self._built.setdefault(key, make())
        return found

    @property
    def backend(self) -> str:
        return self.con.name

    def missing_tables(self) -> list[str]:
        return sorted(set(all_schemas()) - OPTIONAL - set(self.con.list_tables()))

    def check_version(self) -> None:
        version = self.meta("schema_version")
        if version == TEXT_PSEUDONYMS:
            raise StoreError(
                f"{self.url} keeps pseudonyms as text, as earlier versions of equitrack did: "
                f"convert it once with `equitrack migrate --db {self.url}`"
            )
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.url} was made by a different version of equitrack (schema {version}, "
                f"this version reads schema {SCHEMA_VERSION})."
            )

    def ensure_schema(self) -> None:
        """Create any missing table; never alters one that exists."""
        if "meta" in self.con.list_tables():  # an old store is refused before it gains tables
            self.check_version()
        with self.transaction() if self.backend == "duckdb" else nullcontext():
            # one commit: DuckDB writes each statement to disk on its own otherwise, and a new
            # store's thirty tables took as long as loading a trust's files
            if "meta" in self.ensure_tables(all_schemas()):
                meta = {"key": ["schema_version"], "value": [SCHEMA_VERSION]}
                self.insert("meta", pa.table(meta))
        self.check_version()
        self.undo_unfinished_import()

    def ensure_tables(self, names: Iterable[str]) -> set[str]:
        """Create those of the store's tables `names` that are missing, and return them.

        Nothing else: unlike `ensure_schema` it never clears up after an unfinished import,
        which on a connection other than the import's may be one still running."""
        schemas = all_schemas()
        created = set(names) - set(self.con.list_tables())
        for name in sorted(created):
            if self.backend != "duckdb":
                self.con.create_table(name, schema=schemas[name])
                continue
            target = sge.Schema(  # as Ibis's create_table, less its look-ups
                this=sg.table(name, quoted=True),
                expressions=schemas[name].to_sqlglot_column_defs(self.con.dialect),
            )
            self.con.raw_sql(sge.Create(kind="TABLE", this=target).sql(self.con.dialect))
        return created

    def unfinished_batches(self) -> list[int]:
        journal = self.raw_table("import_journal").to_pyarrow()
        return sorted(journal.column("batch_id").to_pylist())

    def undo_unfinished_import(self, batches: Iterable[int] | None = None) -> list[int]:
        """Remove the batches of an import that did not finish (`batches`, else every batch in
        the journal), in one transaction."""
        journal = set(self.unfinished_batches())
        pending = sorted(journal if batches is None else journal & set(batches))
        if not pending:
            return []
        ids = ", ".join(str(int(b)) for b in pending)
        with self.transaction():
            for name in (*(t.name for t in TABLES), *UNDONE_TOO, "import_journal"):
                self.con.raw_sql(f'DELETE FROM "{name}" WHERE batch_id IN ({ids})')
        self.own.difference_update(pending)
        return pending

    def finish_import(
        self, meta: dict[str, str] | None = None, also: Callable[[], None] | None = None
    ) -> None:
        """The import is complete: its batches (this view's own) appear to every reader at once,
        and `meta` entries not yet set are set, in the same transaction; so are the writes of
        `also` (assignments derived from ESR snapshots replacing those derived before)."""
        with self.transaction():
            if also is not None:
                also()
            if self.own:
                ids = ", ".join(str(int(b)) for b in sorted(self.own))
                self.con.raw_sql(f'DELETE FROM "import_journal" WHERE batch_id IN ({ids})')
            for key, value in (meta or {}).items():
                if self.meta(key) is None:
                    self.set_meta(key, value)
        self.own.clear()
        if self.backend == "postgres":
            self._gather_statistics()

    def _gather_statistics(self) -> None:
        """PostgreSQL plans a query from statistics its autovacuum gathers a minute or more
        after a load: a question asked sooner was planned on none, and a later one on other
        figures. Gathered now, for equitrack's own tables only (a database shared with a
        warehouse keeps its own schedule), so every question after an import is planned on
        what was loaded. The import is committed by then: statistics not gathered (the server
        refused, the connection dropped) are said in the log, never reported as an import
        that failed; autovacuum gathers them later."""
        names = ", ".join(f'"{n}"' for n in (*(t.name for t in TABLES), *UNDONE_TOO))
        try:
            self.con.raw_sql(f"ANALYZE {names}").close()
        except Exception as exc:  # psycopg's errors: the driver is optional here
            log(LOG, "statistics not gathered after an import", logging.WARNING, why=str(exc))

    def importing(self) -> Store:
        """A view of this store for one import: it sees the batches it commits (add their ids
        to `own`), which every other view hides until `finish_import`."""
        return Store(self.con, self.url)

    def table(self, name: str) -> ibis.Table:
        """A stored table as a reader may see it: without the rows of an unfinished import.

        Only the engines equitrack imports into can hold one; a Spark store is read from an
        export, which never carries them.
        """
        return self.built(("table", name, frozenset(self.own)), lambda: self._readable(name))

    def _readable(self, name: str) -> ibis.Table:
        t = self.raw_table(name)
        if (
            self.backend not in TRANSACTIONAL
            or BATCH_ID not in t.columns
            or name == "import_journal"
        ):
            return t
        journal = self.raw_table("import_journal")
        if self.own:
            journal = journal.filter(~journal.batch_id.isin(sorted(self.own)))
        return t.filter(~t.batch_id.isin(journal.batch_id))

    def raw_table(self, name: str) -> ibis.Table:
        """Everything stored, unfinished imports included: for the store's own bookkeeping.

        A store's own tables' schemas are looked up once per connection (a look-up is a query,
        and a run of the measures makes hundreds): they are created once and never altered, and
        a Spark store's are registered once, when it opens."""
        if name not in all_schemas() or self.backend not in ("duckdb", "postgres", "pyspark"):
            return self.con.table(name)
        with _LOCK:
            if id(self.con) not in _SCHEMAS:
                # kept apart from the connection (a table refers to it, and a cycle would keep
                # it open after its last user lets it go) and dropped with it
                _SCHEMAS[id(self.con)] = {}
                weakref.finalize(self.con, _SCHEMAS.pop, id(self.con), None)
            known = _SCHEMAS[id(self.con)]
        if name not in known:
            known[name] = self.con.get_schema(name)
        namespace = ops.Namespace(catalog=None, database=None)
        return ops.DatabaseTable(
            name, schema=known[name], source=self.con, namespace=namespace
        ).to_expr()

    def insert(self, name: str, data: pa.Table) -> None:
        """Appends rows, matched to the table's columns by name.

        DuckDB reads the Arrow table itself: an Ibis in-memory table on the way costs a
        third more for no gain. Other engines go through Ibis."""
        if not data.num_rows:
            return
        self.written.add(name)
        if self.backend != "duckdb":
            with self.temporary(data) as rows:
                self.con.insert(name, rows)
            return
        with self._registered(data) as view:
            self.con.con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM "{view}"')

    @contextmanager
    def _registered(self, data: pa.Table) -> Iterator[str]:
        """`data` as a DuckDB view of the Arrow table itself (pseudonyms read as UUIDs)."""
        view = f"_equitrack_rows_{uuid.uuid4().hex}"
        self.con.con.register(view, pseudonyms.for_engine(data, "duckdb"))
        try:
            yield view
        finally:
            self.con.con.unregister(view)

    @contextmanager
    def temporary(self, data: pa.Table) -> Iterator[ibis.Table]:
        """An in-memory table for the statements inside the block, released after it.

        Ibis keeps every memtable registered until the process exits, which pins its data in
        memory: over a national import, or a server's lifetime, that is a leak. Pseudonyms
        (`pseudonyms.PSEUDONYM`) arrive in the engine's own type, so they join stored ones:
        DuckDB reads the Arrow UUIDs as they are; an Ibis memtable cannot hold them, so other
        engines get them as hex and cast (PostgreSQL) or as binary (Spark).
        """
        if self.backend == "duckdb":  # copied into the engine: DuckDB cannot push a filter on
            # a UUID down into an Arrow scan
            name = f"_equitrack_temp_{uuid.uuid4().hex}"
            with self._registered(data) as view:
                self.con.con.execute(f'CREATE TEMP TABLE "{name}" AS SELECT * FROM "{view}"')
            try:
                yield self.con.table(name)
            finally:
                self.con.con.execute(f'DROP TABLE IF EXISTS "{name}"')
            return
        ids = [f.name for f in data.schema if f.type == pseudonyms.PSEUDONYM]
        if self.backend == "pyspark":
            table = ibis.memtable(pseudonyms.for_engine(data, "pyspark"))
        else:
            for name in ids:
                at = data.schema.get_field_index(name)
                data = data.set_column(at, name, pseudonyms.to_hex(data.column(name)))
            table = ibis.memtable(data)
        try:
            if ids and self.backend != "pyspark":
                yield table.mutate(**{n: table[n].cast(pseudonyms.IBIS_PSEUDONYM) for n in ids})
            else:
                yield table
        finally:
            self._release(table)

    def _release(self, table: ibis.Table) -> None:
        op = table.op()
        if op not in self.con._memtables:
            return
        if self.backend == "duckdb":
            self.con.con.unregister(op.name)  # registered as a view, which DROP TABLE misses
        elif (finalizer := self.con._make_memtable_finalizer(op.name)) is not None:
            finalizer()
        self.con._memtables.discard(op)

    def sql(self, expr: ibis.Table) -> str:
        """`expr` as SQL for a raw statement, its in-memory tables made ready first (Ibis does
        that only for the statements it runs itself)."""
        self.con._run_pre_execute_hooks(expr)
        return str(self.con.compile(expr))

    def cache(self, expr: ibis.Table) -> ibis.Table:
        """`expr` computed once and kept in the engine (a temporary table) until released.

        PySpark's cache skips registering the in-memory tables the query reads, so they are
        registered first.
        """
        if self.backend == "pyspark":
            self.con._run_pre_execute_hooks(expr)
        return expr.cache()

    def meta(self, key: str) -> str | None:
        t = self.table("meta")
        rows = t.filter(t.key == key).select("value").to_pyarrow()
        return rows.column("value")[0].as_py() if rows.num_rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.insert(
            "meta", pa.Table.from_pylist([{"key": key, "value": value}], schema=META.to_pyarrow())
        )

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """All-or-nothing for everything written inside; a killed process commits nothing.

        Leaving the block commits, unless the block called `rollback()` or raised.
        """
        if self.backend not in TRANSACTIONAL:
            raise StoreError(
                f"equitrack imports into DuckDB or PostgreSQL, not {self.backend}: import into "
                "one of those, then `equitrack export-parquet` for Spark to read"
            )
        self.con.raw_sql("BEGIN TRANSACTION")
        tx = Transaction(self)
        try:
            yield tx
        except BaseException:
            tx.rollback()
            raise
        if tx.open:
            self.con.raw_sql("COMMIT")
            tx.open = False

    def close(self) -> None:
        self.con.disconnect()


def _backend(url: str) -> BaseBackend:
    compilers.load_lazily()  # before the backend's module imports them
    from equitrack.store import compiled  # it imports the compilers: after `load_lazily`

    compiled.install()
    if is_spark_url(url):
        _needs("pyspark", "spark")
        return connect_spark(url, list(all_schemas()), OPTIONAL)
    if "://" in url:
        if not url.startswith(("postgres://", "postgresql://")):
            return ibis.connect(url)
        _needs("psycopg", "postgres")
        con = ibis.connect(url)
        con.raw_sql(POSTGRES_SESSION).close()
        return con
    path = Path(url).expanduser()
    if path.exists() and path.is_dir():
        raise StoreError(
            f"{url} is a folder; give a database file such as {path / 'equitrack.duckdb'}"
        )
    if not path.parent.exists():
        raise StoreError(f"cannot create {url}: the folder {path.parent} does not exist")
    try:
        con = ibis.duckdb.connect(str(path))
    except Exception as exc:  # duckdb.IOException: "Could not set lock on file … (PID …)"
        if "lock" in str(exc).lower():
            pid = re.search(r"PID (\d+)", str(exc))
            who = f" (process {pid.group(1)})" if pid else ""
            raise StoreBusy(f"{url} is in use by another program{who}") from exc
        raise
    con.raw_sql(f"SET memory_limit = '{config.duckdb_memory()}'")
    con.raw_sql("SET enable_progress_bar = false")  # our own progress bars speak for us
    return con


def _needs(module: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise StoreError(f"this database needs {module}: pip install 'equitrack[{extra}]'")


def connect(
    url: str | None = None,
    *,
    create: bool = True,
    wait: float | None = None,
    any_version: bool = False,
) -> Store:
    """Open the store at `url`: a DuckDB file path, postgres://…, a spark: URL or any Ibis URL.

    Spark stores are read-only: their tables come from Parquet or a catalog, never created.
    A store of another schema version is refused, unless `any_version` (for `store.migrate`).
    A DuckDB file another process has open (the dashboard) is waited for up to `wait` seconds
    (default `config.lock_wait()`), asking the dashboard for it (`equitrack.store.lending`).
    """
    url = url or config.default_db()
    create = create and not is_spark_url(url)
    if not create and not _is_url(url) and not Path(url).expanduser().exists():
        raise StoreError(f"no database at {url}; import some data first (equitrack import …)")
    try:
        store = Store(_waiting_for(url, config.lock_wait() if wait is None else wait), url)
    except StoreError:
        raise
    except Exception as exc:  # the engine's own words, under ours
        raise StoreError(f"could not open the database {url}: {exc}") from exc
    if create:
        store.ensure_schema()
    elif missing := store.missing_tables():
        raise StoreError(
            f"{url} is not an equitrack database: it has no table {', '.join(missing)}"
        )
    elif not any_version:
        store.check_version()
    return store


def _waiting_for(url: str, wait: float) -> BaseBackend:
    """The backend, once a DuckDB file in use elsewhere is free (asked for while waiting)."""
    from equitrack.store import lending  # it builds on this module

    deadline, said = time.monotonic() + wait, False
    while True:
        try:
            con = _backend(url)
        except StoreBusy as busy:
            if time.monotonic() >= deadline:
                lending.stop_asking(url)
                raise StoreBusy(
                    f"{busy}; waited {wait:.0f} s for it ({config.LOCK_WAIT_ENV})"
                ) from busy
            lending.ask_for(url)
            if not said and time.monotonic() + wait - deadline > 1.0:
                print(f"equitrack: waiting for {url}: {busy} …", file=sys.stderr, flush=True)
                said = True
            time.sleep(lending.POLL)
            continue
        if said or lending.asked_for(url):
            lending.stop_asking(url)
        return con


def _is_url(url: str) -> bool:
    return "://" in url or is_spark_url(url)
