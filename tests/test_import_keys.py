"""Duplicate keys are found whichever shortcut the check takes: one pseudonymised column, a key
of several columns, ids that differ only in how they were written."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from equitrack.ingest import Status, import_paths
from equitrack.ingest.pseudonymise import Pseudonymiser
from equitrack.store import connect
from tests.factories import ASSIGNMENTS, small_system, write_csv


def reasons(result, table: str) -> list[tuple[int, str]]:
    source = next(r for r in result.sources if r.source.table == table)
    return [(p["line"], p["reason"]) for p in source.problems.to_pylist()]


def test_record_keys_equal_once_normalised_are_duplicates(tmp_path: Path, db_path: Path) -> None:
    assignments = [
        {**ASSIGNMENTS[0], "assignment_id": "a1"},
        ASSIGNMENTS[1],
        {**ASSIGNMENTS[2], "assignment_id": " A1 "},
    ]
    data = small_system(tmp_path / "data", assignments=assignments)
    result = import_paths([data], connect(str(db_path)))
    assert not result.ok
    assert reasons(result, "assignments") == [
        (2, "assignment_id 'a1' appears more than once in this file (lines 2, 4)"),
        (4, "assignment_id 'a1' appears more than once in this file (lines 2, 4)"),
    ]


def pay(person: str, snapshot: str, org: str = "RWE") -> dict[str, str]:
    return {"person_id": person, "org_code": org, "snapshot_date": snapshot, "hourly_pay": "20"}


def test_a_key_of_several_columns_repeated_is_found(tmp_path: Path, db_path: Path) -> None:
    data = small_system(tmp_path / "data")
    rows = [
        pay("10000001", "2024-03-31"),
        pay("10000001", "2024-03-31", org="RT5"),  # another organisation: a different key
        pay("10000002", "2024-03-31"),
        pay("010000001", "2024-03-31"),  # the first person again (leading zero dropped)
        pay("10000001", "2023-03-31"),
        pay("", "2024-03-31"),  # blank: reported as blank, not as a duplicate
    ]
    write_csv(data / "pay.csv", rows)
    result = import_paths([data], connect(str(db_path)))
    assert not result.ok
    message = (
        "person_id/org_code/snapshot_date '10000001 / RWE / 2024-03-31' appears more than once "
        "in this file (lines 2, 5)"
    )
    assert reasons(result, "pay") == [
        (2, message),
        (5, message),
        (7, "is blank, but every pay row needs a person_id"),
    ]


def test_an_id_written_as_a_decimal_number_is_the_same_id(tmp_path: Path, db_path: Path) -> None:
    """A column of employee numbers with a blank in it comes out of pandas as "10000001.0":
    that is the person 10000001 of people.csv, not a stranger (and a duplicate of 10000001)."""
    data = small_system(tmp_path / "data")
    write_csv(data / "pay.csv", [pay("10000001.0", "2024-03-31"), pay("10000002", "2024-03-31")])
    store = connect(str(db_path))
    assert import_paths([data], store).ok
    people = set(store.table("people").person_id.to_pyarrow().to_pylist())
    paid = store.table("pay").person_id.to_pyarrow().to_pylist()
    assert len(paid) == 2 and set(paid) <= people

    again = small_system(tmp_path / "again")
    rows = [
        pay("10000001", "2024-03-31"),
        pay("10000001.00", "2024-03-31"),
        pay("1.5", "2024-03-31"),
    ]
    write_csv(again / "pay.csv", rows)
    result = import_paths([again], connect(str(tmp_path / "again.duckdb")))
    message = (
        "person_id/org_code/snapshot_date '10000001 / RWE / 2024-03-31' appears more than once "
        "in this file (lines 2, 3)"
    )
    assert [m for m in reasons(result, "pay") if "more than once" in m[1]] == [
        (2, message),
        (3, message),
    ]


def test_a_key_of_several_columns_all_different_loads(tmp_path: Path, db_path: Path) -> None:
    data = small_system(tmp_path / "data")
    rows = [pay("10000001", "2024-03-31"), pay("10000001", "2024-03-31", org="RT5")]
    write_csv(data / "pay.csv", [*rows, pay("10000001", "2023-03-31")])
    result = import_paths([data], connect(str(db_path)))
    assert result.ok
    assert [r.status for r in result.sources][-1] == Status.LOADED


@pytest.mark.parametrize(
    "ids",
    [
        ["1", "2", "3", "x", "é"],
        ["1", "2", "01", "x", "X ", "3", "x"],  # repeats, so numbered as usual
        [],
    ],
)
def test_a_tables_own_key_hashes_as_any_other_column(ids: list[str]) -> None:
    p = Pseudonymiser(b"k" * 32)
    values = pa.array(ids, pa.string())
    fast = p.hash_dictionary("leave.request_id", values, expect_distinct=True)
    usual = p.hash_dictionary("leave.request_id", values)
    assert fast.indices.to_pylist() == usual.indices.to_pylist()
    assert fast.dictionary.to_pylist() == usual.dictionary.to_pylist()
