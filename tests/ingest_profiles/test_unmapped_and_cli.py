"""Values a profile does not list are never guessed; detection says what it chose and why;
`profile check` reports without loading; a bad profile is named by file and key."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from equitrack.ingest import Status, import_paths
from equitrack.ingest import profile as profiles
from equitrack.store import connect
from tests.ingest_profiles.esr import ESR, ROWS
from tests.ingest_profiles.support import invoke, profile_line, read_table, rows_in

UNKNOWN = [
    ROWS[0],
    ROWS[1],
    ESR.replace(ROWS[2], Ethnic_Origin="Black African"),
    ESR.replace(ROWS[2], Employee_Number="10000003", Assignment_Number="10000003",
                Ethnic_Origin="black african "),
]  # fmt: skip


def test_an_unknown_ethnic_origin_stops_the_import_with_value_count_and_line_to_add(
    tmp_path: Path, db_path: Path
) -> None:
    folder = ESR.folder(tmp_path / "data", UNKNOWN)
    result = invoke("import", str(folder), "--db", str(db_path), "--rejects", str(tmp_path / "r"))
    assert result.exit_code == 1
    out = result.output
    assert "'Black African' (2)" in out  # both spellings are one value
    line = profile_line("esr_workforce", "columns.ethnic_code")  # no values table of its own
    assert f"esr_workforce.toml (line {line})" in out
    assert '"Black African" = "<NHS ethnic code' in out
    assert "columns.ethnic_code.values" in out
    assert "esr_export.csv line 4, column 11 (Ethnic Origin): 'Black African' is not in" in out
    assert "Nothing was loaded" in out
    for name in ("organisations", "people", "assignments"):
        assert rows_in(db_path, name) == 0
    problems = (tmp_path / "r" / "esr_export.people.problems.csv").read_text()
    assert "Ethnic Origin" in problems and "'black african'" in problems


def test_with_skip_invalid_the_unknown_rows_are_rejected_with_reasons(
    tmp_path: Path, db_path: Path
) -> None:
    folder = ESR.folder(tmp_path / "data", UNKNOWN)
    result = import_paths(
        [folder], connect(str(db_path)), skip_invalid=True, rejects_dir=tmp_path / "r"
    )
    assert result.ok
    by_table = {s.source.table: s for s in result.sources}
    assert (by_table["people"].rows_loaded, by_table["people"].rows_rejected) == (1, 2)
    assert (by_table["assignments"].rows_loaded, by_table["assignments"].rows_rejected) == (2, 2)
    with (tmp_path / "r" / "esr_export.people.rejects.csv").open() as fh:
        rejected = list(csv.DictReader(fh))
    assert [r["line"] for r in rejected] == ["4", "5"]
    assert rejected[0]["Ethnic Origin"] == "Black African"  # the row as the file has it
    assert "column 11 (Ethnic Origin): 'Black African' is not in" in rejected[0]["problems"]
    with (tmp_path / "r" / "esr_export.assignments.rejects.csv").open() as fh:
        assignments = list(csv.DictReader(fh))
    assert all("is not in people" in r["problems"] for r in assignments)
    assert rows_in(db_path, "people") == 1 and rows_in(db_path, "assignments") == 2


def test_one_person_with_two_ethnic_origins_is_a_problem_at_the_line(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [ROWS[0], ESR.replace(ROWS[1], Ethnic_Origin="B White - Irish"), ROWS[2]]
    result = import_paths([ESR.folder(tmp_path / "data", rows)], connect(str(db_path)))
    assert not result.ok
    people = next(s for s in result.sources if s.source.table == "people")
    (problem,) = people.problems.to_pylist()
    assert problem["line"] == 3 and problem["column"] == "column 11 (Ethnic Origin)"
    assert (
        "has Ethnic Origin 'B White - Irish' here but 'A White - British' on line 2"
        in (problem["reason"])
    )


def test_detection_chooses_esr_and_says_why(tmp_path: Path, db_path: Path) -> None:
    folder = ESR.folder(tmp_path / "data")
    result = invoke("import", str(folder), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert (
        "esr_export.csv: read with the esr_workforce profile (its header has Employee Number, "
        "Assignment Number and Ethnic Origin), giving people and assignments" in result.output
    )
    assert "Canonical files (named after their tables): organisations.csv" in result.output
    assert rows_in(db_path, "people") == 2 and rows_in(db_path, "assignments") == 3
    again = invoke("import", str(folder), "--db", str(db_path))
    assert again.exit_code == 0
    assert "Read 0 rows from 0 files (2 loaded before). Loaded: nothing." in again.output


def test_profile_check_reports_unmapped_values_without_loading(tmp_path: Path) -> None:
    folder = ESR.folder(tmp_path / "data", UNKNOWN)
    result = invoke("profile", "check", str(folder / "esr_export.csv"))
    assert result.exit_code == 1
    out = result.output
    assert "the esr_workforce profile (its header has Employee Number" in out
    assert "people.ethnic_code ← column 11 (Ethnic Origin)" in out
    assert "assignments.clinical ← derived from staff_group" in out
    assert "people.birth_year (optional): looked for Date of Birth" in out
    assert "'Black African' (2)" in out and "[columns.ethnic_code.values]" not in out.replace(
        "list columns.ethnic_code.values", ""
    )
    assert "people: column 11 (Ethnic Origin): 2 row(s) cannot be read" in out
    assert "Nothing was loaded" in out
    assert not (tmp_path / "equitrack.duckdb").exists()
    clean = invoke("profile", "check", str(ESR.folder(tmp_path / "ok") / "esr_export.csv"))
    assert clean.exit_code == 0 and "The file can be imported." in clean.output
    canonical = invoke("profile", "check", str(tmp_path / "ok" / "organisations.csv"))
    assert canonical.exit_code == 0
    assert "the canonical profile (named after the organisations table)" in canonical.output


def test_profiles_lists_the_shipped_profiles() -> None:
    out = invoke("profiles").output
    assert "canonical" in out and "esr_workforce" in out
    assert "ESR staff-in-post / leavers export" in out


def test_a_user_profile_maps_a_local_report(tmp_path: Path, db_path: Path) -> None:
    ESR.folder(tmp_path / "orgs")
    (tmp_path / "orgs" / "esr_export.csv").unlink()
    assert import_paths([tmp_path / "orgs"], connect(str(db_path))).ok
    profile = tmp_path / "local.toml"
    profile.write_text(
        (profiles.shipped_dir() / "esr_workforce.toml")
        .read_text()
        .replace('name = "esr_workforce"', 'name = "rwe_local"')
        .replace(
            'headers = ["Org Code", "ODS Code",', 'constant = "RWE" # ["Org Code", "ODS Code",'
        )
    )
    rows = [ESR.replace(r, Org_Code="ignored") for r in ROWS]
    folder = ESR.folder(tmp_path / "data", rows)
    (folder / "organisations.csv").unlink()
    result = invoke("import", str(folder), "--profile", str(profile), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "read with the rwe_local profile (chosen with --profile)" in result.output
    orgs = read_table(db_path, "assignments").column("org_code").to_pylist()
    assert orgs == ["RWE"] * 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\ntables = ["staff"]', "tables: 'staff' is not a canonical table"),
        ("name = [", "not valid TOML"),
        (
            'name = "x"\ntables = ["assignments"]\ndates = ["iso"]\n'
            '[columns.contract]\nheaders = ["Cat"]\nvalues = { "Permanent" = "permenant" }',
            "[columns.contract] values: 'Permanent' gives 'permenant', but "
            "assignments.contract must be one of permanent",
        ),
        (
            'name = "x"\ntables = ["people"]\n[columns.person_id]\nheaders = ["Id"]\n'
            "[columns.colour]\nheaders = []",
            "[columns.colour]: no table of this profile (people) has a column 'colour'",
        ),
        (
            'name = "x"\ntables = ["people"]\n[columns.person_id]\nheaders = ["Id"]',
            "columns: no rule for ethnic_code, which every people row needs",
        ),
    ],
)
def test_a_bad_profile_is_named_by_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(profiles.ProfileError) as caught:
        profiles.load(str(path))
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    result = invoke("profile", "check", str(path), "--profile", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_an_unknown_profile_name_lists_the_shipped_ones(tmp_path: Path, db_path: Path) -> None:
    result = invoke("import", str(tmp_path), "--profile", "trac", "--db", str(db_path))
    assert result.exit_code == 2
    assert "no profile called 'trac'" in result.output and "esr_workforce" in result.output
    assert Status.FAILED  # the import never started
