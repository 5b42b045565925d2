"""Measure results as the inputs of change-over-time and between-organisation charts.

A series of one group's rate in one unit, yearly or monthly (`interval=month`), becomes a
p-chart (its denominators change from period to period); one reporting year's relative likelihoods across organisations become a
funnel plot against the pooled ratio. The charts themselves are pure statistics
(:mod:`equitrack.stats.spc`, :mod:`equitrack.stats.funnel`); this module only picks the counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from equitrack.measures.calendar import label
from equitrack.measures.declare import Measure
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result
from equitrack.stats import Orientation
from equitrack.stats.funnel import FunnelResult, funnel_relative_likelihoods
from equitrack.stats.spc import ImprovementDirection, SpcChart, p_chart


def improvement(measure: Measure) -> ImprovementDirection:
    """A benefit (appointment, training) improves as it rises; a harm (disciplinary) as it falls;
    a neutral measure (route of entry) neither improves nor worsens."""
    return {
        Orientation.BENEFIT: ImprovementDirection.INCREASE,
        Orientation.HARM: ImprovementDirection.DECREASE,
        Orientation.NEUTRAL: ImprovementDirection.NEUTRAL,
    }[measure.orientation]


def _chosen(results: Sequence[Result], measure_id: str, breakdown: str | None) -> list[Result]:
    return [r for r in results if r.measure == measure_id and r.breakdown == breakdown]


def series_chart(
    results: Sequence[Result],
    measure_id: str,
    unit: str,
    group: str,
    *,
    breakdown: str | None = None,
) -> SpcChart:
    """A p-chart of one group's rate in one unit, a point for each period measured, labelled
    as people write it (2025/26, Apr 2025).

    Fewer than 13 points give trial limits, and the chart says so. A period whose events
    outnumber its members has no rate, so it is a gap in the line.
    """
    rows = sorted(
        (r for r in _chosen(results, measure_id, breakdown) if r.org == unit and r.group == group),
        key=lambda r: r.period,
    )
    return p_chart(
        [
            (label(r.period), None, None)
            if r.outnumbered
            else (label(r.period), r.numerator, r.denominator)
            for r in rows
        ],
        improvement_direction=improvement(MEASURES[measure_id]),
    )


def funnel(
    results: Sequence[Result],
    measure_id: str,
    year: int,
    group: str,
    *,
    breakdown: str | None = None,
    reference: str = "White",
) -> FunnelResult:
    """Every organisation's relative likelihood for `group` in `year`, against the pooled one."""
    rows = [r for r in _chosen(results, measure_id, breakdown) if r.period == year]
    focus = {r.org: r for r in rows if r.group == group}
    ref = {r.org: r for r in rows if r.group == reference}
    units = sorted(
        u for u in set(focus) & set(ref) if not (focus[u].outnumbered or ref[u].outnumbered)
    )
    return funnel_relative_likelihoods(
        units,
        [focus[u].numerator for u in units],
        [focus[u].denominator for u in units],
        [ref[u].numerator for u in units],
        [ref[u].denominator for u in units],
        orientation=MEASURES[measure_id].orientation,
    )
