"""Model Employer by band: BME and Black staff at 8a, 8b, 8c, 8d, 9 and VSM against the goal,
for each organisation and the system, with the yearly path to the target year and a chart.

The figures are the `model_employer` measure's band cells, BME from the WRES grouping and Black
from the broad one, read from the audience's release like every other figure in a report. The
path is the measure's own: the headcount needed for parity at today's sizes, spread evenly over
the years left (`equitrack.stats.parity_pace`).
"""

from __future__ import annotations

from collections.abc import Sequence

from equitrack import api
from equitrack.charts.trajectory import BandSeries, trajectory_chart
from equitrack.measures.calendar import label
from equitrack.measures.covered import is_no_data
from equitrack.measures.progression import (
    MODEL_EMPLOYER_YEAR,
    NEEDED_PREFIX,
    SENIOR_BANDS,
    SENIOR_CELL,
)
from equitrack.measures.result import Result
from equitrack.model import codes
from equitrack.release import Release
from equitrack.reports.cells import NONE, cell
from equitrack.reports.content import Block, Paragraph, Picture, Rows, Section
from equitrack.stats import format_points, format_share, parity_pace
from equitrack.store import Store

MEASURE = "model_employer"
#: The groups the goal is followed for, and the grouping each comes from.
GROUPS = ((codes.BME, "wres"), ("Black", "broad"))
CELLS = (*SENIOR_BANDS, SENIOR_CELL)
COLUMNS = (
    "Band",
    "Group",
    "Staff at the band",
    "Share",
    "Share of all staff",
    "Gap (points)",
    "Needed for parity",
    f"A year to reach it by {MODEL_EMPLOYER_YEAR}",
)


def figures(store: Store, release: Release, years: Sequence[int], org: str | None) -> list[Result]:
    """The measure's released results for BME and Black staff: the system and every
    organisation (`org` None) or one organisation, every year asked."""
    out: list[Result] = []
    for group, by in GROUPS:
        for system in (False, True) if org is None else (False,):
            asked = api.run(
                "scrutiny",
                tuple(years),
                store=store,
                orgs=(org,) if org else (),
                system=system,
                by=by,
                measures=[MEASURE],
            )
            out += [r for r in release.answer(asked) if r.group == group and not is_no_data(r)]
    return out


def needed_cell(band: str) -> str:
    return f"{NEEDED_PREFIX}{band})"


def target_of(r: Result) -> int:
    return int(r.options.get("target_year", MODEL_EMPLOYER_YEAR))


def pace_of(needed: Result | None, year: int) -> int | None:
    """How many a year reach the needed headcount by the target (None: not shown, or no year
    left)."""
    if needed is None or needed.numerator is None:
        return None
    return parity_pace(needed.numerator, year, target_of(needed))


def _row(gap: Result, needed: Result | None, year: int) -> tuple[str, ...]:
    workforce = (
        None if gap.rate is None or gap.difference is None else gap.rate - gap.difference / 100
    )
    pace = pace_of(needed, year)
    return (
        gap.breakdown or "",
        gap.group,
        f"{cell(gap, 'numerator')} of {cell(gap, 'denominator')}",
        cell(gap, "rate"),
        NONE if workforce is None else format_share(workforce),
        NONE if gap.difference is None else format_points(gap.difference),
        NONE if needed is None else cell(needed, "numerator"),
        NONE if pace is None else f"{pace:,}",
    )


def unit_blocks(unit: str, results: Sequence[Result], year: int) -> list[Block]:
    """One unit's table of bands this year, and its trajectory chart over every year."""
    mine = {(r.period, r.breakdown, r.group): r for r in results if r.org == unit}
    rows = []
    series = []
    for band in CELLS:
        for group, _ in GROUPS:
            gap = mine.get((year, band, group))
            if gap is None:
                continue
            needed = mine.get((year, needed_cell(band), group))
            rows.append(_row(gap, needed, year))
            if band == SENIOR_CELL:
                continue
            counts = {p: r.numerator for (p, b, g), r in mine.items() if b == band and g == group}
            series.append(
                BandSeries(
                    band,
                    group,
                    dict(sorted(counts.items())),
                    None if needed is None else needed.numerator,
                    pace_of(needed, year),
                )
            )
    if not rows:
        return [Paragraph(f"{unit}: no staff at band 8a and above in {label(year)}.")]
    blocks: list[Block] = [
        Rows(f"Model Employer by band, {unit}, {label(year)}", COLUMNS, tuple(rows))
    ]
    if series:
        blocks.append(Picture(trajectory_chart(series, unit=unit, target=MODEL_EMPLOYER_YEAR)))
    return blocks


def section(
    store: Store, release: Release, year: int, years: Sequence[int], org: str | None
) -> Section:
    """The Model Employer section: for the system first, then each organisation."""
    results = figures(store, release, years, org)
    units = sorted({r.org for r in results}, key=lambda u: (not u.startswith("system:"), u))
    intro = Paragraph(
        "NHS England's Model Employer goal is that ethnic minority (BME) staff are represented "
        "at every senior band (8a, 8b, 8c, 8d, 9 and very senior managers) in the same share as "
        f"in the whole workforce by {MODEL_EMPLOYER_YEAR}. For BME and Black staff at each band, "
        "the table gives their headcount and share of the band, their share of all staff in "
        "post, the gap in percentage points, how many more at the band would reach parity with "
        "as many senior posts as now, and how many a year that is until "
        f"{MODEL_EMPLOYER_YEAR}. The chart shows each band's headcount in every year loaded "
        "and that path. The number needed moves as the workforce changes."
    )
    blocks: list[Block] = [intro]
    for unit in units:
        blocks += unit_blocks(unit, results, year)
    if not units:
        blocks.append(Paragraph("No staff in post are loaded for these years."))
    return Section("model-employer", "Model Employer by band", tuple(blocks))
