"""Sessions and sign-in throttling are kept in the store: a restart, or a second server over the
same store, keeps people signed in and failed sign-ins counted; sessions still expire and end
on sign-out, and the store holds token hashes, never tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from equitrack.store import Store, connect
from equitrack.web.access import Principal, Role
from equitrack.web.app import create_app
from equitrack.web.sessions import COOKIE
from equitrack.web.users import add_user, remove_user
from tests.web.conftest import PASSWORD, attempt_sign_in, csrf_of, mini_copy, sign_in

USERS = {
    "analyst": ("analyst", ["RXA"]),
    "viewer": ("viewer", ["*"]),
    "editor": ("editor", ["RXA"]),
}


@pytest.fixture(scope="module")
def store(loaded_system: Callable[..., Store], tmp_path_factory) -> Iterator[Store]:
    store = mini_copy(loaded_system, tmp_path_factory, USERS)
    yield store
    store.close()


@pytest.fixture
def restarted(store: Store) -> Iterator[Callable[[], TestClient]]:
    """Clients of fresh apps over the same store, each on a connection of its own: what a
    restarted server, or a second server process, is."""
    opened: list[Store] = []
    clients: list[TestClient] = []

    def make(address: str = "testclient") -> TestClient:
        opened.append(connect(store.url, create=False))
        app = create_app(opened[-1], secure_cookies=False)
        clients.append(TestClient(app, client=(address, 50000)))
        return clients[-1]

    yield make
    for c in clients:
        c.close()
    for s in opened:
        s.close()


def _signed_in(client: TestClient) -> bool:
    answer = client.get("/api/organisations")  # a light call: 401 without a session
    assert answer.status_code in (200, 401), answer.status_code
    return answer.status_code == 200


def _csrf(client: TestClient) -> str:
    return csrf_of(client.get("/downloads").text)  # a light page with the sign-out form


def _rows(store: Store, table: str) -> list[dict]:
    return store.con.table(table).to_pyarrow().to_pylist()


def test_a_session_outlives_its_server_and_sign_out_ends_it_everywhere(store, restarted) -> None:
    first = sign_in(restarted(), "analyst")
    token = first.cookies[COOKIE]
    second = restarted()
    second.cookies.set(COOKIE, token)
    assert _signed_in(first) and _signed_in(second)
    # the second server knows the session's CSRF token too: its forms work
    csrf = _csrf(second)
    assert csrf == _csrf(first)
    answer = second.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    first.cookies.set(COOKIE, token)  # the first server's client still presents it
    assert not _signed_in(first)
    assert hashlib.sha256(token.encode()).hexdigest() not in {
        r["digest"] for r in _rows(store, "sessions")
    }


def test_the_store_holds_token_hashes_never_tokens(store, restarted) -> None:
    client = sign_in(restarted(), "viewer")
    token = client.cookies[COOKIE]
    csrf = _csrf(client)
    rows = [r for r in _rows(store, "sessions") if r["username"] == "viewer"]
    assert [r["digest"] for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    stored = " ".join(str(v) for r in _rows(store, "sessions") for v in r.values())
    assert token not in stored and csrf not in stored
    assert (rows[0]["role"], rows[0]["orgs"]) == ("viewer", "*")


def test_an_expired_session_is_refused_and_deleted(store, restarted) -> None:
    client = sign_in(restarted(), "analyst")
    sessions = client.app.state.web.sessions
    token = client.cookies[COOKIE]
    digest = hashlib.sha256(token.encode()).hexdigest()
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def at(minutes: float) -> None:
        sessions.clock = lambda: start + dt.timedelta(minutes=minutes)

    at(29)
    assert _signed_in(client)  # used within the idle time: still on, and marked as used
    at(29 + 31)
    assert not _signed_in(client)  # idle for longer than 30 minutes
    assert digest not in {r["digest"] for r in _rows(store, "sessions")}


def test_a_session_in_use_still_ends_after_its_lifetime(store, restarted) -> None:
    client = restarted()
    sessions = client.app.state.web.sessions
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    sessions.clock = lambda: start
    token, _ = sessions.start(Principal("analyst", Role.ANALYST, ("RXA",)))
    for minutes in range(20, 10 * 60, 20):  # used every 20 minutes for ten hours
        sessions.clock = lambda m=minutes: start + dt.timedelta(minutes=m)
        assert sessions.get(token) is not None, minutes
    sessions.clock = lambda: start + dt.timedelta(hours=10, minutes=1)
    assert sessions.get(token) is None
    assert sessions.get(token) is None  # and stays so


def test_starting_a_session_removes_expired_ones(store, restarted) -> None:
    sessions = restarted().app.state.web.sessions
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    sessions.clock = lambda: start - dt.timedelta(hours=2)
    old, _ = sessions.start(Principal("viewer", Role.VIEWER, ("*",)))
    sessions.clock = lambda: start
    new, _ = sessions.start(Principal("viewer", Role.VIEWER, ("*",)))
    digests = {r["digest"] for r in _rows(store, "sessions")}
    assert hashlib.sha256(new.encode()).hexdigest() in digests
    assert hashlib.sha256(old.encode()).hexdigest() not in digests


def test_a_message_for_the_next_page_survives_a_restart(store, restarted) -> None:
    sessions = restarted().app.state.web.sessions
    token, session = sessions.start(Principal("viewer", Role.VIEWER, ("*",)))
    session.flash("Action 3 is now complete.")
    later = restarted().app.state.web.sessions.get(token)
    assert later is not None and later.take_flashes() == ["Action 3 is now complete."]
    assert sessions.get(token).take_flashes() == []  # shown once


def test_sign_in_throttling_survives_a_restart(store, restarted) -> None:
    first = restarted("203.0.113.81")
    for _ in range(5):
        assert attempt_sign_in(first, "editor", "wrong wrong wrong").status_code == 401
    second = restarted("198.51.100.82")  # from elsewhere: the username's count holds
    assert attempt_sign_in(second, "editor", PASSWORD).status_code == 429
    third = restarted("203.0.113.81")  # as another user: the address's count holds
    assert attempt_sign_in(third, "viewer", PASSWORD).status_code == 429
    # what was typed, and from where, is counted by its hash only
    stored = " ".join(str(v) for r in _rows(store, "sign_in_attempts") for v in r.values())
    assert "editor" not in stored and "203.0.113.81" not in stored
    assert len(_rows(store, "sign_in_attempts")) >= 10  # five attempts, by username and address


def test_checking_a_session_does_not_wait_for_the_store_lock(store, restarted) -> None:
    """While a page measures under the store's lock, a signed-in user's health check and
    session check still answer: sessions have a connection of their own."""
    client = sign_in(restarted(), "viewer")
    web = client.app.state.web
    holding, done = threading.Event(), threading.Event()

    def measure() -> None:
        with web._lock:
            holding.set()
            done.wait(10)

    worker = threading.Thread(target=measure)
    worker.start()
    try:
        assert holding.wait(5)
        started = time.perf_counter()
        assert client.get("/health").status_code == 200
        assert web.sessions.get(client.cookies[COOKIE]) is not None
        waited = time.perf_counter() - started
    finally:
        done.set()
        worker.join()
    assert waited < 5


def test_changing_or_removing_a_user_ends_their_sessions(store, restarted) -> None:
    """Their old role or scope does not outlive the change (from the command line, say)."""
    client = sign_in(restarted(), "analyst")
    bystander = sign_in(restarted(), "viewer")
    elsewhere = connect(store.url, create=False)
    try:
        add_user(elsewhere, "analyst", PASSWORD, "viewer", ["RXA"], by="test")
        assert not _signed_in(client) and _signed_in(bystander)
        sign_in(client, "analyst")
        assert _signed_in(client)
        remove_user(elsewhere, "analyst", by="test")
        assert not _signed_in(client)
    finally:
        add_user(elsewhere, "analyst", PASSWORD, "analyst", ["RXA"], by="test")
        elsewhere.close()
