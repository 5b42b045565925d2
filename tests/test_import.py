import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pytest

from equitrack import config
from equitrack.ingest import Status, import_paths
from equitrack.ingest.pseudonymise import KeyProblem, Pseudonymiser, load_key
from equitrack.model.tables import TABLES
from equitrack.store import StoreError, connect
from equitrack.store.pseudonyms import to_hex
from tests.factories import ASSIGNMENTS, PEOPLE, small_system, write_csv


def contents(db: Path) -> dict[str, list[dict]]:
    """Everything in the store, as rows, for before/after comparisons."""
    store = connect(str(db))
    out = {
        name: store.table(name).to_pyarrow().to_pylist()
        for name in store.con.list_tables()
        if not name.startswith("ibis_")
    }
    store.close()
    return out


def test_loads_a_valid_folder_and_counts_every_row(tmp_path: Path, db_path: Path) -> None:
    store = connect(str(db_path))
    result = import_paths([small_system(tmp_path / "data")], store)
    assert result.ok
    assert [(r.source.table, r.rows_read, r.rows_loaded) for r in result.sources] == [
        ("organisations", 2, 2),
        ("people", 4, 4),
        ("assignments", 3, 3),
    ]
    assert store.table("people").count().to_pyarrow().as_py() == 4
    batches = store.table("batches").to_pyarrow().to_pylist()
    assert [b["table_name"] for b in batches] == ["organisations", "people", "assignments"]
    assert all(len(b["sha256"]) == 64 and b["loaded_at"] for b in batches)
    a = store.table("assignments").to_pyarrow().to_pylist()
    assert {r["batch_id"] for r in a} == {batches[2]["batch_id"]}
    # clinical derived from staff group where the file had no clinical column
    assert sorted(r["clinical"] for r in a) == [False, True, True]


def test_a_bad_row_loads_nothing_and_names_file_line_column_and_reason(
    tmp_path: Path, db_path: Path
) -> None:
    small_system(tmp_path / "good")
    connect(str(db_path)).close()
    import_paths([tmp_path / "good"], connect(str(db_path)))
    before = contents(db_path)
    bad_people = [*PEOPLE[:2], {**PEOPLE[2], "sex": "female"}]
    bad = small_system(
        tmp_path / "bad",
        organisations=[
            {"org_code": "QK1", "name": "LLR ICB", "org_type": "icb", "system_code": "QK1"}
        ],
        people=[{**p, "person_id": "2" + p["person_id"]} for p in bad_people],
        assignments=[
            {**ASSIGNMENTS[0], "assignment_id": "X1", "person_id": "99", "start_date": "2024-13-01"}
        ],
    )
    result = import_paths([bad], connect(str(db_path)), rejects_dir=tmp_path / "rejects")
    assert not result.ok
    by_table = {r.source.table: r for r in result.sources}
    assert by_table["organisations"].status == Status.HELD
    people = by_table["people"].problems.to_pylist()
    assert people == [
        {
            "row": 2,
            "line": 4,
            "column": "column 3 (sex)",
            "reason": "'female' is not one of the allowed values (F, M, X, U)",
        }
    ]
    reasons = {
        (p["line"], p["column"]): p["reason"] for p in by_table["assignments"].problems.to_pylist()
    }
    assert "not a date" in reasons[(2, "column 4 (start_date)")]
    assert "person_id '99' is not in people" in reasons[(2, "column 2 (person_id)")]
    assert contents(db_path) == before
    problems = pacsv.read_csv(tmp_path / "rejects" / "people.problems.csv").to_pylist()
    assert problems == [{"line": 4, "column": "column 3 (sex)", "reason": people[0]["reason"]}]


