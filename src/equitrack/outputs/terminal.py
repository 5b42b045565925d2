"""Measure results as tables an EDI lead can read: verdicts in words, counts beside every ratio."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from equitrack.measures import MEASURES, Result, calendar
from equitrack.measures.counting import ordered
from equitrack.measures.covered import is_no_data
from equitrack.measures.declare import Kind
from equitrack.measures.survey import FEWEST_RESPONDENTS
from equitrack.stats import format_interval, format_points, format_ratio, format_share

VERDICT_STYLE = {
    "adverse, significant": "bold red",
    "adverse, not significant": "red",
    "non-adverse": "green",
    "favourable, significant": "bold blue",
    "favourable, not significant": "blue",
    "too few to tell": "dim",
    "undefined": "dim",
    "higher, significant": "bold",
    "higher, not significant": "default",
    "similar": "default",
    "lower, significant": "bold",
    "lower, not significant": "default",
}
REFERENCES = ("White", "Not disabled")
SUMMARY_CELLS = ("All", "Non-clinical | All", "Clinical | All", "Bank", "Substantive")


period_label = calendar.label


def _share(n: int | None, d: int | None) -> str:
    """Counts and their rate; counts alone where events outnumber the population."""
    if n is None or d is None or (not d and not n):
        return "–"
    return f"{n:,} / {d:,}" + (f" ({format_share(n / d)})" if n <= d else "")


def _verdict(r: Result) -> Text:
    text = Text(r.verdict or "", style=VERDICT_STYLE.get(r.verdict or "", ""))
    if r.verdict_adjusted and r.verdict_adjusted != r.verdict:
        text.append(f" (after allowing for many comparisons: {r.verdict_adjusted})", style="dim")
    return text


def _title(measure_id: str, results: list[Result]) -> str:
    m = MEASURES[measure_id]
    years = sorted({r.period for r in results})
    span = (
        f"{period_label(years[0])} to {period_label(years[-1])}"
        if len(years) > 2
        else ", ".join(period_label(y) for y in years)
    )
    return f"{m.id.upper()} · {m.title} · {span}"


def _no_verdict(r: Result, notes: list[str]) -> str:
    """A row without a verdict: the reference, or a mark for the note below the table saying
    why it was not compared (notes are long, and a narrow terminal would squeeze the counts)."""
    if r.group in REFERENCES and not (r.reference_group and r.reason):
        return "reference"
    if not r.reason:
        return ""
    if r.reason not in notes:
        notes.append(r.reason)
    return f"not compared ({notes.index(r.reason) + 1})"


def comparison_table(measure_id: str, results: list[Result]) -> Table:
    t = Table(title=_title(measure_id, results), title_justify="left", caption_justify="left")
    series = len({r.period for r in results}) > 1
    if series:
        t.add_column("period")
    for name, justify in (
        ("org", "left"),
        ("group", "left"),
        ("n / N (rate)", "right"),
        ("ratio", "right"),
        ("95% CI", "right"),
        ("verdict", "left"),
    ):
        t.add_column(name, justify=justify, no_wrap=name in ("verdict", "ratio"))  # type: ignore[arg-type]
    notes: list[str] = []
    for r in results:
        ratio = "–" if r.ratio is None else format_ratio(r.ratio)
        interval = (
            "–" if r.ratio_ci_low is None else format_interval(r.ratio_ci_low, r.ratio_ci_high)
        )
        t.add_row(
            *([period_label(r.period)] if series else []),
            r.org + (f" ({r.breakdown})" if r.breakdown else ""),
            r.group,
            _share(r.numerator, r.denominator),
            ratio,
            interval,
            _verdict(r) if r.verdict else Text(_no_verdict(r, notes), style="dim"),
        )
    reference = next((r.reference_group for r in results if r.reference_group), "White")
    t.caption = "\n".join(
        [
            f"Ratio (relative likelihood) above 1: the group fares worse than {reference} staff.",
            *(f"({i}) {note}." for i, note in enumerate(notes, 1)),
        ]
    )
    return t


def representation_table(measure_id: str, results: list[Result]) -> Table:
    t = Table(title=_title(measure_id, results), title_justify="left", caption_justify="left")
    groups = ordered({r.group for r in results})
    t.add_column("org")
    t.add_column("staff")
    for g in groups:
        t.add_column(g, justify="right")
    cells: dict[tuple[str, str], dict[str, Result]] = defaultdict(dict)
    for r in results:
        if r.breakdown in SUMMARY_CELLS:
            cells[(r.org, r.breakdown)][r.group] = r
    for (org, cell), by_group in sorted(cells.items()):
        t.add_row(
            org,
            cell,
            *(
                _share(by_group[g].numerator, by_group[g].denominator) if g in by_group else "–"
                for g in groups
            ),
        )
    t.caption = "Totals shown; every band is in --format csv, json or xlsx."
    return t


def survey_table(measure_id: str, results: list[Result]) -> Table:
    t = Table(title=_title(measure_id, results), title_justify="left", caption_justify="left")
    for name in ("organisation", "group", "said yes / responded", "difference", "verdict"):
        t.add_column(
            name, justify="right" if name in ("said yes / responded", "difference") else "left"
        )
    for r in results:
        few = (r.denominator or 0) < FEWEST_RESPONDENTS
        shown = (
            f"fewer than {FEWEST_RESPONDENTS} respondents"
            if few
            else _share(r.numerator, r.denominator)
        )
        diff = "–" if r.difference is None else f"{format_points(r.difference)} points"
        t.add_row(r.org, r.group, shown, diff, _verdict(r))
    reference = next((r.reference_group for r in results if r.reference_group), "the reference")
    t.caption = (
        f"Difference: the group's share minus {reference} staff's, in percentage points; the "
        "verdict compares the two shares as a ratio, as for the other indicators."
    )
    return t


def gap_table(measure_id: str, results: list[Result]) -> Table:
    t = Table(title=_title(measure_id, results), title_justify="left", caption_justify="left")
    for name in ("organisation", "seats", "group", "share of board", "workforce", "gap"):
        t.add_column(name, justify="right" if name in ("share of board", "gap") else "left")
    for r in results:
        gap = "–" if r.difference is None else f"{format_points(r.difference)} points"
        t.add_row(
            r.org,
            r.breakdown or "",
            r.group,
            _share(r.numerator, r.denominator),
            r.reason or "",
            gap,
        )
    t.caption = "Gap = the group's share of the board minus its share of the workforce."
    return t


def pay_gap_table(measure_id: str, rows: list[Result]) -> Table:
    """Imported late: the pay-gap renderer is its own module."""
    from equitrack.outputs.pay_gap import results_table

    return results_table(measure_id, rows)


RENDERERS = {
    Kind.COMPARISON: comparison_table,
    Kind.REPRESENTATION: representation_table,
    Kind.SURVEY: survey_table,
    Kind.GAP: gap_table,
    Kind.PARITY_GAP: gap_table,
    Kind.SHARE: comparison_table,
    Kind.CATEGORIES: comparison_table,
    Kind.PAY_GAP: pay_gap_table,
}


def no_data_line(r: Result) -> Text:
    """A measure, organisation and period the store has no data for, and why, on one line."""
    m = MEASURES[r.measure]
    return Text(f"{m.id.upper()} · {m.title} · {period_label(r.period)} · {r.org}: {r.reason}")


def render(results: Iterable[Result]) -> Group:
    by_measure: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_measure[r.measure].append(r)
    tables: list[Table | Text] = []
    for measure_id, rows in by_measure.items():
        figures = [r for r in rows if not is_no_data(r)]
        if figures:
            tables.append(RENDERERS[MEASURES[measure_id].kind](measure_id, figures))
        tables += [no_data_line(r) for r in rows if is_no_data(r)]
    return (
        Group(*tables) if tables else Group(Text("No results: is anything loaded for that year?"))
    )


def show(results: Iterable[Result], console: Console) -> None:
    console.print(render(results))
