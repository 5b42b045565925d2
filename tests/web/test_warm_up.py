"""`equitrack serve` puts its first pages together at start-up and again after the data change
(issue 20, "instant first page"): once the warm-up has run, the first request to each of them
measures nothing, builds no release and draws no chart (it finds them kept), for every scope
the app's users see figures with: a whole-system viewer and administrator, an organisation's
own viewer."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

from equitrack import api, config, release
from equitrack.charts.chart import Chart
from equitrack.ingest import import_paths
from equitrack.logs import FIELDS
from equitrack.measures import careers
from equitrack.store import connect
from equitrack.web import state
from equitrack.web.access import Permission, Role
from equitrack.web.app import create_app
from equitrack.web.users import User, add_user
from equitrack.web.warmup import SCOPES_WARMED, VIEWER, first_pages, readers
from tests.factories import small_system
from tests.web.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

USERS = {
    "admin": ("admin", ["*"]),
    "viewer": ("viewer", ["*"]),
    "trust-viewer": ("viewer", ["RWE"]),
}
FIRST = ("/", "/recommendations", "/journeys", "/organisations/RWE", "/data", "/downloads")

#: The work a page's first request does when nothing is kept: (module, name) of each.
WORK = {
    "measured": (api, "run"),
    "read from the release": (release, "answered"),
    "evidence measured": (state, "evidence_results"),
    "promotion curves": (careers, "promotion_rows"),  # the time-to-promotion journey's query
    "release answered": (release, "answers"),
    "release built": (release, "build"),
    "chart drawn": (Chart, "svg"),
}


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def finished(self) -> list[dict[str, Any]]:
        return [getattr(r, FIELDS) for r in self.records if r.getMessage() == "warm-up finished"]


@pytest.fixture(scope="module")
def warmed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Counter[str], Records]]:
    """The app as `serve` makes it (the file lent) over a small store, after its warm-up, with
    each kind of work counted from the start."""
    folder = tmp_path_factory.mktemp("warm")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(folder / "key"))
        store = connect(str(folder / "warm.duckdb"))
        assert import_paths([small_system(folder / "data")], store).ok
    for name, (role, orgs) in USERS.items():
        add_user(store, name, PASSWORD, role, orgs, by="test")
    done: Counter[str] = Counter()
    records = Records()
    logger = logging.getLogger(state.__name__)
    logger.addHandler(records)
    level = logger.level
    logger.setLevel(logging.INFO)
    with pytest.MonkeyPatch.context() as mp:
        for what, (owner, name) in WORK.items():
            mp.setattr(owner, name, _counted(done, what, getattr(owner, name)))
        app = create_app(store, secure_cookies=False, lend=True)
        try:
            app.state.web.warm(partial(first_pages, app)).join()
            yield app, done, records
        finally:
            app.state.web.close()
            logger.removeHandler(records)
            logger.setLevel(level)


def _counted(done: Counter[str], what: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        done[what] += 1
        return work(*args, **kwargs)

    return counted


def test_the_warm_up_does_the_first_pages_work_and_says_so(warmed) -> None:
    _, done, records = warmed
    assert all(done[what] > 0 for what in WORK), done
    assert records.finished() and records.finished()[-1]["failed"] == 0


@pytest.mark.parametrize("username", ["admin", "viewer"])
def test_after_the_warm_up_the_first_pages_measure_nothing(warmed, username: str) -> None:
    app, done, _ = warmed
    client = sign_in(TestClient(app), username)
    done.clear()
    for path in FIRST:
        assert client.get(path).status_code == 200, path
    assert not done, f"{username}'s first pages did {dict(done)}"


def test_an_organisations_own_viewer_finds_its_pages_warm(warmed) -> None:
    app, done, _ = warmed
    client = sign_in(TestClient(app), "trust-viewer")
    done.clear()
    for path in FIRST:
        assert client.get(path).status_code == 200, path
    assert not done, dict(done)
    # a view not warmed is put together when asked (the counting sees a page's work), its
    # figures read from the release's answers, not measured again
    assert client.get("/organisations/RWE?by=broad").status_code == 200
    assert done["read from the release"] > 0
    assert done["measured"] == 0


def test_a_failing_step_is_logged_and_the_next_runs(warmed) -> None:
    app, _, records = warmed
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("no")

    app.state.web.warm(lambda: [("broken", broken), ("after", lambda: ran.append("after"))]).join()
    failures = [r for r in records.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in failures] == ["warm-up step broken failed"]
    assert ran == ["after"]
    assert records.finished()[-1]["failed"] == 1


def _user(name: str, role: str, orgs: list[str]) -> User:
    return User(name, Role(role), tuple(orgs), dt.datetime(2026, 1, 1))


def test_the_readers_are_the_scopes_the_users_see_figures_with() -> None:
    viewers = [_user("v", "viewer", ["*"]), _user("e", "editor", ["*"])]
    assert readers(viewers) == [VIEWER]  # no one sees exact figures: no exact release
    mixed = [
        _user("t", "viewer", ["RWE"]),
        _user("a", "analyst", ["RWE", "RXA"]),
        _user("b", "analyst", ["RXA", "RWE"]),  # the same scope, once
        _user("admin", "admin", ["*"]),
        _user("w", "analyst", ["*", "RWE"]),  # the whole system, whatever else is named
    ]
    found = [(r.may(Permission.EXACT), r.orgs) for r in readers(mixed)]
    assert found == [(False, ("*",)), (True, ("*",)), (False, ("RWE",)), (True, ("RWE", "RXA"))]
    assert all(r.username.startswith("warm-up") for r in readers(mixed))
    many = [_user(f"u{i}", "analyst", [f"R{i:02}"]) for i in range(20)]
    assert len(readers(many)) == SCOPES_WARMED and readers(many)[0] == VIEWER


def test_after_the_data_change_the_warm_up_runs_again(warmed, monkeypatch) -> None:
    """Last in the module: it leaves the app warmed again."""
    app, done, records = warmed
    monkeypatch.setattr(state, "REWARM_QUIET", 0.05)
    app.state.web.warm(partial(first_pages, app)).join()  # serve's plan (a test above set its own)
    before = len(records.finished())
    done.clear()
    app.state.web.changed()  # what an upload or an action does
    thread = app.state.web._warm_thread
    assert thread is not None
    thread.join(120)
    assert len(records.finished()) == before + 1
    # put together again by the warm-up: the same data, so read from the release's answers
    # (every page's figures, the data page's declaration too), not measured
    assert done["read from the release"] > 0
    done.clear()
    client = sign_in(TestClient(app), "viewer")
    for path in FIRST:
        assert client.get(path).status_code == 200, path
    assert not done, dict(done)


def test_a_restarted_server_reads_its_release_back_and_builds_none(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(config.RELEASES_ENV)  # kept on disk, as `serve` keeps them
    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    path = str(tmp_path / "kept.duckdb")
    store = connect(path)
    assert import_paths([small_system(tmp_path / "data")], store).ok
    add_user(store, "viewer", PASSWORD, "viewer", ["*"], by="test")
    app = create_app(store, secure_cookies=False, lend=True)
    try:
        built = app.state.web.release(frozenset())
    finally:
        app.state.web.close()
    with release._LOCK:  # what the first process held about the data: gone with it
        release._CACHE.pop(store.database, None)
        release._ASKED.pop(store.database, None)

    done: Counter[str] = Counter()
    for what in ("release answered", "release built"):
        owner, name = WORK[what]
        monkeypatch.setattr(owner, name, _counted(done, what, getattr(owner, name)))
    app = create_app(connect(path, create=False), secure_cookies=False, lend=True)
    try:
        app.state.web.warm().join()
        assert not done, dict(done)  # read back: nothing measured or protected again
        read = app.state.web.release(frozenset())
        assert read is not built
        assert [r.record() for r in read.shown] == [r.record() for r in built.shown]
        assert sign_in(TestClient(app), "viewer").get("/").status_code == 200
    finally:
        app.state.web.close()


def test_a_page_asked_while_the_answers_are_measured_waits_for_them_and_measures_nothing(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after an upload: the warm-up measures the new data's answers (a minute or more on a
    system) and a visitor asks for a page meanwhile. Its figures are read from those answers
    once they are measured; measured again beside them, both would take longer."""
    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    store = connect(str(tmp_path / "asked.duckdb"))
    assert import_paths([small_system(tmp_path / "data")], store).ok
    add_user(store, "viewer", PASSWORD, "viewer", ["*"], by="test")
    reached, go = threading.Event(), threading.Event()
    measured_by: list[str] = []
    answers, run = release.answers, api.run

    def held(*args: Any, **kwargs: Any) -> Any:
        reached.set()
        assert go.wait(120)
        return answers(*args, **kwargs)

    def counted(*args: Any, **kwargs: Any) -> Any:
        measured_by.append(threading.current_thread().name)
        return run(*args, **kwargs)

    monkeypatch.setattr(release, "answers", held)
    monkeypatch.setattr(api, "run", counted)
    app = create_app(store, secure_cookies=False, lend=True)
    web = app.state.web
    try:
        builder = threading.Thread(target=web.release, args=(frozenset(),), name="builder")
        builder.start()
        assert reached.wait(60), "the board release's answers are being measured"
        client = sign_in(TestClient(app), "viewer")
        asked: list[int] = []
        page = threading.Thread(target=lambda: asked.append(client.get("/").status_code))
        page.start()
        page.join(2)
        assert page.is_alive(), "the page waits for the answers"
        go.set()
        builder.join(120)
        page.join(120)
        assert asked == [200]
        assert [name for name in measured_by if name != "builder"] == []
    finally:
        go.set()
        web.close()
