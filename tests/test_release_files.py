"""Releases kept on disk (`equitrack.release_files`): a process opening the same data with the
same policy and code reads back exactly the release another built, and never one built for
other data, another policy, other exact organisations or other code."""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path

import pyarrow as pa
import pytest

from equitrack import api, config, release, release_files
from equitrack.disclosure import policy_for
from equitrack.ingest import import_paths
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result
from equitrack.measures.sources import tables_read
from equitrack.store import Store, connect
from tests.factories import ASSIGNMENTS, small_system, write_csv

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first


@pytest.fixture(autouse=True)
def kept_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Releases kept beside the database, as by default (the suite turns them off)."""
    monkeypatch.delenv(config.RELEASES_ENV)


def _forget(store: Store) -> None:
    """What this process holds about the store's releases, gone: as a new process starts."""
    with release._LOCK:
        release._CACHE.pop(store.database, None)
        release._ASKED.pop(store.database, None)


def _same(a: Result, b: Result) -> bool:
    """Every field equal (a NaN equal to a NaN), of the same type."""
    for f in fields(Result):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            continue
        if x != y or type(x) is not type(y):
            return False
    return True


def _all_same(xs: list[Result], ys: list[Result]) -> bool:
    return len(xs) == len(ys) and all(_same(x, y) for x, y in zip(xs, ys, strict=True))


class Calls:
    """The measures asked and the releases built while it watches."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked: list[str] = []
        self.built = 0
        ask, build = release.Question.ask, release.build

        def asking(q, store, measures=None, shared=None):  # type: ignore[no-untyped-def]
            self.asked += list(measures or q.measures_asked())
            return ask(q, store, measures, shared)

        def building(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.built += 1
            return build(*args, **kwargs)

        monkeypatch.setattr(release.Question, "ask", asking)
        monkeypatch.setattr(release, "build", building)

    def clear(self) -> None:
        self.asked.clear()
        self.built = 0


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    return Calls(monkeypatch)


@pytest.fixture()
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A small store, the release's questions cut down to one family and grouping."""
    monkeypatch.setattr(release, "FAMILIES", ("wres",))
    monkeypatch.setattr(release, "GROUPINGS", ("wres",))
    store = connect(str(tmp_path / "small.duckdb"))
    assert import_paths([small_system(tmp_path / "data")], store).ok
    yield store
    _forget(store)
    store.close()


def _folder(store: Store) -> Path:
    return Path(store.url + ".releases")


