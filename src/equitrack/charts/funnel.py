"""Funnel plots: each organisation's figure against its size, inside limits that narrow with it.

Why a funnel and not a league table: ranking organisations always finds a "worst", whether or
not it differs by more than chance. Here each organisation sits against its denominator (or,
for relative likelihoods, the precision of its ratio) with 95% and 99.8% limits around the
pooled value; only points outside the funnel are named. When the organisations spread more
than chance allows, the limits in :class:`~equitrack.stats.funnel.FunnelResult` are already
widened for overdispersion, and the chart says so. An organisation that could not be placed
(no events, a missing count, a figure not shown) is not drawn; the text and table give why.
"""

from __future__ import annotations

import math
from typing import Any

import altair
import numpy as np

from equitrack.stats.funnel import (
    FunnelKind,
    FunnelOutlier,
    FunnelResult,
    FunnelUnit,
    OutlierDirection,
    OutlierLimit,
)

from . import words
from .chart import Chart
from .palette import BLUE, SECONDARY_TEXT, TEXT, VERMILLION
from .style import WIDTH, finish, titled

HEIGHT = 320
#: Limits are drawn from at most this many grid points (dense where the funnel bends most).
DRAWN_GRID = 240

VALUE_LABELS = {
    FunnelKind.PROPORTION: "Rate",
    FunnelKind.STANDARDISED_RATIO: "Observed / expected",
    FunnelKind.RELATIVE_LIKELIHOOD: "Relative likelihood",
}
SIZE_LABELS = {
    FunnelKind.PROPORTION: "Staff (denominator)",
    FunnelKind.STANDARDISED_RATIO: "Expected events",
    FunnelKind.RELATIVE_LIKELIHOOD: "Precision of the ratio (1 / variance of its log)",
}
LIMIT_NAMES = {"95": "95% limits", "998": "99.8% limits"}
#: Table headings for the counts a funnel unit rests on (others keep their key).
COUNT_NAMES = {
    "events": "Events",
    "population": "People",
    "observed": "Observed",
    "expected": "Expected",
    "expected_used": "Expected (as used)",
    "focus_events": "Events (focus group)",
    "focus_population": "People (focus group)",
    "reference_events": "Events (reference group)",
    "reference_population": "People (reference group)",
}


def funnel_chart(
    result: FunnelResult,
    *,
    title: str,
    value_label: str | None = None,
    size_label: str | None = None,
    unit_name: str = "organisation",
) -> Chart:
    """A funnel plot of ``result`` (from the :mod:`equitrack.stats.funnel` functions).

    ``value_label`` and ``size_label`` name the axes (defaults by the kind of funnel);
    ``unit_name`` is what a unit is called in the text ("organisation", "trust").
    """
    kind = result.kind
    percent = kind is FunnelKind.PROPORTION
    value_label = value_label or VALUE_LABELS[kind]
    size_label = size_label or SIZE_LABELS[kind]

    def show(value: float | None) -> str:
        if value is None:
            return words.NOT_SHOWN
        return words.share(value) if percent else words.ratio(value)

    table = [_table_row(result, u) for u in result.units]
    alt_text = _alt(result, value_label, unit_name, show)
    spec = _spec(result, title, value_label, size_label, percent, show)
    return Chart(title=title, alt=alt_text, table=table, spec=spec)


def _table_row(result: FunnelResult, unit: FunnelUnit) -> dict[str, Any]:
    row: dict[str, Any] = {"Organisation": unit.unit}
    for key, value in unit.counts.items():
        row[COUNT_NAMES.get(key, key)] = value
    row.update(
        {
            SIZE_LABELS[result.kind]: unit.x,
            VALUE_LABELS[result.kind]: unit.value,
            "95% lower limit": unit.lower95,
            "95% upper limit": unit.upper95,
            "99.8% lower limit": unit.lower998,
            "99.8% upper limit": unit.upper998,
            "Outside the limits": None
            if unit.outlier_limit is None
            else f"{unit.outlier_direction}, beyond {unit.outlier_limit}",
            "Why not shown": unit.reason,
        }
    )
    return row


def _outlier_words(outlier: FunnelOutlier, show: Any) -> str:
    side = "above" if outlier.direction is OutlierDirection.HIGH else "below"
    return f"{outlier.unit} ({show(outlier.value)}, {side})"


def _alt(result: FunnelResult, value_label: str, unit_name: str, show: Any) -> str:
    placed = [u for u in result.units if u.reason is None]
    sentences = [
        f"{value_label} for {words.plural(len(placed), unit_name)} against the pooled value of "
        f"{show(result.target)}"
    ]
    if result.adjusted:
        sentences.append(
            "the limits are widened for overdispersion, because the organisations vary more "
            "than chance alone would explain"
        )
    wide = [o for o in result.outliers if o.limit is OutlierLimit.P998]
    narrow = [o for o in result.outliers if o.limit is OutlierLimit.P95]
    if wide:
        sentences.append(
            f"outside the 99.8% limits: {words.join(_outlier_words(o, show) for o in wide)}"
        )
    if narrow:
        sentences.append(
            f"outside the 95% limits only: {words.join(_outlier_words(o, show) for o in narrow)}"
        )
    if not result.outliers:
        sentences.append(f"no {unit_name} is outside the 95% limits")
    elif len(placed) > len(result.outliers):
        sentences.append(f"every other {unit_name} is within the 95% limits")
    left_out = [u for u in result.units if u.reason is not None]
    if left_out:
        sentences.append(
            f"{words.NOT_SHOWN}: " + words.join(f"{u.unit} ({u.reason})" for u in left_out)
        )
    return words.paragraph(*sentences)


