"""The ethnicity pay gap as terminal tables: gaps against each reference, quarters, bonus."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from equitrack.measures import MEASURES, Result, to_arrow
from equitrack.measures.pay import QUARTER_NAMES, UnitPayGap
from equitrack.outputs.neutral import write_csv
from equitrack.stats import PayGap, format_share, round_half_up
from equitrack.stats.pay_gap import UNKNOWN


def period_label(year: int) -> str:
    """Reporting year 2026 is the financial year 2025/26 (as the other terminal tables)."""
    return f"{year - 1}/{str(year)[-2:]}"


def _percent(gap: PayGap | None, which: str) -> str:
    if gap is None:
        return "–"
    value = gap.mean_gap if which == "mean" else gap.median_gap
    if value is None:
        return "undefined"
    return f"{round_half_up(value, 1)}%"


def gap_table(unit: UnitPayGap, names: dict[str, str] | None = None) -> Table:
    report = unit.report
    where = (names or {}).get(unit.unit, unit.unit)
    dates = ", ".join(sorted(set(unit.snapshots.values())))
    t = Table(
        title=f"{where} · Ethnicity pay gap · {period_label(unit.period)} · snapshot {dates}",
        title_justify="left",
        caption_justify="left",
    )
    for name in ("group", "against", "staff", "mean", "median", "bonus mean", "bonus median"):
        t.add_column(name, justify="left" if name in ("group", "against") else "right")
    bonus = {(g.group, g.reference): g for g in report.bonus_gaps}
    for gap in report.gaps:
        if unit.same_people(gap.group, gap.reference):
            continue
        t.add_row(
            gap.group,
            gap.reference,
            f"{gap.group_headcount:,} / {gap.reference_headcount:,}",
            _percent(gap, "mean"),
            _percent(gap, "median"),
            _percent(bonus.get((gap.group, gap.reference)), "mean"),
            _percent(bonus.get((gap.group, gap.reference)), "median"),
        )
    notes = [
        "Gap = (reference pay - group pay) / reference pay: positive means the group is paid "
        "less. Bonus gaps are among those who received a bonus.",
        f"Ethnicity not known: {report.unknown.unknown:,} of {report.unknown.total:,} staff "
        f"({format_share(report.unknown.share, missing='–')}).",
    ]
    if report.bonus_reason:
        notes.append(f"No bonus figures: {report.bonus_reason}.")
    notes += [f"Left out of hourly figures ({why}): {n:,}." for why, n in report.excluded.items()]
    t.caption = "\n".join(notes)
    return t


def quarter_table(unit: UnitPayGap) -> Table:
    report = unit.report
    t = Table(
        title="Share of each hourly pay quarter, and of each group receiving a bonus",
        title_justify="left",
        caption_justify="left",
    )
    t.add_column("group")
    for q, name in QUARTER_NAMES.items():
        t.add_column(f"Q{q} {name}", justify="right")
    t.add_column("received a bonus", justify="right")
    receipt = {r.group: r for r in report.bonus_receipt}
    groups = list(dict.fromkeys(q.group for q in report.quarters))
    for group in groups:
        shares = [q.share for q in report.quarters if q.group == group]
        got = receipt.get(group)
        t.add_row(
            group,
            *(format_share(s, missing="–") for s in shares),
            "–"
            if got is None
            else f"{got.received:,} / {got.headcount:,} ({format_share(got.share, missing='–')})",
        )
    t.caption = (
        "Everyone with an hourly pay is ranked and cut into four equal quarters; people on the "
        "same pay at a boundary are spread evenly, so counts can be fractional. Groups overlap "
        f"(BME is every minority group together); {UNKNOWN} completes each quarter."
    )
    return t


def render(reports: Iterable[UnitPayGap], names: dict[str, str] | None = None) -> Group:
    parts: list[Table | Text] = []
    for unit in reports:
        parts += [gap_table(unit, names), quarter_table(unit)]
    return Group(*parts) if parts else Group(Text("No pay data: is the pay table loaded?"))


def show(
    reports: Sequence[UnitPayGap], console: Console, names: dict[str, str] | None = None
) -> None:
    console.print(render(reports, names))


def results_table(measure_id: str, results: list[Result]) -> Table:
    """Pay-gap results (the Result rows `equitrack measure pay_gap` gives) as one table, with
    the signature of the renderers in `equitrack.outputs.terminal`."""
    years = ", ".join(period_label(y) for y in sorted({r.period for r in results}))
    t = Table(
        title=f"{measure_id.upper()} · {MEASURES[measure_id].title} · {years}",
        title_justify="left",
        caption_justify="left",
    )
    for name in ("org", "figure", "group", "against", "staff", "value", "detail"):
        t.add_column(name, justify="right" if name in ("staff", "value") else "left")
    for r in results:
        if r.difference is not None or r.reference_group is not None:
            value = "undefined" if r.difference is None else f"{round_half_up(r.difference, 1)}%"
        else:
            value = format_share(r.rate, missing="–")
        staff = "" if r.numerator is None else f"{r.numerator:,} / {r.denominator:,}"
        t.add_row(
            r.org, r.breakdown or "", r.group, r.reference_group or "", staff, value, r.reason or ""
        )
    t.caption = (
        "Gaps: (reference - group) / reference, positive when the group is paid less; staff = "
        "group / reference headcount. Quarters: the group's share of the quarter. "
        "`equitrack pay-gap` shows the same figures laid out by organisation."
    )
    return t


def to_csv(results: Iterable[Result]) -> str:
    """Results as CSV text, the columns every measure export has."""
    buffer = io.BytesIO()
    write_csv(to_arrow(results), buffer)
    return buffer.getvalue().decode("utf-8")
