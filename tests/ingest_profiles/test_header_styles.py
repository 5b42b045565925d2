"""Headers as people write them: `EmployeeNumber`, `EMPLOYEE_NUMBER` and `employee-number` are
`Employee Number` to every profile; no two headers of a shipped profile become one; a file no
profile reads is told the nearest profile and what it lacks."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from equitrack import config
from equitrack.ingest import import_paths, wide
from equitrack.ingest import profile as profiles
from equitrack.ingest.detect import detect, unmatched
from equitrack.ingest.headers import header_key, header_words
from equitrack.ingest.identifying import identifying_header
from equitrack.ingest.readers import ReadError
from equitrack.store import connect
from tests.factories import write_csv
from tests.ingest_profiles.esr import ESR, ROWS
from tests.ingest_profiles.support import RoundTrip, invoke, stored

SHIPPED = [p for p in profiles.shipped() if not p.canonical]


def camel(header: str) -> str:
    """`EmployeeNumber`, as ESR interface files and warehouse extracts write headers."""
    return "".join(w.capitalize() for w in header_words(header)) or header


def upper_snake(header: str) -> str:
    """`EMPLOYEE_NUMBER`, as a database column."""
    return "_".join(w.upper() for w in header_words(header)) or header


def punctuated(header: str) -> str:
    """`employee-number.`, lower case with punctuation for spaces."""
    return "-".join(header_words(header)) + "." if header_words(header) else header


STYLES: dict[str, Callable[[str], str]] = {
    "CamelCase": camel,
    "UPPER_SNAKE": upper_snake,
    "punctuated": punctuated,
}


@pytest.mark.parametrize(
    "written",
    ["Employee Number", "EmployeeNumber", "EMPLOYEE_NUMBER", "employee-number", "employee.number",
     " Employee  Number ", "\ufeffEmployee Number", "EMPLOYEE NUMBER:", "employee_Number"],
)  # fmt: skip
def test_one_header_however_it_is_written(written: str) -> None:
    assert header_key(written) == header_key("Employee Number")


@pytest.mark.parametrize(
    ("one", "other"),
    [("Q14a", "Q14b"), ("Band 8a", "Band 8b"), ("%", "#"), ("%", ""), ("n", "No"),
     ("Assignment Number", "Assignment Category")],
)  # fmt: skip
def test_letters_and_digits_are_never_ignored(one: str, other: str) -> None:
    assert header_key(one) != header_key(other)


def test_the_identifying_check_reads_headers_with_the_same_words() -> None:
    """One normaliser: the words `identifying.py` reads are those the key is made of."""
    for header in ("LastName", "Date_of_Birth", "NHSUniqueID", "Staff Number"):
        assert identifying_header(header) is not None
        assert "".join(header_words(header)) == header_key(header)


@pytest.mark.parametrize("profile", SHIPPED, ids=[p.name for p in SHIPPED])
def test_no_two_headers_of_a_shipped_profile_become_one(profile: profiles.Profile) -> None:
    """Every header a profile names (columns, detection, ignore, keep) keeps its meaning."""
    meaning: dict[str, set[str]] = defaultdict(set)
    for rule in profile.columns:
        for h in rule.headers:
            meaning[header_key(h)].add(f"column {rule.target}")
    for h in profile.ignore:
        meaning[header_key(h)].add("ignored")
    for h in profile.keep:
        meaning[header_key(h)].add("kept")
    if profile.wide is not None:  # any question's base and answer columns, read by [wide]
        for h in (wide.QUESTION_BASE, wide.QUESTION_ANSWER):
            meaning[header_key(h)].add("wide")
    for detection in profile.detect:
        for h in detection:
            assert meaning.get(header_key(h)), (
                f"{h!r} recognises the profile but no column reads it"
            )
    both = {k: m for k, m in meaning.items() if len(m) > 1}
    assert not both, both


def test_a_profile_with_two_columns_of_one_header_written_two_ways_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\ntables = ["assignments"]\ndates = ["iso"]\n'
        '[columns.person_id]\nheaders = ["Staff Number"]\n'
        '[columns.assignment_id]\nheaders = ["Post Number"]\n'
        '[columns.org_code]\nconstant = "RWE"\n'
        '[columns.start_date]\nheaders = ["Start Date"]\n'
        '[columns.end_date]\nheaders = ["StartDate", "End Date"]\n',
        encoding="utf-8",
    )
    with pytest.raises(profiles.ProfileError) as caught:
        profiles.load_file(path)
    said = str(caught.value)
    assert str(path) in said and "[columns.end_date] headers" in said
    assert "'StartDate' is the same header as 'Start Date' of [columns.start_date]" in said


#: A wide profile's detection names any question's base and answer columns, not a header:
#: a published sheet writes them with spaces ("Q14a Base (number of responses)").
EXAMPLES = {
    wide.QUESTION_BASE: "Q14a Base (number of responses)",
    wide.QUESTION_ANSWER: "Q14a % Never",
}


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("profile", SHIPPED, ids=[p.name for p in SHIPPED])
def test_each_profile_is_recognised_by_its_headers_in_each_style(
    profile: profiles.Profile, style: str
) -> None:
    for detection in profile.detect:
        header = [EXAMPLES.get(h) or STYLES[style](h) for h in detection]
        assert header != list(detection) or style == "CamelCase"  # `Survey` is CamelCase already
        choice = detect([*header, "Something Else"], SHIPPED)
        assert choice is not None and choice.profile.name == profile.name


# --- every export, its headers restyled, loads as the canonical files do --------------------


def restyle_row(row: list[str], offset: int) -> list[str]:
    """Each header in another style, cycling, so each profile meets all three."""
    styles = list(STYLES.values())
    return [styles[(i + offset) % 3](h) if h.strip() else h for i, h in enumerate(row)]


def is_header(cells: list[object]) -> bool:
    known = {header_key(h) for p in SHIPPED for d in p.detect for h in d}
    return sum(header_key(c) in known for c in cells if isinstance(c, str)) >= 2


def restyle_csv(path: Path, offset: int) -> None:
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        encoding, text = "cp1252", raw.decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    at = next(i for i, row in enumerate(rows) if is_header(row))
    rows[at] = restyle_row(rows[at], offset)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text else "\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def restyle_xlsx(path: Path, offset: int) -> None:
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            if is_header([c.value for c in row]):
                styled = restyle_row([str(c.value or "") for c in row], offset)
                for cell, value in zip(row, styled, strict=True):
                    cell.value = value or cell.value
                break
    wb.save(path)


@pytest.fixture(scope="module")
def restyled(tmp_path_factory: pytest.TempPathFactory, generated: dict[str, pa.Table]) -> RoundTrip:
    home = tmp_path_factory.mktemp("styles")
    trip = RoundTrip.write(home, generated, "exports")
    exports = sorted({p for t, p in trip.written.items() if p.stem != t})
    for offset, path in enumerate(exports):
        (restyle_xlsx if path.suffix == ".xlsx" else restyle_csv)(path, offset)
    for path in (home / "exports").iterdir():  # the exports' companions too (survey)
        if path not in exports and path.suffix == ".csv" and path.stem not in trip.written:
            restyle_csv(path, 0)
    with pytest.MonkeyPatch.context() as mp:  # one key for both imports, so pseudonyms match
        mp.setenv(config.KEY_FILE_ENV, str(home / "key"))
        results = trip.imported()
    notes = " ".join(results["exports"].notes)
    for profile in SHIPPED:
        if profile.wide is None:  # the generator writes no published wide sheet (see
            # test_published_survey_import.py, whose sheets are written by hand)
            assert f"read with the {profile.name} profile" in notes, (profile.name, notes)
    return trip


KEYS = {
    "people": "person_id",
    "assignments": "assignment_id",
    "applications": "application_id",
    "disciplinary": "case_id",
    "training": "record_id",
}


@pytest.mark.parametrize("table", list(KEYS))
def test_exports_with_restyled_headers_load_as_the_canonical_files(
    restyled: RoundTrip, table: str
) -> None:
    canonical, exported = restyled.tables(table, KEYS[table])
    assert canonical.num_rows > 0 and exported.equals(canonical), table


def test_survey_breakdowns_with_restyled_headers_load(restyled: RoundTrip) -> None:
    keys = ["org_code", "survey_year", "instrument", "measure", "group_type", "group_value"]
    assert stored(restyled.export_db, "survey", keys).num_rows > 0


# --- the nearest profile ------------------------------------------------------------------


def test_a_file_no_profile_reads_is_told_the_nearest_and_what_it_lacks(tmp_path: Path) -> None:
    header = ["EmployeeNumber", "ethnic_origin", "Gender"]
    assert unmatched(header, SHIPPED) == (
        "its header matches no profile; nearest is esr_workforce, which also needs "
        "Assignment Number"
    )
    # esr_olm lacks as many detection headers; esr_workforce reads more of the file (Gender)
    extract = tmp_path / "extract.csv"
    write_csv(extract, [{"EmployeeNumber": "1", "Gender": "F"}])
    with pytest.raises(ReadError) as caught:
        import_paths([extract], connect(str(tmp_path / "x.duckdb")))
    assert str(caught.value).startswith(
        f"{extract}: cannot tell what this file holds: its header matches no profile; nearest "
        "is esr_workforce, which also needs Assignment Number and Ethnic Origin, and its name "
        "is not a table name."
    )


def test_the_nearest_is_the_profile_whose_headers_the_file_has_most_of(tmp_path: Path) -> None:
    # TRAC's NHS Jobs spellings, without the candidate: nearer than any ESR profile
    header = ["Job Reference", "APPLICATION_REFERENCE", "Gender", "Employee Number"]
    assert unmatched(header, SHIPPED).endswith(
        "nearest is trac_applicants, which also needs Candidate ID"
    )
    assert unmatched(["Gender", "Notes"], SHIPPED) == "its header matches no profile"


def test_profile_check_and_a_folder_name_the_nearest_profile(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    rows = [r[:1] + r[3:] for r in ROWS]  # no Assignment Number, no Org Code
    header = [camel(h) for h in ESR.header[:1] + ESR.header[3:]]
    ESR.file(folder / "staff_extract.csv", rows, header)
    checked = invoke("profile", "check", str(folder / "staff_extract.csv"))
    assert checked.exit_code != 0
    assert (
        "staff_extract.csv: its header matches no profile; nearest is esr_workforce, which also "
        "needs Assignment Number, and its name is not a table name; give --profile"
    ) in checked.output
    imported = invoke("import", str(folder), "--db", str(tmp_path / "db.duckdb"))
    assert imported.exit_code != 0
    assert (
        "staff_extract.csv: passed over (its name is not a table name and its header matches no "
        "profile; nearest is esr_workforce, which also needs Assignment Number)"
    ) in imported.output


def test_a_file_with_two_spellings_of_one_header_is_refused_naming_both(tmp_path: Path) -> None:
    header = [*ESR.header, "EmployeeNumber"]
    rows = [[*row, row[0]] for row in ROWS]
    folder = ESR.folder(tmp_path / "data", rows, header)
    result = import_paths([folder], connect(str(tmp_path / "db.duckdb")))
    assert not result.ok
    said = " ".join(p for s in result.sources for p in s.file_problems)
    assert "column 1 (Employee Number) and column 14 (EmployeeNumber) are one header" in said


def test_a_canonical_file_with_headers_as_people_write_them_loads(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "organisations.csv").write_text(
        "OrgCode,NAME,org-type\nRWE,Trust A,trust\n", encoding="utf-8"
    )
    (folder / "people.csv").write_text(
        "PersonID,EthnicCode,SEX,Disability,BirthYear\nP1,A,F,N,1980\nP2,N,M,Y,1890\n",
        encoding="utf-8",
    )
    db = tmp_path / "db.duckdb"
    refused = import_paths([folder], connect(str(db)))
    said = " ".join(str(r) for s in refused.sources for r in s.problems.to_pylist())
    assert "column 5 (BirthYear)" in said  # 1890: the header as the file writes it
    (folder / "people.csv").write_text(
        "PersonID,EthnicCode,SEX,Disability,BirthYear\nP1,A,F,N,1980\nP2,N,M,Y,1990\n",
        encoding="utf-8",
    )
    result = import_paths([folder], connect(str(db)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    people = stored(db, "people", "birth_year")
    assert people["ethnic_code"].to_pylist() == ["A", "N"]
    assert people["birth_year"].to_pylist() == [1980, 1990]
