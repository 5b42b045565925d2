"""Representation gaps: a group's share of a body (the board) minus its share of the workforce.

WRES 9 reports the BME share of voting board members minus the BME share of the workforce, in
percentage points; Unknown stays in both denominators.
"""

from __future__ import annotations

from collections.abc import Sequence

from equitrack.measures.counting import count, group_type, ordered
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.queries import workforce
from equitrack.measures.result import Result
from equitrack.model import codes
from equitrack.stats import format_share, proportion


def evaluate_gap(
    frame: Frame, measure: Measure, dimension: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    members = count(frame, measure.population(frame), measure, dimension)
    staff_measure = Measure(
        id=measure.id, family=measure.family, title="", kind=measure.kind,
        population=workforce, attribute=measure.attribute,
    )  # fmt: skip
    staff = count(frame, workforce(frame), staff_measure, dimension)
    gtype = group_type(measure.attribute, dimension)
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
            share = proportion(groups.get(g, 0), seats)
            staff_share = proportion(workforce_groups.get(g, 0), workforce_total)
            difference = None
            if share.rate is not None and staff_share.rate is not None:
                difference = 100 * (share.rate - staff_share.rate)
            results.append(
                Result(
                    measure=measure.id,
                    org=unit,
                    period=period,
                    group_type=gtype,
                    group=g,
                    numerator=groups.get(g, 0),
                    denominator=seats,
                    rate=share.rate,
                    rate_ci_low=share.ci_low,
                    rate_ci_high=share.ci_high,
                    difference=difference,
                    breakdown=seat,
                    excluded=groups.get(codes.UNKNOWN, 0),
                    reason=f"{format_share(staff_share.rate)} of {workforce_total:,} staff"
                    if staff_share.rate is not None
                    else "no workforce to compare with",
                    options=options,
                )
            )
    return results
