"""Representation measures: each group's share of every breakdown cell, with subtotals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from equitrack.measures.counting import ALL, Key, count_once, counted, group_type, ordered
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.result import Result, rated


def evaluate_representation(
    frame: Frame, measure: Measure, by: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    attribute = measure.attribute
    members = count_once(
        frame, measure.id, attribute, by,
        lambda: counted(
            frame, measure.population(frame), attribute, measure.breakdown, measure.population
        ),
    )  # fmt: skip
    gtype = group_type(measure.attribute, by)
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
            results.append(
                rated(
                    n,
                    cell_total,
                    measure=measure.id,
                    org=unit,
                    period=period,
                    group_type=gtype,
                    group=g,
                    breakdown=breakdown,
                    options=options,
                )
            )
    return results
