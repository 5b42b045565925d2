"""Relative likelihoods as a dot-and-interval chart, by group or by organisation.

Why this shape: a relative likelihood is only meaningful with its interval and its distance
from parity, so each point carries its 95% interval, a line marks 1 (equal likelihood) and the
0.80-1.25 non-adverse band is shaded. The scale is logarithmic so that 0.5 and 2 (half and
twice as likely) sit the same distance from 1. A ratio resting on too few people is drawn
hollow, and the legend and the text alternative say "too few to tell" rather than calling it
adverse. A suppressed figure (after the disclosure gate) is not drawn at all: its row says
"not shown", in the chart, its table and its text alternative.

The ratios are oriented as every equitrack ratio is (above 1 = the focus group fares worse):
for a harm (disciplinary) the focus group's rate over the reference group's, for a benefit
(appointment) the reference group's over the focus group's. The sentences follow the same
order, so "White staff were 1.60 times as likely as BME staff to be appointed".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import altair

from equitrack.measures.counting import REFERENCE
from equitrack.model import codes
from equitrack.stats.ratios import Orientation
from equitrack.stats.verdicts import PARITY_HIGH, PARITY_LOW, Verdict

from . import words
from .chart import Chart
from .palette import PALE_GREY, SECONDARY_TEXT, TEXT, group_order, group_scale
from .style import WIDTH, finish, titled
from .words import ENOUGH, TOO_FEW

if TYPE_CHECKING:
    from equitrack.measures.result import Result

By = Literal["group", "org"]

LOW, HIGH = float(PARITY_LOW), float(PARITY_HIGH)
TICKS = (0.1, 0.2, 0.25, 0.5, 0.8, 1, 1.25, 2, 4, 5, 10, 20, 50, 100)
ROW_HEIGHT = 34
#: A ring (a circle with a hole, opposite windings) for the hollow "too few to tell" points:
#: the shape channel has a legend, where an opacity channel on fill has none in Vega-Lite.
RING = (
    "M -1 0 A 1 1 0 1 0 1 0 A 1 1 0 1 0 -1 0 Z "
    "M -0.55 0 A 0.55 0.55 0 1 1 0.55 0 A 0.55 0.55 0 1 1 -0.55 0 Z"
)

#: How a verdict reads at the end of a sentence; "{focus}" is the focus group's staff.
VERDICT_WORDS = {
    Verdict.ADVERSE_SIGNIFICANT: "adverse and significant",
    Verdict.ADVERSE_NOT_SIGNIFICANT: "adverse but not significant",
    Verdict.NON_ADVERSE: "non-adverse (within 0.80 to 1.25)",
    Verdict.FAVOURABLE_SIGNIFICANT: "favourable to {focus} and significant",
    Verdict.FAVOURABLE_NOT_SIGNIFICANT: "favourable to {focus} but not significant",
    Verdict.TOO_FEW: "too few to tell",
    Verdict.UNDEFINED: "undefined",
    Verdict.HIGHER_SIGNIFICANT: "higher for {focus}, and significant",
    Verdict.HIGHER_NOT_SIGNIFICANT: "higher for {focus}, but not significant",
    Verdict.SIMILAR: "similar (within 0.80 to 1.25)",
    Verdict.LOWER_SIGNIFICANT: "lower for {focus}, and significant",
    Verdict.LOWER_NOT_SIGNIFICANT: "lower for {focus}, but not significant",
}


def ratio_chart(
    results: Sequence[Result],
    *,
    by: By = "group",
    outcome: str | None = None,
    orientation: Orientation | str | None = None,
    title: str | None = None,
) -> Chart:
    """Each compared group's (or organisation's) relative likelihood against the reference.

    ``results`` are one measure's results; reference rows (no ``reference_group``) and Unknown
    are left out, as they are from every comparison. With ``by="group"`` there must be one
    result per group (one organisation, year and breakdown); with ``by="org"`` one per
    organisation (one group). ``outcome`` finishes the sentence "Black staff were 1.62 times as
    likely as White staff ..." (for example "to enter the formal disciplinary process");
    without it the sentences name the ratio instead. ``orientation`` defaults to the measure's.
    """
    if by not in ("group", "org"):
        raise ValueError(f"by must be 'group' or 'org', not {by!r}")
    chosen = _compared(results)
    if not chosen:
        raise ValueError("no compared results to chart (no result has a reference group)")
    measures = {r.measure for r in chosen}
    if len(measures) > 1:
        raise ValueError(f"one measure per chart, got {', '.join(sorted(measures))}")
    measure = next(iter(measures))
    direction = _orientation(measure, orientation)
    labelled = {}
    for r in chosen:
        label = r.group if by == "group" else r.org
        if label in labelled:
            other = "organisation, year and breakdown" if by == "group" else "group"
            raise ValueError(f"more than one result for {label!r}: choose one {other} first")
        labelled[label] = r
    order = group_order(labelled) if by == "group" else sorted(labelled)
    rows = [labelled[label] for label in order]

    title = title or _title(measure, rows, by)
    table = [_table_row(r) for r in rows]
    alt_text = _alt(rows, by, direction, outcome)
    spec = _spec(rows, order, by, title, direction)
    return Chart(title=title, alt=alt_text, table=table, spec=spec)


# --- which results, and how they read ---------------------------------------------------------


def _compared(results: Sequence[Result]) -> list[Result]:
    # A suppressed row may have lost its reference group; the usual references stand in then.
    references = {r.reference_group for r in results if r.reference_group} or set(
        REFERENCE.values()
    )
    return [
        r
        for r in results
        if r.group != codes.UNKNOWN
        and (r.reference_group is not None or (r.suppressed and r.group not in references))
    ]


def _orientation(measure: str, given: Orientation | str | None) -> Orientation:
    if given is not None:
        return Orientation(given)
    from equitrack.measures.registry import MEASURES

    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}: pass orientation='harm' or 'benefit'")
    return MEASURES[measure].orientation


def _measure_title(measure: str) -> str:
    from equitrack.measures.registry import MEASURES

    found = MEASURES.get(measure)
    return found.title if found is not None else measure


def _title(measure: str, rows: list[Result], by: By) -> str:
    first = rows[0]
    where = (
        f"{words.staff(first.group)} against {words.staff(first.reference_group or codes.WHITE)}"
        if by == "org"
        else first.org
    )
    parts = [_measure_title(measure), where, words.period_label(first.period)]
    if first.breakdown:
        parts.insert(1, first.breakdown)
    return ", ".join(parts)


def status(r: Result) -> str:
    """What a reader is told about the figure: "not shown", "undefined", or its verdict."""
    if r.suppressed:
        return words.NOT_SHOWN
    if r.ratio is None:
        return str(Verdict.UNDEFINED)
    if r.too_few:
        return str(Verdict.TOO_FEW)
    return r.verdict or "no verdict"


def _drawn(r: Result) -> bool:
    return not r.suppressed and r.ratio is not None and r.ratio > 0


def _note(r: Result) -> str:
    """What stands in the chart where a figure cannot be drawn."""
    if not r.suppressed and r.ratio == 0:
        return "0 (off the log scale)"
    return status(r)


def _verdict_words(verdict: str, focus: str) -> str:
    try:
        template = VERDICT_WORDS[Verdict(verdict)]
    except ValueError:
        return verdict
    return template.format(focus=focus)


def describe(
    r: Result, orientation: Orientation, outcome: str | None = None, *, where: str | None = None
) -> str:
    """One sentence on one ratio: the comparison, its interval and its verdict, in words.

    ``where`` ("RWE") starts the sentence with "In RWE, " when organisations are compared.
    """
    clause = _clause(r, orientation, outcome)
    return words.sentence(f"in {where}, {clause}" if where else clause)


def _clause(r: Result, orientation: Orientation, outcome: str | None) -> str:
    focus = words.staff(r.group)
    reference = words.staff(r.reference_group or "the reference group")
    if r.suppressed:
        return f"the figure for {focus} is {words.NOT_SHOWN}: too few to show"
    if r.ratio is None:
        return (
            f"the relative likelihood for {focus} against {reference} is undefined: "
            "it cannot be calculated from these counts"
        )
    first, second = (focus, reference) if orientation.focus_over_reference else (reference, focus)
    value = words.ratio(r.ratio)
    if outcome:
        claim = f"{first} were {value} times as likely as {second} {outcome.strip()}"
    else:
        claim = f"for {first} compared with {second}, the relative likelihood was {value}"
    claim += f" (95% interval {words.interval(r.ratio_ci_low, r.ratio_ci_high)})"
    if r.too_few:
        return (
            f"{claim}, but there are too few to tell: fewer than 10 events or 30 people in a group"
        )
    verdict = r.verdict or "no verdict"
    text = f"{claim}: {_verdict_words(verdict, focus)}"
    if r.verdict_adjusted and r.verdict_adjusted != r.verdict:
        text += (
            "; after allowing for the number of comparisons, "
            f"{_verdict_words(r.verdict_adjusted, focus)}"
        )
    return text


def _alt(rows: list[Result], by: By, orientation: Orientation, outcome: str | None) -> str:
    return " ".join(
        describe(r, orientation, outcome, where=r.org if by == "org" else None) for r in rows
    )


def _table_row(r: Result) -> dict[str, Any]:
    hidden = r.suppressed
    return {
        "Organisation": r.org,
        "Year": words.period_label(r.period),
        "Breakdown": r.breakdown,
        "Group": r.group,
        "Compared with": r.reference_group,
        "Events": None if hidden else r.numerator,
        "People": None if hidden else r.denominator,
        "Rate": None if hidden else r.rate,
        "Relative likelihood": None if hidden else r.ratio,
        "95% interval from": None if hidden else r.ratio_ci_low,
        "95% interval to": None if hidden else r.ratio_ci_high,
        "Verdict": status(r),
        "Verdict after many comparisons": None if hidden else r.verdict_adjusted,
        "Too few to tell": None if hidden else r.too_few,
        "Shown": not hidden,
    }


# --- the picture ------------------------------------------------------------------------------


def _domain(rows: list[Result]) -> tuple[float, float]:
    values = [LOW, HIGH, 0.5, 2.0]
    for r in rows:
        if _drawn(r):
            values += [
                v for v in (r.ratio, r.ratio_ci_low, r.ratio_ci_high) if v and math.isfinite(v)
            ]
    return min(values) / 1.15, max(values) * 1.15


def _spec(rows: list[Result], order: list[str], by: By, title: str, direction: Orientation) -> Any:
    lo, hi = _domain(rows)
    data = []
    for r, label in zip(rows, order, strict=True):
        drawn = _drawn(r)
        low = r.ratio_ci_low if r.ratio_ci_low and r.ratio_ci_low > 0 else lo
        high = hi if r.ratio_ci_high is None else r.ratio_ci_high
        data.append(
            {
                "label": label,
                "group": r.group,
                "ratio": r.ratio if drawn else None,
                "low": max(low, lo) if drawn else None,
                "high": min(high, hi) if drawn else None,
                "reading": (TOO_FEW if r.too_few else ENOUGH) if drawn else None,
                "note": None if drawn else _note(r),
                "ratio_text": words.ratio(r.ratio) if drawn else status(r),
                "interval_text": words.interval(r.ratio_ci_low, r.ratio_ci_high) if drawn else "",
                "verdict": status(r),
            }
        )
    values = altair.Data(values=data)
    axis_title = "Group" if by == "group" else "Organisation"
    y = altair.Y("label:N", sort=order, title=axis_title, axis=altair.Axis(labelLimit=200))
    x_scale = altair.Scale(type="log", domain=[lo, hi], nice=False)
    ticks = [t for t in TICKS if lo <= t <= hi]
    x_axis = altair.Axis(values=ticks, format=".2~f", grid=False)
    named = "the group named" if by == "group" else words.staff(rows[0].group)
    if direction is Orientation.NEUTRAL:  # neither a harm nor a benefit: no "worse"
        x_title = f"Relative likelihood (log scale; above 1: more likely for {named})"
    else:
        x_title = f"Relative likelihood (log scale; above 1: worse for {named})"
    domain, colours = group_scale(r.group for r in rows)
    colour = altair.Scale(domain=domain, range=colours)
    height = max(ROW_HEIGHT * len(rows), 80)

    band = (
        altair.Chart(altair.Data(values=[{"from": LOW, "to": HIGH}]))
        .mark_rect(color=PALE_GREY)
        .encode(x=altair.X("from:Q", scale=x_scale, axis=x_axis, title=x_title), x2="to:Q")
    )
    parity = (
        altair.Chart(altair.Data(values=[{"at": 1.0}]))
        .mark_rule(color=TEXT, strokeWidth=1.5)
        .encode(x=altair.X("at:Q", scale=x_scale, title=x_title))
    )
    base = altair.Chart()  # the rows are the layer's data, shared by bars, points and notes
    shown = base.transform_filter("datum.ratio != null")
    bars = shown.mark_rule(strokeWidth=2).encode(
        y=y,
        x=altair.X("low:Q", scale=x_scale, title=x_title),
        x2="high:Q",
        color=altair.Color("group:N", scale=colour, legend=None),
    )
    tooltip = [
        altair.Tooltip("label:N", title=axis_title),
        altair.Tooltip("ratio_text:N", title="Relative likelihood"),
        altair.Tooltip("interval_text:N", title="95% interval"),
        altair.Tooltip("verdict:N", title="Verdict"),
    ]
    points = shown.mark_point(size=130, filled=True, opacity=1).encode(
        y=y,
        x=altair.X("ratio:Q", scale=x_scale, title=x_title),
        fill=altair.Fill("group:N", scale=colour, legend=None),
        shape=altair.Shape(
            "reading:N",
            scale=altair.Scale(domain=[ENOUGH, TOO_FEW], range=["circle", RING]),
            legend=altair.Legend(title=None, symbolFillColor=TEXT, symbolSize=130),
        ),
        tooltip=tooltip,
    )
    notes = (
        base.transform_filter("datum.note != null")
        .mark_text(align="left", baseline="middle", dx=4, color=SECONDARY_TEXT, fontStyle="italic")
        .encode(y=y, x=altair.XDatum(lo, scale=x_scale, title=x_title), text="note:N")
    )
    layered = altair.layer(band, parity, bars, points, notes, data=values).properties(
        width=WIDTH, height=height
    )
    similar = "similar" if direction is Orientation.NEUTRAL else "non-adverse"
    subtitle = f"Shaded: 0.80 to 1.25, {similar}. Lines: 95% intervals."
    return finish(titled(layered, title, subtitle))
