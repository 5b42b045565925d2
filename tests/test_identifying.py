"""Identifying data is never stored: columns no profile reads are dropped unless a profile keeps
them by name, and a kept column whose header or values look like they identify a person refuses
the file, naming the column (never the value) and leaving the store as it was."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equitrack import config
from equitrack.ingest import Status, import_paths
from equitrack.ingest import identifying as ids
from equitrack.ingest import profile as profiles
from equitrack.store import connect
from tests.factories import PEOPLE, small_system
from tests.reference.plain_identifiers import nhs_check_digit

#: ESR interface files and warehouse extracts, as the issue found them kept raw.
ESR_HEADERS = ["LastName", "FirstName", "DateofBirth", "NationalInsuranceNo", "NHSUniqueID",
               "OfficeEmailAddress", "HomePostcode", "Unique Nhs Identifier",
               "Registration Number", "GMC Number", "Payroll Number"]  # fmt: skip
#: Their like, as other systems spell them.
LIKE = ["Surname", "Forename", "Forenames", "First Name", "last_name", "Full Name", "Name",
        "Known As", "Middle Name", "DOB", "D.O.B.", "Date of Birth", "Birth Date", "NI Number",
        "NI No", "NINO", "National Insurance Number", "NHS Number", "NHS No.", "nhs_number",
        "E-mail", "Email", "Work e-mail address", "Postcode", "Post Code", "Home Address",
        "Address Line 1", "Phone", "Telephone Number", "Mobile", "Tel No", "NMC PIN",
        "NMC Registration Number", "GMC No", "Professional Registration Number", "Payroll No",
        "Employee Number", "EmployeeID", "Emp No", "Staff Number", "StaffNo", "Staff ID",
        "Assignment Number", "AssignmentNo", "Person ID", "Candidate ID", "Applicant Number",
        "Manager Name", "Initials", "Username"]  # fmt: skip
INNOCENT = ["Organisation", "Org Name", "Course Name", "Job Title", "Staff Group", "Pay Band",
            "Notes", "Ref", "Comments", "Cost Centre", "Start Date", "Ethnic Origin",
            "Assignment Category", "NHS Start Date", "Ward Name", "Birth Year",
            "positive_percent", "Completion Date", "Unknown Assessment", "Contract Type"]  # fmt: skip
#: The innocent headers the property test puts identifying values under.
KEPT = ["Notes", "Ref", "Comments", "Other Info"]


@pytest.mark.parametrize("header", ESR_HEADERS + LIKE)
def test_identifying_headers_are_recognised_however_spelt(header: str) -> None:
    assert ids.identifying_header(header) is not None


@pytest.mark.parametrize("header", INNOCENT)
def test_headers_of_things_are_not_taken_for_identifiers(header: str) -> None:
    assert ids.identifying_header(header) is None


@pytest.mark.parametrize("header", ESR_HEADERS)
def test_a_profile_cannot_keep_an_identifying_column(header: str, tmp_path: Path) -> None:
    text = (profiles.shipped_dir() / "esr_workforce.toml").read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(f"keep = [{header!r}]\n" + text, encoding="utf-8")
    with pytest.raises(profiles.ProfileError) as refused:
        profiles.load_file(path)
    assert str(refused.value).startswith(f"{path}: keep: '{header}' reads like a personal")


def test_esr_style_columns_no_profile_keeps_are_not_stored(tmp_path: Path, db_path: Path) -> None:
    people = [{**p, **{h: f"SECRET{i}{h}" for h in ESR_HEADERS}} for i, p in enumerate(PEOPLE)]
    result = import_paths([small_system(tmp_path / "d", people=people)], connect(str(db_path)))
    assert result.ok
    (source,) = [s for s in result.sources if s.source.table == "people"]
    assert f"not stored, as no profile reads or keeps them: {', '.join(ESR_HEADERS)}" in (
        source.warnings
    )
    assert b"SECRET" not in stored_bytes(db_path)


def stored_bytes(db: Path) -> bytes:
    store = connect(str(db), create=False)
    store.con.raw_sql("CHECKPOINT")
    store.close()
    wal = db.with_suffix(".duckdb.wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


# --- values -----------------------------------------------------------------------------------


def test_nhs_numbers_need_a_valid_check_digit() -> None:
    assert ids.nhs_number("943 476 5919") and ids.nhs_number("9434765919")
    assert ids.nhs_number("NHS no. 401-023-2137 on file")
    assert not ids.nhs_number("9434765918")  # the check digit is 9
    assert not ids.nhs_number("943 476 5910")
    assert not ids.nhs_number("94347659190")  # eleven digits
    assert not ids.nhs_number("1234567890")  # the check digit would be 10: no such number
    assert not ids.nhs_number("0000000000")


def test_the_plain_check_digit_is_the_published_one() -> None:
    """943 476 591: 9·10 + 4·9 + 3·8 + 4·7 + 7·6 + 6·5 + 5·4 + 9·3 + 1·2 = 299, 299 mod 11 = 2,
    11 - 2 = 9. 000 000 014: 1·3 + 4·2 = 11, remainder 0, so 11, written 0. 123 456 789: 210,
    remainder 1, so 10: no NHS number starts with those nine digits."""
    assert nhs_check_digit("943476591") == 9
    assert nhs_check_digit("000000014") == 0
    assert nhs_check_digit("123456789") is None


@given(st.text("0123456789", min_size=9, max_size=9), st.integers(0, 9))
def test_an_nhs_number_is_found_exactly_when_its_check_digit_is_right(nine: str, last: int) -> None:
    valid = nhs_check_digit(nine) == last and len(set(nine + str(last))) > 1
    assert ids.nhs_number(nine + str(last)) is valid


@pytest.mark.parametrize(
    "kind, yes, no",
    [
        (ids.ni_number, ["AB123456C", "ab 12 34 56 d", "JG103759A"],
         ["GB123456A", "QQ123456C", "AB123456E", "AB12345C", "DA123456A"]),
        (ids.email_address, ["a.patel@nhs.net", "x_y+z@trust.nhs.uk", "see jo@example.com"],
         ["a@b", "name at nhs.net", "@nhs.net"]),
        (ids.postcode, ["LE1 5WW", "le15ww", "SW1A 1AA", "at B15 2TH today", "GIR 0AA"],
         ["LE1", "Band 5", "12345", "LE1 5CC"]),
        (ids.gmc_number, ["1234567", " 7654321 ", "GMC 1234567", "GMC no. 7654321"],
         ["123456", "12345678", "A1234567"]),
        (ids.nmc_pin, ["12A3456E", "99z9999z", "PIN 01B2345C"], ["12A345E", "1A23456E"]),
        (ids.person_name, ["Dr Okafor", "Mrs Jones", "Shah, Priya", "Priya Shah", "priya",
                           "spoke to Oluwaseun Adeyemi", "Kowalski, Magdalena"],
         ["Staff Nurse", "Band 5", "Nursing and Midwifery", "Ward 7", "Healthcare Assistant"]),
    ],
)  # fmt: skip
def test_each_kind_of_identifying_value(kind, yes: list[str], no: list[str]) -> None:
    assert [v for v in yes if not kind(v)] == []
    assert [v for v in no if kind(v)] == []


def test_a_full_date_of_working_age_is_a_date_of_birth() -> None:
    today = dt.date(2026, 3, 31)
    for value in ["12/03/1980", "1980-03-12", "1980-03-12 00:00:00", "3 March 1975", "1.2.1961"]:
        assert ids.date_of_birth(value, today), value
    for value in ["2024-03-01", "1920-01-01", "31/02/1980", "1980", "03/1980", "12/03/80"]:
        assert not ids.date_of_birth(value, today), value


def test_weak_kinds_refuse_a_column_only_when_they_are_most_of_it() -> None:
    import pyarrow as pa

    assert ids.identifying_values(pa.array(["x", None, "a.b@nhs.net"])) == ("email addresses", 2)
    assert ids.identifying_values(pa.array(["1234567", "code", "other", "x"])) is None
    assert ids.identifying_values(pa.array([None, "1234567", "7654321", "x"])) == ("GMC numbers", 1)
    assert ids.identifying_values(pa.array(["fine", "", None])) is None


# --- kept columns through an import -----------------------------------------------------------


def keep_in_canonical(headers: list[str]) -> None:
    """A local canonical profile (replacing the shipped one) that keeps these columns."""
    local = config.profile_dirs()[0]
    local.mkdir(parents=True, exist_ok=True)
    text = (profiles.shipped_dir() / "canonical.toml").read_text(encoding="utf-8")
    (local / "canonical.toml").write_text(f"keep = {headers!r}\n" + text, encoding="utf-8")


def test_a_kept_column_of_innocent_values_is_stored_as_written(
    tmp_path: Path, db_path: Path
) -> None:
    keep_in_canonical(KEPT)
    notes = ["prefers early shifts", "", "Band 5 – Ward 7", "on secondment to RT5"]
    people = [{**p, "Notes": n} for p, n in zip(PEOPLE, notes, strict=True)]
    result = import_paths([small_system(tmp_path / "d", people=people)], connect(str(db_path)))
    assert result.ok
    store = connect(str(db_path), create=False)
    kept = store.table("extra_values").to_pyarrow().to_pylist()
    store.close()
    assert [(k["line"], k["column_name"], k["value"]) for k in kept] == [
        (2, "notes", "prefers early shifts"),
        (4, "notes", "Band 5 – Ward 7"),
        (5, "notes", "on secondment to RT5"),
    ]


def test_a_kept_column_whose_header_splits_into_an_identifier_is_refused(
    tmp_path: Path, db_path: Path
) -> None:
    keep_in_canonical(["Staffno"])  # one word to the profile; StaffNo in the file is Staff No
    people = [{**p, "StaffNo": f"S{i}"} for i, p in enumerate(PEOPLE)]
    result = import_paths([small_system(tmp_path / "d", people=people)], connect(str(db_path)))
    (source,) = [s for s in result.sources if s.source.table == "people"]
    assert source.status == Status.FAILED and result.rows_loaded == 0
    (problem,) = source.file_problems
    assert problem.startswith(
        "column 5 (StaffNo) is kept by the canonical profile (keep), but its header reads like "
        "a personal identifier ('staff no')"
    )


def _nhs_number(nine: str, spaced: bool) -> str | None:
    check = nhs_check_digit(nine)
    if check is None or len(set(nine + str(check))) == 1:
        return None
    digits = nine + str(check)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if spaced else digits


LETTERS = st.sampled_from("ABCEGHJKLMNPRSTWXYZ")
digits = st.text("0123456789", min_size=1, max_size=1)
SURNAMES = ["Shah", "Okafor", "Smith", "Kowalski", "Nguyen", "Mensah", "O'Brien", "Begum"]
IDENTIFYING = {
    "NHS numbers": st.builds(_nhs_number, st.text("0123456789", min_size=9, max_size=9),
                             st.booleans()).filter(bool),
    "National Insurance numbers": st.builds(
        lambda a, b, n, s: f"{a}{b}{n}{s}", LETTERS, LETTERS,
        st.text("0123456789", min_size=6, max_size=6), st.sampled_from("ABCD"),
    ).filter(lambda v: v[:2] not in {"GB", "NK", "KN", "NT", "TN", "ZZ", "BG"}),
    "email addresses": st.builds(
        lambda user, host: f"{user}@{host}.nhs.uk",
        st.from_regex(r"[a-z][a-z.]{0,10}[a-z]", fullmatch=True),
        st.from_regex(r"[a-z]{2,8}", fullmatch=True),
    ),
    "postcodes": st.builds(
        lambda area, d, sp, n, x, y: f"{area}{d}{sp}{n}{x}{y}",
        st.sampled_from(["LE", "B", "M", "SW", "NG", "CV", "E"]), digits,
        st.sampled_from(["", " "]), digits, st.sampled_from("ABDEFGHJLNPQRSTUWXYZ"),
        st.sampled_from("ABDEFGHJLNPQRSTUWXYZ"),
    ),
    "NMC PINs": st.from_regex(r"[0-9]{2}[A-Z][0-9]{4}[A-Z]", fullmatch=True),
    "people's names": st.builds(
        lambda first, last, form: form.format(first=first.title(), last=last),
        st.sampled_from(sorted(ids.GIVEN_NAMES)), st.sampled_from(SURNAMES),
        st.sampled_from(["{first} {last}", "{last}, {first}", "Dr {last}", "met {first} {last}"]),
    ),
    "GMC numbers": st.from_regex(r"[1-9][0-9]{6}", fullmatch=True),
    "dates of birth": st.builds(
        lambda d, iso: d.isoformat() if iso else d.strftime("%d/%m/%Y"),
        st.dates(dt.date(dt.date.today().year - 99, 1, 1),
                 dt.date(dt.date.today().year - 16, 12, 31)),
        st.booleans(),
    ),
}  # fmt: skip
FILLERS = ["", "see file", "ok", "late return", "n/a"]
FILLER = st.sampled_from(FILLERS)


@st.composite
def kept_column(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """A kind, and a column of PEOPLE's length holding it: one value anywhere for the kinds one
    value refuses, every row for the kinds that refuse a column they are most of."""
    kind = draw(st.sampled_from(sorted(IDENTIFYING)))
    strong = next(k for k in ids.KINDS if k.name == kind).share == 0
    if strong:
        values = draw(st.lists(FILLER, min_size=len(PEOPLE), max_size=len(PEOPLE)))
        values[draw(st.integers(0, len(PEOPLE) - 1))] = draw(IDENTIFYING[kind])
    else:
        values = draw(st.lists(IDENTIFYING[kind], min_size=len(PEOPLE), max_size=len(PEOPLE)))
    return kind, draw(st.sampled_from(KEPT)), values


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kept_column())
def test_identifying_values_under_an_innocent_kept_header_refuse_the_file(
    column: tuple[str, str, list[str]],
) -> None:
    kind, header, values = column
    keep_in_canonical(KEPT)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "db.duckdb"
        people = [{**p, header: v} for p, v in zip(PEOPLE, values, strict=True)]
        result = import_paths([small_system(Path(folder) / "d", people=people)], connect(str(db)))
        (source,) = [s for s in result.sources if s.source.table == "people"]
        assert source.status == Status.FAILED and not result.ok and result.rows_loaded == 0
        (problem,) = source.file_problems
        first = next(i for i, v in enumerate(values) if v not in FILLERS)
        assert problem.startswith(f"column 5 ({header}) is kept by the canonical profile (keep)")
        assert f"its values look like {kind} (line {first + 2}," in problem
        assert not any(v in problem for v in values if v not in FILLERS)  # never shown
        store = connect(str(db), create=False)
        assert all(store.table(t).count().to_pyarrow().as_py() == 0
                   for t in ("people", "organisations", "extra_values", "batches"))  # fmt: skip
        store.close()
        blob = stored_bytes(db)
        assert not any(v.encode() in blob for v in values if len(v) > 6)
