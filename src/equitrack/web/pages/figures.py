"""The figures at a glance: the overview across the user's organisations, and one
organisation's WRES page."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response

from equitrack.charts import ratio_chart
from equitrack.measures import calendar
from equitrack.measures.registry import MEASURES, family
from equitrack.measures.result import Result
from equitrack.reports.cells import cell
from equitrack.reports.evidence import chart_for
from equitrack.reports.narrative import describe, ratio_direction, trend_sentence
from equitrack.reports.wres import RATIO_INDICATORS
from equitrack.web.access import Permission, Principal
from equitrack.web.guard import OrgCode, allow, principal_of
from equitrack.web.pages.shared import chosen_year, web_of
from equitrack.web.render import page
from equitrack.web.state import Drawn, WebState, drawn

router = APIRouter()
OVERVIEW = RATIO_INDICATORS  # the verdicts at a glance: the indicators compared as ratios
BYS = (("wres", "White, BME, Unknown"), ("broad", "Broad groups"), ("detailed", "Detailed groups"))
SIDES = (
    ("all", "All staff"),
    ("Clinical", "Clinical staff"),
    ("Non-clinical", "Non-clinical staff"),
)


# --- the overview ----------------------------------------------------------------------------


@dataclass
class Glance:
    ratio: str
    verdict: str
    direction: str | None


def _glance(now: Result | None, before: Result | None) -> Glance | None:
    """One indicator for one unit this year, and which way it went since last year."""
    if now is None:
        return None
    return Glance(cell(now, "ratio"), cell(now, "verdict") or "–", ratio_direction(before, now))


def _overview_results(web: WebState, principal: Principal, years: tuple[int, ...]) -> list[Result]:
    """The ratio indicators for the user's organisations, and their systems if they see those
    (never every organisation's for a user none of whose organisations is loaded)."""
    found = web.results("wres", years, orgs=web.scope(principal).orgs, measures=OVERVIEW)
    if principal.whole_system:  # a new list: the cached one is left as it is
        found = found + web.results("wres", years, system=True, measures=OVERVIEW)
    return web.shown(principal, found)


@router.get("/", name=allow("overview", Permission.VIEW))
def overview(request: Request, year: int | None = None) -> Response:
    web, principal = web_of(request), principal_of(request)
    year, years = chosen_year(request, year)
    shown = _overview_results(web, principal, (year - 1, year))
    focus = {
        (r.measure, r.org, r.period): r for r in shown if r.group == "BME" and r.breakdown is None
    }
    units = sorted({r.org for r in shown}, key=lambda u: (u.startswith("system:"), u))
    rows = [
        (
            unit,
            [_glance(focus.get((m, unit, year)), focus.get((m, unit, year - 1))) for m in OVERVIEW],
        )
        for unit in units
    ]
    charts = web.cached(
        ("overview charts", year, web.exact_orgs(principal), tuple(units)),
        lambda _: _overview_charts(web, shown, year),
    )
    return page(
        request, "overview.html", "Overview", year=year, years=years, year_label=calendar.label(year),
        indicators=[MEASURES[m] for m in OVERVIEW], rows=rows, names=web.names(), charts=charts,
    )  # fmt: skip


def _overview_charts(web: WebState, shown: list[Result], year: int) -> list[Drawn]:
    """Each ratio indicator across the organisations, drawn once until the data change (and
    kept with the release, `WebState.drawings`)."""
    drawn_from = []
    for m in OVERVIEW:
        mine = [
            r
            for r in shown
            if r.measure == m
            and r.period == year
            and r.breakdown is None
            and not r.org.startswith("system:")
        ]
        if len({r.org for r in mine}) > 1:
            drawn_from.append([r for r in mine if r.group in ("BME", "White")])
    names = web.names()
    return web.drawings(("overview", drawn_from, names), lambda: _ratio_charts(drawn_from, names))


def _ratio_charts(drawn_from: list[list[Result]], names: dict[str, str]) -> list[Drawn]:
    charts: list[Drawn] = []
    for results in drawn_from:
        with contextlib.suppress(ValueError):  # a shape the chart does not take
            charts.append(drawn(ratio_chart(results, by="org"), names))
    return charts


# --- an organisation ---------------------------------------------------------------------------


@dataclass
class Shown:
    id: str
    title: str
    results: list[Result]
    sentences: list[str] = field(default_factory=list)
    chart: Drawn | None = None


def _section(web: WebState, measure_id: str, results: list[Result], year: int) -> Shown:
    m = MEASURES[measure_id]
    now = [r for r in results if r.period == year]
    before = {
        (r.org, r.group, r.breakdown, r.group_type): r for r in results if r.period == year - 1
    }
    sentences = []
    for r in [r for r in now if r.reference_group][:3]:
        sentences.append(describe(r))
        sentences.append(trend_sentence(before.get((r.org, r.group, r.breakdown, r.group_type)), r))
    names = web.names()
    charts = web.drawings(
        ("section", measure_id, now, names),
        lambda: [drawn(c, names) for c in [chart_for(measure_id, now)] if c is not None],
    )
    return Shown(m.id, f"{m.id.upper()}: {m.title}", now, sentences, next(iter(charts), None))


@router.get("/organisations/{org}", name=allow("organisation", Permission.VIEW))
def organisation(
    request: Request,
    org: OrgCode,
    year: int | None = None,
    by: str = "wres",
    side: str = "all",
    group: str = "all",
) -> Response:
    web, principal = web_of(request), principal_of(request)
    year, years = chosen_year(request, year)
    by = by if by in dict(BYS) else "wres"
    side = side if side in dict(SIDES) else "all"
    groups = web.staff_groups()  # the NWD groups loaded: the release holds these
    group = group if group in groups else "all"
    found = web.shown(
        principal,
        web.results("wres", (year - 1, year), orgs=(org,), by=by, options={"staff_group": group}),
    )
    if side != "all":
        found = [
            r for r in found if r.measure != "wres1" or (r.breakdown or "").startswith(side + " |")
        ]
    sections = web.cached(
        ("organisation page", org, year, by, side, group, web.exact_orgs(principal)),
        lambda _: [
            _section(web, m.id, [r for r in found if r.measure == m.id], year)
            for m in family("wres")
        ],
    )
    return page(
        request, "organisation.html", f"{org} WRES", org=org, year=year, years=years,
        year_label=calendar.label(year), by=by, bys=BYS, side=side, sides=SIDES,
        group=group, groups=groups,
        sections=sections, names=web.names(),
    )  # fmt: skip
