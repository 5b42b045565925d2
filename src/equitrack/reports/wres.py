"""Reports built on the WRES indicators: one organisation's, and the system side by side."""

from __future__ import annotations

from equitrack import api
from equitrack.charts import funnel_chart, rate_series_chart
from equitrack.disclosure import Policy
from equitrack.measures.calendar import Interval, label, survey_label, survey_year
from equitrack.measures.charts import funnel
from equitrack.measures.covered import is_no_data
from equitrack.measures.declare import Kind, Measure
from equitrack.measures.registry import family
from equitrack.measures.result import Result
from equitrack.model import codes
from equitrack.release import MONTHLY, release_for, released_years
from equitrack.reports import evidence as ev
from equitrack.reports import pay, trend
from equitrack.reports.appendix import methods_section
from equitrack.reports.cells import cell
from equitrack.reports.content import Block, Paragraph, Picture, Report, Rows, Section
from equitrack.store import Store

#: The WRES indicators that compare groups as a ratio (2, 3 and 4): funnels, the overview.
RATIO_INDICATORS = tuple(m.id for m in family("wres") if m.kind is Kind.COMPARISON)
#: A monthly chart for a protected audience needs its counts to move: with fewer distinct shown
#: numerators than this, rounding to 5 has flattened the line into steps that say nothing.
FEWEST_SHOWN_LEVELS = 3


def _monthly_chart(monthly: list[Result], measure_id: str, unit: str, policy: Policy) -> Block:
    """A monthly SPC chart, on exact counts for analysts and on released counts otherwise; a
    protected audience's chart is withheld, saying why, where a month's counts are not shown (a
    gap would be read as common-cause variation) or rounding has flattened the series."""
    chart = rate_series_chart(monthly, measure_id, unit, "BME")
    if policy.exact:
        return Picture(chart)
    rows = [
        r
        for r in monthly
        if r.measure == measure_id and r.org == unit and r.group == "BME" and r.breakdown is None
    ]
    hidden = sum(r.numerator is None or r.denominator is None for r in rows)
    levels = len({r.numerator for r in rows if r.numerator is not None})
    if rows and not hidden and levels >= FEWEST_SHOWN_LEVELS:
        return Picture(chart)
    why = (
        f"the counts of {hidden} of {len(rows)} months are too small to show"
        if hidden
        else "rounding each month's count to the nearest "
        f"{policy.rounding_base} leaves too little change to chart"
    )
    return Paragraph(
        f"{chart.title}: the monthly chart is not shown to this audience, because {why}; the "
        "yearly figures above are."
    )


def _heading(m: Measure) -> str:
    return f"{m.id.upper()}: {m.title}"


def build_wres(store: Store, year: int, org: str, *, policy: Policy, audience: str) -> Report:
    """An organisation's WRES report: each indicator this year and last in full, Black, Asian,
    Mixed and Other staff beside BME, and every year loaded as a trend."""
    release = release_for(store, policy)
    years = tuple(y for y in released_years(store) if y <= year) or (year - 1, year)
    results = api.run("wres", years, store=store, orgs=(org,))
    broad = [
        r
        for r in api.run("wres", years, store=store, orgs=(org,), by="broad")
        if r.group in trend.GROUPS and r.group != codes.WHITE
    ]
    shown = release.answer(results)
    shown_broad = [r for r in release.answer(broad) if not is_no_data(r)]
    recent = (year - 1, year)
    sections = []
    for m in family("wres"):
        mine = [r for r in shown if r.measure == m.id]
        blocks = ev.blocks(m.id, [r for r in mine if r.period in recent], year, last_year_too=True)
        blocks += _beside_bme(m, [r for r in shown_broad if r.measure == m.id], year)
        table = trend.trend_table(
            m, [r for r in mine + shown_broad if r.measure == m.id and not is_no_data(r)], years
        )
        if table is not None:
            blocks.append(table)
        blocks += [Paragraph(text) for text in _how_counted(m, year)]
        sections.append(Section(m.id, _heading(m), tuple(blocks)))
    sections.append(pay.section(store, release, year, orgs=(org,), system=False))
    sections.append(methods_section(shown + shown_broad, policy, results + broad))
    first = min((r.period for r in shown if not is_no_data(r)), default=year - 1)
    return Report(
        "wres",
        f"Workforce Race Equality Standard: {org}",
        f"Reporting year {label(year)}, with every year loaded since {label(first)}",
        audience,
        policy.describe(),
        tuple(sections),
        policy.plain(),
    )


def _beside_bme(m: Measure, broad: list[Result], year: int) -> list[Block]:
    """Sentences on Black, Asian, Mixed and Other staff, this year's whole-indicator figures."""
    whole = [r for r in broad if r.breakdown in trend.HEADLINE_CELLS]
    if not any(r.period == year for r in whole):
        return []
    return [Paragraph(text) for text in ev.sentences(whole, year)]


