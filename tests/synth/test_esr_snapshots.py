"""The generated system loaded the way an analyst gets it, ESR snapshot after snapshot with
leavers reports, against the same system loaded from its canonical files.

What can be equal, and is held equal here:

- on every snapshot date, the assignments in post: the same people, in the same organisations,
  with the same band, staff group, contract and FTE (as a multiset: a person may hold two);
- every person's equality fields: the latest recorded (the generator has some people's
  ethnicity as not stated in their early snapshots, declared later);
- an assignment that ended with a leaving reason: its end date and reason.

What cannot be equal, and is not compared: a snapshot sees states only on its own date, so
- a change of band between two snapshots is dated from the later snapshot, not the day it
  happened, and states that came and went between snapshots are not seen at all;
- a run of canonical rows that ESR keeps as one assignment (a promotion keeps its number) is
  one row before the first snapshot, with the first row's start date and the first seen state;
- an assignment that ended without a leaving reason (the person moved to another post) ends on
  the last snapshot date it was seen, "ended between snapshots";
- assignment ids (a state recorded from a snapshot date is a new row, its id the assignment's
  and the date).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from equitrack import synth
from equitrack.ingest import import_paths
from equitrack.ingest.spells import ENDED_BETWEEN, later_spell_id
from equitrack.store import Store, connect, pseudonyms
from equitrack.store.status import status
from equitrack.synth.esr_snapshots import LATE_DECLARERS, snapshot_dates
from equitrack.synth.esr_snapshots import series as esr_series

STATE = ("person_id", "org_code", "pay_band", "staff_group", "contract", "fte")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Store, list[dt.date]]:
    base = tmp_path_factory.mktemp("series")
    tables = synth.generate("mini", seed=11, years=4)
    synth.write(tables, base / "canonical", "csv")
    synth.write(tables, base / "series", "esr-snapshots")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EQUITRACK_KEY_FILE", str(base / "key"))
        canonical = connect(str(base / "canonical.duckdb"))
        assert import_paths([base / "canonical"], canonical).ok
        series = connect(str(base / "series.duckdb"))
        assert import_paths([base / "series" / "organisations.csv"], series).ok
        for day, paths in esr_series(base / "series"):  # a date at a time, as they arrive
            assert import_paths(paths, series).ok, day
        assert import_paths([base / "series"], series).ok  # the other tables
    return canonical, series, snapshot_dates(tables)


def _in_post(store: Store, day: dt.date) -> Counter[tuple[object, ...]]:
    a = store.table("assignments")
    on = a.filter((a.start_date <= day) & (a.end_date.isnull() | (a.end_date >= day)))
    return Counter(tuple(r.values()) for r in on.select(*STATE).to_pyarrow().to_pylist())


def test_the_same_staff_are_in_post_on_every_snapshot_date(
    stores: tuple[Store, Store, list[dt.date]],
) -> None:
    canonical, series, dates = stores
    assert len(dates) == 4
    for day in dates:
        expected = _in_post(canonical, day)
        assert expected, day
        assert _in_post(series, day) == expected, day


def test_people_are_the_same(stores: tuple[Store, Store, list[dt.date]]) -> None:
    canonical, series, _ = stores

    def people(store: Store) -> pa.Table:
        return store.table("people").to_pyarrow().drop(["batch_id"]).sort_by("person_id")

    assert people(series).equals(people(canonical))
    changed = status(series)["snapshots"]["ethnicity_changed"]
    assert 0 < changed < people(canonical).num_rows * LATE_DECLARERS * 2


def test_leavers_end_on_their_date_with_their_reason(
    stores: tuple[Store, Store, list[dt.date]],
) -> None:
    canonical, series, _ = stores

    def leavers(store: Store) -> Counter[tuple[object, ...]]:
        a = store.table("assignments")
        left = a.filter(a.leaving_reason.notnull() & (a.leaving_reason != ENDED_BETWEEN))
        cols = ("person_id", "org_code", "end_date", "leaving_reason")
        return Counter(tuple(r.values()) for r in left.select(*cols).to_pyarrow().to_pylist())

    assert leavers(series) == leavers(canonical)
    a = series.table("assignments")
    between = a.filter(a.leaving_reason == ENDED_BETWEEN).count().to_pyarrow().as_py()
    assert between > 0  # moves to another post, seen only as missing from the next snapshot


def test_a_band_change_on_one_assignment_is_a_new_row_from_the_snapshot_date(
    stores: tuple[Store, Store, list[dt.date]],
) -> None:
    _, series, dates = stores
    rows = pseudonyms.read(series.table("assignments")).to_pylist()
    held: dict[bytes, set[bytes]] = {}
    for r in rows:
        held.setdefault(r["person_id"], set()).add(r["assignment_id"])
    # a later spell's id is made from its first spell's and its start (`later_spell_id`)
    later = [
        r
        for r in rows
        if any(
            later_spell_id(first, r["start_date"]) == r["assignment_id"]
            for first in held[r["person_id"]]
        )
    ]
    assert later, "the generator's promotions keep their ESR assignment number"
    assert all(r["start_date"] in dates for r in later)


def test_other_tables_load_against_the_people_of_the_series(
    stores: tuple[Store, Store, list[dt.date]],
) -> None:
    canonical, series, _ = stores
    for name in ("training", "disciplinary", "appraisals"):
        n = series.table(name).count().to_pyarrow().as_py()
        assert n == canonical.table(name).count().to_pyarrow().as_py() > 0


def test_the_exports_have_a_title_block_with_their_date(tmp_path: Path) -> None:
    tables = synth.generate("mini", seed=11)
    written = synth.write(tables, tmp_path, "esr-snapshots")
    first = sorted(tmp_path.glob("esr_*_staff_in_post_*.csv"))[0]
    lines = first.read_text(encoding="utf-8-sig").splitlines()
    day = dt.date.fromisoformat(first.stem.rsplit("_", 1)[1])
    assert lines[0] == "Staff in Post - Assignment Level"
    assert lines[1] == f"As at date: {day:%d/%m/%Y}"
    assert lines[5].startswith('"Employee Number"')
    assert "people" in written and "assignments" in written


def test_monthly_snapshots_load_to_the_same_staff_at_each_month_end(tmp_path: Path) -> None:
    tables = synth.generate("mini", seed=5, years=2)
    dates = snapshot_dates(tables, monthly=True)
    assert dates[0] == dt.date(2025, 3, 31) and dates[-1] == dt.date(2026, 3, 31)
    assert len(dates) == 13 and all((d + dt.timedelta(days=1)).day == 1 for d in dates)
    synth.write(tables, tmp_path / "canonical", "csv")
    synth.write(tables, tmp_path / "series", "esr-monthly")
    canonical = connect(str(tmp_path / "canonical.duckdb"))
    series = connect(str(tmp_path / "series.duckdb"))
    try:
        assert import_paths([tmp_path / "canonical"], canonical).ok
        assert import_paths([tmp_path / "series"], series).ok  # all at once, in any order
        assert [d for d, _ in esr_series(tmp_path / "series")] == dates
        for day in dates:
            assert _in_post(series, day) == _in_post(canonical, day), day
    finally:
        canonical.close()
        series.close()
