"""Reports saved from ESR BI and similar tools start with a title block (the report's name, a
run date, its parameters) above the header: it is recognised, noted and not read as data, and
every problem still names the line of the file."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from equitrack.ingest import import_paths
from equitrack.ingest.readers import title_rows
from equitrack.store import connect
from tests.factories import PEOPLE, small_system, write_csv
from tests.ingest_profiles.esr import ESR, HEADER, ROWS
from tests.ingest_profiles.support import rows_in, write_organisations

TITLE = [
    ["Staff in Post and Leavers"],
    ["Run date: 26/11/2026 09:14"],
    ["Organisation:", "RWE University Hospitals of Leicester"],
    [],
]


def titled_csv(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerows([*TITLE, HEADER, *rows])
    return path


def test_the_title_rule() -> None:
    assert title_rows([["Title"], [], ["a", "b", "c"]]) == 2
    assert title_rows([["Title"], ["Org:", "RWE"], ["a", "b", "c"]]) == 2
    assert title_rows([["a", "b"], ["1", "2", "3"]]) == 0  # a narrow header is still the header
    assert title_rows([["a", "b", "c"]]) == 0
    assert title_rows([["only one column"], ["x"], ["y"]]) == 0  # no header found: as before


def test_an_esr_report_with_a_title_block_loads_and_says_so(tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "data"
    write_organisations(folder)
    titled_csv(folder / "staff_in_post.csv", ROWS)
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    assert any("read with the esr_workforce profile" in n for n in result.notes)
    assert rows_in(db_path, "assignments") == 3 and rows_in(db_path, "people") == 2
    (assignments,) = [s for s in result.sources if s.source.table == "assignments"]
    assert (
        "the first 4 line(s) are a report title ('Staff in Post and Leavers'), not data: the "
        "header is line 5" in assignments.warnings
    )


def test_problems_below_a_title_name_the_files_own_lines(tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "data"
    write_organisations(folder)
    bad = ESR.replace(ROWS[2], Ethnic_Origin="Black African")
    titled_csv(folder / "staff_in_post.csv", [ROWS[0], ROWS[1], bad])
    result = import_paths([folder], connect(str(db_path)))
    assert not result.ok
    problems = [p for s in result.sources if s.problems is not None for p in s.problems.to_pylist()]
    assert {p["line"] for p in problems if "Black African" in p["reason"]} == {8}


def test_a_workbook_sheet_with_a_title_block(tmp_path: Path, db_path: Path) -> None:
    write_organisations(tmp_path)
    wb = Workbook()
    ws = wb.active
    ws.title = "Report"
    for row in [[], *TITLE, HEADER, *ROWS]:  # a blank row even before the title
        ws.append(row)
    wb.save(tmp_path / "esr.xlsx")
    result = import_paths([tmp_path / "organisations.csv", tmp_path / "esr.xlsx"],
                          connect(str(db_path)))  # fmt: skip
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    assert rows_in(db_path, "assignments") == 3
    (assignments,) = [s for s in result.sources if s.source.table == "assignments"]
    assert any("header is row 6" in w for w in assignments.warnings), assignments.warnings


def test_a_narrow_canonical_file_is_read_from_its_first_line(tmp_path: Path, db_path: Path) -> None:
    folder = small_system(tmp_path / "d")
    people = [{"person_id": p["person_id"], "ethnic_code": p["ethnic_code"]} for p in PEOPLE]
    write_csv(folder / "people.csv", people)
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok
    assert rows_in(db_path, "people") == len(PEOPLE)
    assert not any("report title" in w for s in result.sources for w in s.warnings)


def test_a_utf8_header_over_windows_1252_rows_keeps_its_names(
    tmp_path: Path, db_path: Path
) -> None:
    """The encoding is decided by the lines up to the header: a UTF-8 header (with its
    byte-order mark) over rows saved as Windows-1252 keeps clean names, and the rows are read
    as Windows-1252."""
    folder = tmp_path / "data"
    write_organisations(folder)
    path = folder / "esr.csv"
    with path.open("wb") as fh:
        fh.write(b"\xef\xbb\xbf" + ",".join(HEADER).encode() + b"\r\n")
        for row in ROWS:
            fh.write(",".join(row).encode() + b"\r\n")
        extra = ESR.replace(ROWS[2], Employee_Number="10000009", Assignment_Number="10000009",
                            Leaving_Reason="Relocation \u2013 abroad")  # fmt: skip
        fh.write(",".join(extra).encode("cp1252") + b"\r\n")
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    assert any("read with the esr_workforce profile" in n for n in result.notes)
    assert rows_in(db_path, "assignments") == 4