def test_a_release_read_back_is_the_one_built_field_by_field(
    loaded_system: Callable[..., Store],
    tmp_path: Path,
    calls: Calls,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(release_files, "_BLOCK", 64)  # the mini system's release is small
    source = loaded_system("mini")
    source.con.raw_sql("CHECKPOINT")
    shutil.copy(source.url, tmp_path / "mini.duckdb")  # a store of its own: nothing shared
    store = connect(str(tmp_path / "mini.duckdb"), create=False)
    board = policy_for("board")
    built = release.release_for(store, board)
    asked = release._ASKED[store.database]
    org = built.exact[0].org
    page = api.run(("wres",), asked.years[-3:], store=store, orgs=[org])
    answered = built.answer(page)
    assert calls.built == 1 and calls.asked

    _forget(store)
    store.close()
    store = connect(str(tmp_path / "mini.duckdb"), create=False)
    calls.clear()
    read = release.release_for(store, board)
    assert calls.built == 0 and calls.asked == []  # neither measured nor protected again
    assert read is not built
    # a page is answered from the file's columns, making only its own results
    assert _all_same(read.answer(page), answered)
    made = read.exact._blocks  # type: ignore[attr-defined]
    assert 0 < sum(made) < len(made) / 2, (sum(made), len(made))
    # and every result, the evidence's totals too, is found where the release built finds it
    for r in built.exact:
        key = release.key_of(r)
        assert read._places(r.measure)[key] == built._places(r.measure)[key]
    _forget(store)  # read again: the warm-up's look-up of every measure finds the same
    again = release.release_for(store, board)
    again.look_up_all()
    assert again._index == read._index and set(again._index) == set(built._index)
    assert _all_same(read.exact, built.exact)
    assert _all_same(read.shown, built.shown)
    assert (read.policy, read.exact_orgs, read.seconds) == (board, frozenset(), built.seconds)
    assert _all_same(read.answer(page), answered)
    assert read.missed == built.missed

    again = release._ASKED[store.database]  # the answers too, question by question
    assert again.years == asked.years and again.tables == asked.tables
    assert list(again.asked) == list(asked.asked)
    for q, by in asked.asked.items():
        assert list(again.asked[q]) == list(by)
        assert all(_all_same(again.asked[q][m], rs) for m, rs in by.items())
    _forget(store)
    store.close()


def test_the_files_are_the_owners_alone(small: Store) -> None:
    release.release_for(small, policy_for("board"))
    folder = _folder(small)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert {f.name.split("-")[0] for f in files} == {"answers", "release"}
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)

    folder.chmod(0o755)  # opened to others since: closed again before it is read
    _forget(small)
    release.release_for(small, policy_for("board"))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_other_policy_orgs_code_or_data_are_never_read_from_another(
    small: Store, tmp_path: Path, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = policy_for("board")
    first = release.release_for(small, board)
    _forget(small)
    calls.clear()

    stricter = policy_for("board").__class__(**{**vars(board), "smallest_shown": 11})
    release.release_for(small, stricter)
    assert calls.built == 1 and calls.asked == []  # the answers read back, protected anew

    calls.clear()
    _forget(small)
    exact = release.release_for(small, board, exact_orgs={"RWE"})
    assert calls.built == 1 and calls.asked == []
    assert exact.exact_orgs == {"RWE"}

    calls.clear()
    _forget(small)
    with monkeypatch.context() as mp:
        mp.setattr(release_files, "code_fingerprint", lambda: "other code")
        release.release_for(small, board)
    assert calls.built == 1 and calls.asked  # measured again: other code

    calls.clear()

    later = {**ASSIGNMENTS[0], "assignment_id": "10000001-2", "start_date": "2024-04-01"}
    assert import_paths([write_csv(tmp_path / "new" / "assignments.csv", [later])], small).ok
    _forget(small)
    after = release.release_for(small, board)
    assert calls.built == 1 and calls.asked  # new data: measured again
    assert [repr(r) for r in after.exact] != [repr(r) for r in first.exact]
    shelf = release_files.shelf_of(small)
    assert shelf is not None
    assert all(shelf.key in f.name for f in _folder(small).iterdir())  # the old ones pruned


@pytest.mark.parametrize("harm", ["truncated", "garbage", "other format"])
def test_a_damaged_file_is_built_again_never_read(
    small: Store, calls: Calls, harm: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = policy_for("board")
    built = release.release_for(small, board)
    shelf = release_files.shelf_of(small)
    assert shelf is not None
    for path in _folder(small).iterdir():
        data = path.read_bytes()
        if harm == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif harm == "garbage":
            path.write_bytes(b"\x00not arrow" * 50)
    if harm == "other format":  # files of a layout this code does not know, under its names
        with monkeypatch.context() as mp:
            mp.setattr(release_files, "FORMAT", release_files.FORMAT + 1)
            shelf.keep_answers(release._ASKED[small.database])
            shelf.keep_release(board, (), built.shown, built.seconds)
    _forget(small)
    calls.clear()
    again = release.release_for(small, board)
    assert calls.built == 1
    assert _all_same(again.shown, built.shown)
    _forget(small)
    calls.clear()
    release.release_for(small, board)  # and kept again, whole
    assert calls.built == 0 and calls.asked == []


@pytest.mark.parametrize("totals", [-1, 1, "1", None])
def test_answers_whose_count_of_totals_does_not_add_up_are_never_read(
    small: Store, totals: object
) -> None:
    """The evidence's totals are kept after the answers: a manifest that counts them otherwise
    (one more or less than the file holds beyond the answers, or not a count) makes the file
    unfit, never answers sliced past their own."""
    release.release_for(small, policy_for("board"))
    shelf = release_files.shelf_of(small)
    assert shelf is not None
    (path,) = _folder(small).glob("answers-*")
    table = pa.ipc.open_file(path.read_bytes()).read_all()
    manifest = json.loads(table.schema.metadata[b"equitrack"])
    assert shelf.answers() is not None  # as kept, it reads
    kept = manifest["totals"]
    manifest["totals"] = kept + totals if isinstance(totals, int) else totals
    table = table.replace_schema_metadata({b"equitrack": json.dumps(manifest)})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    assert shelf.answers() is None
    assert not path.exists()  # removed, so it is built again


def test_answers_read_back_still_ask_again_only_what_new_data_change(
    small: Store, tmp_path: Path, calls: Calls
) -> None:
    release.release_for(small, policy_for("board"))
    in_memory = release._ASKED[small.database]
    kept = release_files.shelf_of(small)
    assert kept is not None
    before = kept.answers()
    assert before is not None and before is not in_memory
    later = {**ASSIGNMENTS[0], "assignment_id": "10000001-2", "start_date": "2021-04-01"}
    assert import_paths([write_csv(tmp_path / "new" / "assignments.csv", [later])], small).ok
    calls.clear()
    after = release.answers(small, before=before)
    asked_after_disk = set(calls.asked)
    calls.clear()
    release.answers(small, before=in_memory)
    assert asked_after_disk == set(calls.asked)  # as the answers kept in memory would
    everything = {m for q in before.asked for m in q.measures_asked()}
    assert asked_after_disk and asked_after_disk < everything
    reading = {m.id for m in MEASURES.values() if "assignments" in tables_read(m)}
    assert asked_after_disk <= reading
    fresh = release.answers(small)
    assert sorted(map(repr, after.results())) == sorted(map(repr, fresh.results()))


def test_turned_off_nothing_is_kept(small: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.RELEASES_ENV, "off")
    release.release_for(small, policy_for("board"))
    assert not _folder(small).exists()


def test_where_releases_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "a.duckdb")
    assert config.releases_dir(db, "duckdb") == Path(db + ".releases")
    assert config.releases_dir(":memory:", "duckdb") is None
    assert config.releases_dir("spark:local", "pyspark") is None
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    one = config.releases_dir("postgres://u:secret@host/db", "postgres")
    assert one is not None and one.parent == tmp_path / "state" / "equitrack" / "releases"
    assert "secret" not in str(one)
    assert one == config.releases_dir("postgres://u:other@host/db", "postgres")  # one database
    assert one != config.releases_dir("postgres://u:secret@host/db2", "postgres")
    monkeypatch.setenv(config.RELEASES_ENV, str(tmp_path / "kept"))
    chosen = config.releases_dir(db, "duckdb")
    assert chosen is not None and chosen.parent == tmp_path / "kept"
    for off in ("off", "OFF", "0", "no"):
        monkeypatch.setenv(config.RELEASES_ENV, off)
        assert config.releases_dir(db, "duckdb") is None
    assert os.sep not in (chosen.name)


@pytest.mark.parametrize("block", [1, 2, 3, 2048])
def test_kept_results_read_back_by_place_and_by_slice_as_a_list_would(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept file's results are made when read (`Rows`, a block at a time): by place, from the
    end, a slice (across blocks, backwards, stepping), or all in turn, each reads as the list it
    was written from; an answer's part of them (`Part`) reads as its slice would."""
    monkeypatch.setattr(release_files, "_BLOCK", block)
    made = [
        Result(
            measure="wres3", org=org, period=2026, group_type="broad", group=group,
            numerator=n, denominator=100 + n, rate=n / (100 + n), reference_group="White",
            options={"window": 2 + n % 2}, reason_values={"n": n},
        )
        for n, (org, group) in enumerate(
            [("RX1", "Black"), ("RX1", "White"), ("RX2", "Asian"), ("RX2", "Mixed"), ("RX3", "Other")]
        )
    ]  # fmt: skip
    rows = release_files.Rows(release_files._table(made, {}))
    assert len(rows) == 5
    assert _same(rows[-1], made[-1]) and _same(rows[0], made[0])
    assert _all_same(rows[1:4], made[1:4]) and _all_same(rows[::-1], made[::-1])
    assert _all_same(rows[4:0:-2], made[4:0:-2]) and _all_same(rows[-2:], made[-2:])
    assert rows[5:] == [] and rows[3:3] == [] and _all_same(list(rows), made)
    assert _all_same(rows.every(), made)
    assert rows[0].options is rows[2].options  # results that shared options still do
    with pytest.raises(IndexError):
        rows[5]
    with pytest.raises(IndexError):
        rows[-6]

    fresh = release_files.Rows(release_files._table(made, {}))
    part = release_files.Part(fresh, 1, 4)
    assert len(part) == 3 and part  # its length known before any is made
    assert _all_same(list(part), made[1:4]) and _same(part[-1], made[3])
    assert _all_same(part[::2], made[1:4:2]) and part == fresh[1:4]
    assert not release_files.Part(fresh, 2, 2) and list(release_files.Part(fresh, 2, 2)) == []


@pytest.mark.parametrize(
    "text", ['{"n": 1}, {"n": 2}', "[]", "1", '{"n": 1', "", '{"n": 1}]'], ids=repr
)
def test_a_kept_file_whose_reasons_or_options_are_not_one_object_each_is_unfit(text: str) -> None:
    """What a result's options and reasons were written as is read before any result is made:
    text that is not one JSON object (two, a list, a number, cut short) makes the file unfit
    (built again, never read), wherever it sits among the others."""
    made = [
        Result(measure="wres3", org="RX1", period=2026, group_type="broad", group=g,
               numerator=n, denominator=10,
               reason_values={"n": n}, options={"window": n})
        for n, g in enumerate(["Black", "White", "Asian"])
    ]  # fmt: skip
    table = release_files._table(made, {})
    for column in ("reason_values", "options"):
        at = table.schema.get_field_index(column)
        values = table.column(column).to_pylist()
        values[1] = text
        harmed = table.set_column(at, table.schema.field(at), pa.array(values, pa.string()))
        with pytest.raises((release_files._Unfit, ValueError)):  # JSON's own error, or ours
            release_files.Rows(harmed)
    assert _all_same(release_files.Rows(table).every(), made)


def test_finding_the_kept_files_reads_no_dates_and_a_new_reporting_year_finds_others(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The released years follow from the data and the reporting year today is in, so the
    files are found by those two: a command reading its answer back need not read every
    table's dates first; the next reporting year (a new year released) is another shelf."""
    from equitrack.store import coverage

    kept = release_files.shelf_of(small)
    assert kept is not None
    with monkeypatch.context() as mp:
        mp.setattr(coverage, "_spans", lambda *a: pytest.fail("read every table's dates"))
        with coverage._LOCK:
            coverage._CACHE.pop(small.database, None)
        again = release_files.shelf_of(small)
    assert again == kept
    monkeypatch.setattr(release_files, "this_year", lambda: release.this_year() + 1)
    later = release_files.shelf_of(small)
    assert later is not None and later.key != kept.key
