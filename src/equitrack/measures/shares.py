"""Share measures: a proportion of things that are not people, with no groups to compare.

Some questions the review asks are about records rather than staff: what share of interview
panels had an ethnic-minority member? A vacancy has no ethnicity, so these measures return one
row per organisation, year and breakdown cell with `group_type` "all" and `group` "All" (the
label the survey table uses for whole-organisation results), whatever `--by` asks for.

The population may carry a boolean `counted` column: rows where it is false (a vacancy with no
panel recorded) are left out of the denominator and counted in `excluded` instead, so nothing
is dropped silently. The event must be a subset of the counted rows. Where the measure has a
breakdown, an `All` cell (reported with no breakdown) totals every cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from equitrack.measures.counting import ALL, once_for_every_grouping
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.result import Result, rated

GROUP_TYPE = "all"

Cell = tuple[int, str, str]  # period, unit, breakdown


def _count(
    frame: Frame, table: ir.Table, breakdown: Callable[[ir.Table], ir.StringValue] | None
) -> dict[Cell, tuple[int, int]]:
    """Rows counted and rows left out, per period, unit and breakdown cell (with the total):
    the same whichever grouping asks for it (`once_for_every_grouping`)."""
    cell = breakdown(table) if breakdown else ibis.literal(ALL)
    counted = table.counted.fill_null(False) if "counted" in table.columns else ibis.literal(True)
    shaped = table.mutate(_breakdown=cell.cast("string"), _counted=ibis.ifelse(counted, 1, 0))
    rows = frame.shared.fetched(
        shaped.group_by(["period", "unit", "_breakdown"]).aggregate(
            n=shaped.count(), kept=shaped._counted.sum()
        )
    ).to_pylist()
    out: dict[Cell, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        kept, n = int(row["kept"] or 0), int(row["n"])
        cells = {row["_breakdown"], ALL}
        for c in cells:
            out[(int(row["period"]), row["unit"], c)][0] += kept
            out[(int(row["period"]), row["unit"], c)][1] += n - kept
    return {k: (v[0], v[1]) for k, v in out.items()}


def evaluate_share(
    frame: Frame, measure: Measure, by: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    assert measure.event is not None
    event = measure.event
    members, events = once_for_every_grouping(
        frame, measure.id, lambda: (
            _count(frame, measure.population(frame), measure.breakdown),
            _count(frame, event(frame), measure.breakdown),
        ),
    )  # fmt: skip
    cells = sorted({(u, b) for (_, u, b) in members} | {(u, b) for (_, u, b) in events})
    results = []
    for period in years:
        spanned = [period - k for k in range(window)]
        for unit, breakdown in cells:
            counted = [members.get((y, unit, breakdown)) for y in spanned]
            if not any(counted):
                continue
            den = sum(c[0] for c in counted if c)
            excluded = sum(c[1] for c in counted if c)
            num = sum(events.get((y, unit, breakdown), (0, 0))[0] for y in spanned)
            results.append(
                rated(
                    num,
                    den,
                    measure=measure.id,
                    org=unit,
                    period=period,
                    group_type=GROUP_TYPE,
                    group=ALL,
                    breakdown=None if breakdown == ALL else breakdown,
                    excluded=excluded,
                    options=options,
                )
            )
    return results
