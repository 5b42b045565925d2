"""ESR snapshots load into PostgreSQL as into DuckDB: the history made when an import finishes
(deleting what was derived before, in SQL) gives the same tables on both engines, and a
corrected re-export replaces its snapshot there too."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from equitrack.ingest import import_paths
from equitrack.store import Store, connect, pseudonyms
from tests.ingest_profiles.support import write_organisations
from tests.test_snapshots import SERIES, SNAPSHOT_2024, row, write


@pytest.fixture
def snapshot_db(postgres_url: str) -> str:
    """A database of its own on the shared server (the others hold the generated system)."""
    with psycopg.connect(
        postgres_url.replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute("DROP DATABASE IF EXISTS snapshots")
        c.execute("CREATE DATABASE snapshots")
    return postgres_url.rsplit("/", 1)[0] + "/snapshots"


def _tables(store: Store) -> dict[str, list[dict[str, object]]]:
    return {
        name: pseudonyms.read(store.table(name).drop("batch_id").order_by(key)).to_pylist()
        for name, key in (("people", "person_id"), ("assignments", "assignment_id"))
    }


def test_snapshots_give_the_same_history_in_postgres(
    snapshot_db: str, tmp_path: Path, engine_key: None
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    paths = [write_organisations(folder), *(write(folder, e) for e in SERIES)]
    name, top, rows = SNAPSHOT_2024
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    corrected = write(fixed, (name, top, [row("E1", "Band 7", "01/04/2019"), *rows[1:]]))
    stores = [connect(snapshot_db), connect(str(tmp_path / "duck.duckdb"))]
    try:
        for store in stores:
            for path in paths:
                assert import_paths([path], store).ok
            assert import_paths([corrected], store).ok
        pg, duck = (_tables(s) for s in stores)
        assert pg == duck
        bands = {r["pay_band"] for r in pg["assignments"]}
        assert "Band 7" in bands and len(pg["assignments"]) == 7  # E1: 5, then 7, then 6
    finally:
        for store in stores:
            store.close()
