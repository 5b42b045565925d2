"""The Workforce Race Equality Standard, indicators 1 to 9, as declarations (spec: measures.md)."""

from __future__ import annotations

from equitrack.measures import queries as q
from equitrack.measures import survey
from equitrack.measures.declare import Kind, Measure, subset
from equitrack.model import codes
from equitrack.stats import Orientation, Pooling

FAMILY = "wres"
APPOINTED = ("appointed", "offered")
#: WRES 1 and 4 can be read for one staff group (the dashboard's filter); all by default.
STAFF_GROUP = {"staff_group": q.ALL_STAFF_GROUPS}
STAFF_GROUP_CHOICES = {"staff_group": (q.ALL_STAFF_GROUPS, *codes.STAFF_GROUPS)}


def _survey(number: int, title: str) -> Measure:
    return Measure(
        id=f"wres{number}",
        family=FAMILY,
        title=title,
        kind=Kind.SURVEY,
        population=q.workforce,
        orientation=survey.orientation(f"wres{number}"),
        options={"survey_measure": f"wres{number}", "instrument": "nss"},
        description=f"NHS Staff Survey item behind WRES {number}, from the survey of the autumn "
        "before the reporting year; share of respondents in each group.",
    )


MEASURES = (
    Measure(
        id="wres1",
        family=FAMILY,
        title="Representation by band (clinical and non-clinical)",
        kind=Kind.REPRESENTATION,
        population=q.workforce,
        breakdown=q.wres1_cell,
        options=STAFF_GROUP,
        choices=STAFF_GROUP_CHOICES,
        description="Staff in post at 31 March (not bank), headcount by band and group; each "
        "group's share of the band and of the whole workforce. Unknown stays in denominators. "
        "Option staff_group: one NWD staff group, or all.",
    ),
    Measure(
        id="wres2",
        family=FAMILY,
        title="Relative likelihood of appointment from shortlisting",
        kind=Kind.COMPARISON,
        population=q.shortlisted,
        event=subset(q.shortlisted, q.appointed),
        orientation=Orientation.BENEFIT,
        options={"appointed": "appointed"},
        choices={"appointed": APPOINTED},
        description="Shortlisted applications made in the year, by the ethnicity on the "
        "application; likelihood = appointed / shortlisted; ratio = White / BME.",
    ),
    Measure(
        id="wres3",
        family=FAMILY,
        title="Relative likelihood of entering the formal disciplinary process",
        kind=Kind.COMPARISON,
        population=q.workforce,
        event=q.formal_entrants("conduct"),
        outnumbered=q.ENTRANTS_OUTNUMBER,
        orientation=Orientation.HARM,
        window=2,
        options={"window": 2, "pooling": Pooling.POOLED.value},
        choices={"window": (1, 2), "pooling": tuple(p.value for p in Pooling)},
        description="People entering a formal conduct case in the year over staff in post at "
        "31 March, pooled over this year and last by default; ratio = BME / White.",
    ),
    Measure(
        id="wres4",
        family=FAMILY,
        title="Relative likelihood of accessing non-mandatory training and CPD",
        kind=Kind.COMPARISON,
        population=q.workforce,
        event=q.trained,
        orientation=Orientation.BENEFIT,
        options=STAFF_GROUP,
        choices=STAFF_GROUP_CHOICES,
        description="Staff in post at 31 March with non-mandatory training at the organisation "
        "starting in the year; ratio = White / BME. Option staff_group: one NWD staff group, "
        "or all.",
    ),
    _survey(5, "Harassment, bullying or abuse from patients, relatives or the public"),
    _survey(6, "Harassment, bullying or abuse from staff"),
    _survey(7, "Believing the organisation provides equal opportunities for career progression"),
    _survey(8, "Discrimination at work from a manager, team leader or colleagues"),
    Measure(
        id="wres9",
        family=FAMILY,
        title="Board representation against the workforce",
        kind=Kind.GAP,
        population=q.board_seats,
        breakdown=lambda t: t.seat,
        description="Board members at 31 March; each group's share of the board (all, voting, "
        "executive, non-executive) minus its share of the workforce, in percentage points.",
    ),
)
