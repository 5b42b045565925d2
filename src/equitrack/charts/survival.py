"""Careers over time: how soon each group is promoted (or made substantive), and who leaves first.

Why two charts: the Kaplan–Meier curve answers "how long until promotion, if nobody left" and
is what the median and the log-rank test rest on; the cumulative incidence answers "what share
were actually promoted, and what share left first" (Aalen–Johansen, leaving as a competing
event), which is the honest picture when minority ethnic staff leave sooner. Both come from a
journey's :class:`~equitrack.stats.survival.CareersOverTime`; this module only draws them.
Groups too small to tell are drawn dashed and named as such; Unknown ethnicity is counted in
the text but never drawn, as it is left out of every comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import altair

from equitrack.model import codes
from equitrack.stats.survival import DAYS_PER_YEAR, Curve

from . import words
from .chart import Chart
from .palette import group_order, group_scale
from .style import WIDTH, finish, titled
from .words import ENOUGH, TOO_FEW

if TYPE_CHECKING:
    from equitrack.measures.careers import Journey

HEIGHT = 280
HORIZONS = (3, 5)  # years at which the text gives the share who had the event
#: Points drawn (and tabulated) per curve: a system's curve has thousands of steps, more than
#: a page can show or a reader can use; the last step in each of this many equal slices of time
#: keeps the shape.
MOST_POINTS = 150


def _total(counts: tuple[int | None, ...], steps: range) -> int | None:
    """Counts over the steps a thinned row stands for; None if any is withheld."""
    picked = [counts[i] for i in steps]
    return None if any(c is None for c in picked) else sum(picked)  # type: ignore[misc]


def thinned(curve: Curve) -> list[int]:
    """The indices of `curve` to draw: the first, the last step in each slice of time, the last."""
    if len(curve.time) <= MOST_POINTS:
        return list(range(len(curve.time)))
    width = (curve.time[-1] - curve.time[0]) / MOST_POINTS or 1.0
    last_in_slice: dict[int, int] = {}
    for i, t in enumerate(curve.time):
        last_in_slice[int((t - curve.time[0]) // width)] = i
    return sorted({0, *last_in_slice.values(), len(curve.time) - 1})


def _journey_words(journey: Journey) -> tuple[str, str, str]:
    """(title, how the journey starts, the past participle of its event) for this journey."""
    from equitrack.outputs.journeys import EVENT_WORD, STARTS, TITLES

    return (
        TITLES.get(journey.journey, journey.journey.replace("_", " ").capitalize()),
        STARTS.get(journey.journey, "from the start of the journey"),
        EVENT_WORD.get(journey.journey, "reached the event"),
    )


def _date(journey: Journey) -> str:
    day = journey.end_of_data
    return f"{day.day} {day:%B %Y}"


def _years(time: float, unit: str) -> float:
    return time / DAYS_PER_YEAR if unit == "days" else time


def _unknown_sentence(journey: Journey) -> str:
    unknown = journey.excluded
    if not unknown:
        return ""
    return (
        f"{words.plural(unknown, 'person', 'people')} of unknown ethnicity are counted "
        "but not drawn"
    )


def _empty(journey: Journey, title: str) -> Chart:
    alt_text = words.paragraph(
        "no one of known ethnicity is on this journey, so there are no curves",
        _unknown_sentence(journey),
    )
    spec = (
        altair.Chart(altair.Data(values=[{"note": "No curves to show"}]))
        .mark_text(fontSize=14)
        .encode(text="note:N")
        .properties(width=WIDTH, height=60)
    )
    return Chart(title=title, alt=alt_text, table=[], spec=finish(titled(spec, title)))


def kaplan_meier_chart(journey: Journey, *, title: str | None = None) -> Chart:
    """Kaplan–Meier curves of the share not yet promoted (converted), one per group."""
    name, start, word = _journey_words(journey)
    title = title or f"{name}, {journey.unit}: Kaplan–Meier curves"
    if journey.analysis is None:
        return _empty(journey, title)
    km = journey.analysis.kaplan_meier
    summaries = {s.group: s for s in km.summaries}
    groups = group_order(summaries)
    table, data = [], []
    for group in groups:
        curve = km.curve(group)
        reading = TOO_FEW if summaries[group].too_few else ENOUGH
        kept = thinned(curve)
        for previous, i in zip([-1, *kept], kept, strict=False):
            years = _years(curve.time[i], km.unit)
            since = range(previous + 1, i + 1)  # the steps this row stands for
            table.append(
                {
                    "Group": group,
                    "Years": years,
                    f"Share not yet {word}": curve.estimate[i],
                    "95% interval from": curve.ci_low[i],
                    "95% interval to": curve.ci_high[i],
                    "Still followed": curve.at_risk[i],
                    word.capitalize(): _total(curve.events, since),
                    "Censored or left": _total(curve.censored, since),
                }
            )
            data.append(
                {
                    "group": group,
                    "years": years,
                    "estimate": curve.estimate[i],
                    "low": curve.ci_low[i],
                    "high": curve.ci_high[i],
                    "reading": reading,
                }
            )
    y_title = f"Share not yet {word}"
    spec = _curves(
        data,
        groups,
        y_title,
        dash_field="reading",
        dash_domain=[ENOUGH, TOO_FEW],
        band=True,
    )
    subtitle = [
        f"Share not yet {word}, {start}.",
        f"Leavers counted as censored. Shaded: 95% interval. Followed to {_date(journey)}.",
    ]
    alt_text = _km_alt(journey, groups, word)
    return Chart(title=title, alt=alt_text, table=table, spec=finish(titled(spec, title, subtitle)))


def cumulative_incidence_chart(journey: Journey, *, title: str | None = None) -> Chart:
    """The share promoted (converted) and the share who left first, over time, per group."""
    name, start, word = _journey_words(journey)
    title = title or f"{name}, {journey.unit}: {word} or left first"
    if journey.analysis is None:
        return _empty(journey, title)
    ci = journey.analysis.cumulative_incidence
    groups = group_order(s.group for s in ci.summaries)
    outcomes = {"event": word.capitalize(), "competing": "Left first"}
    table, data = [], []
    for group in groups:
        for kind, outcome in outcomes.items():
            curve = ci.curve(group, kind)  # type: ignore[arg-type]
            for i in thinned(curve):
                years = _years(curve.time[i], ci.unit)
                table.append(
                    {
                        "Group": group,
                        "Outcome": outcome,
                        "Years": years,
                        "Share": curve.estimate[i],
                        "95% interval from": curve.ci_low[i],
                        "95% interval to": curve.ci_high[i],
                        "Still followed": curve.at_risk[i],
                    }
                )
                data.append(
                    {
                        "group": group,
                        "years": years,
                        "estimate": curve.estimate[i],
                        "outcome": outcome,
                        "line": f"{group} {outcome}",
                    }
                )
    spec = _curves(
        data,
        groups,
        "Share of staff",
        dash_field="outcome",
        dash_domain=list(outcomes.values()),
        band=False,
    )
    subtitle = [
        f"Solid: share {word}; dashed: share who left without being {word}.",
        f"Time {start}. Followed to {_date(journey)}.",
    ]
    alt_text = _incidence_alt(journey, groups, word)
    return Chart(title=title, alt=alt_text, table=table, spec=finish(titled(spec, title, subtitle)))


# --- words ------------------------------------------------------------------------------------


def _km_alt(journey: Journey, groups: list[str], word: str) -> str:
    assert journey.analysis is not None
    km = journey.analysis.kaplan_meier
    medians = []
    for group in groups:
        s = km.summary(group)
        who = words.staff(group)
        if s.median is None:
            medians.append(f"{who} not reached (fewer than half {word} by the end of the data)")
            continue
        text = f"{who} {words.number(_years(s.median, km.unit), 1)} years"
        if s.median_ci_low is not None and s.median_ci_high is not None:
            low = words.number(_years(s.median_ci_low, km.unit), 1)
            high = words.number(_years(s.median_ci_high, km.unit), 1)
            text += f" (95% interval {low} to {high})"
        if s.too_few:
            text += ", too few to tell"
        medians.append(text)
    sentences = [f"median time to being {word}: " + "; ".join(medians)]
    sentences.append(_log_rank_sentence(journey))
    sentences.append(_unknown_sentence(journey))
    return words.paragraph(*sentences)


def _log_rank_sentence(journey: Journey) -> str:
    assert journey.analysis is not None
    rows = journey.analysis.log_rank.pairwise
    if not rows:
        return ""
    parts = []
    place = {g: i for i, g in enumerate(group_order(row.group or "" for row in rows))}
    for row in sorted(rows, key=lambda row: place[row.group or ""]):
        who = words.staff(row.group or "")
        if row.p_value is None:
            parts.append(f"{who}: no test ({row.reason or 'not possible'})")
        elif row.too_few:
            parts.append(f"{who}: too few to tell")
        else:
            p = "p < 0.001" if row.p_value < 0.001 else f"p = {words.number(row.p_value, 3)}"
            verdict = "significant" if row.significant else "not significant"
            parts.append(f"{who}: {p}, {verdict} after allowing for the groups compared")
    reference = words.staff(rows[0].reference or codes.WHITE)
    return f"log-rank test against {reference}: " + "; ".join(parts)


def _share_by(curve: Curve, years: float, unit: str) -> float | None:
    t = years * DAYS_PER_YEAR if unit == "days" else years
    return None if t > curve.time[-1] else curve.value_at(t)


def _incidence_alt(journey: Journey, groups: list[str], word: str) -> str:
    assert journey.analysis is not None
    ci = journey.analysis.cumulative_incidence
    sentences = []
    for horizon in HORIZONS:
        parts = []
        for group in groups:
            event = _share_by(ci.curve(group, "event"), horizon, ci.unit)
            left = _share_by(ci.curve(group, "competing"), horizon, ci.unit)
            who = words.staff(group)
            if event is None or left is None:
                parts.append(f"{who} not followed that long")
            else:
                parts.append(f"{who} {words.share(event)} {word}, {words.share(left)} left first")
        sentences.append(f"by {horizon} years: " + "; ".join(parts))
    too_few = [s.group for s in ci.summaries if s.too_few]
    if too_few:
        sentences.append(
            f"too few to tell for {words.join(words.staff(g) for g in group_order(too_few))}"
        )
    sentences.append(_unknown_sentence(journey))
    return words.paragraph(*sentences)


# --- the picture ------------------------------------------------------------------------------


def _curves(
    data: list[dict[str, Any]],
    groups: list[str],
    y_title: str,
    *,
    dash_field: str,
    dash_domain: list[str],
    band: bool,
) -> Any:
    domain, colours = group_scale(groups)
    # One legend for bands and lines: drawn as solid strokes, not as the faint bands.
    legend = altair.Legend(title="Group", symbolType="stroke", symbolOpacity=1, symbolStrokeWidth=3)
    colour = altair.Color(
        "group:N", scale=altair.Scale(domain=domain, range=colours), legend=legend
    )
    base = altair.Chart()  # the curves are the layer's data, shared by lines and bands
    x = altair.X("years:Q", title="Years since the start", scale=altair.Scale(zero=True))
    y_axis = altair.Axis(format=".0%")
    y = altair.Y("estimate:Q", title=y_title, scale=altair.Scale(domain=[0, 1]), axis=y_axis)
    detail = "line:N" if dash_field == "outcome" else "group:N"
    present = [d for d in dash_domain if any(row[dash_field] == d for row in data)]
    dashes = {d: [1, 0] if i == 0 else [6, 4] for i, d in enumerate(dash_domain)}
    lines = base.mark_line(interpolate="step-after", strokeWidth=2).encode(
        x=x,
        y=y,
        color=colour,
        detail=detail,
        strokeDash=altair.StrokeDash(
            f"{dash_field}:N",
            scale=altair.Scale(domain=present, range=[dashes[d] for d in present]),
            legend=altair.Legend(title=None) if len(present) > 1 else None,
        ),
    )
    layers = [lines]
    if band:
        layers.insert(
            0,
            base.mark_area(interpolate="step-after", opacity=0.15).encode(
                x=x,
                y=altair.Y("low:Q", title=y_title, scale=altair.Scale(domain=[0, 1]), axis=y_axis),
                y2="high:Q",
                color=colour,
            ),
        )
    return altair.layer(*layers, data=altair.Data(values=data)).properties(
        width=WIDTH, height=HEIGHT
    )