def test_skip_invalid_loads_the_rest_and_writes_rejects_with_reasons(
    tmp_path: Path, db_path: Path
) -> None:
    people = [
        *PEOPLE,
        {"person_id": "10000001", "ethnic_code": "A", "sex": "F", "international_recruit": "no"},
    ]
    data = small_system(tmp_path / "data", people=people)
    store = connect(str(db_path))
    result = import_paths([data], store, skip_invalid=True, rejects_dir=tmp_path / "rejects")
    assert result.ok
    by_table = {r.source.table: r for r in result.sources}
    # both copies of a duplicated key are rejected: which one is right is not ours to guess
    assert (by_table["people"].rows_loaded, by_table["people"].rows_rejected) == (3, 2)
    # person 10000001 was rejected, so their assignment cannot load either
    assert (by_table["assignments"].rows_loaded, by_table["assignments"].rows_rejected) == (2, 1)
    rejects = tmp_path / "rejects" / "people.rejects.csv"
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    rows = pacsv.read_csv(
        rejects, convert_options=pacsv.ConvertOptions(strings_can_be_null=False)
    ).to_pylist()
    assert [r["line"] for r in rows] == [2, 6]
    assert all("appears more than once in this file (lines 2, 6)" in r["problems"] for r in rows)
    assert store.table("batches").rows_rejected.sum().to_pyarrow().as_py() == 3


def test_a_file_loaded_before_is_recognised(tmp_path: Path, db_path: Path) -> None:
    data = small_system(tmp_path / "data")
    import_paths([data], connect(str(db_path)))
    again = import_paths([data], connect(str(db_path)))
    assert again.ok and {r.status for r in again.sources} == {Status.ALREADY}
    assert connect(str(db_path)).table("people").count().to_pyarrow().as_py() == 4


def test_the_same_keys_in_a_new_file_are_refused(tmp_path: Path, db_path: Path) -> None:
    import_paths([small_system(tmp_path / "a")], connect(str(db_path)))
    write_csv(tmp_path / "b" / "people.csv", [{**PEOPLE[0], "sex": "M"}])
    result = import_paths([tmp_path / "b"], connect(str(db_path)))
    assert not result.ok
    assert "is already loaded" in result.sources[0].problems.column("reason")[0].as_py()


def test_missing_required_column_is_a_file_problem(tmp_path: Path, db_path: Path) -> None:
    write_csv(tmp_path / "people.csv", [{"person_id": "1", "sex": "F"}])
    result = import_paths([tmp_path / "people.csv"], connect(str(db_path)), skip_invalid=True)
    assert not result.ok
    assert "ethnic_code is missing" in result.sources[0].file_problems[0]


def test_no_raw_identifier_reaches_the_database_file(tmp_path: Path, db_path: Path) -> None:
    people = [{**p, "person_id": f"RAWID{i}XYZ"} for i, p in enumerate(PEOPLE)]
    assignments = [
        {**a, "person_id": f"RAWID{i}XYZ", "assignment_id": f"RAWID{i}XYZ-1"}
        for i, a in enumerate(ASSIGNMENTS)
    ]
    import_paths(
        [small_system(tmp_path / "d", people=people, assignments=assignments)],
        connect(str(db_path)),
    )
    store = connect(str(db_path))
    store.con.raw_sql("CHECKPOINT")
    store.close()
    blob = db_path.read_bytes() + (
        db_path.with_suffix(".duckdb.wal").read_bytes()
        if db_path.with_suffix(".duckdb.wal").exists()
        else b""
    )
    assert b"RAWID" not in blob
    assert b"RAWID0XYZ" not in blob.replace(b"\x00", b"")


@pytest.mark.parametrize("header", ["Assignment Number", "Surname", "Notes", "Cost Centre"])
def test_a_column_no_profile_reads_or_keeps_is_not_stored(
    header: str, tmp_path: Path, db_path: Path
) -> None:
    people = [{**p, header: f"RAWID{i}XYZ"} for i, p in enumerate(PEOPLE)]
    result = import_paths([small_system(tmp_path / "d", people=people)], connect(str(db_path)))
    assert result.ok
    (people_result,) = [r for r in result.sources if r.source.table == "people"]
    assert f"not stored, as no profile reads or keeps them: {header}" in people_result.warnings
    store = connect(str(db_path))
    assert store.table("extra_values").count().to_pyarrow().as_py() == 0
    store.close()


