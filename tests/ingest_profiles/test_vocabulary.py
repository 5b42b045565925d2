"""One vocabulary of spellings: every shipped profile reads a spelling the same way, ESR's
ampersand forms, extended ethnic codes and the medical grades of real returns load, and a
profile's own values add to the shared lists."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from equitrack.ingest import import_paths, vocabulary
from equitrack.ingest import profile as profiles
from equitrack.ingest.mapping import hint
from equitrack.ingest.profile import ProfileError, value_key
from equitrack.model import codes
from equitrack.store import connect
from tests.ingest_profiles.esr import ESR, ROWS
from tests.ingest_profiles.support import read_table

SHIPPED = [p for p in profiles.shipped() if not p.canonical]


def readers_of(target: str) -> list[tuple[str, profiles.ValueMap]]:
    """(profile, list) for each shipped profile with a values list for the canonical column."""
    return [
        (p.name, r.values)
        for p in SHIPPED
        for r in p.columns
        if r.target == target and r.values is not None and r.derive_from is None
    ]


def test_each_list_of_the_vocabulary_is_read_by_a_shipped_profile() -> None:
    named = {r.values.vocabulary for p in SHIPPED for r in p.columns if r.values}
    assert set(vocabulary.names()) <= named


@pytest.mark.parametrize("name", vocabulary.names())
def test_every_shared_spelling_maps_the_same_in_every_profile_that_reads_it(name: str) -> None:
    spellings = vocabulary.lists()[name]
    readers = [(p, vm) for p, vm in readers_of(name) if vm.vocabulary == name]
    assert readers, f"no shipped profile reads the list {name}"
    for profile, vm in readers:
        wrong = {s: (vm.lookup(s), v) for s, v in spellings.items() if vm.lookup(s) != v}
        assert not wrong, f"{profile} reads these otherwise than the vocabulary: {wrong}"


@pytest.mark.parametrize("target", ["ethnic_code", "sex", "disability", "pay_band"])
def test_a_spelling_any_profile_lists_means_the_same_in_every_profile_reading_the_column(
    target: str,
) -> None:
    """No profile keeps a private spelling of a shared column: what one reads, all read alike."""
    readers = readers_of(target)
    meanings: dict[str, dict[str, str]] = defaultdict(dict)
    for profile, vm in readers:
        for key, value in vm.entries.items():
            meanings[key][profile] = value
    differ = {k: m for k, m in meanings.items() if len(set(m.values())) > 1}
    missing = {k: sorted(m) for k, m in meanings.items() if len(readers) > 1 and len(m) == 1}
    assert not differ and not missing, (differ, missing)


AMPERSAND = {
    "D Mixed - White & Black Caribbean": "D",
    "E Mixed - White & Black African": "E",
    "F Mixed - White & Asian": "F",
    "Mixed - White & Black Caribbean": "D",
}
EXTENDED = {
    "C2 White Northern Irish": "C2",
    "CA White English": "CA",
    "CA White - English": "CA",
    "LH British Asian": "LH",
    "LH Asian - British Asian": "LH",
    "CP White Polish": "CP",
    "PC Black Nigerian": "PC",
    "GF Mixed Other Mixed, Mixed unspecified": "GF",
}


@pytest.mark.parametrize("spelling", [*AMPERSAND, *EXTENDED])
@pytest.mark.parametrize("profile", [p for p, _ in readers_of("ethnic_code")])
def test_ampersand_forms_and_extended_codes_read_in_every_profile(
    spelling: str, profile: str
) -> None:
    vm = dict(readers_of("ethnic_code"))[profile]
    assert vm.lookup(spelling) == {**AMPERSAND, **EXTENDED}[spelling]


@pytest.mark.parametrize("code", sorted(codes.EXTENDED_CODES))
def test_each_extended_code_the_model_knows_reads_as_esr_writes_it(code: str) -> None:
    """As the generator writes ESR's values ("CA White - English"), and without the dash."""
    label = codes.EXTENDED_CODES[code]
    for profile, vm in readers_of("ethnic_code"):
        assert vm.lookup(f"{code} {label}") == code, profile
        assert vm.lookup(f"{code} {label.replace(' - ', ' ')}") == code, profile


def test_an_extended_code_counts_in_the_national_category_of_its_first_character() -> None:
    for spelling, code in EXTENDED.items():
        national = codes.national_code(code)
        assert national == code[0] and spelling.split()[1] in (
            codes.CATEGORY_BY_CODE[national].broad_group,
            "British",
        )


#: Medical grades seen in trust returns → the data model's grade → the WRES indicator 1 row.
GRADES = {
    "Staff Grade": ("Specialty Doctor", codes.NON_CONSULTANT_CAREER),
    "Trust Grade Dr": ("Other", codes.OTHER_MEDICAL),
    "Trust Grade Doctor": ("Other", codes.OTHER_MEDICAL),
    "Specialty Doctor": ("Specialty Doctor", codes.NON_CONSULTANT_CAREER),
    "Associate Specialist": ("Associate Specialist", codes.NON_CONSULTANT_CAREER),
    "Foundation Year 1": ("Foundation Year 1", codes.TRAINEE),
    "Foundation Year 2": ("Foundation Year 2", codes.TRAINEE),
    "Specialty Registrar": ("Specialty Registrar", codes.TRAINEE),
    "Core Trainee": ("Core Training", codes.TRAINEE),
    "Clinical Fellow": ("Other", codes.OTHER_MEDICAL),
    "Consultant": ("Consultant", codes.CONSULTANT),
}


