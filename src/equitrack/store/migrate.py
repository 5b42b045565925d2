"""`equitrack migrate`: a store of schema 1 (pseudonyms as 32 hex characters) brought to schema 2
(pseudonyms in 16 bytes, `store.pseudonyms`) in place.

Every pseudonymised column is converted in SQL (`ALTER … TYPE UUID USING …`), and the schema
version set, in one transaction: a migration that fails or is killed leaves the store as it
was, and a store already converted is left alone, so running it again is harmless. The
pseudonyms are the same 16 bytes, so a migrated store joins up with files imported after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from equitrack.progress import Progress, Silent
from equitrack.store.connection import TRANSACTIONAL, Store, StoreError
from equitrack.store.pseudonyms import COLUMNS
from equitrack.store.schema import SCHEMA_VERSION, TEXT_PSEUDONYMS

COMMAND = "equitrack migrate"

#: A derived assignment's later spell had the text id `<hex>~YYYYMMDD`; now it is that text's
#: MD5 (`ingest.spells.later_spell_id`), which DuckDB and PostgreSQL both compute as hex.
_LATER_SPELL = "CASE WHEN {c} LIKE '%~%' THEN CAST(md5({c}) AS UUID) ELSE CAST({c} AS UUID) END"


@dataclass(frozen=True)
class Migrated:
    version_before: str | None
    columns: list[str]  # "table.column" converted

    @property
    def changed(self) -> bool:
        return bool(self.columns)


def text_columns(store: Store) -> list[tuple[str, str]]:
    """The (table, column) pairs still holding pseudonyms as text."""
    present = set(store.con.list_tables())
    found = []
    for table, names in COLUMNS.items():
        if table not in present:
            continue
        schema = store.con.get_schema(table)
        found += [(table, n) for n in names if n in schema and schema[n].is_string()]
    return found


def _using(column: str) -> str:
    quoted = f'"{column}"'
    if column == "assignment_id":
        return _LATER_SPELL.format(c=quoted)
    return f"CAST({quoted} AS UUID)"


def migrate(store: Store, progress: Progress | None = None) -> Migrated:
    """Convert the store's text pseudonyms and set its schema version, all or nothing."""
    if store.backend not in TRANSACTIONAL:
        raise StoreError(f"{COMMAND} converts DuckDB and PostgreSQL stores, not {store.backend}")
    before = store.meta("schema_version")
    if before not in (TEXT_PSEUDONYMS, SCHEMA_VERSION):
        raise StoreError(
            f"{store.url} has schema {before}; {COMMAND} converts schema {TEXT_PSEUDONYMS} "
            f"to {SCHEMA_VERSION}"
        )
    pending = text_columns(store)
    if before == SCHEMA_VERSION and not pending:
        return Migrated(before, [])
    advance = (progress or Silent()).task(
        f"Storing the pseudonyms of {store.url} in 16 bytes", total=len(pending) + 1
    )
    with store.transaction():
        for table, column in pending:
            store.con.raw_sql(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE UUID USING {_using(column)}'
            )
            advance(1)
        store.con.raw_sql('DELETE FROM "meta" WHERE "key" = \'schema_version\'')
        store.con.raw_sql(f"INSERT INTO \"meta\" VALUES ('schema_version', '{SCHEMA_VERSION}')")
        advance(1)
    return Migrated(before, [f"{t}.{c}" for t, c in pending])
