"""One measure's evidence as report blocks: sentences, a chart and the table behind them.

Shared by every kind of report, so a measure reads the same in the scrutiny update, a WRES
report and the system view.
"""

from __future__ import annotations

from collections.abc import Sequence

from equitrack.charts import Chart, ratio_chart, representation_chart
from equitrack.measures.covered import is_no_data
from equitrack.measures.declare import Kind
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result
from equitrack.model import codes
from equitrack.reports.content import Block, Figures, Paragraph, Picture
from equitrack.reports.narrative import describe, trend_sentence

FOCUS_FIRST = ("Black", "BME", "Asian", "Mixed", "Other", "Disabled")
MOST_SENTENCES = 4


def _focus(results: Sequence[Result]) -> list[Result]:
    """The comparisons worth a sentence, the review's focus (Black staff) first."""
    compared = [r for r in results if r.reference_group]
    return sorted(
        compared,
        key=lambda r: (
            FOCUS_FIRST.index(r.group) if r.group in FOCUS_FIRST else 99,
            r.breakdown or "",
        ),
    )


def chart_for(measure_id: str, results: Sequence[Result]) -> Chart | None:
    """The chart a measure's kind calls for, when it has something to draw (reports and the
    dashboard draw the same)."""
    kind = MEASURES[measure_id].kind
    try:
        if kind is Kind.COMPARISON:
            cells = [r for r in results if r.breakdown is None and r.reference_group]
            if len({r.org for r in cells}) == 1 and cells:
                return ratio_chart([r for r in results if r.breakdown is None])
        if kind is Kind.REPRESENTATION and any(" | " in (r.breakdown or "") for r in results):
            return representation_chart(results)
    except ValueError:
        return None  # a shape the chart does not take (several cells): the table says it all
    return None


def _same_figure(r: Result) -> tuple[str, str, str | None, str]:
    return (r.org, r.group, r.breakdown, r.group_type)


def sentences(results: Sequence[Result], year: int) -> list[str]:
    """What is said of one measure's figures, in reports and on the dashboard alike: the
    review's focus (Black staff) first, up to `MOST_SENTENCES` comparisons this year, each
    followed by its trend where last year has the same figure; with nothing compared, the
    first two groups' figures."""
    now = [r for r in results if r.period == year]
    before: dict[tuple[str, str, str | None, str], Result] = {}
    for p in results:
        if p.period == year - 1:
            before.setdefault(_same_figure(p), p)
    out: list[str] = []
    said = _focus(now)[:MOST_SENTENCES]
    for r in said:
        out.append(describe(r))
        previous = before.get(_same_figure(r))
        if previous is not None:
            out.append(trend_sentence(previous, r))
    if not said:
        out += [describe(r) for r in [r for r in now if r.group != codes.UNKNOWN][:2]]
    return out


def blocks(
    measure_id: str, results: Sequence[Result], year: int, *, last_year_too: bool = False
) -> list[Block]:
    """Sentences on this year's figures, the trend since last year, a chart and the table
    (with last year's rows beside this year's when `last_year_too`)."""
    m = MEASURES[measure_id]
    missing = [r for r in results if r.period == year and is_no_data(r)]
    results = [r for r in results if not is_no_data(r)]
    now = [r for r in results if r.period == year]
    if not now:
        why = "; ".join(dict.fromkeys(f"{r.org}: {r.reason}" for r in missing))
        return [
            Paragraph(
                f"No data is loaded for this measure ({m.title.lower()}) in this year"
                + (f" ({why})." if why else ".")
            )
        ]
    out: list[Block] = [Paragraph(text) for text in sentences(results, year)]
    chart = chart_for(measure_id, now)
    if chart is not None:
        out.append(Picture(chart))
    table = [r for r in results if r.period in (year - 1, year)] if last_year_too else now
    out.append(Figures(m.title, tuple(sorted(table, key=lambda r: -r.period))))
    out += [Paragraph(f"No data for {r.org}: {r.reason}.") for r in missing]
    return out
