"""`equitrack import` builds the board release of new data and keeps it on disk, so that the
dashboard started next reads it back instead of building it (issue 20: the first page at once):
the very release `serve` and the reports would build, and nothing when nothing new was loaded.
Whatever becomes of the release, the data the import loaded stay loaded."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from typer.testing import Result as Run

from equitrack import config, release, synth
from equitrack.cli import app
from equitrack.disclosure import Audience, policy_for
from equitrack.store import connect
from tests.factories import ASSIGNMENTS, PEOPLE, small_system, write_csv
from tests.test_release_files import _same

pytestmark = pytest.mark.heavy  # the mini system's release: a minute or more

KEPT = "Kept the board release on disk"


@pytest.fixture(scope="module", autouse=True)
def no_pages_drawn() -> Iterator[None]:
    """The releases only: the first pages the import draws after them are
    tests/web/test_charts_kept.py's (over these cut-down releases, the pages would measure
    most of what they show, half a minute of this module's time)."""
    from equitrack.cli import data

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(data, "_keep_first_pages", lambda store: None)
        yield


def _import(*args: str) -> Run:
    return CliRunner().invoke(app, ["import", *args], catch_exceptions=False, terminal_width=200)


def _import_one_more(tmp_path: Path, db: Path) -> str:
    """A later assignment imported into `db` (a change, so the import builds its releases):
    what the command said, on one line; it succeeded."""
    later = {**ASSIGNMENTS[0], "assignment_id": "10000001-2", "start_date": "2024-04-01"}
    run = _import(str(write_csv(tmp_path / "new" / "assignments.csv", [later])), "--db", str(db))
    assert run.exit_code == 0, run.output
    return " ".join(run.output.split())


@dataclass(frozen=True)
class Imported:
    db: Path
    releases: Path
    output: str
    built: list[release.Release]


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    """The mini system imported by the command, releases kept in a folder of their own: the
    release is built once for the module (about a minute), and the one the command built is
    kept to compare with."""
    base = tmp_path_factory.mktemp("import-release")
    synth.write(synth.generate("mini", seed=7), base / "data", "parquet")
    built: list[release.Release] = []
    made = release.release_for

    def building(*args: Any, **kwargs: Any) -> release.Release:
        built.append(made(*args, **kwargs))
        return built[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(base / "key"))
        mp.setenv(config.RELEASES_ENV, str(base / "releases"))
        mp.setattr(release, "release_for", building)
        run = _import(str(base / "data"), "--db", str(base / "mini.duckdb"))
    assert run.exit_code == 0, run.output
    yield Imported(base / "mini.duckdb", base / "releases", run.output, built)


