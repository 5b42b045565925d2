"""Sessions and sign-in throttling on a PostgreSQL store, shared by several server processes
(here: connections of their own, each with its own lock, as separate workers have)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from equitrack.store import Store, connect
from equitrack.web.access import Principal, Role
from equitrack.web.sessions import Sessions, Throttle


def _worker(store: Store) -> Callable[[Callable[[Store], Any]], Any]:
    """How a server process uses its store: one connection, behind one lock."""
    lock = threading.Lock()

    def run(work: Callable[[Store], Any]) -> Any:
        with lock:
            return work(store)

    return run


@pytest.fixture
def workers(postgres_url: str) -> Iterator[list[Store]]:
    stores = [connect(postgres_url), connect(postgres_url)]
    yield stores
    for s in stores:
        s.close()


def test_a_session_started_by_one_worker_is_honoured_and_ended_by_another(workers) -> None:
    one, other = (Sessions(_worker(s)) for s in workers)
    token, session = one.start(Principal("pg-analyst", Role.ANALYST, ("RXA", "RXB")))
    seen = other.get(token)
    assert seen is not None
    assert (seen.principal, seen.csrf) == (session.principal, session.csrf)
    session.flash("Saved.")
    assert other.get(token).take_flashes() == ["Saved."]
    other.end(token)
    assert one.get(token) is None
    digests = workers[0].con.table("sessions").digest.to_pyarrow().to_pylist()
    assert token not in " ".join(digests)


def test_concurrent_attempts_on_two_workers_are_counted_together(workers) -> None:
    """Twenty wrong passwords at once, half to each worker: five get through, not ten."""
    throttles = [Throttle(_worker(s)) for s in workers]
    for s in workers:
        s.ensure_tables(["sign_in_attempts"])
    workers[0].con.raw_sql("DELETE FROM sign_in_attempts").close()
    barrier = threading.Barrier(20, timeout=10)

    def attempt(i: int) -> bool:
        barrier.wait()
        return throttles[i % 2].attempt("pg-viewer", f"198.51.100.{i}") is not None

    with ThreadPoolExecutor(20) as pool:
        passed = list(pool.map(attempt, range(20)))
    assert sum(passed) == throttles[0].failures
    assert throttles[1].attempt("pg-viewer", "192.0.2.1") is None


def test_two_dashboards_over_one_postgres_store_share_sign_ins(workers) -> None:
    """Two apps (two server processes' worth), each on its own connection: signed in on one is
    signed in on both, signed out on one is signed out on both."""
    from fastapi.testclient import TestClient

    from equitrack.web.app import create_app
    from equitrack.web.sessions import COOKIE
    from equitrack.web.users import add_user
    from tests.web.conftest import PASSWORD, sign_in

    add_user(workers[0], "pg-admin", PASSWORD, "admin", ["*"], by="test")
    one, other = (TestClient(create_app(s, secure_cookies=False)) for s in workers)
    with one, other:
        sign_in(one, "pg-admin")
        other.cookies.set(COOKIE, one.cookies[COOKIE])
        assert other.get("/api/organisations").status_code == 200
        assert one.get("/api/openapi.json").status_code == 200  # and on the first
        csrf = other.app.state.web.sessions.get(one.cookies[COOKIE]).csrf
        other.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
        assert one.get("/api/organisations").status_code == 401
