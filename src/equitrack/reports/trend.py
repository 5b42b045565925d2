"""A WRES indicator's headline figure for every year loaded, BME and each broad group beside it.

Why a table of its own: the indicator's figures table gives this year and last in full; a
reader asking "is it getting better?" needs every year at once, and the review's focus (Black
staff) can be hidden inside BME. Survey indicators name each column by the survey it comes
from ("NHS Staff Survey 2025"), not the reporting year it is reported in.
"""

from __future__ import annotations

from collections.abc import Sequence

from equitrack.measures.calendar import label, survey_label
from equitrack.measures.declare import Kind, Measure
from equitrack.measures.result import Result
from equitrack.model import codes
from equitrack.reports.cells import NONE, cell
from equitrack.reports.content import Rows

#: BME first, then the broad groups within it, then the reference group.
GROUPS = (codes.BME, "Black", "Asian", "Mixed", "Other", codes.WHITE)
#: The cell that stands for the whole indicator (no breakdown, or its "All").
HEADLINE_CELLS = (None, "All")


def column(m: Measure, period: int) -> str:
    return survey_label(period) if m.kind is Kind.SURVEY else label(period)


def figure(m: Measure, r: Result) -> str:
    """The indicator's figure for one group and year: the rate (with the relative likelihood
    for a comparison, or the gap against the workforce in points for a board gap)."""
    rate = cell(r, "rate")
    if m.kind is Kind.COMPARISON and r.reference_group:
        return f"{rate} ({cell(r, 'ratio')})"
    if m.kind in (Kind.GAP, Kind.PARITY_GAP) and r.difference is not None:
        return f"{rate} ({cell(r, 'difference')} points)"
    return rate


def headline_results(m: Measure, results: Sequence[Result]) -> list[Result]:
    """The whole-indicator results of the groups followed, one grouping each (White from the
    WRES grouping)."""
    return [
        r
        for r in results
        if r.measure == m.id
        and r.breakdown in HEADLINE_CELLS
        and r.group in GROUPS
        and (r.group_type == "wres") == (r.group in (codes.BME, codes.WHITE))
    ]


def trend_table(m: Measure, results: Sequence[Result], years: Sequence[int]) -> Rows | None:
    """Groups down, every year with a figure across; None when no year has one."""
    mine = {(r.group, r.period): r for r in headline_results(m, results)}
    shown_years = [y for y in years if any(p == y for _, p in mine)]
    if not shown_years:
        return None
    rows = tuple(
        (group, *(figure(m, mine[(group, y)]) if (group, y) in mine else NONE for y in shown_years))
        for group in GROUPS
        if any((group, y) in mine for y in shown_years)
    )
    what = {
        Kind.COMPARISON: "rate (relative likelihood)",
        Kind.GAP: "share (gap against staff in post)",
        Kind.PARITY_GAP: "share (gap against staff in post)",
    }.get(m.kind, "share")
    return Rows(
        f"{m.id.upper()} every year loaded: each group's {what}",
        ("Group", *(column(m, y) for y in shown_years)),
        rows,
    )
