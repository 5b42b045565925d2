"""Code lists from the measures spec: ethnic categories, pay bands, medical grades, staff groups.

These are the one source of truth; the docs, the validator, the generator and (later) the
measure engine all read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# --- ethnic categories --------------------------------------------------------------------

WHITE: Final = "White"
BME: Final = "BME"
UNKNOWN: Final = "Unknown"

WRES_GROUPS: Final = (WHITE, BME, UNKNOWN)
BROAD_GROUPS: Final = ("White", "Mixed", "Asian", "Black", "Other", UNKNOWN)


@dataclass(frozen=True)
class EthnicCategory:
    """One national ethnic category of the NHS Data Dictionary (first character of the code)."""

    code: str
    label: str
    wres_group: str
    broad_group: str


NATIONAL_CATEGORIES: Final[tuple[EthnicCategory, ...]] = (
    EthnicCategory("A", "White - British", WHITE, "White"),
    EthnicCategory("B", "White - Irish", WHITE, "White"),
    EthnicCategory("C", "White - Any other White background", WHITE, "White"),
    EthnicCategory("D", "Mixed - White and Black Caribbean", BME, "Mixed"),
    EthnicCategory("E", "Mixed - White and Black African", BME, "Mixed"),
    EthnicCategory("F", "Mixed - White and Asian", BME, "Mixed"),
    EthnicCategory("G", "Mixed - Any other mixed background", BME, "Mixed"),
    EthnicCategory("H", "Asian or Asian British - Indian", BME, "Asian"),
    EthnicCategory("J", "Asian or Asian British - Pakistani", BME, "Asian"),
    EthnicCategory("K", "Asian or Asian British - Bangladeshi", BME, "Asian"),
    EthnicCategory("L", "Asian or Asian British - Any other Asian background", BME, "Asian"),
    EthnicCategory("M", "Black or Black British - Caribbean", BME, "Black"),
    EthnicCategory("N", "Black or Black British - African", BME, "Black"),
    EthnicCategory("P", "Black or Black British - Any other Black background", BME, "Black"),
    EthnicCategory("R", "Other ethnic groups - Chinese", BME, "Other"),
    EthnicCategory("S", "Other ethnic groups - Any other ethnic group", BME, "Other"),
)
CATEGORY_BY_CODE: Final = {c.code: c for c in NATIONAL_CATEGORIES}

#: Codes that mean "not known": Z is "not stated" (the person chose not to say), 99 "not known".
NOT_STATED: Final = "Z"
NOT_KNOWN: Final = "99"

#: A selection of the extended two-character codes that ESR and local systems use. The first
#: character decides the national category; these labels are for display and the generator.
EXTENDED_CODES: Final[dict[str, str]] = {
    "A1": "White - English",
    "A2": "White - Scottish",
    "A3": "White - Welsh",
    "A4": "White - Cornish",
    "A5": "White - Northern Irish",
    "CA": "White - English",
    "CB": "White - Scottish",
    "CC": "White - Welsh",
    "CF": "White - Cypriot (non-specific)",
    "CH": "White - Turkish",
    "CK": "White - Italian",
    "CP": "White - Polish",
    "CQ": "White - ex-USSR",
    "CX": "White - Mixed White",
    "C2": "White - Northern Irish",
    "C3": "White - Other White, White unspecified",
    "GB": "Mixed - Asian and Chinese",
    "GC": "Mixed - Black and White",
    "GD": "Mixed - Chinese and White",
    "GE": "Mixed - Asian and Chinese",
    "LA": "Asian - Mixed Asian",
    "LE": "Asian - Sri Lankan",
    "LH": "Asian - British Asian",
    "LK": "Asian - Kashmiri",
    "PA": "Black - Somali",
    "PB": "Black - Mixed Black",
    "PC": "Black - Nigerian",
    "PD": "Black - British",
    "PE": "Black - Other Black",
    "SC": "Other - Filipino",
    "SD": "Other - Malaysian",
    "SE": "Other - Arab",
}

DEFAULT_BLACK_CODES: Final = ("M", "N", "P")


def national_code(raw: str | None) -> str:
    """The national code a raw code stands for: its first character, or Unknown.

    Blank, `Z` (not stated), `99` (not known) and anything whose first character is not a
    national category are all not known.
    """
    if raw is None:
        return UNKNOWN
    text = raw.strip().upper()
    if not text or text == NOT_KNOWN:
        return UNKNOWN
    first = text[0]
    return first if first in CATEGORY_BY_CODE else UNKNOWN


@dataclass(frozen=True)
class EthnicGrouping:
    """How codes become groups. Which national codes count as "Black" is a recorded choice.

    Some organisations count Mixed White and Black Caribbean (D) and Mixed White and Black
    African (E) as Black; the default follows the Data Dictionary (M, N, P only).
    """

    black_codes: tuple[str, ...] = DEFAULT_BLACK_CODES

    def __post_init__(self) -> None:
        unknown = [c for c in self.black_codes if c not in CATEGORY_BY_CODE]
        if unknown:
            raise ValueError(f"not national ethnic codes: {', '.join(unknown)}")
        missing = [c for c in DEFAULT_BLACK_CODES if c not in self.black_codes]
        if missing:
            raise ValueError(
                f"Black must include the Black national codes; missing {', '.join(missing)}"
            )
        odd = [
            c
            for c in self.black_codes
            if c not in DEFAULT_BLACK_CODES and CATEGORY_BY_CODE[c].broad_group != "Mixed"
        ]
        if odd:
            raise ValueError(f"only Mixed codes may be added to Black, not {', '.join(odd)}")

    def wres_group(self, raw: str | None) -> str:
        code = national_code(raw)
        return UNKNOWN if code == UNKNOWN else CATEGORY_BY_CODE[code].wres_group

    def broad_group(self, raw: str | None) -> str:
        code = national_code(raw)
        if code == UNKNOWN:
            return UNKNOWN
        if code in self.black_codes:
            return "Black"
        return CATEGORY_BY_CODE[code].broad_group

    def detailed_group(self, raw: str | None) -> str:
        """The national category as code and label, e.g. `N Black or Black British - African`."""
        code = national_code(raw)
        return UNKNOWN if code == UNKNOWN else f"{code} {CATEGORY_BY_CODE[code].label}"

    def mapping(self) -> dict[str, dict[str, str]]:
        """National code → group, per dimension: what an engine turns into a lookup or CASE."""
        return {
            "wres": {c.code: c.wres_group for c in NATIONAL_CATEGORIES},
            "broad": {c.code: self.broad_group(c.code) for c in NATIONAL_CATEGORIES},
            "detailed": {c.code: self.detailed_group(c.code) for c in NATIONAL_CATEGORIES},
        }

    def as_option(self) -> dict[str, object]:
        return {"black_codes": list(self.black_codes)}


DEFAULT_GROUPING: Final = EthnicGrouping()

# --- pay bands and medical grades ---------------------------------------------------------

AFC_BANDS: Final[tuple[str, ...]] = (
    "Band 1",
    "Band 2",
    "Band 3",
    "Band 4",
    "Band 5",
    "Band 6",
    "Band 7",
    "Band 8a",
    "Band 8b",
    "Band 8c",
    "Band 8d",
    "Band 9",
    "VSM",
)
#: Bands at or above this one are "senior" for the Model Employer goal (8a and above).
SENIOR_FROM: Final = "Band 8a"

CONSULTANT: Final = "Consultant"
NON_CONSULTANT_CAREER: Final = "Non-consultant career grade"
TRAINEE: Final = "Trainee grades"
OTHER_MEDICAL: Final = "Other"

#: Medical grade → the WRES indicator 1 row it is reported in.
MEDICAL_GRADES: Final[dict[str, str]] = {
    "Consultant": CONSULTANT,
    "Specialty Doctor": NON_CONSULTANT_CAREER,
    "Specialist": NON_CONSULTANT_CAREER,
    "Associate Specialist": NON_CONSULTANT_CAREER,
    "Specialty Registrar": TRAINEE,
    "Core Training": TRAINEE,
    "Foundation Year 1": TRAINEE,
    "Foundation Year 2": TRAINEE,
}
MEDICAL_SUBGROUPS: Final = (CONSULTANT, NON_CONSULTANT_CAREER, TRAINEE, OTHER_MEDICAL)

OTHER_BAND: Final = "Other"

#: Every allowed pay_band value, in reporting order (AfC bands low to high, then medical).
PAY_BANDS: Final[tuple[str, ...]] = (*AFC_BANDS, *MEDICAL_GRADES, OTHER_BAND)


def band_rank(pay_band: str) -> int:
    """Order of a band for "highest band" and promotion: AfC bands rank by level, others 0.

    Medical grades are not on the AfC ladder, so a move between them is not an AfC promotion.
    """
    try:
        return AFC_BANDS.index(pay_band) + 1
    except ValueError:
        return 0


def is_senior(pay_band: str) -> bool:
    return band_rank(pay_band) >= band_rank(SENIOR_FROM)


# --- staff groups -------------------------------------------------------------------------

#: NHS Digital Workforce (NWD) staff groups, with whether the group is clinical.
STAFF_GROUPS: Final[dict[str, bool]] = {
    "Add Prof Scientific and Technic": True,
    "Additional Clinical Services": True,
    "Administrative and Clerical": False,
    "Allied Health Professionals": True,
    "Estates and Ancillary": False,
    "Healthcare Scientists": True,
    "Medical and Dental": True,
    "Nursing and Midwifery Registered": True,
    "Students": True,
}
NON_CLINICAL_GROUPS: Final = tuple(g for g, clinical in STAFF_GROUPS.items() if not clinical)
#: Doctors and dentists: the staff group the pay gap is split by (medical against the rest).
MEDICAL_STAFF_GROUP: Final = "Medical and Dental"


def is_clinical(staff_group: str) -> bool:
    """Clinical unless the group is Administrative and Clerical or Estates and Ancillary."""
    return staff_group.strip().casefold() not in {g.casefold() for g in NON_CLINICAL_GROUPS}


# --- other code lists used by more than one module ----------------------------------------

DISABILITY_CODES: Final = {"Y": "Disabled", "N": "Not disabled", "U": "Unknown"}
SEX_CODES: Final = {"F": "Female", "M": "Male", "X": "Other", "U": "Unknown"}


@dataclass(frozen=True)
class CodeList:
    """A named code list for the generated data-model documentation."""

    name: str
    description: str
    rows: tuple[tuple[str, ...], ...]
    header: tuple[str, ...] = field(default=("code", "meaning"))


def code_lists(grouping: EthnicGrouping = DEFAULT_GROUPING) -> tuple[CodeList, ...]:
    return (
        CodeList(
            "Ethnic categories",
            "Classified by the first character of `ethnic_code`; the raw code is kept. "
            f"Blank, `{NOT_STATED}` (not stated), `{NOT_KNOWN}` and unrecognised codes are "
            f"Unknown. Black means national codes {', '.join(grouping.black_codes)} by default "
            "(configurable).",
            tuple(
                (c.code, c.label, c.wres_group, grouping.broad_group(c.code))
                for c in NATIONAL_CATEGORIES
            )
            + (
                (NOT_STATED, "Not stated", UNKNOWN, UNKNOWN),
                (NOT_KNOWN, "Not known", UNKNOWN, UNKNOWN),
            ),
            ("national code", "label", "WRES group", "broad group"),
        ),
        CodeList(
            "Extended ethnic codes (examples)",
            "A second character adds local detail; the first character decides the category.",
            tuple(
                (code, label, grouping.wres_group(code), grouping.broad_group(code))
                for code, label in EXTENDED_CODES.items()
            ),
            ("code", "label", "WRES group", "broad group"),
        ),
        CodeList(
            "Agenda for Change bands",
            f"In order, lowest first. Senior (Model Employer) means {SENIOR_FROM} and above.",
            tuple((b, str(band_rank(b))) for b in AFC_BANDS),
            ("pay_band", "rank"),
        ),
        CodeList(
            "Medical and dental grades",
            "Reported in their own WRES indicator 1 rows, not as AfC bands.",
            tuple(MEDICAL_GRADES.items()) + ((OTHER_BAND, "Other (not AfC, not medical)"),),
            ("pay_band", "WRES subgroup"),
        ),
        CodeList(
            "Staff groups",
            "NWD staff groups. `clinical` is derived from the group when it is not given.",
            tuple((g, "yes" if c else "no") for g, c in STAFF_GROUPS.items()),
            ("staff_group", "clinical"),
        ),
    )


#: A system's figures are reported under a unit of their own, "system:QK1": system codes are
#: often an ICB's own ODS code, so the prefix keeps the system apart from the organisation.
SYSTEM_PREFIX: Final = "system:"
#: The system of organisations loaded without a system code.
NO_SYSTEM: Final = "ALL"


def system_unit(system_code: str | None) -> str:
    """The unit a system's figures are reported under: "system:QK1"."""
    return f"{SYSTEM_PREFIX}{system_code or NO_SYSTEM}"
