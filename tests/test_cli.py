import json
from pathlib import Path

from typer.testing import CliRunner

from equitrack.cli import app
from tests.factories import PEOPLE, small_system

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False, terminal_width=200)


def test_import_then_status_json_reports_what_was_loaded(tmp_path: Path, db_path: Path) -> None:
    data = small_system(tmp_path / "data")
    result = invoke("import", str(data), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "Read 9 rows from 3 files. Loaded: organisations 2, people 4, assignments 3." in (
        result.output
    )
    status = json.loads(invoke("status", "--db", str(db_path), "--format", "json").output)
    assert {k: v["rows"] for k, v in status["tables"].items() if v["rows"]} == {
        "organisations": 2,
        "people": 4,
        "assignments": 3,
    }
    assert status["tables"]["assignments"]["by_org"] == {"RT5": 1, "RWE": 2}
    assert [b["table_name"] for b in status["batches"]] == [
        "organisations",
        "people",
        "assignments",
    ]
    # everyone: 3 of 4 known; in post (no end date): RWE has one person (A), RT5 one (H)
    decl = status["ethnicity_declaration"]
    assert decl["all_people"] == {"people": 4, "known": 3, "rate": 0.75}
    assert decl["staff_in_post_by_org"]["RWE"] == {"people": 1, "known": 1, "rate": 1.0}


def test_status_table_is_readable(tmp_path: Path, db_path: Path) -> None:
    invoke("import", str(small_system(tmp_path / "data")), "--db", str(db_path))
    out = invoke("status", "--db", str(db_path)).output
    assert "Batches loaded" in out and "people.csv" in out and "75.0%" in out


def test_bad_file_exits_1_with_file_line_column_and_reason(tmp_path: Path, db_path: Path) -> None:
    data = small_system(tmp_path / "data", people=[*PEOPLE[:3], {**PEOPLE[3], "sex": "woman"}])
    result = invoke("import", str(data), "--db", str(db_path), "--rejects", str(tmp_path / "rej"))
    assert result.exit_code == 1
    assert (
        "people.csv line 5, column 3 (sex): 'woman' is not one of the allowed values"
        in result.output
    )
    assert "Nothing was loaded" in result.output and "--skip-invalid" in result.output


def test_user_errors_are_messages_not_tracebacks(tmp_path: Path, db_path: Path) -> None:
    missing = invoke("import", str(tmp_path / "nope.csv"), "--db", str(db_path))
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert "Traceback" not in missing.output
    (tmp_path / "people.csv").write_text("person_id,ethnic_code,ethnic_code\n1,A,A\n")
    dup = invoke("import", str(tmp_path / "people.csv"), "--db", str(db_path))
    assert dup.exit_code == 2 and "appears twice" in dup.output
    nodb = invoke("status", "--db", str(tmp_path / "absent.duckdb"))
    assert nodb.exit_code == 2 and "no database" in nodb.output
    badtable = invoke(
        "import", str(tmp_path / "people.csv"), "--table", "staff", "--db", str(db_path)
    )
    assert badtable.exit_code == 2 and "--table must be one of" in badtable.output


def test_help_is_written_for_an_analyst() -> None:
    out = invoke("import", "--help").output
    assert "--skip-invalid" in out and "pseudonymised" in out


def test_a_demo_run_again_starts_from_an_empty_database(tmp_path: Path) -> None:
    """Run again, the demo would find its files already loaded (and every one refused) in the
    database it made before: that database goes, with its write-ahead log, and nothing else."""
    import duckdb

    from equitrack.cli.server import DEMO_MARK, _fresh

    db = tmp_path / "equitrack.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES (?, 'yes')", [DEMO_MARK])
    kept = [tmp_path / "data" / "people.csv", tmp_path / "equitrack.duckdb.bak"]
    for path in [db.with_name(db.name + ".wal"), *kept]:
        path.parent.mkdir(exist_ok=True)
        path.write_text("made earlier")
    _fresh(db)
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == sorted(kept)
    _fresh(db)  # nothing there: nothing to do


def test_the_demo_leaves_a_database_it_did_not_make_alone(tmp_path: Path) -> None:
    """`--out` pointed at a folder with someone's real store (or any other file of that name):
    refused in one line, exit 2, and the file kept."""
    import duckdb

    real = tmp_path / "real"
    real.mkdir()
    with duckdb.connect(str(real / "equitrack.duckdb")) as con:
        con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    other = tmp_path / "other"
    other.mkdir()
    (other / "equitrack.duckdb").write_text("not a database at all")
    for out in (real, other):
        before = (out / "equitrack.duckdb").read_bytes()
        result = runner.invoke(app, ["demo", "--out", str(out), "--no-serve"])
        assert result.exit_code == 2, result.output
        assert "was not made by this version's `equitrack demo`" in " ".join(result.output.split())
        assert (out / "equitrack.duckdb").read_bytes() == before
