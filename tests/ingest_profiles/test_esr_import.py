"""The ESR workforce profile: the generator's ESR export loads into the same canonical tables as
its canonical files, and the untidiness of real exports loads as it should."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from equitrack.ingest import Status, import_paths
from equitrack.store import connect
from tests.ingest_profiles.esr import ESR, HEADER, ROWS
from tests.ingest_profiles.support import RoundTrip, read_table, stored, write_organisations


def test_esr_sample_imports_into_the_same_tables_as_the_canonical_files(
    tmp_path: Path, generated: dict[str, pa.Table]
) -> None:
    trip = RoundTrip.write(tmp_path, generated, "esr")
    written = trip.written
    assert written["people"] == written["assignments"] == tmp_path / "esr" / "esr_workforce.csv"
    assert not (tmp_path / "esr" / "people.csv").exists()
    assert (tmp_path / "esr" / "training.csv").exists()
    text = (tmp_path / "esr" / "esr_workforce.csv").read_text(encoding="utf-8-sig")
    assert "N Black or Black British - African" in text and "Fixed Term Temp" in text
    assert "Agenda for Change Band" in text and "Band 8A" in text and "Non-AfC Grade" in text

    results = trip.imported()
    assert any(
        "esr_workforce.csv: read with the esr_workforce profile (its header has Employee "
        "Number, Assignment Number and Ethnic Origin)" in n
        for n in results["esr"].notes
    )
    for name, key in (("people", "person_id"), ("assignments", "assignment_id")):
        canonical, esr = trip.tables(name, key)
        assert canonical.num_rows == generated[name].num_rows
        assert esr.equals(canonical), name
    # pseudonymised: no raw employee number in the store
    raw_ids = set(generated["people"]["person_id"].to_pylist())
    assert not raw_ids & set(stored(trip.export_db, "people", "person_id")["person_id"].to_pylist())


def test_day_first_excel_serial_bom_trailing_spaces_and_mixed_case_load(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ESR.replace(ROWS[0], Assignment_Start_Date="43556", Pay_Band=" band 5 ",
                    Assignment_Category="PERMANENT ", Ethnic_Origin="a white-british "),
        ESR.replace(ROWS[1], Assignment_Start_Date="2022-04-01"),
        ESR.replace(ROWS[2], Assignment_Start_Date="15-Jan-2018",
                    Ethnic_Origin="n BLACK or black british – african", Gender="male  "),
    ]  # fmt: skip
    folder = ESR.folder(tmp_path / "data", rows, encoding="utf-8-sig")
    assert (folder / "esr_export.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    a = stored(db_path, "assignments", "start_date").to_pylist()
    assert [str(r["start_date"]) for r in a] == ["2018-01-15", "2019-04-01", "2022-04-01"]
    assert [str(r["end_date"]) for r in a] == ["2023-06-30", "2022-03-31", "None"]
    assert [r["pay_band"] for r in a] == ["Band 8a", "Band 5", "Band 6"]
    assert [r["contract"] for r in a] == ["bank", "permanent", "permanent"]
    assert [r["clinical"] for r in a] == [False, True, True]  # derived from the staff group
    p = stored(db_path, "people", "ethnic_code").to_pylist()
    assert [(r["ethnic_code"], r["sex"], r["disability"]) for r in p] == [
        ("A", "F", "N"),
        ("N", "M", "U"),
    ]


def test_windows_1252_with_an_accented_name_loads(tmp_path: Path, db_path: Path) -> None:
    header = [*HEADER, "Full Name", "Organisation"]
    rows = [
        [*ROWS[0], "Zoë Adébayo", "Hôpital Général"],
        [*ROWS[1], "Zoë Adébayo", "Hôpital Général"],
        [
            *ESR.replace(ROWS[2], Ethnic_Origin="N Black or Black British – African"),
            "Renée Ó Sé",
            "",
        ],
    ]
    folder = ESR.folder(tmp_path / "data", rows, header=header, encoding="cp1252")
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    assignments = next(s for s in result.sources if s.source.table == "assignments")
    assert assignments.encoding == "Windows-1252"
    # no profile reads or keeps them, so neither column is stored
    assert "not stored, as no profile reads or keeps them: Full Name, Organisation" in (
        assignments.warnings
    )
    assert read_table(db_path, "extra_values").num_rows == 0
    assert sorted(r["ethnic_code"] for r in stored(db_path, "people", "person_id").to_pylist()) == [
        "A",
        "N",
    ]


def test_a_month_first_date_refuses_the_file_naming_file_line_and_column(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [ROWS[0], ESR.replace(ROWS[1], Assignment_Start_Date="04/13/2022"), ROWS[2]]
    folder = ESR.folder(tmp_path / "data", rows)
    result = import_paths([folder], connect(str(db_path)), skip_invalid=True)
    assert not result.ok
    failed = next(s for s in result.sources if s.status == Status.FAILED)
    assert failed.source.label == "esr_export.csv" and failed.source.table == "assignments"
    (problem,) = failed.file_problems
    assert "column 8 (Assignment Start Date) holds month-first (US) dates" in problem
    assert "line 3 has '04/13/2022'" in problem and "does not guess" in problem
    assert failed.problems.to_pylist()[0]["line"] == 3
    assert result.rows_loaded == 0
    assert stored(db_path, "people", "person_id").num_rows == 0


def test_an_ambiguous_date_under_an_iso_only_profile_is_refused(
    tmp_path: Path, db_path: Path
) -> None:
    profile = tmp_path / "local.toml"
    profile.write_text(
        "\n".join(
            [
                'name = "local_staff"',
                'tables = ["people", "assignments"]',
                'dates = ["iso"]',
                "[merge]",
                'people = "person_id"',
                "[columns.person_id]",
                'headers = ["Staff No"]',
                "[columns.ethnic_code]",
                'headers = ["Ethnic Code"]',
                "[columns.assignment_id]",
                'headers = ["Post"]',
                "[columns.org_code]",
                'constant = "RWE"',
                "[columns.start_date]",
                'headers = ["Started"]',
                "[columns.pay_band]",
                'headers = ["Band"]',
                "[columns.staff_group]",
                'constant = "Administrative and Clerical"',
                "[columns.contract]",
                'constant = "permanent"',
            ]
        )
    )
    orgs = write_organisations(tmp_path)
    assert import_paths([orgs], connect(str(db_path))).ok  # --profile reads every file given
    local = tmp_path / "local.csv"
    local.write_text(
        "Staff No,Ethnic Code,Post,Started,Band\n1,A,P1,2020-01-31,Band 3\n2,H,P2,03/04/2021,Band 4\n"
    )
    result = import_paths([local], connect(str(db_path)), profile=profile)
    assert not result.ok
    a = next(s for s in result.sources if s.source.table == "assignments")
    assert a.problems.to_pylist() == [
        {
            "row": 1,
            "line": 3,
            "column": "column 4 (Started)",
            "reason": "'03/04/2021' is ambiguous: it could be 03 April 2021 or 04 March 2021, "
            "and this profile does not say which (it reads ISO like 2024-03-31)",
        }
    ]
