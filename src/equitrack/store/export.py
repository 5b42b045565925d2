"""The canonical Parquet layout: a loaded store written out for Spark or a warehouse to read.

One file per table, `<table>.parquet`, with the store's own columns (pseudonymised ids, the
batch each row came in) and its meta, batches and extra-value tables, so that
`--db spark:…?parquet=DIR` reads exactly what was loaded. Rows of an import that has not
finished are left out. Files are readable by their owner only: pseudonymised is not anonymous.
Pseudonyms are written as 16-byte binary, which Spark reads as BINARY (a Parquet UUID it would
not read).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from equitrack.progress import Progress, Silent
from equitrack.store import pseudonyms
from equitrack.store.connection import Store, StoreError
from equitrack.store.schema import PRIVATE, all_schemas


@dataclass(frozen=True)
class Exported:
    table: str
    rows: int
    path: Path


def parquet_path(folder: Path, table: str) -> Path:
    return folder / f"{table}.parquet"


def export_parquet(
    store: Store, folder: Path, *, overwrite: bool = False, progress: Progress | None = None
) -> list[Exported]:
    progress = progress or Silent()
    present = set(store.con.list_tables())
    names = [n for n in all_schemas() if n in present and n not in PRIVATE]
    clashes = [n for n in names if parquet_path(folder, n).exists()]
    if clashes and not overwrite:
        raise StoreError(
            f"{folder} already holds {', '.join(c + '.parquet' for c in clashes)}; "
            "choose an empty folder or pass --overwrite"
        )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    done: list[Exported] = []
    advance = progress.task(f"Writing Parquet to {folder}", total=len(names))
    for name in names:
        table = store.table(name)  # an unfinished import's rows are hidden (Store.table)
        if name == "import_journal":
            table = table.limit(0)  # and so is its journal: only finished imports are written
        final = parquet_path(folder, name)
        partial = final.with_name(f".{final.name}.partial")
        _write(table, partial)
        os.chmod(partial, 0o600)
        partial.replace(final)
        done.append(Exported(name, int(table.count().to_pyarrow().as_py()), final))
        advance(1)
    return done


def _write(table: ibis.Table, path: Path) -> None:
    """`table` as Parquet at `path`, its pseudonyms as binary, a batch at a time."""
    ids = [n for n, t in table.schema().items() if pseudonyms.is_pseudonym_type(t)]
    if not ids:
        table.to_parquet(path)
        return
    schema = pseudonyms.arrow_schema(table.schema())
    schema = pa.schema([f.with_type(pa.binary()) if f.name in ids else f for f in schema])
    with pq.ParquetWriter(path, schema) as writer:
        for batch in table.to_pyarrow_batches():
            rows = pseudonyms.from_engine(pa.Table.from_batches([batch]), ids)
            writer.write_table(pseudonyms.for_engine(rows, "pyspark").cast(schema))