def _grid_rows(result: FunnelResult) -> list[dict[str, Any]]:
    """The limits on a thinned grid: geometric steps keep the narrow end of the funnel smooth."""
    grid = result.limits
    n = len(grid.x)
    keep = np.unique(np.geomspace(1, n, min(DRAWN_GRID, n)).round().astype(int) - 1)
    rows = []
    for i in keep:
        for which, low, high in (
            ("95", grid.lower95[i], grid.upper95[i]),
            ("998", grid.lower998[i], grid.upper998[i]),
        ):
            for bound, value in (("lower", low), ("upper", high)):
                value = float(value)
                rows.append(
                    {
                        "x": float(grid.x[i]),
                        "limit": LIMIT_NAMES[which],
                        "line": f"{which}-{bound}",
                        "y": value if math.isfinite(value) and value > 0 else None,
                    }
                )
    return rows


def _value_range(result: FunnelResult, log: bool) -> tuple[float, float]:
    """The vertical range: every point, and the funnel's width at the smallest organisation.

    Further left the limits run off towards 0 and 1 (or 0 and infinity); drawing all of that
    would squash the organisations into a strip, so the limits are clipped there.
    """
    values = [result.target]
    for u in result.units:
        if u.reason is None:
            values += [v for v in (u.value, u.lower998, u.upper998) if v is not None]
    finite = [v for v in values if math.isfinite(v) and (v > 0 or not log)]
    low, high = min(finite), max(finite)
    if log:
        return low / 1.15, high * 1.15
    pad = (high - low) * 0.08 or 0.01
    return max(0.0, low - pad), min(1.0, high + pad)


def _spec(
    result: FunnelResult,
    title: str,
    value_label: str,
    size_label: str,
    percent: bool,
    show: Any,
) -> Any:
    log = result.kind is not FunnelKind.PROPORTION
    units = [
        {
            "unit": u.unit,
            "x": u.x,
            "value": u.value,
            "value_text": show(u.value),
            "outlier": u.outlier_limit is not None,
            "label": u.unit if u.outlier_limit is not None else None,
        }
        for u in result.units
        if u.reason is None and u.value is not None and (u.value > 0 or not log)
    ]
    lo, hi = _value_range(result, log)
    y_scale = (
        altair.Scale(type="log", domain=[lo, hi], nice=False)
        if log
        else altair.Scale(domain=[lo, hi], nice=False)
    )
    y_axis = altair.Axis(format=".0%" if percent else "~g")
    x = altair.X("x:Q", title=size_label, scale=altair.Scale(zero=False, nice=True))

    def y_of(field: str) -> Any:
        return altair.Y(f"{field}:Q", title=value_label, scale=y_scale, axis=y_axis)

    limits = (
        altair.Chart(altair.Data(values=_grid_rows(result)))
        .mark_line(color=TEXT, strokeWidth=1.2, clip=True)
        .encode(
            x=x,
            y=y_of("y"),
            detail="line:N",
            strokeDash=altair.StrokeDash(
                "limit:N",
                scale=altair.Scale(domain=list(LIMIT_NAMES.values()), range=[[2, 3], [8, 4]]),
                legend=altair.Legend(title=None),
            ),
        )
    )
    target = (
        altair.Chart(altair.Data(values=[{"target": result.target}]))
        .mark_rule(color=SECONDARY_TEXT, strokeWidth=2)
        .encode(y=y_of("target"))
    )
    base = altair.Chart()  # the units are the layer's data, shared by points and labels
    points = base.mark_point(
        filled=True, size=60, opacity=1, stroke="white", strokeWidth=0.5
    ).encode(
        x=x,
        y=y_of("value"),
        color=altair.Color(
            "outlier:N",
            scale=altair.Scale(domain=[False, True], range=[BLUE, VERMILLION]),
            legend=None,
        ),
        tooltip=[
            altair.Tooltip("unit:N", title="Organisation"),
            altair.Tooltip("value_text:N", title=value_label),
        ],
    )
    labels = (
        base.transform_filter("datum.label != null")
        .mark_text(align="left", dx=7, dy=-7, color=TEXT, fontWeight="bold")
        .encode(x=x, y=y_of("value"), text="label:N")
    )
    subtitle = ["Thick line: pooled value. Named: outside the 95% limits."]
    if result.adjusted:
        subtitle.append("Limits widened for overdispersion.")
    layered = altair.layer(
        limits, target, points, labels, data=altair.Data(values=units)
    ).properties(width=WIDTH, height=HEIGHT)
    return finish(titled(layered, title, subtitle))
