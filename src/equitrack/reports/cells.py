"""How a figure is written in a report's tables: one place, so HTML, PDF and xlsx agree."""

from __future__ import annotations

from equitrack.charts.words import category
from equitrack.measures import calendar
from equitrack.measures.result import Result
from equitrack.stats import format_interval, format_points, format_ratio, format_share

SUPPRESSED = "*"
NONE = "–"

#: The columns of a figures table, and the Result field each shows.
COLUMNS = (
    ("Organisation", "org"),
    ("Year", "period"),
    ("Group", "group"),
    ("Cell", "breakdown"),
    ("Count", "numerator"),
    ("Of", "denominator"),
    ("Rate", "rate"),
    ("Relative likelihood", "ratio"),
    ("95% interval", "ratio_ci"),
    ("Difference (points)", "difference"),
    ("Verdict", "verdict"),
)


def count(value: int | None, suppressed: bool) -> str:
    if value is None:
        return SUPPRESSED if suppressed else NONE
    return f"{value:,}"


def cell(r: Result, field: str, names: dict[str, str] | None = None) -> str:
    """A result's field as the table shows it."""
    if field == "org":
        return (names or {}).get(r.org, r.org)
    if field == "period":
        return calendar.label(r.period)
    if field == "group":
        return r.group
    if field == "breakdown":  # "Bank | Racist abuse", never a code such as racist_abuse
        return " | ".join(category(part) for part in (r.breakdown or "").split(" | ") if part)
    if field in ("numerator", "denominator"):
        return count(getattr(r, field), r.suppressed)
    if field == "rate":
        return NONE if r.rate is None else format_share(r.rate)
    if field == "ratio":
        if r.reference_group is None:
            return "reference" if r.group == "White" else ""
        return NONE if r.ratio is None else format_ratio(r.ratio)
    if field == "ratio_ci":
        if r.ratio_ci_low is None:
            return NONE if r.reference_group else ""
        return format_interval(r.ratio_ci_low, r.ratio_ci_high)
    if field == "difference":
        return "" if r.difference is None else format_points(r.difference)
    if field == "verdict":
        verdict = r.verdict or (r.reason if r.reference_group else "") or ""
        if r.verdict_adjusted and r.verdict_adjusted != r.verdict:
            verdict += f" (allowing for many comparisons: {r.verdict_adjusted})"
        return verdict
    raise KeyError(field)


def used_columns(results: tuple[Result, ...]) -> list[tuple[str, str]]:
    """The columns a table needs: no empty Cell, Difference or ratio columns."""

    def empty(field: str) -> bool:
        return all(cell(r, field) in ("", NONE) for r in results)

    periods = {r.period for r in results}
    units = {r.org for r in results}
    return [
        (name, field)
        for name, field in COLUMNS
        if not (field == "period" and len(periods) == 1)
        and not (field == "org" and len(units) == 1)
        and not (
            field in ("breakdown", "difference", "ratio", "ratio_ci", "verdict") and empty(field)
        )
    ]