def _how_counted(m: Measure, year: int) -> list[str]:
    """What a reader needs to read an indicator's years: which staff survey a survey
    indicator's figures come from, and WRES 3's two years pooled."""
    if m.kind is Kind.SURVEY:
        return [
            f"These results are from the {survey_label(year)}, which ran in the autumn of "
            f"{survey_year(year)} and is reported in the {label(year)} WRES; each year in the "
            "table above is named by its survey."
        ]
    window = int(m.options.get("window", m.window))
    if m.id == "wres3" and window > 1:
        pooled = {2: "two"}.get(window, str(window))
        return [
            f"WRES 3 pools {pooled} years: the figure for {label(year)} counts the staff who "
            f"entered a formal disciplinary process in {label(year - 1)} and in {label(year)} "
            "together, over the staff in post at 31 March of both years added together "
            "(someone in post at both dates is counted twice, once for each year). Each "
            "year's figure therefore shares a year with the one before it, and the trend "
            "moves more slowly than a single year's figures would."
        ]
    return []


#: The figure each kind of indicator is compared by, side by side.
SIDE_BY_SIDE = (
    "Organisation",
    "BME figure",
    "Relative likelihood",
    "95% interval",
    "Difference (points)",
    "Verdict",
)


def _side_by_side(measure_id: str, shown: list[Result], year: int) -> Rows:
    """Each organisation's BME figure for one indicator, and how it compares with White staff:
    the whole-workforce cell of a table (WRES 1's "All", WRES 9's board), one row each."""
    rows = sorted(
        (
            r
            for r in shown
            if r.measure == measure_id
            and r.period == year
            and r.group == "BME"
            and r.breakdown in (None, "All")
        ),
        key=lambda r: (r.org.startswith("system:"), r.org),
    )
    return Rows(
        f"{measure_id.upper()}, BME staff, {label(year)}",
        SIDE_BY_SIDE,
        tuple(
            (
                cell(r, "org"),
                f"{cell(r, 'rate')} ({cell(r, 'numerator')} of {cell(r, 'denominator')})",
                cell(r, "ratio"),
                cell(r, "ratio_ci"),
                cell(r, "difference"),
                cell(r, "verdict"),
            )
            for r in rows
        ),
        tuple(rows),
    )


def _funnel(m: Measure, shown: list[Result], year: int) -> Block:
    """A ratio indicator's funnel plot over the organisations whose BME and White figures are
    both shown this year, or why there is none."""
    orgs = [r for r in shown if r.measure == m.id and not r.org.startswith("system:")]
    complete = {
        r.org
        for r in orgs
        if r.period == year and r.group in ("BME", "White") and r.numerator is not None
    }
    title = f"{m.title}: organisations against the system, {label(year)}"
    try:
        plot = funnel([r for r in orgs if r.org in complete], m.id, year, "BME")
        if len(plot.units) < 2:
            return Paragraph(
                "Too few organisations have figures that can be shown for a funnel plot."
            )
        return Picture(funnel_chart(plot, title=title))
    except ValueError as exc:
        return Paragraph(f"No funnel plot: {exc}")


def build_system(store: Store, year: int, *, policy: Policy, audience: str) -> Report:
    """Every organisation side by side, funnels for the ratio indicators, monthly SPC charts."""
    release = release_for(store, policy)
    results = api.run("wres", (year - 1, year), store=store, system=True) + api.run(
        "wres", (year - 1, year), store=store
    )
    shown = release.answer(results)
    sections = []
    for m in family("wres"):
        blocks: list[Block] = [_side_by_side(m.id, shown, year)]
        if m.id in RATIO_INDICATORS:
            blocks.append(_funnel(m, shown, year))
        sections.append(Section(m.id, _heading(m), tuple(blocks)))
    monthly = release.answer(
        api.run(
            "wres",
            (year - 1, year),
            store=store,
            system=True,
            measures=list(MONTHLY),
            interval=Interval.MONTH,
        )
    )
    charts: list[Block] = []
    for measure_id in MONTHLY:
        for unit in sorted({r.org for r in monthly if r.measure == measure_id}):
            charts.append(_monthly_chart(monthly, measure_id, unit, policy))
    sections.append(
        Section(
            "change",
            "Change over time",
            (
                Paragraph(
                    "Monthly rates for BME staff across the system, as Making Data Count "
                    "statistical process control charts: a point coloured orange or blue is a "
                    "special cause of concern or improvement; grey is common-cause variation."
                ),
                *charts,
            ),
        )
    )
    sections.append(methods_section(shown, policy, results))
    return Report(
        "system",
        "The integrated care system: WRES across organisations",
        f"Reporting year {label(year)}",
        audience,
        policy.describe(),
        tuple(sections),
        policy.plain(),
    )
