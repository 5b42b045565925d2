"""The canonical tables of the data contract, as data: one declaration read by every stage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from equitrack.model import codes


class Kind(StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    DATE = "date"
    BOOL = "bool"
    ENUM = "enum"


class Identifier(StrEnum):
    """Which identifiers are pseudonymised, and in which namespace.

    `person` identifiers share one namespace so that an applicant who becomes staff, or a
    person in several exports, joins up. Record keys (assignment, case, request…) are hashed
    too: ESR assignment numbers embed the employee number.
    """

    PERSON = "person"
    RECORD = "record"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    allowed: tuple[str, ...] = ()
    notes: str = ""
    identifier: Identifier | None = None
    references: str | None = None  # "table.column" whose values must exist
    blank_allowed: bool = False  # required as a column, but a blank value is meaningful
    #: The least and the most a value can possibly be; a value outside is refused as a slip.
    bounds: tuple[float, float] | None = None


@dataclass(frozen=True)
class Rule:
    """A check across columns of one row: `left op right`, skipped when either is blank.

    `op` is "<=" (dates in order, a part within its whole; an operand that is not a column is a
    number) or "implies" (a true left needs a true right). `reason` is what an analyst reads.
    """

    left: str
    op: str
    right: str
    reason: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique across the store; empty when rows have no natural key
    rules: tuple[Rule, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


S, N, F, D, B, E = Kind.STR, Kind.INT, Kind.FLOAT, Kind.DATE, Kind.BOOL, Kind.ENUM
#: The years a date may fall in: 0001-01-01 and 9999-12-31 are placeholders, not dates.
DATE_YEARS: Final = (1900, 2100)
YEAR = (float(DATE_YEARS[0]), float(DATE_YEARS[1]))
#: A count of people in one organisation's records (the largest NHS trust employs ~25,000).
PEOPLE_COUNT = (0.0, 2_000_000.0)
PERSON, RECORD = Identifier.PERSON, Identifier.RECORD

SEX = tuple(codes.SEX_CODES)
DISABILITY = tuple(codes.DISABILITY_CODES)
ORG_REF = "organisations.org_code"
PERSON_REF = "people.person_id"


def _org(notes: str = "") -> Column:
    return Column("org_code", S, True, references=ORG_REF, notes=notes)


def _person(required: bool = True, notes: str = "") -> Column:
    return Column("person_id", S, required, identifier=PERSON, references=PERSON_REF, notes=notes)


TABLES: Final[tuple[Table, ...]] = (
    Table(
        "organisations",
        "Trusts, ICBs and other organisations.",
        (
            Column("org_code", S, True, notes="ODS code, unique"),
            Column("name", S, True),
            Column("org_type", E, True, ("trust", "icb", "other")),
            Column("system_code", S, notes="the integrated care system it belongs to"),
        ),
        key=("org_code",),
    ),
    Table(
        "people",
        "One row per person. Equality-monitoring attributes live here.",
        (
            Column(
                "person_id",
                S,
                True,
                identifier=PERSON,
                notes="same id across organisations where the source allows",
            ),
            Column(
                "ethnic_code",
                S,
                True,
                blank_allowed=True,
                notes="NHS Data Dictionary ethnic category; blank, Z and 99 are not known",
            ),
            Column("sex", E, allowed=SEX),
            Column("disability", E, allowed=DISABILITY),
            Column("birth_year", N, notes="used only for age bands", bounds=YEAR),
            Column("religion", S),
            Column("sexual_orientation", S),
            Column(
                "international_recruit", B, notes="first NHS job through international recruitment"
            ),
            Column("nhs_start_date", D, notes="date first joined the NHS"),
        ),
        key=("person_id",),
    ),
    Table(
        "assignments",
        "Employment spells, as ESR assignments. A band change is a new row.",
        (
            Column("assignment_id", S, True, identifier=RECORD, notes="unique"),
            _person(),
            _org(),
            Column("start_date", D, True),
            Column("end_date", D, notes="blank = current"),
            Column("pay_band", E, True, codes.PAY_BANDS),
            Column("staff_group", S, True, notes="NWD staff group"),
            Column("clinical", B, notes="derived from staff_group when absent"),
            Column("contract", E, True, ("permanent", "fixed_term", "bank", "locum", "honorary")),
            Column("fte", F, notes="2 is 75 hours a week", bounds=(0, 2)),
            Column("board_member", B, notes="holds a board seat in this assignment"),
            Column("board_voting", B),
            Column("board_executive", B),
            Column(
                "leaving_reason", S, notes="on the spell that ends employment with the organisation"
            ),
        ),
        key=("assignment_id",),
        rules=(Rule("start_date", "<=", "end_date", "ends before it starts"),),
    ),
    Table(
        "vacancies",
        "Posts and development opportunities advertised or filled.",
        (
            Column("vacancy_id", S, True, identifier=RECORD),
            _org(),
            Column("pay_band", E, True, codes.PAY_BANDS),
            Column("staff_group", S),
            Column("opened_date", D, True),
            Column(
                "advert",
                E,
                True,
                ("external", "internal", "expression_of_interest", "not_advertised"),
            ),
            Column(
                "opportunity_type",
                E,
                True,
                ("post", "secondment", "acting_up", "development_post", "talent_programme"),
            ),
            Column("panel_size", N, notes="interview panel members", bounds=(0, 100)),
            Column(
                "panel_minority_members",
                N,
                notes="of whom from an ethnic minority background",
                bounds=(0, 100),
            ),
        ),
        key=("vacancy_id",),
        rules=(
            Rule(
                "panel_minority_members",
                "<=",
                "panel_size",
                "has more minority panel members than panel members",
            ),
        ),
    ),
    Table(
        "applications",
        "One row per application, with the equality data declared on it.",
        (
            Column("application_id", S, True, identifier=RECORD),
            Column("vacancy_id", S, True, identifier=RECORD, references="vacancies.vacancy_id"),
            Column(
                "applicant_id",
                S,
                True,
                identifier=PERSON,
                notes="equals a person_id when the applicant is or becomes staff",
            ),
            Column(
                "ethnic_code", S, True, blank_allowed=True, notes="as declared on the application"
            ),
            Column("sex", E, allowed=SEX),
            Column("disability", E, allowed=DISABILITY),
            Column("internal", B),
            Column("international", B, notes="part of an international recruitment campaign"),
            Column("applied_date", D, True),
            Column("shortlisted", B, True),
            Column("interviewed", B),
            Column("offered", B),
            Column("appointed", B, True, notes="offer accepted"),
        ),
        key=("application_id",),
        rules=(
            Rule("appointed", "implies", "shortlisted", "is appointed but not shortlisted"),
            Rule("offered", "implies", "shortlisted", "is offered but not shortlisted"),
        ),
    ),
    Table(
        "disciplinary",
        "Employee-relations cases (conduct and capability).",
        (
            Column("case_id", S, True, identifier=RECORD),
            _person(),
            _org(),
            Column("case_type", E, True, ("conduct", "capability", "other")),
            Column("opened_date", D, True),
            Column("formal_date", D, notes="entry into formal investigation; blank = never formal"),
            Column("suspended", B),
            Column("closed_date", D),
            Column(
                "outcome",
                E,
                allowed=(
                    "no_case_to_answer",
                    "informal_action",
                    "first_written_warning",
                    "final_written_warning",
                    "dismissal",
                    "other",
                ),
            ),
            Column("just_culture_answers", S, notes="the just-culture path, e.g. 1a=N;2a=N;…"),
            Column(
                "pre_formal_assessment", B, notes="an assessment was completed before formal_date"
            ),
        ),
        key=("case_id",),
        rules=(
            Rule("opened_date", "<=", "formal_date", "becomes formal before it was opened"),
            Rule("opened_date", "<=", "closed_date", "is closed before it was opened"),
        ),
    ),
    Table(
        "training",
        "Course enrolments and completions.",
        (
            Column("record_id", S, True, identifier=RECORD),
            _person(),
            _org(),
            Column("course", S, True),
            Column(
                "category", S, notes="e.g. edi, active_bystander, leadership, clinical, statutory"
            ),
            Column("mandatory", B, True),
            Column("delivery", E, allowed=("elearning", "face_to_face", "virtual_live", "blended")),
            Column("start_date", D, True),
            Column("completed", B),
        ),
        key=("record_id",),
    ),
    Table(
        "development",
        "Shadowing, mentoring, reverse mentoring, coaching, talent programmes, secondments, "
        "acting up.",
        (
            Column("record_id", S, True, identifier=RECORD),
            _person(),
            _org("the person's employer"),
            Column(
                "host_org_code",
                S,
                references=ORG_REF,
                notes="where it took place, when another organisation",
            ),
            Column(
                "kind",
                E,
                True,
                (
                    "shadowing",
                    "mentoring",
                    "reverse_mentoring",
                    "coaching",
                    "talent_programme",
                    "secondment",
                    "acting_up",
                ),
            ),
            Column("programme", S, notes="e.g. Developing Diverse Leadership"),
            Column("selection", E, allowed=("open_application", "nominated", "informal")),
            Column("start_date", D, True),
            Column("end_date", D),
            Column("completed", B),
        ),
        key=("record_id",),
        rules=(Rule("start_date", "<=", "end_date", "ends before it starts"),),
    ),
    Table(
        "appraisals",
        "Appraisals, with whether they set an EDI objective.",
        (
            _person(),
            _org(),
            Column("appraisal_date", D, True),
            Column("edi_objective", B, True),
            Column("succession_pool", B, notes="named as a successor for a key role"),
        ),
    ),
    Table(
        "leave",
        "Leave requests and decisions.",
        (
            Column("request_id", S, True, identifier=RECORD),
            _person(),
            _org(),
            Column(
                "leave_type",
                E,
                True,
                ("annual", "special", "unpaid", "extended", "compassionate", "carers", "study"),
            ),
            Column("requested_date", D, True),
            Column("start_date", D, True),
            Column("days", F, True, notes="5 years at most (a career break)", bounds=(0, 1830)),
            Column("decision", E, True, ("approved", "declined", "withdrawn", "pending")),
        ),
        key=("request_id",),
    ),
    Table(
        "incidents",
        "Abuse, violence and harassment against staff (zero-tolerance reporting).",
        (
            Column("incident_id", S, True, identifier=RECORD),
            _org(),
            Column("incident_date", D, True),
            _person(False, "the member of staff affected, where recorded"),
            Column("source", E, True, ("patient_or_public", "staff")),
            Column(
                "category",
                E,
                True,
                ("racist_abuse", "verbal_abuse", "physical_assault", "sexual", "other"),
            ),
            Column("action", S, notes="e.g. warning_letter, police, none"),
        ),
        key=("incident_id",),
    ),
    Table(
        "pay",
        "Snapshot for pay-gap reporting.",
        (
            _person(),
            _org(),
            Column("snapshot_date", D, True),
            Column("hourly_pay", F, True, notes="ordinary hourly pay, in £", bounds=(0, 1000)),
            Column(
                "bonus_pay",
                F,
                notes="bonus paid in the 12 months to the snapshot, in £",
                bounds=(0, 1_000_000),
            ),
        ),
        key=("person_id", "org_code", "snapshot_date"),
    ),
    Table(
        "survey",
        "Staff survey results, aggregated by the survey provider.",
        (
            _org(),
            Column(
                "survey_year",
                N,
                True,
                notes="the autumn the survey ran; WRES year Y uses Y-1",
                bounds=YEAR,
            ),
            Column("instrument", E, True, ("nss", "bank")),
            Column("measure", S, True, notes="wres5…wres8, or another item code"),
            Column(
                "group_type", E, True, ("wres", "ethnic_group", "staff_type", "disability", "all")
            ),
            Column("group_value", S, True, notes="e.g. White, BME, Black, bank"),
            Column("responses", N, True, notes="respondents in the base", bounds=PEOPLE_COUNT),
            Column(
                "positive", N, True, notes="respondents counted by the measure", bounds=PEOPLE_COUNT
            ),
        ),
        key=("org_code", "survey_year", "instrument", "measure", "group_type", "group_value"),
        rules=(Rule("positive", "<=", "responses", "has more positive answers than responses"),),
    ),
)

TABLE_BY_NAME: Final = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    try:
        return TABLE_BY_NAME[name]
    except KeyError:
        raise KeyError(
            f"{name!r} is not a canonical table; expected one of {', '.join(TABLE_BY_NAME)}"
        ) from None


def allowed(table_name: str, column: str) -> tuple[str, ...]:
    """The allowed values of an enum column, in the model's order: one list for the importer,
    the generator and the measures."""
    return table(table_name).column(column).allowed


def load_order() -> tuple[str, ...]:
    """Tables in an order where every reference points to a table earlier in the list."""
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in order:
            return
        if name in path:
            raise ValueError(f"reference cycle: {' -> '.join((*path, name))}")
        for col in TABLE_BY_NAME[name].columns:
            if col.references and col.references.split(".")[0] != name:
                visit(col.references.split(".")[0], (*path, name))
        order.append(name)

    for t in TABLES:
        visit(t.name)
    return tuple(order)
