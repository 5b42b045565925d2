"""The ethnicity pay gap in a report: all staff, and medical and non-medical staff apart.

Why split: doctors and dentists are paid far more per hour than most other staff, and ethnic
groups are not equally represented among them, so an all-staff gap can be made, hidden or
reversed by who is a doctor. The words follow the UK government's 2023 guidance on ethnicity
pay reporting (the "ethnicity pay gap"; the mean and median hourly pay gap as a percentage of
the reference group's hourly pay; pay quarters). Figures are the `pay_gap` measure's, read
from the audience's release like every other figure in a report.
"""

from __future__ import annotations

from collections.abc import Sequence

from equitrack import api
from equitrack.measures.calendar import label
from equitrack.measures.covered import is_no_data
from equitrack.measures.pay import HOURLY, QUARTER_NAMES, quarter_label
from equitrack.measures.result import Result
from equitrack.model import codes
from equitrack.release import Release
from equitrack.reports.cells import NONE, cell
from equitrack.reports.content import Block, Paragraph, Rows, Section
from equitrack.reports.narrative import describe
from equitrack.stats import format_share
from equitrack.stats.reasons import Code
from equitrack.stats.rounding import format_number
from equitrack.store import Store

MEASURE = "pay_gap"
#: The `staff` option of each part of the split, and how the report names it.
SPLIT = (
    ("all", "All staff"),
    ("medical", "Medical and dental staff"),
    ("non_medical", "Non-medical staff"),
)
GROUP, REFERENCE = codes.BME, codes.WHITE
GAP_COLUMNS = (
    "Staff",
    "BME staff",
    "White staff",
    "Mean hourly pay gap",
    "Median hourly pay gap",
)

DEFINITION = (
    "The ethnicity pay gap is the difference between the hourly pay of BME staff and of White "
    "staff, expressed as a percentage of White staff's hourly pay: the mean hourly pay gap "
    "compares average hourly pay, the median hourly pay gap the middle values. A positive gap "
    "means BME staff are paid less per hour on average; a negative one that they are paid "
    "more. These are the measures the UK government's 2023 guidance on ethnicity pay reporting "
    "sets out, from each organisation's pay snapshot in the year. A pay gap compares average "
    "pay across all jobs; it is not a comparison of pay for the same work. It is given for "
    "all staff, and for medical and dental staff and non-medical staff apart, because doctors' "
    "hourly pay is much higher than most other staff's and the share of each ethnic group who "
    "are doctors differs, so the all-staff gap can differ from both."
)
QUARTERS = (
    "Pay quarters: staff are ranked by hourly pay and divided into four groups of equal size, "
    "from the lowest paid to the highest paid; the table gives BME staff's share of each."
)


def figures(
    store: Store, release: Release, year: int, orgs: Sequence[str], system: bool
) -> list[Result]:
    """The released pay-gap results of each part of the split for the units asked."""
    out: list[Result] = []
    for staff, _ in SPLIT:
        asked = api.run(
            "scrutiny",
            (year,),
            store=store,
            orgs=tuple(orgs),
            system=system,
            measures=[MEASURE],
            options={"staff": staff},
        )
        out += [r for r in release.answer(asked) if not is_no_data(r)]
    return out


def staff_of(r: Result) -> str:
    return str(r.options.get("staff", "all"))


def gap_row(results: Sequence[Result], unit: str, staff: str, stat: str) -> Result | None:
    """BME against White, one statistic of hourly pay, for one unit and part of the split."""
    return next(
        (
            r
            for r in results
            if r.org == unit
            and staff_of(r) == staff
            and r.group == GROUP
            and r.reference_group == REFERENCE
            and r.breakdown == f"{HOURLY}: {stat}"
        ),
        None,
    )


def sentence(r: Result) -> str:
    """What one gap says, in lower case after the staff it is about. A gap the gate shows
    without the pay amounts behind it is said as a gap alone; one the release does not hold
    for this audience is said to be so, not "too small"."""
    stat = (r.breakdown or "").partition(": ")[2]
    if r.reason_code == Code.NOT_RELEASED:
        return f"the {stat} hourly pay gap is not released for this audience."
    if r.difference is None and r.suppressed:
        return f"the {stat} hourly pay gap is not shown: too few staff to show it."
    if r.suppressed:
        return (
            f"the {stat} hourly pay gap between BME and White staff was {_gap(r)}; the pay "
            "amounts behind it are not shown."
        )
    words = describe(r)
    return f"{words[:1].lower()}{words[1:]}"


def _gap(r: Result | None) -> str:
    if r is None or r.difference is None:
        return NONE
    return f"{format_number(r.difference, 1)}%"


def unit_blocks(unit: str, results: Sequence[Result], year: int) -> list[Block]:
    """One unit's gaps by part of the split, what they say, and its pay quarters."""
    rows = []
    said: list[Block] = []
    for staff, name in SPLIT:
        mean = gap_row(results, unit, staff, "mean")
        median = gap_row(results, unit, staff, "median")
        if mean is None and median is None:
            continue
        counted = mean or median
        assert counted is not None
        rows.append(
            (
                name,
                cell(counted, "numerator"),
                cell(counted, "denominator"),
                _gap(mean),
                _gap(median),
            )
        )
        said += [Paragraph(f"{name}: {sentence(r)}") for r in (mean, median) if r is not None]
    if not rows:
        return [Paragraph(f"{unit}: no pay snapshot is loaded for {label(year)}.")]
    quarters = []
    for q in QUARTER_NAMES:
        shares = []
        for staff, _ in SPLIT:
            r = next(
                (
                    r
                    for r in results
                    if r.org == unit
                    and staff_of(r) == staff
                    and r.group == GROUP
                    and r.breakdown == quarter_label(q)
                ),
                None,
            )
            shares.append(NONE if r is None or r.rate is None else format_share(r.rate))
        quarters.append((quarter_label(q), *shares))
    return [
        Rows(
            f"Ethnicity pay gap, BME against White staff, {unit}, {label(year)}",
            GAP_COLUMNS,
            tuple(rows),
        ),
        *said,
        Rows(
            f"BME staff's share of each pay quarter, {unit}, {label(year)}",
            ("Pay quarter", *(name for _, name in SPLIT)),
            tuple(quarters),
        ),
    ]


def section(
    store: Store, release: Release, year: int, *, orgs: Sequence[str] = (), system: bool
) -> Section:
    """The ethnicity pay gap section: the system first (when asked), then each organisation."""
    results = figures(store, release, year, orgs, system)
    if system:
        results += figures(store, release, year, orgs, False)
    units = sorted({r.org for r in results}, key=lambda u: (not u.startswith("system:"), u))
    blocks: list[Block] = [Paragraph(DEFINITION), Paragraph(QUARTERS)]
    for unit in units:
        blocks += unit_blocks(unit, results, year)
    if not units:
        blocks.append(Paragraph(f"No pay snapshot is loaded for {label(year)}."))
    return Section("pay-gap", "Ethnicity pay gap", tuple(blocks))
