"""The employee-relations case tracker profile: the generator's tracker workbook loads into the
same disciplinary table as its canonical file, a hand-kept workbook's untidiness loads, and what
the profile cannot read (an unknown outcome, a month-first date) is refused, never guessed."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from equitrack.ingest import ReadError, Status, import_paths
from equitrack.ingest import profile as profiles
from equitrack.ingest.detect import detect
from equitrack.model.tables import table
from equitrack.store import connect
from tests.factories import small_system
from tests.ingest_profiles.cases import CASES, G_PATH, HEADER, ROWS
from tests.ingest_profiles.esr import HEADER as ESR_HEADER
from tests.ingest_profiles.support import RoundTrip, profile_line, rows_in, stored

TRACKER = "er_case_tracker.xlsx"
LABEL = "er_case_tracker.xlsx [sheet Cases]"


def test_the_profile_maps_every_disciplinary_column() -> None:
    profile = profiles.load("er_case_tracker")
    assert profile.tables == ("disciplinary",)
    mapped = {r.target for r in profile.rules("disciplinary")}
    assert mapped == set(table("disciplinary").column_names)


def test_detection_tells_the_tracker_from_an_esr_export() -> None:
    tracker = detect(HEADER)
    assert tracker is not None and tracker.profile.name == "er_case_tracker"
    esr = detect(ESR_HEADER)
    assert esr is not None and esr.profile.name == "esr_workforce"
    # an ESR export with a case column or two is still an ESR export
    esr_plus = detect([*ESR_HEADER, "Case Type", "Date Opened"])
    assert esr_plus is not None and esr_plus.profile.name == "esr_workforce"


def test_tracker_sample_imports_into_the_same_table_as_the_canonical_file(
    tmp_path: Path, generated: dict[str, pa.Table]
) -> None:
    trip = RoundTrip.write(tmp_path, generated, "cases")
    written = trip.written
    assert written["disciplinary"] == tmp_path / "cases" / TRACKER
    assert not (tmp_path / "cases" / "disciplinary.csv").exists()
    assert (tmp_path / "cases" / "people.csv").exists()

    # a hand-kept workbook: mostly date cells, some dates typed, flags and words written
    # several ways, the odd trailing space or capitals
    wb = load_workbook(written["disciplinary"])
    assert wb.sheetnames[0] == "Cases"
    columns = {c[0].value: c[1:] for c in wb["Cases"].iter_cols()}
    opened = columns["Date Opened"]
    kinds = Counter(type(c.value) for c in opened)
    assert kinds[dt.datetime] > 0.8 * len(opened)
    assert {c.number_format for c in opened if c.is_date} == {"DD/MM/YYYY"}
    typed = [c.value for c in opened if isinstance(c.value, str)]
    assert typed and all(re.fullmatch(r"\d\d/\d\d/\d{4} ?", v) for v in typed)
    assert {"Y", "N", "Yes", "No"} <= {c.value for c in columns["Suspended"]}
    words = [c.value for c in columns["Outcome"] if c.value]
    assert any(w.endswith(" ") for w in words) and any(w.isupper() for w in words)
    assert "Management Advice" in words
    assert "Gross Misconduct" in {c.value for c in columns["Case Type"]}
    wb.close()

    results = trip.imported()
    assert (
        f"{LABEL}: read with the er_case_tracker profile (its header has Case Reference, "
        "Employee Number, Case Type and Date Opened), giving disciplinary"
    ) in results["cases"].notes
    canonical, cases = trip.tables("disciplinary", "case_id")
    assert canonical.num_rows == generated["disciplinary"].num_rows > 100
    assert cases.equals(canonical)
    # the cases join up with the people from the other files: same pseudonyms
    people = set(stored(trip.export_db, "people", "person_id")["person_id"].to_pylist())
    assert set(cases["person_id"].to_pylist()) <= people
    assert not set(generated["disciplinary"]["person_id"].to_pylist()) & people
    # Status is worked out from Date Closed: ignored, not kept aside
    assert rows_in(trip.export_db, "extra_values") == 0


def test_date_cells_typed_dates_mixed_flags_spaces_and_case_load(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [
        CASES.replace(ROWS[0], Employee_Number="10000001 ", Case_Type="MISCONDUCT ",
                      Date_Opened="04/04/2022", Formal_Investigation_Date="2022-04-20",
                      Suspended="no", Date_Closed=44774, Outcome="first written warning ",
                      Just_Culture_Assessment_Completed="Yes "),
        CASES.replace(ROWS[1], Case_Type="capability - ill health", Date_Opened="3-May-2022",
                      Suspended="Not Known", Outcome="Ongoing",
                      Just_Culture_Assessment_Completed="NO"),
        CASES.replace(ROWS[2], Employee_Number="010000003", Case_Type="Gross  Misconduct",
                      Suspended="YES", Outcome="DISMISSED", Just_Culture_Assessment_Completed="y"),
    ]  # fmt: skip
    folder = CASES.folder(tmp_path / "data", rows)
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    got = stored(db_path, "disciplinary", "opened_date").to_pylist()
    assert [str(r["opened_date"]) for r in got] == ["2022-04-04", "2022-05-03", "2023-01-09"]
    assert [str(r["formal_date"]) for r in got] == ["2022-04-20", "None", "2023-01-16"]
    assert [str(r["closed_date"]) for r in got] == ["2022-08-01", "None", "2023-06-30"]
    assert [r["case_type"] for r in got] == ["conduct", "capability", "conduct"]
    assert [r["outcome"] for r in got] == ["first_written_warning", None, "dismissal"]
    assert [r["suspended"] for r in got] == [False, None, True]
    assert [r["pre_formal_assessment"] for r in got] == [True, False, True]
    assert [r["just_culture_answers"] for r in got] == [G_PATH, None, "1a=Y"]
    assert [r["org_code"] for r in got] == ["RWE", "RWE", "RT5"]
    # a number cell, text with a trailing space and a lost-then-restored leading zero all name
    # the people of people.csv
    people = stored(db_path, "people", "person_id")["person_id"].to_pylist()
    assert all(r["person_id"] in people for r in got)
    assert len({r["person_id"] for r in got}) == 3


def test_a_tracker_with_other_headers_loads_with_the_profile(tmp_path: Path, db_path: Path) -> None:
    assert import_paths([small_system(tmp_path / "system")], connect(str(db_path))).ok
    header = ["Case Ref", "Staff Number", "Organisation", "Case Type", "Date Case Opened",
              "Date Formal Investigation Commenced", "Suspension", "Case Outcome", "Date Closed",
              "Just Culture Assessment", "Just Culture Path"]  # fmt: skip
    rows = [
        ["C-17", 10000002, "RWE", "Capability - Performance", dt.date(2023, 2, 1),
         dt.date(2023, 2, 10), "N", "Management Advice", dt.date(2023, 3, 1), "N", None],
    ]  # fmt: skip
    path = CASES.file(tmp_path / "local" / "tracker_2023.xlsx", rows, header=header)
    with pytest.raises(ReadError, match=r"nothing to import.*tracker_2023.xlsx: passed over"):
        import_paths([path.parent], connect(str(db_path)))
    result = import_paths([path], connect(str(db_path)), profile="er_case_tracker")
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    (got,) = stored(db_path, "disciplinary", "case_id").to_pylist()
    assert (got["case_type"], got["outcome"], got["suspended"]) == (
        "capability",
        "informal_action",
        False,
    )
    assert (str(got["opened_date"]), str(got["formal_date"])) == ("2023-02-01", "2023-02-10")


UNKNOWN = [
    ROWS[0],
    CASES.replace(ROWS[1], Case_Type="Sickness Absence", Outcome="Written Advice",
                  Date_Closed=dt.date(2022, 6, 1), Status="Closed"),
    CASES.replace(ROWS[2], Outcome="written advice "),
]  # fmt: skip


def test_an_unknown_outcome_or_case_type_stops_the_import_with_value_count_and_line(
    tmp_path: Path, db_path: Path
) -> None:
    folder = CASES.folder(tmp_path / "data", UNKNOWN)
    result = import_paths([folder], connect(str(db_path)), rejects_dir=tmp_path / "r")
    assert not result.ok
    cases = next(s for s in result.sources if s.source.table == "disciplinary")
    assert cases.status == Status.FAILED and cases.source.label == LABEL
    outcome = next(w for w in cases.warnings if "(Outcome)" in w)
    assert outcome.startswith("column J (Outcome): 1 value(s) on 2 row(s)")
    assert "'Written Advice' (2)" in outcome  # both spellings are one value
    line = profile_line("er_case_tracker", "columns.outcome.values")
    assert f"er_case_tracker.toml (line {line})" in outcome
    assert '"Written Advice" = "<one of no_case_to_answer, informal_action' in outcome
    case_type = next(w for w in cases.warnings if "(Case Type)" in w)
    assert "'Sickness Absence' (1)" in case_type
    line = profile_line("er_case_tracker", "columns.case_type.values")
    assert f"er_case_tracker.toml (line {line})" in case_type
    assert '"Sickness Absence" = "<one of conduct, capability, other>"' in case_type
    problems = {(p["line"], p["column"]) for p in cases.problems.to_pylist()}
    assert problems == {(3, "column D (Case Type)"), (3, "column J (Outcome)"),
                        (4, "column J (Outcome)")}  # fmt: skip
    assert result.rows_loaded == 0
    for name in ("organisations", "people", "assignments", "disciplinary"):
        assert rows_in(db_path, name) == 0
    listed = (tmp_path / "r" / "er_case_tracker.Cases.disciplinary.problems.csv").read_text()
    assert "'Written Advice' is not in the er_case_tracker profile's list of Outcome" in listed


def test_with_skip_invalid_the_unknown_rows_are_rejected_naming_sheet_line_and_column(
    tmp_path: Path, db_path: Path
) -> None:
    folder = CASES.folder(tmp_path / "data", UNKNOWN)
    result = import_paths(
        [folder], connect(str(db_path)), skip_invalid=True, rejects_dir=tmp_path / "r"
    )
    assert result.ok
    cases = next(s for s in result.sources if s.source.table == "disciplinary")
    assert (cases.rows_loaded, cases.rows_rejected) == (1, 2)
    assert cases.source.sheet == "Cases"
    rejects = tmp_path / "r" / "er_case_tracker.Cases.disciplinary.rejects.csv"
    with rejects.open() as fh:
        rejected = list(csv.DictReader(fh))
    assert [r["line"] for r in rejected] == ["3", "4"]
    assert rejected[0]["Outcome"] == "Written Advice"  # the row as the sheet has it
    assert rejected[0]["problems"].startswith(
        "column D (Case Type): 'Sickness Absence' is not in the er_case_tracker profile's list "
        "of Case Type values (add it under columns.case_type.values in er_case_tracker.toml); "
        "column J (Outcome): 'Written Advice' is not in"
    )
    assert rejected[1]["problems"].startswith("column J (Outcome): 'written advice' is not in")
    (kept,) = stored(db_path, "disciplinary", "case_id").to_pylist()
    assert kept["outcome"] == "first_written_warning"


def test_a_month_first_date_refuses_the_tracker_naming_sheet_row_and_column(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [ROWS[0], CASES.replace(ROWS[1], Date_Opened="04/13/2022"), ROWS[2]]
    folder = CASES.folder(tmp_path / "data", rows)
    result = import_paths([folder], connect(str(db_path)), skip_invalid=True)
    assert not result.ok
    failed = next(s for s in result.sources if s.status == Status.FAILED)
    assert failed.source.label == LABEL and failed.source.table == "disciplinary"
    (problem,) = failed.file_problems
    assert "column E (Date Opened) holds month-first (US) dates" in problem
    assert "row 3 has '04/13/2022'" in problem and "does not guess" in problem
    assert "er_case_tracker profile reads day-first dates" in problem
    assert result.rows_loaded == 0
    assert rows_in(db_path, "disciplinary") == 0 and rows_in(db_path, "people") == 0


def test_a_tracker_where_no_case_has_gone_formal_loads(tmp_path: Path, db_path: Path) -> None:
    rows = [CASES.replace(r, Formal_Investigation_Date=None) for r in ROWS]
    result = import_paths([CASES.folder(tmp_path / "data", rows)], connect(str(db_path)))
    assert result.ok
    assert stored(db_path, "disciplinary", "case_id")["formal_date"].null_count == 3
