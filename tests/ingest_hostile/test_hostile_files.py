"""Every hostile file in the corpus, imported with `equitrack import` into a store that already
holds data: a one-line reason naming the file, exit 1 or 2, no traceback, the store as it was."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from equitrack import config
from equitrack.cli import app
from equitrack.ingest import import_paths
from equitrack.store import connect
from tests.factories import small_system, write_csv
from tests.ingest_hostile.corpus import KINDS, Kind

runner = CliRunner()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A store holding the small system, and the key it was loaded with (copied per test)."""
    base = tmp_path_factory.mktemp("hostile")
    key, db = base / "key", base / "loaded.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(key))
        store = connect(str(db))
        assert import_paths([small_system(base / "good")], store).ok
        store.close()
    yield db, key


@pytest.fixture
def store_copy(loaded: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db, key = loaded
    monkeypatch.setenv(config.KEY_FILE_ENV, str(key))
    copy = tmp_path / "store.duckdb"
    shutil.copy(db, copy)
    return copy


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows but the audit log's (a refused import is audited, as it should be),
    read from the file itself: rows an unfinished import left hidden would show here too."""
    with duckdb.connect(str(db)) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {
            name: sorted(map(repr, con.execute(f'SELECT * FROM "{name}"').fetchall()))
            for name in sorted(names)
            if name != "audit_log"
        }


def refused(kind: Kind, target: Path, db: Path, file: Path | None = None) -> dict[str, list]:
    """Imports `target` (`file`, or a folder holding it) and checks the refusal: exit 1 or 2, a
    line naming the file with the reason, no traceback, and the store as it was (returned)."""
    before = snapshot(db)
    assert before["people"] and before["batches"]  # a store with something to lose
    result = runner.invoke(app, ["import", str(target), "--db", str(db)], terminal_width=400)
    out = result.output
    assert result.exit_code in (1, 2), out
    assert result.exception is None or isinstance(result.exception, SystemExit), out
    assert "Traceback" not in out
    named = [line for line in out.splitlines() if (file or target).name in line]
    assert any(re.search(kind.reason, line) for line in named), out
    after = snapshot(db)
    assert after == before
    return after


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_hostile_file_is_refused_with_a_reason_and_the_store_kept(
    name: str, store_copy: Path, tmp_path: Path
) -> None:
    kind = KINDS[name]
    folder = tmp_path / "in"
    folder.mkdir()
    refused(kind, kind.make(folder), store_copy)


@pytest.mark.parametrize(
    "name",
    [
        "binary_after_header",
        "header_only_csv",
        "huge_field_far_down",
        "entity_bomb",
        "shared_strings_bomb",
        "struct_column",
        "implausible_leave",
    ],
)
def test_a_hostile_file_after_good_ones_leaves_nothing_of_the_import(
    name: str, store_copy: Path, tmp_path: Path
) -> None:
    """The folder's organisations file is loaded and committed before the hostile file is
    read; refusing the hostile file takes the organisations back out."""
    folder = tmp_path / "exports"
    folder.mkdir()
    write_csv(
        folder / "organisations.csv",
        [{"org_code": "RXX", "name": "Elsewhere", "org_type": "trust", "system_code": "QK1"}],
    )
    kind = KINDS[name]
    after = refused(kind, folder, store_copy, kind.make(folder))
    assert not any("RXX" in row for row in after["organisations"])
