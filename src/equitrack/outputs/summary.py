"""A one-screen WRES summary: each organisation and the system, one row each."""

from __future__ import annotations

from collections import defaultdict

from rich.table import Table
from rich.text import Text

from equitrack.measures import Result
from equitrack.model import codes
from equitrack.outputs.terminal import VERDICT_STYLE, period_label
from equitrack.stats import format_points, format_ratio, format_share


def senior_share(rows: list[Result]) -> tuple[int, int]:
    """BME headcount and all headcount at Band 8a and above (clinical and non-clinical)."""
    bme = total = 0
    for r in rows:
        band = (r.breakdown or "").split(" | ")[-1]
        if r.measure == "wres1" and band in codes.AFC_BANDS and codes.is_senior(band):
            total += r.numerator or 0
            bme += (r.numerator or 0) if r.group == codes.BME else 0
    return bme, total


def _ratio_cell(rows: list[Result], measure: str) -> Text:
    r = next((x for x in rows if x.measure == measure and x.group == codes.BME), None)
    if r is None or r.verdict is None:
        return Text("–", style="dim")
    ratio = "–" if r.ratio is None else format_ratio(r.ratio)
    return Text(f"{ratio}\n{r.verdict}", style=VERDICT_STYLE.get(r.verdict, ""))


def _cells(rows: list[Result]) -> list[Text | str]:
    whole = next(
        (r for r in rows if r.measure == "wres1" and r.breakdown == "All" and r.group == codes.BME),
        None,
    )
    bme, total = senior_share(rows)
    survey = next((r for r in rows if r.measure == "wres8" and r.group == codes.BME), None)
    gap = next(
        (
            r
            for r in rows
            if r.measure == "wres9" and r.breakdown == "Voting" and r.group == codes.BME
        ),
        None,
    )
    return [
        format_share(whole.rate) if whole and whole.rate is not None else "–",
        format_share(bme / total) if total else "–",
        _ratio_cell(rows, "wres2"),
        _ratio_cell(rows, "wres3"),
        _ratio_cell(rows, "wres4"),
        format_share(survey.rate)
        if survey and survey.rate is not None and not survey.too_few
        else "–",
        f"{format_points(gap.difference)} points" if gap and gap.difference is not None else "–",
    ]


ROWS = (
    "1 BME share of staff",
    "1 BME share at Band 8a+",
    "2 Appointment from shortlisting",
    "3 Formal disciplinary",
    "4 Non-mandatory training",
    "8 BME staff reporting discrimination (survey)",
    "9 Voting board minus workforce",
)


def summary_table(results: list[Result], year: int) -> Table:
    """Indicators down the side, one column per organisation and the system."""
    by_unit: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        if r.period == year:
            by_unit[r.org].append(r)
    units = sorted(by_unit, key=lambda u: (u.startswith("system:"), u))
    t = Table(
        title=f"WRES summary {period_label(year)}: BME staff compared with White staff",
        title_justify="left",
        caption_justify="left",
    )
    t.add_column("indicator", overflow="fold")
    for unit in units:
        t.add_column(unit, justify="right", overflow="fold")
    columns = [_cells(by_unit[u]) for u in units]
    for i, label in enumerate(ROWS):
        t.add_row(label, *(column[i] for column in columns))
    t.caption = "Relative likelihoods (2-4) above 1 mean BME staff fare worse."
    return t