@pytest.mark.parametrize("grade", list(GRADES))
def test_medical_grades_of_real_returns_map_to_the_models_grades(grade: str) -> None:
    band, row = GRADES[grade]
    for profile, vm in readers_of("pay_band"):
        assert vm.lookup(grade) == band, profile
    assert codes.MEDICAL_GRADES.get(band, codes.OTHER_BAND) == row


def test_every_pay_band_of_the_vocabulary_is_one_the_model_allows() -> None:
    assert set(vocabulary.lists()["pay_band"].values()) <= set(codes.PAY_BANDS)


def test_an_esr_extract_with_ampersand_forms_extended_codes_and_medical_grades_loads(
    tmp_path: Path, db_path: Path
) -> None:
    spelled = [
        ("D Mixed - White & Black Caribbean", "Staff Grade", "D", "Specialty Doctor"),
        ("C2 White Northern Irish", "Trust Grade Dr", "C2", "Other"),
        ("CA White English", "Clinical Fellow", "CA", "Other"),
        ("LH British Asian", "Core Trainee", "LH", "Core Training"),
    ]
    rows = [
        ESR.replace(
            ROWS[0],
            Employee_Number=f"2000000{i}",
            Assignment_Number=f"2000000{i}",
            Ethnic_Origin=ethnic,
            Pay_Band=grade,
            Staff_Group="Medical and Dental",
        )
        for i, (ethnic, grade, _, _) in enumerate(spelled)
    ]
    result = import_paths([ESR.folder(tmp_path / "data", rows)], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    people = read_table(db_path, "people")
    assignments = read_table(db_path, "assignments")
    assert sorted(people["ethnic_code"].to_pylist()) == sorted(e for _, _, e, _ in spelled)
    assert sorted(assignments["pay_band"].to_pylist()) == sorted(b for _, _, _, b in spelled)


def write_profile(folder: Path, ethnic: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mine.toml"
    path.write_text(
        'name = "mine"\ntables = ["people"]\n'
        '[columns.person_id]\nheaders = ["Staff Number"]\n'
        f'[columns.ethnic_code]\nheaders = ["Ethnicity"]\n{ethnic}\n',
        encoding="utf-8",
    )
    return path


def test_a_profiles_own_values_add_to_the_vocabulary_and_replace_a_spelling(
    tmp_path: Path,
) -> None:
    path = write_profile(
        tmp_path,
        'vocabulary = "ethnic_code"\nvalues = { "Black African" = "N", "Not Known" = "Z" }',
    )
    vm = next(r for r in profiles.load_file(path).columns if r.target == "ethnic_code").values
    assert vm is not None
    assert vm.lookup("Black African") == "N"  # its own
    assert vm.lookup("C2 White Northern Irish") == "C2"  # the vocabulary's
    assert vm.lookup("Not Known") == "Z"  # its own, replacing the vocabulary's 99
    assert vocabulary.lists()["ethnic_code"]["Not Known"] == "99"


@pytest.mark.parametrize(
    ("ethnic", "said"),
    [
        ('vocabulary = "ethnicity"', "'ethnicity' is not a list of the shared vocabulary"),
        ('vocabulary = "pay_band"', "Band 1"),
        ('vocabulary = "ethnic_code"\nvalues = { "Black African" = "N", "black african" = "M" }',
         "are the same value"),
    ],
)  # fmt: skip
def test_a_wrong_vocabulary_is_named_by_file_and_key(
    tmp_path: Path, ethnic: str, said: str
) -> None:
    path = write_profile(tmp_path, ethnic)
    with pytest.raises(ProfileError) as caught:
        profiles.load_file(path)
    assert str(path) in str(caught.value) and "[columns.ethnic_code]" in str(caught.value)
    assert said in str(caught.value)


@pytest.mark.parametrize(
    ("value", "suggested"),
    [
        ("D Mixed - White & Black Caribbean (local)", '"D"'),
        ("CD White Cornish (local)", '"CD"'),
        ("Other White", '"<NHS ethnic code'),
        ("No answer", '"<NHS ethnic code'),
    ],
)
def test_the_line_to_add_suggests_the_code_a_value_starts_with(value: str, suggested: str) -> None:
    assert f'"{hint("people", "ethnic_code", value)}"'.startswith(suggested)


def test_spellings_compare_as_every_values_list_does() -> None:
    """The vocabulary's keys are compared like a profile's: case, spaces and dashes aside."""
    (_, vm), *_ = readers_of("ethnic_code")
    assert vm.lookup("  c2 white   northern irish ") == "C2"
    assert vm.lookup("D Mixed \u2013 White & Black Caribbean") == "D"
    assert value_key("D Mixed-White & Black Caribbean") in vm.entries