def test_people_join_up_across_files_and_leading_zeros(tmp_path: Path, db_path: Path) -> None:
    import_paths([small_system(tmp_path / "d")], connect(str(db_path)))
    write_csv(
        tmp_path / "e" / "assignments.csv",
        [{**ASSIGNMENTS[0], "assignment_id": "N1", "person_id": "0010000001"}],
    )
    result = import_paths([tmp_path / "e"], connect(str(db_path)))
    assert result.ok
    store = connect(str(db_path))
    a = store.table("assignments")
    assert (
        a.filter(a.person_id == Pseudonymiser(load_key()).hash("person", "10000001"))
        .count()
        .to_pyarrow()
        .as_py()
        == 2
    )


def test_key_file_is_private_and_reused(isolated_key: Path) -> None:
    key = load_key()
    assert stat.S_IMODE(isolated_key.stat().st_mode) == 0o600
    assert load_key() == key
    os.chmod(isolated_key, 0o644)
    with pytest.raises(KeyProblem, match="chmod 600"):
        load_key()


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, isolated_key: Path) -> None:
    monkeypatch.setenv(config.KEY_ENV, "k" * 40)
    assert load_key() == b"k" * 40 and not isolated_key.exists()
    monkeypatch.setenv(config.KEY_ENV, "short")
    with pytest.raises(KeyProblem, match="too short"):
        load_key()


