"""Statistical process control charts drawn the Making Data Count way.

Why MDC's look: NHS boards read these charts every month and know its conventions — points
grey for common cause variation, blue for special-cause improvement, orange for concern,
purple where neither direction is better; a solid mean line; dashed process limits; a red
target. Reusing them means no one has to learn a new chart. The statistics (limits, rules,
classifications, icons) come from :mod:`equitrack.stats.spc`; this module only draws them and
says in words what they show. A p-chart's limits vary with each period's denominator and are
drawn as they are; fewer than 13 points give trial limits, labelled on the chart and in the
text. A period with no value (not shown after the disclosure gate, or not measured) is a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any

import altair

from equitrack.measures import calendar
from equitrack.stats.spc import (
    AssuranceIcon,
    ChartType,
    PointType,
    Side,
    SpcChart,
    SpcPoint,
    VariationIcon,
)
from equitrack.stats.spc_rules import SpecialCauseRule

from . import words
from .chart import Chart
from .palette import COMMON_CAUSE_COLOUR, MDC_COLOURS, MDC_LABELS, MDC_TARGET, TEXT
from .style import WIDTH, finish, titled

if TYPE_CHECKING:
    from equitrack.measures.result import Result

HEIGHT = 260
LIMIT_LABELS = ("Lower process limit", "Upper process limit")

#: What each kind of special cause is called in a sentence.
KIND_WORDS = {
    PointType.IMPROVEMENT: "improvement",
    PointType.CONCERN: "concern",
    PointType.NEUTRAL_HIGH: "neither better nor worse",
    PointType.NEUTRAL_LOW: "neither better nor worse",
}

VARIATION_WORDS = {
    VariationIcon.COMMON_CAUSE: "common cause variation",
    VariationIcon.IMPROVEMENT_HIGH: "special-cause improvement (high)",
    VariationIcon.IMPROVEMENT_LOW: "special-cause improvement (low)",
    VariationIcon.CONCERN_HIGH: "special-cause concern (high)",
    VariationIcon.CONCERN_LOW: "special-cause concern (low)",
    VariationIcon.NEUTRAL_HIGH: "special-cause variation, neither better nor worse (high)",
    VariationIcon.NEUTRAL_LOW: "special-cause variation, neither better nor worse (low)",
}

ASSURANCE_WORDS = {
    AssuranceIcon.PASS: "the target will be met consistently",
    AssuranceIcon.FAIL: "the target will not be met without a change to the process",
    AssuranceIcon.HIT_AND_MISS: "the target may or may not be met (it lies within the limits)",
}


def spc_chart(
    chart: SpcChart,
    *,
    title: str,
    value_label: str,
    period_label: str = "Year",
    percent: bool | None = None,
    places: int = 2,
) -> Chart:
    """An MDC chart of ``chart`` (from :func:`~equitrack.stats.spc.p_chart` or ``xmr_chart``).

    ``value_label`` names the values on the vertical axis ("Rate of entering the formal
    disciplinary process"); ``period_label`` the horizontal one. Values are percentages when
    ``percent`` (by default for a p-chart), otherwise numbers to ``places`` decimal places.
    Integer periods are reporting years (2026 shows as 2025/26) or months (202504 as Apr 2025).
    """
    percent = chart.chart is ChartType.P if percent is None else percent

    def show(value: float | None) -> str:
        if value is None:
            return words.NOT_SHOWN
        return words.share(value) if percent else words.number(value, places)

    labels = [words.period_label(p.period) for p in chart.points]
    if len(set(labels)) != len(labels):
        raise ValueError("every period needs its own label")
    table = [
        _table_row(p, label, chart.chart) for p, label in zip(chart.points, labels, strict=True)
    ]
    alt_text = _alt(chart, labels, value_label, show)
    spec = _spec(chart, labels, title, value_label, period_label, percent, show)
    return Chart(title=title, alt=alt_text, table=table, spec=spec)


def rate_series_chart(
    results: Sequence[Result],
    measure_id: str,
    unit: str,
    group: str,
    *,
    breakdown: str | None = None,
    title: str | None = None,
) -> Chart:
    """A p-chart of one group's rate in one unit over time (years or months), from results.

    The counts are picked by :func:`equitrack.measures.charts.series_chart`; a period whose
    counts were not released is a gap.
    """
    from equitrack.measures.charts import series_chart
    from equitrack.measures.registry import MEASURES

    measure = MEASURES[measure_id]
    chart = series_chart(results, measure_id, unit, group, breakdown=breakdown)
    name = measure.title.removeprefix("Relative likelihood of ")
    name = name[0].upper() + name[1:]
    where = f"{words.staff(group)}, {unit}" + (f", {breakdown}" if breakdown else "")
    monthly = any(
        calendar.is_month(r.period) for r in results if r.measure == measure_id and r.org == unit
    )
    return spc_chart(
        chart,
        title=title or f"{name}: {where}",
        value_label=f"Rate, {words.staff(group)}",
        period_label="Month" if monthly else "Year",
    )


# --- words ------------------------------------------------------------------------------------


def point_label(point: SpcPoint) -> str | None:
    """The legend's name for a point's classification (None for a gap)."""
    return None if point.point_type is None else MDC_LABELS[point.point_type]


def _rule_words(point: SpcPoint) -> str:
    high = point.side is Side.HIGH
    rule = point.rule
    if rule is SpecialCauseRule.OUTSIDE_LIMITS:
        return "above the upper process limit" if high else "below the lower process limit"
    if rule is SpecialCauseRule.TREND:
        return f"a {'rising' if high else 'falling'} trend of 7 or more points"
    if rule is SpecialCauseRule.TWO_IN_THREE:
        return f"2 of 3 points close to the {'upper' if high else 'lower'} limit"
    return f"a run of 7 or more points {'above' if high else 'below'} the mean"


def _span(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


def special_causes(chart: SpcChart, labels: list[str]) -> list[str]:
    """Runs of consecutive special-cause points of one kind and side, with their rules, in words."""
    found = []

    def key(item: tuple[str, SpcPoint]) -> tuple[Any, ...]:
        p = item[1]
        return (p.point_type, p.side) if p.special_cause else (None, None)

    # A gap has no classification, so it ends a run here as it ends one in the rules.
    for (kind, _), run in groupby(zip(labels, chart.points, strict=True), key=key):
        points = list(run)
        if kind is None or kind is PointType.COMMON_CAUSE:
            continue
        periods = [label for label, _ in points]
        rules = {p.rule: _rule_words(p) for _, p in points}
        reasons = [rules[r] for r in SpecialCauseRule if r in rules]
        found.append(f"{KIND_WORDS[kind]} in {_span(periods)} ({'; '.join(reasons)})")
    return found


def _alt(chart: SpcChart, labels: list[str], value_label: str, show: Any) -> str:
    present = [
        (label, p) for label, p in zip(labels, chart.points, strict=True) if p.value is not None
    ]
    missing = [label for label, p in zip(labels, chart.points, strict=True) if p.value is None]
    if not present:
        return words.paragraph(
            f"{value_label}: no value is shown for any period",
            chart.note or "",
        )
    centre_name = "overall rate" if chart.chart is ChartType.P else "mean"
    sentences = [
        f"{value_label}: {words.plural(len(present), 'point')} from {present[0][0]} to "
        f"{present[-1][0]}, the latest {show(present[-1][1].value)}"
    ]
    if chart.centre is not None:
        sentences.append(f"the {centre_name} is {show(chart.centre)}")
    if chart.note:
        sentences.append(chart.note)
    elif chart.trial_limits:
        sentences.append(
            f"these are trial limits: they rest on {words.plural(chart.limits_basis, 'point')}, "
            f"fewer than {chart.options.trial_threshold}, so read any signal with caution"
        )
    causes = special_causes(chart, labels)
    if causes:
        sentences.append("special-cause variation: " + "; ".join(causes))
    elif chart.note is None:
        sentences.append(
            "no special-cause variation: every point is within the limits, "
            "with no run, trend or cluster near a limit"
        )
    if chart.variation_icon is not None:
        last = next(label for label, p in reversed(present) if p.point_type is not None)
        sentences.append(f"the latest point ({last}) shows {VARIATION_WORDS[chart.variation_icon]}")
    if chart.options.target is not None:
        target = f"the target is {show(chart.options.target)}"
        if chart.assurance_icon is not None:
            target += f": {ASSURANCE_WORDS[chart.assurance_icon]}"
        sentences.append(target)
    if missing:
        sentences.append(f"{words.join(missing)}: {words.NOT_SHOWN}")
    return words.paragraph(*sentences)


def _table_row(point: SpcPoint, label: str, kind: ChartType) -> dict[str, Any]:
    row: dict[str, Any] = {"Period": label, "Value": point.value}
    if kind is ChartType.P:
        row["Events"] = point.numerator
        row["People"] = point.denominator
    row.update(
        {
            "Mean": point.centre,
            "Lower process limit": point.lower_limit,
            "Upper process limit": point.upper_limit,
            "Variation": point_label(point) or words.NOT_SHOWN,
            "Special-cause rule": None if point.rule is None else str(point.rule),
        }
    )
    return row


# --- the picture ------------------------------------------------------------------------------


def _spec(
    chart: SpcChart,
    labels: list[str],
    title: str,
    value_label: str,
    period_label: str,
    percent: bool,
    show: Any,
) -> Any:
    data = [
        {
            "period": label,
            "value": p.value,
            "value_text": show(p.value),
            "centre": p.centre,
            "lower": p.lower_limit,
            "upper": p.upper_limit,
            "kind": point_label(p),
        }
        for label, p in zip(labels, chart.points, strict=True)
    ]
    base = altair.Chart()  # the periods are the layer's data, shared by every line
    # a year a label fits flat; two years of months would overlap, so they slant
    angle = 0 if len(labels) <= 10 else -45
    x = altair.X("period:O", sort=labels, title=period_label, axis=altair.Axis(labelAngle=angle))
    y_axis = altair.Axis(format=".1~%" if percent else "~g")
    y = altair.Y("value:Q", title=value_label, axis=y_axis, scale=altair.Scale(zero=False))

    def y_of(field: str) -> Any:
        return altair.Y(f"{field}:Q", title=value_label, axis=y_axis)

    layers: list[Any] = []
    for field in ("lower", "upper"):
        layers.append(
            base.mark_line(color=TEXT, strokeDash=[6, 4], strokeWidth=1.2).encode(
                x=x, y=y_of(field)
            )
        )
    layers.append(base.mark_line(color=TEXT, strokeWidth=1.5).encode(x=x, y=y_of("centre")))
    if chart.options.target is not None:
        layers.append(
            altair.Chart(altair.Data(values=[{"target": chart.options.target}]))
            .mark_rule(color=MDC_TARGET, strokeDash=[2, 2], strokeWidth=1.5)
            .encode(y=y_of("target"))
        )
    layers.append(base.mark_line(color=COMMON_CAUSE_COLOUR, strokeWidth=1.5).encode(x=x, y=y))
    kinds = [k for k in MDC_COLOURS if any(d["kind"] == k for d in data)]
    layers.append(
        base.transform_filter("datum.kind != null")
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            x=x,
            y=y,
            color=altair.Color(
                "kind:N",
                scale=altair.Scale(domain=kinds, range=[MDC_COLOURS[k] for k in kinds]),
                legend=altair.Legend(title=None),
            ),
            tooltip=[
                altair.Tooltip("period:N", title=period_label),
                altair.Tooltip("value_text:N", title="Value"),
                altair.Tooltip("kind:N", title="Variation"),
            ],
        )
    )
    if chart.trial_limits:
        first_upper = next((d for d in data if d["upper"] is not None), None)
        if first_upper is not None:
            layers.append(
                altair.Chart(altair.Data(values=[{**first_upper, "note": "Trial limits"}]))
                .mark_text(align="left", baseline="bottom", dy=-4, color=TEXT, fontStyle="italic")
                .encode(x=x, y=y_of("upper"), text="note:N")
            )
    subtitle = [
        "Solid line: "
        + ("overall rate" if chart.chart is ChartType.P else "mean")
        + "; dashed lines: process limits"
        + ("; red: target" if chart.options.target is not None else "")
        + ".",
    ]
    if chart.trial_limits:
        subtitle.append(f"Trial limits: fewer than {chart.options.trial_threshold} points.")
    layered = altair.layer(*layers, data=altair.Data(values=data)).properties(
        width=WIDTH, height=HEIGHT
    )
    return finish(titled(layered, title, subtitle))
