"""Representation gaps: a group's share of a body (the board) minus its share of the workforce.

WRES 9 reports the BME share of voting board members minus the BME share of the workforce, in
percentage points; Unknown stays in both denominators.
"""

from __future__ import annotations

from collections.abc import Sequence

from equitrack.measures.counting import Counts, count_once, counted, group_type, ordered
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.queries import workforce
from equitrack.measures.result import Result, rated
from equitrack.model import codes
from equitrack.stats import proportion
from equitrack.stats.reasons import Code, Reason


def staff_counts(frame: Frame, measure: Measure, by: str) -> Counts:
    """The staff in post per period, unit and group: what a gap's shares are of (and the
    parity gap's headcount needed), counted once for every grouping."""
    return count_once(
        frame, (measure.id, "staff"), measure.attribute, by,
        lambda: counted(frame, workforce(frame), measure.attribute, population=workforce),
    )  # fmt: skip


def evaluate_gap(
    frame: Frame, measure: Measure, by: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    attribute = measure.attribute
    members = count_once(
        frame, (measure.id, "members"), attribute, by,
        lambda: counted(frame, measure.population(frame), attribute, measure.breakdown),
    )  # fmt: skip
    staff = staff_counts(frame, measure, by)
    gtype = group_type(measure.attribute, by)
    results = []
    for (period, unit, seat), groups in sorted(members.items()):
        if period not in years:
            continue
        workforce_groups = staff.get((period, unit, "All"), {})
        workforce_total = sum(workforce_groups.values())
        seats = sum(groups.values())
        every_group = ordered(set(groups) | set(workforce_groups))
        for g in every_group:
            if g == codes.UNKNOWN:
                continue
            in_group = workforce_groups.get(g, 0)
            staff_share = proportion(in_group, workforce_total).rate
            result = rated(
                groups.get(g, 0),
                seats,
                measure=measure.id,
                org=unit,
                period=period,
                group_type=gtype,
                group=g,
                breakdown=seat,
                excluded=groups.get(codes.UNKNOWN, 0),
                options=options,
                why=Reason(Code.WORKFORCE_SHARE, {"workforce": in_group, "staff": workforce_total})
                if staff_share is not None
                else Reason(Code.NO_WORKFORCE),
            )
            if result.rate is not None and staff_share is not None:
                result.difference = 100 * (result.rate - staff_share)
            results.append(result)
    return results
