"""The Model Employer trajectory: a group's headcount at each senior band, year by year, and
the path that would reach parity by the target year.

Why a panel per band: the goal is set band by band (8a, 8b, 8c, 8d, 9, VSM), and a band of 200
staff would flatten one of 5 on a shared axis, so each band has its own scale. The years loaded
are a solid line; the path to parity a dashed one, from this year's count rising by the same
number each year to the count needed at today's sizes. A count the disclosure gate did not
release is not drawn, and its path is not drawn either (it starts from that count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair

from . import words
from .chart import Chart
from .palette import group_scale
from .style import finish, titled

ACTUAL, PATH = "Staff in post", "Path to parity"


@dataclass(frozen=True)
class BandSeries:
    """One group at one band: its headcount each year (None: not shown), and, from the last
    year, how many more are needed for parity and how many a year would reach it."""

    band: str
    group: str
    counts: dict[int, int | None]
    needed: int | None
    pace: int | None


def path(last: int, count: int, needed: int, pace: int, target: int) -> list[tuple[int, int]]:
    """(year, headcount) from `last` to `target`: `pace` more each year, never past parity."""
    return [(y, count + min(needed, pace * (y - last))) for y in range(last, target + 1)]


def trajectory_chart(
    series: Sequence[BandSeries], *, unit: str, target: int, title: str | None = None
) -> Chart:
    """A panel per band, a line per group: the years loaded, and the path to parity by
    `target` from the latest of them."""
    if not series:
        raise ValueError("no band to chart")
    bands = list(dict.fromkeys(s.band for s in series))
    groups = list(dict.fromkeys(s.group for s in series))
    title = title or f"Model Employer: staff at each senior band and the path to parity, {unit}"
    table: list[dict[str, Any]] = []
    sentences = []
    for s in series:
        years = sorted(s.counts)
        for y in years:
            table.append(_row(s, y, s.counts[y], ACTUAL))
        last = years[-1] if years else None
        now = None if last is None else s.counts[last]
        staff = words.staff(s.group)
        if now is None or last is None:
            sentences.append(f"{staff} at {s.band}: this year's count is {words.NOT_SHOWN}")
            continue
        if s.needed is None:
            sentences.append(
                f"{staff} at {s.band}: {now:,} in {words.period_label(last)}; the number "
                f"needed for parity is {words.NOT_SHOWN}"
            )
            continue
        if s.needed == 0:
            sentences.append(
                f"{staff} at {s.band}: {now:,} in {words.period_label(last)}, at or above parity"
            )
            continue
        for y, n in path(last, now, s.needed, s.pace or 0, target)[1:]:
            table.append(_row(s, y, n, PATH))
        if s.pace is not None:
            table.append(_row(s, last, now, PATH))  # the path starts at this year's count
        how = "" if s.pace is None else f", about {s.pace:,} a year to reach it by {target}"
        sentences.append(
            f"{staff} at {s.band}: {now:,} in {words.period_label(last)}, "
            f"{s.needed:,} more needed for parity{how}"
        )
    table.sort(
        key=lambda r: (bands.index(r["Band"]), groups.index(r["Group"]), r["Line"], r["Year"])
    )
    return Chart(
        title=title,
        alt=words.paragraph(*sentences),
        table=[{k: v for k, v in r.items() if k != "_year"} for r in table],
        spec=_spec(table, bands, groups, title),
    )


def _row(s: BandSeries, year: int, count: int | None, line: str) -> dict[str, Any]:
    return {
        "Band": s.band,
        "Group": s.group,
        "Year": words.period_label(year),
        "Line": line,
        "Staff": count,
        "_year": year,
    }


def _spec(table: list[dict[str, Any]], bands: list[str], groups: list[str], title: str) -> Any:
    domain, colours = group_scale(groups)
    drawn = [r for r in table if r["Staff"] is not None]
    order = [words.period_label(y) for y in sorted({r["_year"] for r in table})]
    base = altair.Chart(altair.Data(values=drawn)).encode(
        x=altair.X("Year:O", sort=order, title=None, axis=altair.Axis(labelAngle=-45)),
        y=altair.Y("Staff:Q", title="Headcount"),
        color=altair.Color(
            "Group:N",
            scale=altair.Scale(domain=domain, range=colours),
            legend=altair.Legend(title="Group"),
        ),
        strokeDash=altair.StrokeDash(
            "Line:N",
            scale=altair.Scale(domain=[ACTUAL, PATH], range=[[1, 0], [6, 4]]),
            legend=altair.Legend(title=None),
        ),
        detail="Line:N",
    )
    lines = base.mark_line(point=True)
    faceted = lines.properties(width=150, height=110).facet(
        facet=altair.Facet("Band:N", sort=bands, title=None), columns=3
    )
    faceted = faceted.resolve_scale(y="independent")
    return finish(titled(faceted, title, "Solid: the years loaded; dashed: the path to parity"))
