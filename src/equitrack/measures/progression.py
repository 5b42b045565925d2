"""Recommendation 1: are ethnic minority, and Black, staff progressing into senior roles?

Three declarations: promotion within the year (band rank up, same unit), the Model Employer gap
(share of staff in post at band 8a and above, and at each senior band, against the share of
the whole workforce, with the headcount still needed for parity), and representation at 8a and above by senior band group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import ibis
import ibis.expr.types as ir

from equitrack.measures import calendar
from equitrack.measures import populations as pop
from equitrack.measures import queries as q
from equitrack.measures.counting import ALL
from equitrack.measures.declare import Frame, Kind, Measure, subset
from equitrack.measures.gaps import evaluate_gap, staff_counts
from equitrack.measures.result import Result
from equitrack.model import codes
from equitrack.stats import PARITY_MODES, Orientation, headcount_for_parity
from equitrack.stats.reasons import Code, Reason

FAMILY = "scrutiny"

#: The Model Employer goal counts staff at band 8a and above (codes.SENIOR_FROM).
SENIOR_RANK = codes.band_rank(codes.SENIOR_FROM)
SENIOR_CELL = "Band 8a and above"
#: senior_representation's cells: the senior bands in three groups, low to high.
SENIOR_GROUPS = {
    "Band 8a": "Band 8a-8b",
    "Band 8b": "Band 8a-8b",
    "Band 8c": "Band 8c-9",
    "Band 8d": "Band 8c-9",
    "Band 9": "Band 8c-9",
    "VSM": "VSM",
}
#: The senior bands Model Employer sets a goal for one by one, low to high.
SENIOR_BANDS = tuple(SENIOR_GROUPS)
#: The year the Model Employer strategy set for parity at every senior band.
MODEL_EMPLOYER_YEAR = 2028
NEEDED_PREFIX = "Needed for parity ("


def with_previous_years(frame: Frame) -> Frame:
    """The frame with each period's previous one added, so last year's (or last month's)
    staff are at hand."""
    years = tuple(sorted(set(frame.periods) | {calendar.previous(y) for y in frame.periods}))
    return replace(frame, periods=years)


def followed(frame: Frame, table: ir.Table) -> ir.Table:
    """The rows of the period before each of the frame's, labelled with the period they are
    followed into (31 March Y-1 into year Y; a month's end into the next month)."""
    earlier = table.filter(table.period.isin([calendar.previous(y) for y in frame.periods]))
    return earlier.mutate(period=calendar.following(earlier.period, frame.interval))


def stayers(frame: Frame) -> ir.Table:
    """Staff in post at 31 March Y-1 on an AfC band who are in post in the same unit at 31 March
    Y; `period` is Y, attributes and the band are last year's, `band_rank_now` this year's."""
    staff = q.workforce(with_previous_years(frame))
    before = followed(frame, staff)
    before = before.mutate(band_rank_before=pop.band_rank(before.pay_band))
    before = before.filter(before.band_rank_before > 0)
    now = staff.filter(staff.period.isin(list(frame.periods)))
    now = now.select("period", "unit", "person_id", band_rank_now=pop.band_rank(now.pay_band))
    return before.join(now, ["period", "unit", "person_id"])


def promoted(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    return t.band_rank_now > t.band_rank_before


def senior_staff(frame: Frame) -> ir.Table:
    """Staff in post at 31 March on band 8a or above (AfC; medical grades are not on the ladder)."""
    staff = q.workforce(frame)
    return staff.filter(pop.band_rank(staff.pay_band) >= SENIOR_RANK)


def senior_seats(frame: Frame) -> ir.Table:
    """Each senior member twice: once in the whole cell (8a and above) and once in their own
    band's, so the goal is measured at every band as well as over all of them."""
    staff = senior_staff(frame)
    whole = staff.mutate(seat=ibis.literal(SENIOR_CELL))
    return whole.union(staff.mutate(seat=staff.pay_band.cast("string")), distinct=False)


def senior_band_group(t: ir.Table) -> ir.StringValue:
    return t.pay_band.substitute(SENIOR_GROUPS, else_=t.pay_band)


def evaluate_parity_gap(
    frame: Frame, measure: Measure, by: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    """The representation gap (as WRES 9), and for each group the headcount that would close it
    (0 at or above parity): in the gap row's reason, and as a row of its own (breakdown
    "Needed for parity (<cell>)", numerator = the headcount, denominator = the cell's staff)."""
    results = evaluate_gap(frame, measure, by, years, window, options)
    staff = staff_counts(frame, measure, by)
    mode = options.get("parity", "replace")
    target = int(options.get("target_year", MODEL_EMPLOYER_YEAR))
    out: list[Result] = []
    for r in results:
        out.append(r)
        groups = staff.get((r.period, r.org, ALL), {})
        if r.numerator is None or not r.denominator or not groups:
            continue
        needed = headcount_for_parity(
            r.numerator, r.denominator, groups.get(r.group, 0), sum(groups.values()), mode
        )
        pace = {"needed": needed, "target": target, "year": r.period}
        said = Reason(Code.NEEDED_FOR_PARITY, pace)
        r.say(said if r.why is None else r.why + said)
        row = Result(
            measure=r.measure,
            org=r.org,
            period=r.period,
            group_type=r.group_type,
            group=r.group,
            numerator=needed,
            denominator=r.denominator,
            breakdown=f"{NEEDED_PREFIX}{r.breakdown})",
            options=options,
        )
        # the cell whose gap row it closes, for the disclosure gate to rebuild it from
        row.say(
            Reason(Code.NEEDED_ROW, {**pace, "group": r.group, "parity": mode, "cell": r.breakdown})
        )
        out.append(row)
    return out


MEASURES = (
    Measure(
        id="promotion",
        phrase="to be promoted within the year",
        family=FAMILY,
        title="Promotion within the year (band increase, same organisation)",
        kind=Kind.COMPARISON,
        population=stayers,
        event=subset(stayers, promoted),
        orientation=Orientation.BENEFIT,
        description="Staff in post at 31 March Y-1 on an Agenda for Change band who are still in "
        "post in the same unit at 31 March Y (the organisation, or the system for system "
        "figures); the event is a higher AfC band rank at 31 March Y than at 31 March Y-1 (the "
        "assignment chosen each year by the staff-in-post tie-break). Leavers, doctors and "
        "people who join during the year are outside it. Groups from the person's record.",
    ),
    Measure(
        id="promotion_by_band",
        phrase="to be promoted within the year",
        family=FAMILY,
        title="Promotion within the year, within each starting band",
        kind=Kind.COMPARISON,
        population=stayers,
        event=subset(stayers, promoted),
        orientation=Orientation.BENEFIT,
        breakdown=lambda t: t.pay_band,
        description="`promotion` made within each band, so that groups starting from different "
        "bands are compared with people who started where they did: the cell is the AfC band "
        "at 31 March Y-1, compared within the band.",
    ),
    Measure(
        id="model_employer",
        family=FAMILY,
        title="Model Employer: representation at band 8a and above against the workforce",
        kind=Kind.PARITY_GAP,
        population=senior_seats,
        breakdown=lambda t: t.seat,
        options={"parity": "replace", "target_year": MODEL_EMPLOYER_YEAR},
        choices={"parity": PARITY_MODES, "target_year": range(2000, 2101)},
        description="Staff in post at 31 March on AfC band 8a, 8b, 8c, 8d, 9 or VSM; each "
        "group's share of them minus its share of the whole workforce in post (every staff "
        "group, doctors included, as NHS England's Model Employer goal compares with the whole "
        "workforce), in percentage points; Unknown stays in both denominators. For each group "
        "a second row (breakdown 'Needed for parity (Band 8a and above)') gives "
        "as its numerator the headcount still needed at the year's sizes: with N staff at 8a "
        "and above, n of them in the group, and w the group's workforce share, ceil(w × N - n) "
        "with senior posts as many as now (`parity=replace`, the Model Employer way) or "
        "ceil((w × N - n) / (1 - w)) if posts are added (`parity=add`); its reason says how "
        "many a year would reach it by `target_year` (2028). The same gap and headcount are "
        "given for each senior band on its own (cells 'Band 8a', 'Band 8b', 'Band 8c', "
        "'Band 8d', 'Band 9', 'VSM', and 'Needed for parity (Band 8a)' and so on), each "
        "against the whole workforce's share, as the goal is set band by band. Run with --by "
        "broad for Black staff.",
    ),
    Measure(
        id="senior_representation",
        phrase="{Who} were {share} of staff at band 8a and above",
        family=FAMILY,
        title="Representation at band 8a and above, by senior band group",
        kind=Kind.REPRESENTATION,
        population=senior_staff,
        breakdown=senior_band_group,
        description="Staff in post at 31 March on AfC band 8a and above, headcount and share by "
        "group in three cells (Band 8a-8b; Band 8c-9, that is 8c, 8d and 9; VSM) and in all of "
        "them together (All); ask for several years to see the trend. Unknown stays in "
        "denominators.",
    ),
)
