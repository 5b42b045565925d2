"""The suite's stores of the same data (`tests.same_data`) share a release only while their data
are the same: a copy that loads anything builds its own, as if nothing were shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from equitrack import release
from equitrack.disclosure import policy_for
from equitrack.ingest import import_paths
from equitrack.store import connect
from tests.factories import ASSIGNMENTS, small_system, write_csv
from tests.same_data import same_data


def test_a_copy_shares_the_release_until_its_data_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the release cut down to one family and grouping (the suite's time), as for these stores only
    monkeypatch.setattr(release, "FAMILIES", ("wres",))
    monkeypatch.setattr(release, "GROUPINGS", ("wres",))
    source = connect(str(tmp_path / "source.duckdb"))
    assert import_paths([small_system(tmp_path / "data")], source).ok
    source.con.raw_sql("CHECKPOINT")
    shutil.copy(source.url, tmp_path / "copy.duckdb")
    copy = connect(str(tmp_path / "copy.duckdb"), create=False)
    same_data(source, copy)
    board = policy_for("board")

    first = release.release_for(source, board)
    assert release.release_for(copy, board) is first
    assert release._ASKED[copy.database] is release._ASKED[source.database]

    later = {**ASSIGNMENTS[0], "assignment_id": "10000001-2", "start_date": "2024-04-01"}
    assert import_paths([write_csv(tmp_path / "new" / "assignments.csv", [later])], copy).ok
    own = release.release_for(copy, board)
    assert own is not first
    assert release.release_for(source, board) is first
    fresh = release.build(copy, board)
    assert [repr(r) for r in own.shown] == [repr(r) for r in fresh.shown]
    assert [repr(r) for r in own.exact] != [repr(r) for r in first.exact]
    source.close()
    copy.close()
