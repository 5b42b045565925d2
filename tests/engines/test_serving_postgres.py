"""PostgreSQL as the shared store (issue 22): two dashboard workers over one database, new data
imported from elsewhere (another machine: here a connection of its own) while they serve. Each
worker shows the new data within a moment, without a restart, and every answer meanwhile is
from the data before the import or after it. (What is asked is the organisations loaded, which
costs no protected release to measure; tests/web/test_load_while_serving.py asks for figures.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.store import Store, connect
from equitrack.web.app import create_app
from equitrack.web.state import CHECK_EVERY
from equitrack.web.users import add_user
from tests.factories import small_system, write_csv
from tests.web.conftest import PASSWORD, sign_in

ASKED = "/api/organisations"


@pytest.fixture
def shared(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own on the test server, with the small system and an analyst."""
    import psycopg

    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    with psycopg.connect(
        postgres_url.replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute("DROP DATABASE IF EXISTS serving")
        c.execute("CREATE DATABASE serving")
    url = postgres_url.rsplit("/", 1)[0] + "/serving"
    store = connect(url)
    assert import_paths([small_system(tmp_path / "first")], store).ok
    add_user(store, "viewer", PASSWORD, "viewer", ["*"], by="test")
    store.close()
    yield url


def codes(answer) -> list[str]:  # type: ignore[no-untyped-def]
    assert answer.status_code == 200, answer.text[:300]
    return sorted(o["code"] for o in answer.json())


def another_trust(folder: Path) -> Path:
    organisation = {"org_code": "RX9", "name": "Another", "org_type": "trust", "system_code": "QK1"}
    write_csv(folder / "organisations.csv", [organisation])
    return folder


def test_two_workers_show_an_import_from_elsewhere_and_never_a_mix(
    shared: str, tmp_path: Path
) -> None:
    stores: list[Store] = [connect(shared, create=False) for _ in range(2)]
    workers = [TestClient(create_app(s, secure_cookies=False)) for s in stores]
    try:
        for w in workers:
            sign_in(w, "viewer")
        before = [codes(w.get(ASKED)) for w in workers]
        assert before[0] == before[1]
        answers: list[list[str]] = []
        stop = threading.Event()

        def keep_asking(worker: TestClient) -> None:
            while not stop.is_set():
                answers.append(codes(worker.get(ASKED)))

        asking = [threading.Thread(target=keep_asking, args=(w,)) for w in workers]
        for t in asking:
            t.start()
        elsewhere = connect(shared, create=False)  # another machine's import
        try:
            assert import_paths([another_trust(tmp_path / "second")], elsewhere).ok
        finally:
            elsewhere.close()
        time.sleep(CHECK_EVERY * 2 + 0.5)  # each worker looks at most once a CHECK_EVERY
        stop.set()
        for t in asking:
            t.join(60)
        after = [codes(w.get(ASKED)) for w in workers]
        assert after[0] == after[1] != before[0]  # both show the new data, unrestarted
        assert answers and all(a in (before[0], after[0]) for a in answers)
    finally:
        for w in workers:
            w.close()
        for s in stores:
            s.close()
