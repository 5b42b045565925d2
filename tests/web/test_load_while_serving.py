"""New data loads while the dashboard serves (issue 22): with `equitrack serve` up on a DuckDB
file, the command line's import and status run, and every page asked for meanwhile answers, from
the data before the import or after it, never a mix; the dashboard shows the new data without a
restart."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.store import connect
from equitrack.store.lending import ask_for, stop_asking
from equitrack.web.app import create_app
from equitrack.web.state import PINNED, DataChanged
from equitrack.web.users import add_user
from tests.factories import small_system, write_csv
from tests.web.browser import serve
from tests.web.conftest import PASSWORD, csrf_of

#: WRES 1 at RWE on 31 March 2023 (the small system's assignments cover 2019 to 2023).
ASKED = "/api/organisations/RWE/measures/wres?year=2023"
COMMAND = Path(sys.executable).with_name("equitrack")


def newcomers(folder: Path, n: int = 40) -> Path:
    """A second export: `n` more people in post at RWE, half of them Black."""
    people = [
        {
            "person_id": f"2{i:07d}",
            "ethnic_code": "N" if i % 2 else "A",
            "sex": "F",
            "international_recruit": "false",
        }
        for i in range(n)
    ]
    assignments = [
        {
            "assignment_id": f"2{i:07d}-1",
            "person_id": f"2{i:07d}",
            "org_code": "RWE",
            "start_date": "2021-04-01",
            "end_date": "",
            "pay_band": "Band 5",
            "staff_group": "Nursing and Midwifery Registered",
            "contract": "permanent",
        }
        for i in range(n)
    ]
    write_csv(folder / "people.csv", people)
    write_csv(folder / "assignments.csv", assignments)
    return folder


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`equitrack serve`'s app (the file lent) over a small store, with an analyst (the
    tests share it: building the first release takes a while)."""
    folder = tmp_path_factory.mktemp("live")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(folder / "key"))
        db = folder / "live.duckdb"
        store = connect(str(db))
        assert import_paths([small_system(folder / "first")], store).ok
        add_user(store, "analyst", PASSWORD, "analyst", ["RWE"], by="test")
        store.close()
        app = create_app(connect(str(db), create=False), secure_cookies=False, lend=True)
        try:
            with serve(app, ready_path="/health") as base:
                yield base, db
        finally:
            app.state.web.close()


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=120)
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"username": "analyst", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]
    return client


def headcounts(answer: httpx.Response) -> dict[str, object]:
    """WRES 1 as the API gives it, by group: what an import of new staff changes."""
    assert answer.status_code == 200, answer.text[:300]
    rows = [r for r in answer.json() if r["measure"] == "wres1"]
    return {f"{r['breakdown']}|{r['group']}": r["numerator"] for r in rows}


def equitrack(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line, on the served store with its key (kept beside it)."""
    env = {**os.environ, config.KEY_FILE_ENV: str(db.parent / "key")}
    return subprocess.run(
        [str(COMMAND), *args, "--db", str(db)], capture_output=True, text=True, timeout=300, env=env
    )


def test_an_import_runs_while_the_dashboard_serves_and_pages_show_old_or_new(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    """The command line's import and status run beside the dashboard; pages asked for all
    the while answer, from the data before or after the import."""
    base, db = served
    client = signed_in(base)
    before = headcounts(client.get(ASKED))
    answers: list[tuple[float, int, dict[str, object] | str]] = []
    asked_after: list[tuple[float, dict[str, object] | str]] = []  # when each figure was asked
    stop = threading.Event()

    def keep_asking() -> None:
        reader = signed_in(base)
        try:
            while not stop.is_set():
                asked = time.monotonic()
                got = reader.get(ASKED)
                shown = headcounts(got) if got.status_code == 200 else got.text[:200]
                answers.append((time.monotonic(), got.status_code, shown))
                asked_after.append((asked, shown))
                page = reader.get("/")  # a page too: it must answer as well
                answers.append((time.monotonic(), page.status_code, shown))
        finally:
            reader.close()

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        time.sleep(0.5)
        started = time.monotonic()
        loaded = equitrack(db, "import", str(newcomers(tmp_path / "second")))
        finished = time.monotonic()
        status = equitrack(db, "status")
        time.sleep(0.5)
    finally:
        stop.set()
        asking.join(120)
    assert loaded.returncode == 0, loaded.stdout[-800:] + loaded.stderr[-800:]
    assert status.returncode == 0, status.stdout[-800:] + status.stderr[-800:]
    after = headcounts(client.get(ASKED))  # the new data, with no restart
    assert after != before
    assert sum(v for v in after.values() if isinstance(v, int)) > sum(
        v for v in before.values() if isinstance(v, int)
    )
    during = [a for a in answers if started <= a[0] <= finished]
    assert during, "pages were asked for while the import ran"
    for _, code, shown in answers:
        assert code == 200, shown
        assert shown in (before, after), shown  # old or new, never part of each
    # asked once the import had finished: the new data (a page answered later may carry the
    # figures asked before it, on a busy machine)
    assert all(shown == after for asked, shown in asked_after if asked > finished)


def test_pages_already_measured_answer_while_a_command_has_the_file(
    served: tuple[str, Path],
) -> None:
    """While another process holds the file (an import writing), a signed-in reader's page that
    was measured before answers at once from memory, and the dashboard takes the file back after."""
    base, db = served
    client = signed_in(base)
    before = headcounts(client.get(ASKED))
    ask_for(str(db))  # as a waiting command does: the dashboard lets the file go
    deadline, holder = time.monotonic() + 20, None
    while holder is None and time.monotonic() < deadline:
        try:
            holder = duckdb.connect(str(db))
        except duckdb.IOException:
            ask_for(str(db))
            time.sleep(0.05)
    stop_asking(str(db))
    assert holder is not None, "the dashboard let the file go when asked"
    try:
        started = time.monotonic()
        assert headcounts(client.get(ASKED)) == before
        assert time.monotonic() - started < 10  # from memory: it did not wait for the file
    finally:
        holder.close()
    assert headcounts(client.get(ASKED)) == before
    assert client.get("/data").status_code == 200  # reads the store again


def test_a_page_reading_two_versions_of_the_data_is_asked_for_again(tmp_path: Path) -> None:
    """A page whose answers would come from before and after an import is refused with
    `DataChanged` (the app then sends the reader to the same page again)."""
    store = connect(str(tmp_path / "x.duckdb"))
    app = create_app(store, secure_cookies=False)
    web = app.state.web
    token = PINNED.set([None])
    try:
        assert web.cached("first", lambda s: 1) == 1
        web.changed()  # an import finished meanwhile
        with pytest.raises(DataChanged):
            web.cached("second", lambda s: 2)
    finally:
        PINNED.reset(token)
    token = PINNED.set([None])  # asked for again: one version throughout
    try:
        assert web.cached("first", lambda s: 3) == 3  # measured again, on the new data
        assert web.cached("second", lambda s: 4) == 2  # measured on the new data already
    finally:
        PINNED.reset(token)
        store.close()
