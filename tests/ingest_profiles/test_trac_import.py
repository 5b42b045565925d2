"""The TRAC applicants profile: the generator's TRAC export loads into the same canonical tables
as its canonical files, each stage column gives its own flag, untidy inputs load, and an answer
the profile does not list is never guessed."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from equitrack.ingest import Status, import_paths
from equitrack.ingest import profile as profiles
from equitrack.ingest.detect import detect
from equitrack.store import connect
from equitrack.synth import mixes, trac
from tests.ingest_profiles import esr
from tests.ingest_profiles.support import RoundTrip, profile_line, read_table, rows_in, stored
from tests.ingest_profiles.trac import HEADER, ROWS, TRAC, VACANCIES

STAGES = trac.STAGES  # shortlisted, interviewed, offered, appointed


def test_every_answer_the_export_writes_is_one_the_profile_reads_back() -> None:
    profile = profiles.load_file(profiles.shipped_dir() / "trac_applicants.toml")
    rules = {r.target: r for r in profile.columns}
    for code in (c for c in mixes.ETHNIC_CODES if c):
        for text in trac.ethnicity_spellings(code):
            assert rules["ethnic_code"].values.lookup(text.upper() + " ") == code, text
            assert not text.startswith(f"{code} "), "recruitment forms write no code letter"
    for column, spellings in (("sex", trac.GENDER), ("disability", trac.DISABILITY)):
        for value, texts in spellings.items():
            assert {rules[column].values.lookup(t) for t in texts} == {value}
    for value, texts in trac.YES_NO.items():
        assert {rules["internal"].values.lookup(t) for t in texts} == {
            "true" if value == "Y" else "false"
        }


def test_detection_tells_trac_and_esr_apart() -> None:
    assert detect(HEADER).profile.name == "trac_applicants"
    assert detect(esr.HEADER).profile.name == "esr_workforce"
    # an NHS Jobs download spells the columns differently: its own detection list
    nhs_jobs = detect(["Job Reference", "Application Reference", "Candidate ID", "Offer Date"])
    assert nhs_jobs is not None and nhs_jobs.profile.name == "trac_applicants"
    assert nhs_jobs.reason == "its header has Job Reference, Application Reference and Candidate ID"
    assert detect(["Job Reference", "Application Reference"]) is None  # not a whole list


def test_trac_sample_imports_into_the_same_tables_as_the_canonical_files(
    tmp_path: Path, generated: dict[str, pa.Table]
) -> None:
    trip = RoundTrip.write(tmp_path, generated, "trac")
    written = trip.written
    assert written["applications"] == tmp_path / "trac" / "trac_applicants.csv"
    assert not (tmp_path / "trac" / "applications.csv").exists()
    assert (tmp_path / "trac" / "vacancies.csv").exists()
    text = (tmp_path / "trac" / "trac_applicants.csv").read_text(encoding="utf-8-sig")
    assert "Black or Black British - African" in text and "N Black" not in text
    assert "I do not wish to disclose my ethnic origin" in text and "White - Polish" in text
    assert "Mixed - White & Black" in text and ',"Yes",' in text and ',"N",' in text
    rows = list(csv.DictReader(text.splitlines()))
    ethnicity = [r["Ethnicity"] for r in rows]
    assert any(e.isupper() for e in ethnicity) and any(e.endswith(" ") for e in ethnicity)
    # the stages are not a ladder, and the export keeps them apart
    assert any(r["Conditional Offer Date"] and not r["Interview Date"] for r in rows)

    results = trip.imported()
    assert (
        "trac_applicants.csv: read with the trac_applicants profile (its header has Vacancy "
        "Reference, Application ID and Applicant ID), giving applications"
    ) in results["trac"].notes
    for name, key in (("applications", "application_id"), ("vacancies", "vacancy_id")):
        canonical, exported = trip.tables(name, key)
        assert canonical.num_rows == generated[name].num_rows
        assert exported.equals(canonical), name
    # staff applicants join up with their people rows; no raw id is stored
    apps = stored(trip.export_db, "applications", "application_id")
    people = set(stored(trip.export_db, "people", "person_id")["person_id"].to_pylist())
    raw_people = set(generated["people"]["person_id"].to_pylist())
    raw_staff = set(generated["applications"]["applicant_id"].to_pylist()) & raw_people
    assert raw_staff and len(set(apps["applicant_id"].to_pylist()) & people) == len(raw_staff)
    assert not raw_people & set(apps["applicant_id"].to_pylist())


def applications(db: Path) -> list[dict[str, object]]:
    return stored(db, "applications", "applied_date").to_pylist()


def test_each_stage_column_gives_its_own_flag_and_blank_is_false(
    tmp_path: Path, db_path: Path
) -> None:
    result = import_paths([TRAC.folder(tmp_path / "data")], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    rows = applications(db_path)
    assert [tuple(r[s] for s in STAGES) for r in rows] == [
        (True, True, True, True),
        (False, True, False, False),  # interviewed without a shortlisting date
        (True, False, True, False),  # offered without an interview, and declined
        (False, False, False, False),
    ]
    assert [(r["internal"], r["international"]) for r in rows] == [
        (True, False),
        (False, True),
        (True, False),
        (False, False),
    ]
    assert [(r["ethnic_code"], r["sex"], r["disability"]) for r in rows] == [
        ("A", "F", "N"),
        ("N", "M", "Y"),
        ("H", "F", "U"),
        ("Z", "U", "N"),
    ]
    assert [str(r["applied_date"]) for r in rows] == [
        "2023-01-20",
        "2023-01-21",
        "2023-02-05",
        "2023-02-06",
    ]


def test_day_first_iso_excel_serial_bom_trailing_spaces_and_mixed_case_load(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [
        TRAC.replace(ROWS[0], Date_Applied="44946", Ethnicity="white-british ",
                     Internal_Applicant="yes ", Gender="FEMALE"),
        TRAC.replace(ROWS[1], Date_Applied="2023-01-21", Shortlisted_Date="  ",
                     Ethnicity="BLACK OR BLACK BRITISH - AFRICAN", Disability=" yes"),
        TRAC.replace(ROWS[2], Date_Applied="5-Feb-2023", Interview_Date="",
                     Ethnicity="Mixed - White & Asian  ", International_Recruitment_Campaign="NO"),
        TRAC.replace(ROWS[3], Date_Applied="06/02/2023 00:00:00",
                     Ethnicity="  i do not wish to disclose my ethnic origin"),
    ]  # fmt: skip
    folder = TRAC.folder(tmp_path / "data", rows, encoding="utf-8-sig")
    assert (folder / "trac_export.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    got = applications(db_path)
    assert [str(r["applied_date"]) for r in got] == [
        "2023-01-20",
        "2023-01-21",
        "2023-02-05",
        "2023-02-06",
    ]
    assert [r["ethnic_code"] for r in got] == ["A", "N", "F", "Z"]
    assert [r["shortlisted"] for r in got] == [True, False, True, False]  # spaces are blank
    assert [(r["sex"], r["disability"], r["internal"], r["international"]) for r in got] == [
        ("F", "N", True, False),
        ("M", "Y", False, True),
        ("F", "U", True, False),
        ("U", "N", False, False),
    ]


def test_windows_1252_with_an_en_dash_and_an_accented_kept_column_loads(
    tmp_path: Path, db_path: Path, isolated_key: Path
) -> None:
    # a trust's copy of the profile keeps the job title aside (only kept columns are stored)
    local = isolated_key.parent / "profiles"
    local.mkdir(exist_ok=True)
    text = (profiles.shipped_dir() / "trac_applicants.toml").read_text(encoding="utf-8")
    text = text.replace('ignore = ["Application Status", "Status"]',
                        'ignore = ["Application Status", "Status"]\nkeep = ["Job Title"]')  # fmt: skip
    (local / "trac_applicants.toml").write_text(text, encoding="utf-8")
    header = [*HEADER, "Job Title"]
    rows = [
        [*ROWS[0], "Staff Nurse – Ward 7"],
        [*TRAC.replace(ROWS[1], Ethnicity="Black or Black British – African"), "Infirmière"],
        [*ROWS[2], ""],
        [*ROWS[3], ""],
    ]
    folder = TRAC.folder(tmp_path / "data", rows, header=header, encoding="cp1252")
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    source = next(s for s in result.sources if s.source.table == "applications")
    assert source.encoding == "Windows-1252"
    assert [r["ethnic_code"] for r in applications(db_path)] == ["A", "N", "H", "Z"]
    extra = read_table(db_path, "extra_values").to_pylist()
    assert {e["value"] for e in extra} == {"Staff Nurse – Ward 7", "Infirmière"}


def test_an_nhs_jobs_download_is_recognised_and_read(tmp_path: Path, db_path: Path) -> None:
    header = ["Job Reference", "Application Reference", "Candidate ID",
              "Application Submitted Date", "Applicant Type", "Offer Date", "Ethnic Group",
              "Sex", "Do you consider yourself to have a disability?", "Shortlisted Date",
              "Date Appointed"]  # fmt: skip
    rows = [
        ["201-NUR-0101", "NHSJ-1", "C-1", "2023-01-20", "External", "2023-02-13",
         "Other Ethnic Groups - Chinese", "Male", "No", "2023-02-01", ""],
        ["201-NUR-0101", "NHSJ-2", "10000001", "2023-01-22", "Internal", "",
         "Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background", "Female",
         "I do not wish to disclose", "2023-02-01", "2023-02-20"],
    ]  # fmt: skip
    folder = TRAC.folder(tmp_path / "data", rows, header=header)
    result = import_paths([folder], connect(str(db_path)))  # recognised by its header
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    assert any(
        "trac_export.csv: read with the trac_applicants profile (its header has Job "
        "Reference, Application Reference and Candidate ID)" in n
        for n in result.notes
    )
    got = applications(db_path)
    assert [(r["ethnic_code"], r["sex"], r["disability"], r["internal"]) for r in got] == [
        ("R", "M", "N", False),
        ("G", "F", "U", True),
    ]
    assert [tuple(r[s] for s in STAGES) for r in got] == [
        (True, None, True, False),  # no interview column: not known, rather than false
        (True, None, False, True),
    ]


UNKNOWN = [
    ROWS[0],
    TRAC.replace(ROWS[1], Ethnicity="Black African"),
    ROWS[2],
    TRAC.replace(ROWS[3], Ethnicity="black african "),
]


def test_an_unknown_ethnicity_stops_the_import_with_value_count_and_line_to_add(
    tmp_path: Path, db_path: Path
) -> None:
    result = import_paths([TRAC.folder(tmp_path / "data", UNKNOWN)], connect(str(db_path)))
    assert not result.ok
    source = next(s for s in result.sources if s.source.table == "applications")
    assert source.status == Status.FAILED
    (warning,) = [w for w in source.warnings if "Black African" in w]
    assert "column 11 (Ethnicity): 1 value(s) on 2 row(s)" in warning
    assert "'Black African' (2)" in warning  # both spellings are one value
    line = profile_line("trac_applicants", "columns.ethnic_code")  # no values table of its own
    assert f"trac_applicants.toml (line {line})" in warning
    assert '"Black African" = "<NHS ethnic code' in warning
    assert [p["line"] for p in source.problems.to_pylist()] == [3, 5]
    assert result.rows_loaded == 0
    for name in ("organisations", "vacancies", "applications"):
        assert rows_in(db_path, name) == 0


def test_with_skip_invalid_the_unknown_rows_are_rejected_with_reasons(
    tmp_path: Path, db_path: Path
) -> None:
    folder = TRAC.folder(tmp_path / "data", UNKNOWN)
    result = import_paths(
        [folder], connect(str(db_path)), skip_invalid=True, rejects_dir=tmp_path / "r"
    )
    assert result.ok
    source = next(s for s in result.sources if s.source.table == "applications")
    assert (source.rows_loaded, source.rows_rejected) == (2, 2)
    with (tmp_path / "r" / "trac_export.applications.rejects.csv").open() as fh:
        rejected = list(csv.DictReader(fh))
    assert [r["line"] for r in rejected] == ["3", "5"]
    assert rejected[1]["Ethnicity"] == "black african "  # the row as the file has it
    assert (
        "column 11 (Ethnicity): 'Black African' is not in the trac_applicants profile's list of "
        "Ethnicity values (add it under columns.ethnic_code.values in trac_applicants.toml)"
    ) in rejected[0]["problems"]
    assert rows_in(db_path, "applications") == 2 and rows_in(db_path, "vacancies") == len(VACANCIES)


def test_a_stage_column_of_yes_and_no_reads_no_as_not_reached(
    tmp_path: Path, db_path: Path
) -> None:
    """Some reports write Y/N in a stage column rather than a date: N is not reached."""
    rows = [
        TRAC.replace(ROWS[0], Offer_Accepted_Date="Y"),
        TRAC.replace(ROWS[1], Interview_Date="N"),
        TRAC.replace(ROWS[2], Conditional_Offer_Date="no "),
        ROWS[3],
    ]
    result = import_paths([TRAC.folder(tmp_path / "data", rows)], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    assert [tuple(r[s] for s in STAGES) for r in applications(db_path)] == [
        (True, True, True, True),
        (False, False, False, False),
        (True, False, False, False),
        (False, False, False, False),
    ]
