import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitrack.model import codes
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping

EXPECTED = {
    "A": ("White", "White"), "B": ("White", "White"), "C": ("White", "White"),
    "D": ("BME", "Mixed"), "E": ("BME", "Mixed"), "F": ("BME", "Mixed"), "G": ("BME", "Mixed"),
    "H": ("BME", "Asian"), "J": ("BME", "Asian"), "K": ("BME", "Asian"), "L": ("BME", "Asian"),
    "M": ("BME", "Black"), "N": ("BME", "Black"), "P": ("BME", "Black"),
    "R": ("BME", "Other"), "S": ("BME", "Other"),
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_national_code_maps_as_the_spec_says(code: str) -> None:
    wres, broad = EXPECTED[code]
    assert DEFAULT_GROUPING.wres_group(code) == wres
    assert DEFAULT_GROUPING.broad_group(code) == broad
    assert DEFAULT_GROUPING.detailed_group(code).startswith(f"{code} ")


def test_the_table_covers_exactly_the_national_codes() -> None:
    assert set(codes.CATEGORY_BY_CODE) == set(EXPECTED)


@pytest.mark.parametrize("raw", ["", None, "Z", "z", "99", "9", "Q", "I1", "  ", "O", "-"])
def test_not_known_codes_are_unknown_everywhere(raw: str | None) -> None:
    assert DEFAULT_GROUPING.wres_group(raw) == "Unknown"
    assert DEFAULT_GROUPING.broad_group(raw) == "Unknown"
    assert DEFAULT_GROUPING.detailed_group(raw) == "Unknown"


@pytest.mark.parametrize("code", sorted(codes.EXTENDED_CODES))
def test_extended_codes_follow_their_first_character(code: str) -> None:
    assert DEFAULT_GROUPING.wres_group(code) == EXPECTED[code[0]][0]
    assert DEFAULT_GROUPING.broad_group(code) == EXPECTED[code[0]][1]


@given(
    st.sampled_from(sorted(EXPECTED)), st.text(alphabet="ABCDEFGHJKLMNPRSZ0123456789", max_size=2)
)
def test_any_suffix_keeps_the_national_category(first: str, suffix: str) -> None:
    assert codes.national_code(f" {first.lower()}{suffix} ") == first


def test_white_irish_and_other_white_are_not_bme() -> None:
    assert DEFAULT_GROUPING.wres_group("B") == DEFAULT_GROUPING.wres_group("CP") == "White"


def test_black_can_include_mixed_black_codes() -> None:
    wider = EthnicGrouping(black_codes=("M", "N", "P", "D", "E"))
    assert wider.broad_group("D") == wider.broad_group("E1") == "Black"
    assert wider.broad_group("F") == "Mixed"
    assert DEFAULT_GROUPING.broad_group("D") == "Mixed"
    assert wider.mapping()["broad"]["E"] == "Black"
    assert wider.as_option() == {"black_codes": ["M", "N", "P", "D", "E"]}


@pytest.mark.parametrize(
    "black", [("N",), ("M", "N", "P", "A"), ("M", "N", "P", "H"), ("M", "N", "P", "X")]
)
def test_black_cannot_drop_black_codes_or_add_non_mixed_ones(black: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        EthnicGrouping(black_codes=black)


def test_bands_are_in_order_and_8a_is_senior() -> None:
    ranks = [codes.band_rank(b) for b in codes.AFC_BANDS]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert codes.band_rank("Band 7") < codes.band_rank("Band 8a") < codes.band_rank("VSM")
    assert not codes.is_senior("Band 7") and codes.is_senior("Band 8a") and codes.is_senior("VSM")
    assert codes.band_rank("Consultant") == 0 and not codes.is_senior("Consultant")


def test_medical_grades_map_to_their_wres_subgroup() -> None:
    assert codes.MEDICAL_GRADES["Consultant"] == codes.CONSULTANT
    assert codes.MEDICAL_GRADES["Specialty Doctor"] == codes.NON_CONSULTANT_CAREER
    assert codes.MEDICAL_GRADES["Associate Specialist"] == codes.NON_CONSULTANT_CAREER
    assert codes.MEDICAL_GRADES["Foundation Year 1"] == codes.TRAINEE
    assert codes.MEDICAL_GRADES["Specialty Registrar"] == codes.TRAINEE
    assert set(codes.MEDICAL_GRADES.values()) <= set(codes.MEDICAL_SUBGROUPS)


def test_only_admin_and_estates_are_non_clinical() -> None:
    assert not codes.is_clinical("Administrative and Clerical")
    assert not codes.is_clinical(" estates and ancillary ")
    assert codes.is_clinical("Medical and Dental")
    assert codes.is_clinical("Some local group")
    assert sorted(codes.NON_CLINICAL_GROUPS) == [
        "Administrative and Clerical",
        "Estates and Ancillary",
    ]
