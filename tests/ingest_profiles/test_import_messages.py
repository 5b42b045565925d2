"""Messages a person can act on: alike problems grouped (how many, which lines, a few examples),
`profile check` saying why an import would stop, rows read counted per file and loaded per
table, and every note about a file said once."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from equitrack.ingest import import_paths
from equitrack.ingest.grouped import group, stretches
from equitrack.store import connect
from tests.ingest_profiles.esr import ESR, HEADER, ROWS
from tests.ingest_profiles.support import invoke

NO_ORG_HEADER = [h for h in HEADER if h != "Org Code"]


def staff(n: int, **changes: str) -> list[list[str]]:
    """n people with an assignment each (lines 2 to n + 1), with these cells changed."""
    return [
        ESR.replace(ROWS[1], Employee_Number=str(30000000 + i),
                    Assignment_Number=str(30000000 + i), **changes)
        for i in range(n)
    ]  # fmt: skip


def test_800_identical_bad_values_are_one_grouped_problem_with_count_and_line_ranges(
    tmp_path: Path, db_path: Path
) -> None:
    rows = staff(800, Disability_Flag="Perhaps")
    rows[400] = staff(801)[800]  # line 402 is fine
    folder = ESR.folder(tmp_path / "data", rows)
    result = invoke("import", str(folder), "--db", str(db_path), "--rejects", str(tmp_path / "r"))
    assert result.exit_code == 1
    out = result.output
    assert (
        "esr_export.csv 799 lines (2–401 and 403–801), column 13 (Disability Flag): 'Perhaps' "
        "is not in the esr_workforce profile's list of Disability Flag values" in out
    )
    assert out.count("'Perhaps' is not in the esr_workforce profile's list") == 1
    assert "esr_export.csv (people): 799 problem(s)" in out
    problems = (tmp_path / "r" / "esr_export.people.problems.csv").read_text()
    assert problems.count("Perhaps") == 799  # the file still lists every one


def test_alike_problems_with_different_values_show_the_first_few_as_examples(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ESR.replace(r, Ethnic_Origin=f"Origin {i}") for i, r in enumerate(staff(10))
    ]  # ten different unknown values
    folder = ESR.folder(tmp_path / "data", rows)
    out = invoke("import", str(folder), "--db", str(db_path)).output
    assert "esr_export.csv 10 lines (2–11), column 11 (Ethnic Origin), such as:" in out
    for line, value in ((2, "Origin 0"), (3, "Origin 1"), (4, "Origin 2")):
        assert f"esr_export.csv line {line}: '{value}' is not in" in out
    assert "'Origin 3' is not in" not in out  # three examples, not ten lines


def test_a_few_problems_are_still_listed_line_by_line(tmp_path: Path, db_path: Path) -> None:
    rows = staff(5)
    rows[1] = ESR.replace(rows[1], Gender="Perhaps")
    rows[3] = ESR.replace(rows[3], Gender="Perhaps")
    out = invoke("import", str(ESR.folder(tmp_path / "data", rows)), "--db", str(db_path)).output
    assert "esr_export.csv line 3, column 12 (Gender): 'Perhaps' is not in" in out
    assert "esr_export.csv line 5, column 12 (Gender): 'Perhaps' is not in" in out


def test_groups_are_by_column_and_reason_shape_in_order_of_first_line() -> None:
    problems = pa.table(
        {
            "line": [2, 3, 3, 4, 9],
            "column": ["a", "a", "b", "a", "a"],
            "reason": ["x '1' bad", "x '2' bad", "y", "x '3' bad", "x '4' bad (line 9)"],
        }
    )
    groups = group(problems)
    assert [(g.column, g.lines, g.count, g.same) for g in groups] == [
        ("a", [2, 3, 4], 3, False),
        ("b", [3], 1, True),
        ("a", [9], 1, True),
    ]
    assert groups[0].examples == [(2, "x '1' bad"), (3, "x '2' bad"), (4, "x '3' bad")]


def test_line_ranges_show_a_few_stretches_then_the_last() -> None:
    assert stretches([7]) == "7"
    assert stretches([2, 3, 4, 9, 12, 13]) == "2–4, 9 and 12–13"
    many = [2, 3, 5, 7, 8, 20, 40, 41]
    assert stretches(many) == "2–3, 5, 7–8, …, 40–41 (5 ranges)"


def test_profile_check_says_why_the_import_would_stop(tmp_path: Path) -> None:
    report = ESR.file(
        tmp_path / "staff_in_post.csv",
        [[c for h, c in zip(HEADER, r, strict=True) if h != "Org Code"] for r in ROWS],
        NO_ORG_HEADER,
    )
    result = invoke("profile", "check", str(report))
    assert result.exit_code == 1
    assert "The import would stop, because: - assignments.org_code is needed, and the file has " \
           "no column for it" in result.output  # fmt: skip
    assert "name it with --org CODE" in result.output
    assert "see above" not in result.output
    named = invoke("profile", "check", str(report), "--org", "RWE")
    assert named.exit_code == 0, named.output
    assert "assignments.org_code ← set to 'RWE' by --org" in named.output
    assert "The file can be imported." in named.output


def test_profile_check_names_unreadable_values_as_the_reason(tmp_path: Path) -> None:
    rows = staff(4, Gender="Perhaps")
    report = ESR.file(tmp_path / "staff_in_post.csv", rows)
    result = invoke("profile", "check", str(report))
    assert result.exit_code == 1
    assert "- people: column 12 (Gender): 4 row(s) cannot be read (under Problems)" in (
        result.output
    )


def test_rows_read_are_the_file_data_rows_and_loaded_are_per_table(
    tmp_path: Path, db_path: Path
) -> None:
    folder = ESR.folder(tmp_path / "data")  # organisations.csv (2 rows), the export (3 rows)
    result = invoke("import", str(folder), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    # the export's 3 rows are 2 people and 3 assignments: its rows are counted once
    assert (
        "Read 5 rows from 2 files. Loaded: organisations 2, people 2, assignments 3."
        in result.output
    )
    store = connect(str(tmp_path / "again.duckdb"))
    imported = import_paths([folder / "organisations.csv", folder / "esr_export.csv"], store)
    store.close()
    assert imported.rows_read == 5 and imported.rows_loaded == 7
    assert list(imported.files_read.values()) == [2, 3]


def test_a_note_about_a_file_is_said_once(tmp_path: Path, db_path: Path) -> None:
    rows = staff(3, Ethnic_Origin="C White - Any other White background")
    rows[0] = ESR.replace(rows[0], Leaving_Reason="Relocation – café")
    folder = ESR.folder(tmp_path / "data", rows, encoding="cp1252")
    result = invoke("import", str(folder), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert result.output.count("esr_export.csv: read as Windows-1252 text") == 1