def test_a_store_refuses_ids_hashed_with_another_key(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_paths([small_system(tmp_path / "d")], connect(str(db_path)))
    monkeypatch.setenv(config.KEY_ENV, "another key that is long enough to use!")
    write_csv(tmp_path / "e" / "people.csv", [{**PEOPLE[0], "person_id": "5"}])
    with pytest.raises(StoreError, match="different pseudonymisation key"):
        import_paths([tmp_path / "e"], connect(str(db_path)))


def test_hashes_are_keyed_namespaced_and_stable() -> None:
    a, b = Pseudonymiser(b"a" * 32), Pseudonymiser(b"b" * 32)
    assert a.hash("person", "123") == a.hash("person", " 0123 ") != b.hash("person", "123")
    assert a.hash("person", "123") != a.hash("assignments.assignment_id", "123")
    assert len(a.hash("person", "123")) == 32


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from equitrack.store import connection
    from equitrack.ingest import import_paths

    real_insert = connection.Store.insert
    calls = {"n": 0}

    def insert_then_die(self, name, data):
        real_insert(self, name, data)
        calls["n"] += 1
        if name == "assignments":  # organisations and people are in; the batch is half-way
            os.kill(os.getpid(), signal.SIGKILL)

    connection.Store.insert = insert_then_die
    store = connection.connect(sys.argv[1])
    import_paths([Path(sys.argv[2])], store)
    """
)


def test_a_killed_import_leaves_no_partial_batch(tmp_path: Path, db_path: Path) -> None:
    data = small_system(tmp_path / "data")
    connect(str(db_path)).close()
    before = contents(db_path)
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(db_path), str(data)],
        env=os.environ,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr.decode()
    raw = duckdb.connect(str(db_path))
    pending = raw.sql("SELECT count(*) FROM import_journal").fetchone()[0]
    committed = raw.sql("SELECT count(*) FROM people").fetchone()[0]
    raw.close()
    assert pending == 2 and committed == 4  # organisations and people were committed, then the kill
    assert contents(db_path) == before  # opening the store removes the unfinished import
    result = import_paths([data], connect(str(db_path)))  # and the same files still load after
    assert result.ok and result.rows_loaded == 9


def test_every_table_can_be_loaded_from_the_model_columns(tmp_path: Path, db_path: Path) -> None:
    """The schema the store creates holds exactly the model's columns plus the batch id."""
    store = connect(str(db_path))
    for t in TABLES:
        assert list(store.table(t.name).columns) == [*t.column_names, "batch_id"]


def test_a_new_store_has_the_tables_ibis_would_make_from_the_schemas(db_path: Path) -> None:
    """The store makes its tables in one transaction with its own DDL: the same columns and
    types, in the same order, as Ibis's create_table makes from the same schemas."""
    import ibis

    from equitrack.store.schema import all_schemas

    store = connect(str(db_path))
    reference = ibis.duckdb.connect()
    assert set(store.con.list_tables()) == set(all_schemas())
    for name, schema in all_schemas().items():
        reference.create_table(name, schema=schema)
        described = f'DESCRIBE "{name}"'
        assert store.con.raw_sql(described).fetchall() == (
            reference.raw_sql(described).fetchall()
        ), name


@pytest.mark.parametrize("remember", [100, 3])
def test_pseudonyms_are_hmac_sha256_whether_remembered_or_not(remember: int) -> None:
    import hashlib
    import hmac

    import pyarrow as pa

    key = b"k" * 32

    def expected(namespace: str, value: str) -> str:
        return hmac.new(key, f"{namespace}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    p = Pseudonymiser(key, remember=remember)
    first = to_hex(p.hash_array("person", pa.array(["001", "2", None, "1", "x "]))).to_pylist()
    assert first == [
        expected("person", "1"),
        expected("person", "2"),
        None,
        expected("person", "1"),
        expected("person", "X"),
    ]
    again = to_hex(p.hash_array("person", pa.array(["9", "2", "8", "1", None]))).to_pylist()
    assert again == [expected("person", v) for v in ("9", "2", "8", "1")] + [None]
    assert p.hash("vacancies.vacancy_id", "9") == expected("vacancies.vacancy_id", "9")


def test_a_key_repeated_in_a_later_file_of_the_same_import_is_refused(
    tmp_path: Path, db_path: Path
) -> None:
    data = small_system(tmp_path / "d")
    write_csv(data / "people_extra.csv", [{**PEOPLE[0], "sex": "M"}])
    before = contents(db_path)
    result = import_paths([data], connect(str(db_path)))
    assert not result.ok
    extra = next(r for r in result.sources if r.source.path.name == "people_extra.csv")
    assert "person_id '10000001' is already loaded" in extra.problems.column("reason")[0].as_py()
    assert contents(db_path) == before  # people.csv had committed; the journal took it out again


def test_references_are_found_in_this_import_or_the_store_and_only_the_rest_refused(
    tmp_path: Path, db_path: Path
) -> None:
    """An assignment's person may be in an earlier import (found in the store), in this one
    (remembered from its people file), or nowhere (refused, naming the id)."""
    import_paths([small_system(tmp_path / "first")], connect(str(db_path)))
    before = contents(db_path)
    write_csv(tmp_path / "second" / "people.csv", [{**PEOPLE[0], "person_id": "20000001"}])
    stored, new, nowhere = "10000004", "20000001", "30000001"
    rows = [
        {**ASSIGNMENTS[0], "assignment_id": f"A{i}", "person_id": person}
        for i, person in enumerate((stored, new, nowhere, new, stored))
    ]
    write_csv(tmp_path / "second" / "assignments.csv", rows)
    result = import_paths([tmp_path / "second"], connect(str(db_path)))
    assert not result.ok
    problems = result.sources[-1].problems.to_pylist()
    assert [(p["line"], p["column"]) for p in problems] == [(4, "column 2 (person_id)")]
    assert problems[0]["reason"].startswith("person_id '30000001' is not in people")
    assert contents(db_path) == before
    write_csv(tmp_path / "second" / "assignments.csv", [rows[i] for i in (0, 1, 3, 4)])
    assert import_paths([tmp_path / "second"], connect(str(db_path))).ok