def test_an_import_keeps_the_release_serve_then_reads_without_building_it(
    mini: Imported, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert KEPT in mini.output and "Building the board release" in mini.output
    assert len(mini.built) == 1
    kept = sorted(p.name.split("-")[0] for p in mini.releases.rglob("*.arrow"))
    assert kept == ["answers", "release"]

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("measured or protected again")

    monkeypatch.setenv(config.RELEASES_ENV, str(mini.releases))
    monkeypatch.setattr(release, "build", never)
    monkeypatch.setattr(release.Question, "ask", never)
    store = connect(str(mini.db), create=False)  # as a server started next opens it
    try:
        with caplog.at_level(logging.INFO, logger="equitrack"):
            # as the dashboard's warm-up asks for it (`WebState._board`)
            read = release.release_for(store, policy_for(Audience.BOARD), exact_orgs=frozenset())
    finally:
        store.close()
    events = [r.getMessage() for r in caplog.records]
    assert events.count("release read from disk") == 2  # the answers, then the release
    assert "release kept on disk" not in events
    built = mini.built[0]
    assert read is not built and len(read.shown) == len(built.shown) > 0
    assert all(_same(a, b) for a, b in zip(read.shown, built.shown, strict=True))
    assert all(_same(a, b) for a, b in zip(read.exact, built.exact, strict=True))


def _never_built(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a release built")


@pytest.fixture()
def releases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Releases kept in a folder of the test's own."""
    folder = tmp_path / "releases"
    monkeypatch.setenv(config.RELEASES_ENV, str(folder))
    return folder


def _people(db: Path) -> int:
    store = connect(str(db), create=False)
    try:
        return int(store.table("people").count().to_pyarrow().as_py())
    finally:
        store.close()


def test_an_import_that_loads_nothing_builds_nothing(
    tmp_path: Path, releases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, db = small_system(tmp_path / "data"), str(tmp_path / "small.duckdb")
    assert _import(str(data), "--db", db, "--no-release").exit_code == 0
    monkeypatch.setattr(release, "release_for", _never_built)
    run = _import(str(data), "--db", db)  # every file loaded before
    assert run.exit_code == 0, run.output
    assert "Loaded: nothing" in run.output and "release" not in run.output
    assert not list(releases.rglob("release-*"))


def test_no_release_keeps_none(
    tmp_path: Path, releases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(release, "release_for", _never_built)
    db = tmp_path / "small.duckdb"
    run = _import(str(small_system(tmp_path / "data")), "--db", str(db), "--no-release")
    assert run.exit_code == 0, run.output
    assert _people(db) == len(PEOPLE)
    assert not list(releases.rglob("release-*"))


def test_a_rejected_import_builds_nothing(
    tmp_path: Path, releases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(release, "release_for", _never_built)
    data = small_system(tmp_path / "data", people=[*PEOPLE[:3], {**PEOPLE[3], "sex": "woman"}])
    run = _import(str(data), "--db", str(tmp_path / "small.duckdb"), "--rejects", str(tmp_path))
    assert run.exit_code == 1
    assert "release" not in run.output
    assert not list(releases.rglob("release-*"))


def test_a_release_that_fails_leaves_the_import_done(
    tmp_path: Path, releases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(release, "release_for", failing)
    db = tmp_path / "small.duckdb"
    run = _import(str(small_system(tmp_path / "data")), "--db", str(db))
    assert run.exit_code == 0, run.output
    said = " ".join(run.output.split())
    assert "Warning: the board release was not built (the disk is full)" in said
    assert "The data are loaded" in said and "Traceback" not in said and KEPT not in said
    assert _people(db) == len(PEOPLE)


def test_with_releases_not_kept_an_import_says_so_and_builds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.RELEASES_ENV, "off")
    monkeypatch.setattr(release, "release_for", _never_built)
    run = _import(str(small_system(tmp_path / "data")), "--db", str(tmp_path / "small.duckdb"))
    assert run.exit_code == 0, run.output
    assert "Releases are not kept on disk" in " ".join(run.output.split())


def test_a_release_that_cannot_be_kept_is_said_and_the_import_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(release, "FAMILIES", ("wres",))  # a release quick to build
    monkeypatch.setattr(release, "GROUPINGS", ("wres",))
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # the releases' folder cannot be made under a file
    monkeypatch.setenv(config.RELEASES_ENV, str(blocked))
    db = tmp_path / "small.duckdb"
    run = _import(str(small_system(tmp_path / "data")), "--db", str(db))
    assert run.exit_code == 0, run.output
    said = " ".join(run.output.split())
    assert "Warning: the board release could not be kept in" in said and KEPT not in said
    assert _people(db) == len(PEOPLE)


def test_the_releases_of_users_who_see_some_figures_exact_are_kept_too(
    tmp_path: Path, releases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each way the dashboard's users see figures with some exact (an organisation's analyst,
    here) is a release of its own, which the server would otherwise build as it starts: the
    import builds those the warm-up would, and a viewer or an organisation's viewer adds none."""
    from equitrack import release_files
    from equitrack.web.users import add_user

    monkeypatch.setattr(release, "FAMILIES", ("wres",))  # a release quick to build
    monkeypatch.setattr(release, "GROUPINGS", ("wres",))
    db = tmp_path / "small.duckdb"
    first = _import(str(small_system(tmp_path / "data")), "--db", str(db), "--no-release")
    assert first.exit_code == 0, first.output
    store = connect(str(db), create=False)
    for name, role, orgs in [
        ("rwe-analyst", "analyst", ["RWE"]),
        ("viewer", "viewer", ["*"]),
        ("rt5-viewer", "viewer", ["RT5"]),
    ]:
        add_user(store, name, "a long enough password", role, orgs, by="test")
    store.close()
    asked: list[frozenset[str]] = []
    made = release.release_for

    def building(*args: Any, **kwargs: Any) -> release.Release:
        asked.append(frozenset(kwargs.get("exact_orgs", ())))
        return made(*args, **kwargs)

    monkeypatch.setattr(release, "release_for", building)
    said = _import_one_more(tmp_path, db)
    assert "Kept the board release and 1 more for users who see some figures exact on disk" in said
    assert asked == [frozenset(), frozenset({"RWE"})]
    store = connect(str(db), create=False)
    try:
        shelf = release_files.shelf_of(store)
        assert shelf is not None
        board = policy_for(Audience.BOARD)
        assert shelf.holds_release(board, frozenset()) and shelf.holds_release(board, {"RWE"})
    finally:
        store.close()


def test_an_exact_release_that_fails_is_said_as_such_and_the_board_release_kept(
    tmp_path: Path, releases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from equitrack import release_files
    from equitrack.web.users import add_user

    monkeypatch.setattr(release, "FAMILIES", ("wres",))  # a release quick to build
    monkeypatch.setattr(release, "GROUPINGS", ("wres",))
    db = tmp_path / "small.duckdb"
    assert (
        _import(str(small_system(tmp_path / "data")), "--db", str(db), "--no-release").exit_code
        == 0
    )
    store = connect(str(db), create=False)
    add_user(store, "rwe-analyst", "a long enough password", "analyst", ["RWE"], by="test")
    store.close()
    made = release.release_for

    def failing_exact(*args: Any, **kwargs: Any) -> release.Release:
        if kwargs.get("exact_orgs"):
            raise RuntimeError("no room")
        return made(*args, **kwargs)

    monkeypatch.setattr(release, "release_for", failing_exact)
    said = _import_one_more(tmp_path, db)
    assert "releases of users who see some figures exact were not all built (no room)" in said
    assert "the board release was not built" not in said and KEPT in said
    store = connect(str(db), create=False)
    try:
        shelf = release_files.shelf_of(store)
        assert shelf is not None and shelf.holds_release(policy_for(Audience.BOARD), frozenset())
    finally:
        store.close()
