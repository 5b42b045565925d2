"""The Workforce Race Equality Standard, indicators 1 to 9, as declarations (spec: measures.md)."""

from __future__ import annotations

from equitrack.measures import queries as q
from equitrack.measures import standard as std
from equitrack.model import codes

FAMILY = "wres"
APPOINTED = std.APPOINTED
#: WRES 1 and 4 can be read for one staff group (the dashboard's filter); all by default.
STAFF_GROUP = {"staff_group": q.ALL_STAFF_GROUPS}
STAFF_GROUP_CHOICES = {"staff_group": (q.ALL_STAFF_GROUPS, *codes.STAFF_GROUPS)}


def _survey(number: int, title: str) -> std.Measure:
    return std.survey_item(
        f"wres{number}",
        FAMILY,
        title,
        f"wres{number}",
        description=f"NHS Staff Survey item behind WRES {number}, from the survey of the autumn "
        "before the reporting year; share of respondents in each group.",
    )


MEASURES = (
    std.representation_by_band(
        "wres1",
        FAMILY,
        "Representation by band (clinical and non-clinical)",
        options=STAFF_GROUP,
        choices=STAFF_GROUP_CHOICES,
        description="Staff in post at 31 March (not bank), headcount by band and group; each "
        "group's share of the band and of the whole workforce. Unknown stays in denominators. "
        "Option staff_group: one NWD staff group, or all.",
    ),
    std.appointment_from_shortlisting(
        "wres2",
        FAMILY,
        "Relative likelihood of appointment from shortlisting",
        description="Shortlisted applications made in the year, by the ethnicity on the "
        "application; likelihood = appointed / shortlisted.",
    ),
    std.formal_process_entry(
        "wres3",
        FAMILY,
        "Relative likelihood of entering the formal disciplinary process",
        "conduct",
        description="People entering a formal conduct case in the year over staff in post at "
        "31 March, pooled over this year and last by default.",
    ),
    std.training_access(
        "wres4",
        FAMILY,
        "Relative likelihood of accessing non-mandatory training and CPD",
        q.workforce,
        q.trained,
        options=STAFF_GROUP,
        choices=STAFF_GROUP_CHOICES,
        description="Staff in post at 31 March with non-mandatory training at the organisation "
        "starting in the year. Option staff_group: one NWD staff group, or all.",
    ),
    _survey(5, "Harassment, bullying or abuse from patients, relatives or the public"),
    _survey(6, "Harassment, bullying or abuse from staff"),
    _survey(7, "Believing the organisation provides equal opportunities for career progression"),
    _survey(8, "Discrimination at work from a manager, team leader or colleagues"),
    std.board_gap(
        "wres9",
        FAMILY,
        "Board representation against the workforce",
        description="Board members at 31 March; each group's share of the board (all, voting, "
        "executive, non-executive) minus its share of the workforce, in percentage points.",
    ),
)
