"""Representation measures: each group's share of every breakdown cell, with subtotals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from equitrack.measures.counting import ALL, Key, count, group_type, ordered
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.result import Result
from equitrack.stats import proportion


def evaluate_representation(
    frame: Frame, measure: Measure, dimension: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    members = count(frame, measure.population(frame), measure, dimension)
    gtype = group_type(measure.attribute, dimension)
    totals: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (period, unit, breakdown), groups in members.items():
        parts = breakdown.split(" | ")
        cells = {breakdown, ALL} | ({f"{parts[0]} | {ALL}"} if len(parts) > 1 else set())
        for cell in cells:
            for g, n in groups.items():
                totals[(period, unit, cell)][g] += n
    results = []
    for (period, unit, breakdown), groups in sorted(totals.items()):
        if period not in years:
            continue
        cell_total = sum(groups.values())
        for g in ordered(groups):
            n = groups[g]
            rate = proportion(n, cell_total)
            results.append(
                Result(
                    measure=measure.id,
                    org=unit,
                    period=period,
                    group_type=gtype,
                    group=g,
                    numerator=n,
                    denominator=cell_total,
                    rate=rate.rate,
                    rate_ci_low=rate.ci_low,
                    rate_ci_high=rate.ci_high,
                    breakdown=breakdown,
                    options=options,
                )
            )
    return results
