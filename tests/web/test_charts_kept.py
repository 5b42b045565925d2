"""A restarted server shows the charts kept with its releases (`WebState.drawings`): each page
is byte for byte what it is when every chart is drawn, and nothing is drawn or followed again
(issue 20, "instant first page")."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from equitrack import config, release
from equitrack.ingest import import_paths
from equitrack.store import connect
from equitrack.web.app import create_app
from equitrack.web.users import add_user
from tests.factories import ASSIGNMENTS, small_system, write_csv
from tests.web.conftest import PASSWORD, sign_in
from tests.web.test_warm_up import WORK, _counted

USERS = {"admin": ("admin", ["*"]), "viewer": ("viewer", ["*"]), "trust": ("viewer", ["RWE"])}
#: The pages with charts (the overview's, an organisation's, the journeys' curves), and the
#: data page, which reads its declaration figures from the release's answers too.
CHARTED = ("/", "/organisations/RWE", "/journeys", "/data")
_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]+(")')


def _pages(path: str) -> dict[tuple[str, str], str]:
    """Each charted page as each user is shown it by a server started now on `path` (the
    sign-in form's token, which is each session's own, left out)."""
    store = connect(path, create=False)
    with release._LOCK:  # what an earlier server held about the data: gone with it
        release._CACHE.pop(store.database, None)
        release._ASKED.pop(store.database, None)
    app = create_app(store, secure_cookies=False, lend=True)
    try:
        shown = {}
        for user in USERS:
            client = sign_in(TestClient(app), user)
            for page in CHARTED:
                answer = client.get(page)
                assert answer.status_code == 200, (user, page)
                shown[(user, page)] = _TOKEN.sub(r"\1-\2", answer.text)
        return shown
    finally:
        app.state.web.close()


def test_a_restarted_server_shows_the_charts_kept_exactly_as_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    path = str(tmp_path / "kept.duckdb")
    store = connect(path)
    assert import_paths([small_system(tmp_path / "data")], store).ok
    for name, (role, orgs) in USERS.items():
        add_user(store, name, PASSWORD, role, orgs, by="test")
    store.close()
    done: Counter[str] = Counter()
    for what in ("chart drawn", "promotion curves"):
        owner, name = WORK[what]
        monkeypatch.setattr(owner, name, _counted(done, what, getattr(owner, name)))

    monkeypatch.setenv(config.RELEASES_ENV, "off")  # every chart drawn, nothing kept
    drawn = _pages(path)
    assert done["chart drawn"] > len(USERS) and done["promotion curves"] > 0
    monkeypatch.delenv(config.RELEASES_ENV)  # kept beside the database, as `serve` keeps them
    first = _pages(path)
    kept = list(Path(path + ".releases").glob("drawn-*.json"))
    assert kept
    done.clear()
    again = _pages(path)
    assert not done, dict(done)  # read back: no chart drawn, no career followed again
    assert first == drawn
    assert again == drawn
    assert any("<svg" in page for page in again.values())

    for file in kept:  # changed on disk: drawn again, never shown
        file.write_text(file.read_text().replace("<svg", "<svg data-changed"))
    changed = _pages(path)
    assert done["chart drawn"] > 0
    assert changed == drawn


def test_an_import_keeps_the_charts_so_the_first_start_after_it_draws_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`equitrack import` draws the first pages of the store's users as the warm-up would and
    keeps their charts: a server started next shows them, each reader's, without drawing a
    chart or following a career, as after a restart."""
    from typer.testing import CliRunner

    from equitrack.cli import app

    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    monkeypatch.delenv(config.RELEASES_ENV)  # kept beside the database, as by default
    path = str(tmp_path / "in-use.duckdb")
    store = connect(path)  # a dashboard in use: its users are there when new data come
    assert import_paths([small_system(tmp_path / "data")], store).ok
    for name, (role, orgs) in USERS.items():
        add_user(store, name, PASSWORD, role, orgs, by="test")
    store.close()
    later = {**ASSIGNMENTS[0], "assignment_id": "10000001-2", "start_date": "2024-04-01"}
    new = write_csv(tmp_path / "new" / "assignments.csv", [later])
    run = CliRunner().invoke(app, ["import", str(new), "--db", path], terminal_width=200)
    assert run.exit_code == 0, run.output
    assert "Drew the dashboard's first pages" in " ".join(run.output.split())
    assert list(Path(path + ".releases").glob("drawn-*.json"))
    done: Counter[str] = Counter()
    for what in ("chart drawn", "promotion curves"):
        owner, name = WORK[what]
        monkeypatch.setattr(owner, name, _counted(done, what, getattr(owner, name)))
    shown = _pages(path)
    assert not done, dict(done)  # every reader's charts read back: none drawn, none followed
    assert all("<svg" in shown[(user, "/journeys")] for user in USERS)


@pytest.mark.parametrize("broken", ["first_pages", "_page"])
def test_first_pages_not_drawn_at_import_are_said_and_the_import_done(
    broken: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether no page could be planned or each page failed: a warning at the terminal (no
    traceback), the release kept, the data loaded."""
    import logging

    from typer.testing import CliRunner

    from equitrack.cli import app
    from equitrack.web import warmup

    def failing(*args: object, **kwargs: object) -> list[tuple[str, object]]:
        raise RuntimeError("a page broke")

    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    monkeypatch.delenv(config.RELEASES_ENV)
    monkeypatch.setattr(release, "FAMILIES", ("wres",))
    monkeypatch.setattr(release, "GROUPINGS", ("wres",))
    monkeypatch.setattr(warmup, broken, failing)
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # a terminal: no log configured
    path = str(tmp_path / "small.duckdb")
    run = CliRunner().invoke(
        app, ["import", str(small_system(tmp_path / "data")), "--db", path], terminal_width=200
    )
    assert run.exit_code == 0, run.output
    said = " ".join(run.output.split())
    assert "Kept the board release on disk" in said
    assert "Warning: some of the dashboard's first pages were not drawn" in said
    assert "Traceback" not in said and "Drew the dashboard's first pages" not in said
    store = connect(path, create=False)
    try:
        assert store.table("people").count().to_pyarrow().as_py() > 0
    finally:
        store.close()
