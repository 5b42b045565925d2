"""The ESR learning (OLM) profile: the generator's OLM export loads into the same training table
as its canonical file, joins up with the ESR workforce export by Employee Number, is told apart
from it by its header, and reads untidy reports without guessing at values it does not know."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

from equitrack.ingest import import_paths
from equitrack.ingest import profile as profiles
from equitrack.ingest.detect import detect
from equitrack.store import connect
from equitrack.synth import esr, olm
from tests.ingest_profiles.esr import HEADER as ESR_HEADER
from tests.ingest_profiles.olm import HEADER, OLM, ROWS
from tests.ingest_profiles.support import (
    SEED,
    RoundTrip,
    invoke,
    profile_line,
    read_table,
    stored,
)

#: In the sample: OLM's words, several spellings, untidy values, DD-MON-YYYY enrolment dates.
SAMPLE_WORDS = ("E-Learning", "eLearning", "Virtual Classroom", "Attended", "Not Attended",
                "E-LEARNING", '"Completed "', "NHS|CSTF|Fire Safety - 2 Years|",
                "-JUN-20")  # fmt: skip


def header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def test_olm_sample_imports_into_the_same_training_table_as_the_canonical_file(
    tmp_path: Path, generated: dict[str, pa.Table]
) -> None:
    trip = RoundTrip.write(tmp_path, generated, "olm")
    written = trip.written
    assert written["training"] == tmp_path / "olm" / "olm_learning.csv"
    assert not (tmp_path / "olm" / "training.csv").exists()
    raw = (tmp_path / "olm" / "olm_learning.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    for word in SAMPLE_WORDS:
        assert word in text, word
    sample = pcsv.read_csv(
        tmp_path / "olm" / "olm_learning.csv",
        convert_options=pcsv.ConvertOptions(strings_can_be_null=True),
    )
    assert sample["Course Name"].null_count > 0  # competence-only records
    assert sample["Course Start Date"].null_count > 0  # e-learning has no class date

    results = trip.imported()
    assert (
        "olm_learning.csv: read with the esr_olm profile (its header has Employee Number, "
        "Course Name and Enrolment Status), giving training" in results["olm"].notes
    )
    canonical, from_olm = trip.tables("training", "record_id")
    assert canonical.num_rows == generated["training"].num_rows
    assert from_olm.equals(canonical)


def test_olm_and_esr_exports_join_up_by_employee_number_without_storing_it(
    tmp_path: Path, generated: dict[str, pa.Table]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    pcsv.write_csv(generated["organisations"], folder / "organisations.csv")
    esr.write_export(generated, folder, SEED)
    olm.write_export(generated, folder, SEED)
    db = tmp_path / "db.duckdb"
    result = import_paths([folder], connect(str(db)))
    assert result.ok, [s.problems for s in result.sources]  # training.person_id is in people
    people = set(stored(db, "people", "person_id")["person_id"].to_pylist())
    training = stored(db, "training", "record_id")
    assert training.num_rows == generated["training"].num_rows
    assert set(training["person_id"].to_pylist()) <= people
    raw_ids = set(generated["people"]["person_id"].to_pylist())
    assert not raw_ids & people
    # columns the profile neither reads nor keeps are not stored, and the import names them;
    # the assignment number (it embeds the Employee Number) is ignored, so not even named
    (training_result,) = [s for s in result.sources if s.source.table == "training"]
    assert "not stored, as no profile reads or keeps them: Organisation, Completion Date" in (
        training_result.warnings
    )
    assert not any("Assignment" in w for w in training_result.warnings)
    assert read_table(db, "extra_values").num_rows == 0


def test_detection_tells_the_olm_and_esr_workforce_exports_apart(
    tmp_path: Path, generated: dict[str, pa.Table]
) -> None:
    (olm_path,) = olm.write_export(generated, tmp_path, SEED)
    (esr_path,) = esr.write_export(generated, tmp_path, SEED)
    olm_header, esr_header = header_of(olm_path), header_of(esr_path)
    assert {"Employee Number", "Assignment Number"} <= set(olm_header)  # what they share
    esr_olm, esr_workforce = profiles.load("esr_olm"), profiles.load("esr_workforce")
    for header in (olm_header, HEADER):
        choice = detect(header)
        assert choice is not None and choice.profile.name == "esr_olm"
        assert detect(header, [esr_workforce]) is None
    for header in (esr_header, ESR_HEADER):
        choice = detect(header)
        assert choice is not None and choice.profile.name == "esr_workforce"
        assert detect(header, [esr_olm]) is None


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_untidy_olm_report_loads(tmp_path: Path, db_path: Path, encoding: str) -> None:
    rows = [
        # a competence-only record: no course name; the competence in capitals, an en dash
        OLM.replace(ROWS[0], Course_Name="", Competence_Name="NHS|CSTF|FIRE SAFETY – 2 YEARS| ",
                    Enrolment_Date="45087", Enrolment_Status="COMPLETED ",
                    **{"Statutory/Mandatory": "yes"}),
        OLM.replace(ROWS[1], Course_Name="Café Culture – Inclusive Teams", Course_Category="edi ",
                    Delivery_Method="face to face", Course_Start_Date="2023-09-15",
                    Enrolment_Status="attended"),
        OLM.replace(ROWS[2], Delivery_Method="VIRTUAL CLASSROOM ", Course_Start_Date="20-Jan-2024",
                    **{"Statutory/Mandatory": "Optional"}),
    ]  # fmt: skip
    folder = OLM.folder(tmp_path / "data", rows, encoding=encoding)
    if encoding == "utf-8-sig":
        assert (folder / "olm_report.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    training = next(s for s in result.sources if s.source.table == "training")
    assert training.encoding == ("Windows-1252" if encoding == "cp1252" else "UTF-8")
    got = stored(db_path, "training", "start_date").to_pylist()
    assert [str(r["start_date"]) for r in got] == ["2023-06-10", "2023-09-15", "2024-01-20"]
    assert [r["course"] for r in got] == [
        "Fire Safety",
        "Café Culture – Inclusive Teams",
        "Leadership Essentials",
    ]
    assert [r["category"] for r in got] == ["statutory", "edi", "leadership"]
    assert [r["mandatory"] for r in got] == [True, False, False]
    assert [r["delivery"] for r in got] == ["elearning", "face_to_face", "virtual_live"]
    assert [r["completed"] for r in got] == [True, True, False]
    assert [r["org_code"] for r in got] == ["RWE", "RWE", "RT5"]


UNKNOWN = [
    ("Delivery Method", "Workbook", "delivery", "<one of elearning, face_to_face"),
    ("Enrolment Status", "Deferred", "completed", "<true or false>"),
]


@pytest.mark.parametrize(("header", "value", "column", "hint"), UNKNOWN)
def test_an_unknown_value_stops_the_import_with_value_count_and_line_to_add(
    tmp_path: Path, db_path: Path, header: str, value: str, column: str, hint: str
) -> None:
    name = header.replace(" ", "_")
    rows = [
        ROWS[0],
        OLM.replace(ROWS[1], **{name: value}),
        OLM.replace(ROWS[2], **{name: value.upper()}),
    ]
    folder = OLM.folder(tmp_path / "data", rows)
    done = invoke("import", str(folder), "--db", str(db_path))
    assert done.exit_code == 1
    out = done.output
    assert f"'{value}' (2)" in out  # both spellings are one value
    line = profile_line("esr_olm", f"columns.{column}.values")
    assert f"esr_olm.toml (line {line})" in out
    assert f'"{value}" = "{hint}' in out and f"columns.{column}.values" in out
    position = HEADER.index(header) + 1
    assert f"olm_report.csv line 3, column {position} ({header}): '{value}' is not in" in out
    assert "Nothing was loaded" in out
    assert stored(db_path, "training", "record_id").num_rows == 0
    assert stored(db_path, "people", "person_id").num_rows == 0

    result = import_paths(
        [folder], connect(str(db_path)), skip_invalid=True, rejects_dir=tmp_path / "r"
    )
    assert result.ok
    training = next(s for s in result.sources if s.source.table == "training")
    assert (training.rows_loaded, training.rows_rejected) == (1, 2)
    with (tmp_path / "r" / "olm_report.training.rejects.csv").open() as fh:
        rejected = list(csv.DictReader(fh))
    assert [r["line"] for r in rejected] == ["3", "4"]
    assert [r[header] for r in rejected] == [value, value.upper()]
    assert all(f"({header}): '" in r["problems"] for r in rejected)
    assert [r["course"] for r in stored(db_path, "training", "record_id").to_pylist()] == [
        "Fire Safety"
    ]


def test_profile_check_reports_the_esr_olm_profile_for_the_sample(
    tmp_path: Path, generated: dict[str, pa.Table]
) -> None:
    (path,) = olm.write_export(generated, tmp_path, SEED)
    checked = invoke("profile", "check", str(path))
    assert checked.exit_code == 0, checked.output
    out = checked.output
    rows = generated["training"].num_rows
    assert (
        f"olm_learning.csv: the esr_olm profile (its header has Employee Number, Course Name "
        f"and Enrolment Status), {rows:,} rows" in out
    )
    assert "training.completed ← column 14 (Enrolment Status)" in out
    assert "training.category ← column 8 (Course Category)" in out
    assert "Columns missing" not in out and "Problems" not in out
    assert "The file can be imported." in out
    assert not (tmp_path / "equitrack.duckdb").exists()


def test_cancelled_bookings_are_skipped_and_counted_not_loaded(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [ROWS[0], OLM.replace(ROWS[1], Enrolment_Status="Cancelled "), ROWS[2]]
    result = import_paths([OLM.folder(tmp_path / "data", rows)], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    (training,) = [s for s in result.sources if s.source.table == "training"]
    assert training.rows_loaded == 2 and training.rows_rejected == 0
    assert any(
        w.startswith("1 row(s) skipped, not loaded ('Cancelled' in Enrolment Status on 1; line 3)")
        for w in training.warnings
    ), training.warnings
    assert stored(db_path, "training", "record_id").num_rows == 2
