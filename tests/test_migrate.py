"""`equitrack migrate`: a store of schema 1 (pseudonyms as 32 hex characters) converted in place
gives what importing the same files afresh gives, all or nothing, and only once.

The old store is made the way equitrack made them: the same import, with every pseudonymised
column then held as its lower-case hex text (`_as_schema_1`), and the version set to 1.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from equitrack import synth
from equitrack.api import run
from equitrack.cli import app
from equitrack.ingest import import_paths
from equitrack.ingest.spells import later_spell_id
from equitrack.model.tables import TABLES
from equitrack.store import StoreError, connect, pseudonyms
from equitrack.store.migrate import migrate, text_columns
from equitrack.store.schema import SCHEMA_VERSION

runner = CliRunner()
LATER_START = dt.date(2024, 3, 31)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    synth.write(synth.generate("mini", seed=5), folder, "parquet")
    return folder


@pytest.fixture
def fresh(data: Path, tmp_path: Path) -> Path:
    db = tmp_path / "fresh.duckdb"
    store = connect(str(db))
    assert import_paths([data], store, rejects_dir=tmp_path / "rejects").ok
    store.close()
    return db


def _as_schema_1(db: Path, later: bytes | None = None) -> None:
    """The store as schema 1 held it: pseudonyms as hex text. With `later` (an assignment's
    id), a row for that assignment's later spell is added, with the text id schema 1 gave it."""
    con = duckdb.connect(str(db))
    for table, columns in pseudonyms.COLUMNS.items():
        if table not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}:
            continue
        for c in columns:
            con.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{c}" TYPE VARCHAR '
                f"USING replace(CAST(\"{c}\" AS VARCHAR), '-', '')"
            )
    if later is not None:
        text = f"{later.hex()}~{LATER_START:%Y%m%d}"
        con.execute(
            "INSERT INTO assignments SELECT * REPLACE (? AS assignment_id) FROM assignments "
            "WHERE assignment_id = ?",
            [text, later.hex()],
        )
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()


def _old(fresh: Path, tmp_path: Path, later: bytes | None = None) -> Path:
    db = tmp_path / "old.duckdb"
    shutil.copy(fresh, db)
    _as_schema_1(db, later)
    return db


def _tables(db: Path) -> dict[str, list[dict[str, object]]]:
    store = connect(str(db), create=False)
    try:
        out = {}
        for t in TABLES:
            rows = pseudonyms.read(store.table(t.name)).drop_columns(["batch_id"])
            out[t.name] = sorted(rows.to_pylist(), key=repr)
        return out
    finally:
        store.close()


def _measures(db: Path) -> list[str]:
    store = connect(str(db), create=False)
    try:
        results = run(["wres", "careers"], [2025, 2026], store=store)
        return sorted(repr(sorted(r.record().items())) for r in results)
    finally:
        store.close()


def test_a_migrated_store_is_a_fresh_import(fresh: Path, tmp_path: Path) -> None:
    old = _old(fresh, tmp_path)
    assert text_columns(connect(str(old), create=False, any_version=True))
    done = runner.invoke(app, ["migrate", "--db", str(old)])
    assert done.exit_code == 0, done.output
    assert "Converted" in done.output
    assert _tables(old) == _tables(fresh)  # the same rows and the same pseudonyms
    assert _measures(old) == _measures(fresh)
    again = runner.invoke(app, ["migrate", "--db", str(old)])  # harmless the second time
    assert again.exit_code == 0 and "already up to date" in again.output
    assert _tables(old) == _tables(fresh)


def test_a_later_spell_keeps_the_id_a_fresh_import_gives_it(fresh: Path, tmp_path: Path) -> None:
    first = pseudonyms.read(connect(str(fresh)).table("assignments")).column("assignment_id")
    aid = first[0].as_py()
    old = _old(fresh, tmp_path, later=aid)
    store = connect(str(old), create=False, any_version=True)
    migrate(store)
    store.close()
    ids = set(_tables_ids(old))
    assert later_spell_id(aid, LATER_START) in ids and aid in ids


def _tables_ids(db: Path) -> list[bytes]:
    store = connect(str(db), create=False)
    try:
        return pseudonyms.read(store.table("assignments")).column("assignment_id").to_pylist()
    finally:
        store.close()


def test_an_interrupted_migration_leaves_the_old_store(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _old(fresh, tmp_path)
    before = duckdb.connect(str(old))
    expected = before.execute("SELECT * FROM assignments ORDER BY assignment_id").fetchall()
    before.close()
    store = connect(str(old), create=False, any_version=True)
    real = store.con.raw_sql
    altered: list[str] = []

    def failing(sql: object, *args: object, **kwargs: object) -> object:
        if isinstance(sql, str) and sql.startswith("ALTER"):
            altered.append(sql)
            if len(altered) == 3:
                raise RuntimeError("killed mid-way")
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(store.con, "raw_sql", failing)
    with pytest.raises(RuntimeError, match="killed mid-way"):
        migrate(store)
    monkeypatch.undo()
    store.close()
    after = duckdb.connect(str(old))
    assert after.execute("SELECT * FROM assignments ORDER BY assignment_id").fetchall() == expected
    kinds = after.execute(
        "SELECT DISTINCT data_type FROM information_schema.columns WHERE column_name = 'person_id'"
    ).fetchall()
    assert kinds == [("VARCHAR",)]
    version = after.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    assert version == [("1",)]
    after.close()
    assert migrate(connect(str(old), create=False, any_version=True)).changed  # then it works


@pytest.mark.parametrize("command", [["status"], ["wres", "--year", "2026"], ["import", "."]])
def test_another_command_on_an_old_store_names_the_migration(
    fresh: Path, tmp_path: Path, command: list[str]
) -> None:
    old = _old(fresh, tmp_path)
    done = runner.invoke(app, [*command, "--db", str(old)])
    assert done.exit_code == 2, done.output
    assert f"equitrack migrate --db {old}" in " ".join(done.output.split())
    assert "Traceback" not in done.output
    with pytest.raises(StoreError, match="equitrack migrate"):
        connect(str(old))


def test_a_store_of_the_current_schema_is_left_alone(fresh: Path) -> None:
    store = connect(str(fresh), create=False)
    assert store.meta("schema_version") == SCHEMA_VERSION
    assert not migrate(store).changed
    store.close()


def test_hex_round_trips_any_16_bytes() -> None:
    """Every byte value, either case, with and without a UUID's hyphens, and nulls."""
    raw = [bytes(range(i, i + 16)) for i in range(0, 241, 16)] + [b"\xff" * 16, b"\0" * 16]
    values = pa.array([*raw, None], pseudonyms.PSEUDONYM)
    text = pseudonyms.to_hex(values)
    assert text.to_pylist() == [r.hex() for r in raw] + [None]
    assert pseudonyms.from_hex(text).equals(values)
    hyphenated = pa.array([str(__import__("uuid").UUID(bytes=r)).upper() for r in raw] + [None])
    assert pseudonyms.from_hex(hyphenated).equals(values)
    with pytest.raises(ValueError, match="32 hex digits"):
        pseudonyms.from_hex(pa.array(["0" * 31 + "g"]))
