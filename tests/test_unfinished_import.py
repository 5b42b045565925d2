"""No reader ever sees an unfinished import: `equitrack import` is killed (SIGKILL) at several
points, and after each kill every read command (status, wres, report, export-parquet and a
dashboard page) gives exactly what it gave before the import began. The readers open the store
without writing, so nothing undoes the killed import for them: it is hidden.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from equitrack import synth
from equitrack.cli import app as cli
from equitrack.ingest import import_paths
from equitrack.store import connect
from equitrack.web.app import create_app
from equitrack.web.users import add_user
from tests.web.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

YEAR = 2026
#: Loaded before: enough for every WRES indicator that reads staff and recruitment.
FIRST = ("organisations", "people", "assignments", "vacancies", "applications")

#: `equitrack import` with hooks that report each committed batch on stdout and kill the
#: process where told: after batch N is committed, inside batch N's transaction (its rows
#: written, its journal entry not), or with every batch committed but the import not finished.
#: For a kill from outside ("random"), the import waits before it finishes, so that the kill
#: always comes first, wherever it lands.
KILLED_IMPORT = textwrap.dedent(
    """
    import os, signal, sys, time
    from equitrack.cli import app
    from equitrack.ingest import load
    from equitrack.store import connection

    where, n, db, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    done = [0]
    real_commit, real_insert = load._commit, connection.Store.insert

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def commit(store, tables, advance):
        real_commit(store, tables, advance)
        done[0] += 1
        print(f"@@committed {done[0]}", flush=True)
        if where == "after" and done[0] == n:
            die()

    def insert(self, name, data):
        real_insert(self, name, data)
        if where == "inside" and name == "import_journal" and done[0] + 1 == n:
            die()

    load._commit, connection.Store.insert = commit, insert
    if where == "finish":
        connection.Store.finish_import = lambda *a, **k: die()
    if where == "random":
        connection.Store.finish_import = lambda *a, **k: time.sleep(120)
    app(["import", folder, "--db", db], prog_name="equitrack")
    """
)

runner = CliRunner()


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The mini system in two folders: what is loaded first, and the import that is killed."""
    base = tmp_path_factory.mktemp("system")
    tables = synth.generate("mini", seed=11, years=3)
    synth.write({t: tables[t] for t in FIRST}, base / "first", "parquet")
    synth.write({t: v for t, v in tables.items() if t not in FIRST}, base / "rest", "parquet")
    return base / "first", base / "rest"


def read_everything(db: Path, out: Path) -> dict[str, object]:
    """What every read command shows, with the parts that change from run to run taken out."""
    seen: dict[str, object] = {"status": status_of(db)}
    wres = runner.invoke(cli, ["wres", "--year", str(YEAR), "--db", str(db), "--format", "json"])
    assert wres.exit_code == 0, wres.output
    seen["wres"] = json.loads(wres.output)
    report = runner.invoke(cli, ["report", "--kind", "wres", "--org", "RXA", "--year", str(YEAR),
                                 "--format", "xlsx", "--audience", "analyst", "--out",
                                 str(out / "report"), "--db", str(db)])  # fmt: skip
    assert report.exit_code == 0, report.output
    seen["report"] = _cells(out / "report")
    export = runner.invoke(cli, ["export-parquet", "--out", str(out / "parquet"), "--overwrite",
                                 "--db", str(db)])  # fmt: skip
    assert export.exit_code == 0, export.output
    seen["export"] = {
        p.name: sorted(map(repr, pq.read_table(p).to_pylist()))
        for p in sorted((out / "parquet").glob("*.parquet"))
    }
    store = connect(str(db), create=False)
    try:
        with TestClient(create_app(store, secure_cookies=False)) as client:
            sign_in(client, "reader")
            page = client.get("/data")
            assert page.status_code == 200
            seen["dashboard"] = re.sub(r'value="[^"]{20,}"', "", page.text)  # the form's token
    finally:
        store.close()
    return seen


def status_of(db: Path) -> object:
    """What `equitrack status` shows: the files and rows a reader sees."""
    status = runner.invoke(cli, ["status", "--db", str(db), "--format", "json"])
    assert status.exit_code == 0, status.output
    return json.loads(status.output)


def _cells(folder: Path) -> list[object]:
    from openpyxl import load_workbook

    cells = []
    for path in sorted(folder.glob("*.xlsx")):
        book = load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            cells += [(sheet.title, row) for row in sheet.iter_rows(values_only=True)]
    return cells


def kill_import(db: Path, folder: Path, where: str, n: int, rng: random.Random) -> int:
    """Run the import until it is killed; returns the batches committed by then.

    `where` is a hook point, or "random": the test kills it from outside a random few
    milliseconds after batch `n` is committed, wherever it has got to.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, where, str(n), str(db), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=os.environ,
        text=True,
    )
    committed = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("@@committed"):
            committed = int(line.split()[1])
            if where == "random" and committed == n:
                time.sleep(rng.uniform(0.0, 0.15))
                proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=120) == -signal.SIGKILL, "the import was killed"
    return committed


def journal(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql("SELECT count(*) FROM import_journal").fetchone()[0]
    finally:
        con.close()


def test_no_reader_sees_a_killed_import(
    system: tuple[Path, Path], tmp_path: Path, isolated_key: Path
) -> None:
    first, rest = system
    db = tmp_path / "store.duckdb"
    store = connect(str(db))
    assert import_paths([first], store).ok
    add_user(store, "reader", PASSWORD, "viewer", ["*"], by="test")
    store.close()
    before = read_everything(db, tmp_path / "before")
    rng = random.Random(15)
    batches = len(list(rest.glob("*.parquet")))
    kills = [("after", 1), ("inside", 3), ("random", rng.randrange(2, batches - 1)),
             ("finish", batches)]  # fmt: skip
    for i, (where, n) in enumerate(kills):
        committed = kill_import(db, rest, where, n, rng)
        # rows of the import are in the file (a kill from outside may land between a batch's
        # commit and its report)
        assert committed <= journal(db) <= committed + (where == "random"), (where, n)
        assert committed > 0
        after = read_everything(db, tmp_path / f"after-{i}")
        for command, shown in before.items():
            assert after[command] == shown, (command, where, n)
    # a writing open removes what the killed imports left, and the same files then load whole
    result = import_paths([rest], connect(str(db)))
    assert result.ok and journal(db) == 0
    assert status_of(db) != before["status"]


@pytest.mark.parametrize("view", ["reader", "importer"])
def test_an_import_in_progress_is_seen_only_by_itself(
    view: str, system: tuple[Path, Path], tmp_path: Path
) -> None:
    """In one process (the dashboard's upload): readers of the store see the batches of an
    import still running only once it finishes; the import's own checks see them at once."""
    first, _ = system
    store = connect(str(tmp_path / "db.duckdb"))
    importing = store.importing()
    seen: dict[str, int] = {}
    real: Callable = importing.finish_import

    def finish(*args: object, **kwargs: object) -> None:
        reader = store if view == "reader" else importing
        seen["before"] = reader.table("people").count().to_pyarrow().as_py()
        real(*args, **kwargs)
        seen["after"] = reader.table("people").count().to_pyarrow().as_py()

    importing.finish_import = finish  # type: ignore[method-assign]
    store.importing = lambda: importing  # type: ignore[method-assign]
    assert import_paths([first], store).ok
    people = pq.read_metadata(first / "people.parquet").num_rows
    assert seen == {"before": 0 if view == "reader" else people, "after": people}
    store.close()
