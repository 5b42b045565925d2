"""Careers over time for people: per journey and group, how many, how soon, and against White.

One row per journey, unit and group: people on the journey, how many reached the event (a
promotion, a substantive post) and how many left first, the Kaplan–Meier median time in years,
the share who had actually reached the event by 3 and 5 years (cumulative incidence, leaving
counted as a competing event, so this is the real share, not the "if nobody left" one), and the
log-rank p-value against White, with "too few to tell" where the numbers are small.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from equitrack.measures.careers import BANK_TO_SUBSTANTIVE, PROMOTION, Journey
from equitrack.model import codes
from equitrack.outputs.neutral import write_rows
from equitrack.stats import format_share
from equitrack.stats.survival import DAYS_PER_YEAR

TITLES = {
    PROMOTION: "Time to first promotion",
    BANK_TO_SUBSTANTIVE: "From the bank to a substantive post",
}
STARTS = {
    PROMOTION: "from the first substantive AfC post in the unit",
    BANK_TO_SUBSTANTIVE: "from the first bank assignment in the unit",
}
EVENT_WORD = {PROMOTION: "promoted", BANK_TO_SUBSTANTIVE: "converted"}
HORIZONS = (3, 5)  # years at which the share who reached the event is shown
COLUMNS = (
    "journey", "unit", "group_type", "group", "people", "events", "competing", "censored",
    "median_years", "median_ci_low_years", "median_ci_high_years", "by_3_years", "by_5_years",
    "reference_group", "log_rank_p", "log_rank_p_adjusted", "too_few", "reason",
    "end_of_data", "cohort_from", "options",
)  # fmt: skip


def _years(days: float | None) -> float | None:
    return None if days is None else days / DAYS_PER_YEAR


def _incidence_by(journey: Journey, group: str, years: int) -> float | None:
    """The share who reached the event by `years`; None beyond the group's longest follow-up."""
    if journey.analysis is None:
        return None
    try:
        curve = journey.analysis.cumulative_incidence.curve(group, "event")
    except KeyError:
        return None
    t = years * DAYS_PER_YEAR
    return None if t > curve.time[-1] else curve.value_at(t)


def records(journeys: Iterable[Journey]) -> list[dict[str, Any]]:
    """One record per journey, unit and group (Unknown with its counts only)."""
    out = []
    for j in journeys:
        km = j.analysis.kaplan_meier if j.analysis else None
        tests = j.analysis.log_rank if j.analysis else None
        for group, counts in j.counts.items():
            summary = next((s for s in km.summaries if s.group == group), None) if km else None
            test = next((r for r in tests.pairwise if r.group == group), None) if tests else None
            reason = None
            if group == codes.UNKNOWN:
                reason = "unknown ethnicity: counted, left out of the curves and tests"
            elif test is not None:
                reason = test.reason
            elif summary is not None:
                reason = summary.reason
            out.append(
                {
                    "journey": j.journey,
                    "unit": j.unit,
                    "group_type": j.by,
                    "group": group,
                    "people": counts.people,
                    "events": counts.events,
                    "competing": counts.competing,
                    "censored": counts.censored,
                    "median_years": _years(summary.median) if summary else None,
                    "median_ci_low_years": _years(summary.median_ci_low) if summary else None,
                    "median_ci_high_years": _years(summary.median_ci_high) if summary else None,
                    "by_3_years": _incidence_by(j, group, 3),
                    "by_5_years": _incidence_by(j, group, 5),
                    "reference_group": test.reference if test else None,
                    "log_rank_p": test.p_value if test else None,
                    "log_rank_p_adjusted": test.p_adjusted if test else None,
                    "too_few": test.too_few if test else (summary.too_few if summary else None),
                    "reason": reason,
                    "end_of_data": j.end_of_data.isoformat(),
                    "cohort_from": j.cohort_from.isoformat(),
                    "options": j.options,
                }
            )
    return out


def to_json(journeys: Iterable[Journey]) -> str:
    return json.dumps(records(journeys), indent=2, default=str)


def to_csv(journeys: Iterable[Journey]) -> str:
    buffer = io.StringIO()
    rows = records(journeys)
    for row in rows:
        row["options"] = json.dumps(row["options"], sort_keys=True)
    write_rows(buffer, COLUMNS, rows)
    return buffer.getvalue()


def write_csv(journeys: Iterable[Journey], path: Path) -> None:
    path.write_text(to_csv(journeys), encoding="utf-8")


def _median(row: dict[str, Any]) -> str:
    if row["group"] == codes.UNKNOWN:
        return "–"
    if row["median_years"] is None:
        return "not yet"
    return f"{row['median_years']:.1f} yrs"


def _p_value(row: dict[str, Any]) -> Text:
    if row["group"] == codes.UNKNOWN:
        return Text("not compared", style="dim")
    if row["reference_group"] is None:
        return Text("reference" if row["group"] == codes.WHITE else "–", style="dim")
    p = row["log_rank_p"]
    if p is None:
        return Text(row["reason"] or "no test", style="dim")
    text = Text("p < 0.001" if p < 0.001 else f"p = {p:.3f}")
    if row["too_few"]:
        text.append(" too few to tell", style="dim")
    elif row["log_rank_p_adjusted"] is not None and row["log_rank_p_adjusted"] < 0.05:
        text.stylize("bold")
    return text


def _share(value: float | None) -> str:
    return "–" if value is None else format_share(value)


def journey_table(journey: str, rows: Sequence[dict[str, Any]], *, caption: bool) -> Table:
    """One unit's groups on one journey; `caption` explains the columns (once per journey)."""
    first = rows[0]
    t = Table(
        title=f"{TITLES[journey]} · {first['unit']} · {STARTS[journey]}",
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    word = EVENT_WORD[journey]
    for name, justify in (
        ("group", "left"),
        ("people", "right"),
        (word, "right"),
        ("left", "right"),
        ("median", "right"),
        ("by 3 yrs", "right"),
        ("by 5 yrs", "right"),
        ("vs White", "left"),
    ):
        last = name == "vs White"
        t.add_column(name, justify=justify, no_wrap=not last, min_width=9 if last else None)  # type: ignore[arg-type]
    for row in rows:
        t.add_row(
            row["group"],
            f"{row['people']:,}",
            f"{row['events']:,}",
            f"{row['competing']:,}",
            _median(row),
            _share(row["by_3_years"]),
            _share(row["by_5_years"]),
            _p_value(row),
        )
    if caption:
        t.caption = (
            f"Journeys starting {first['cohort_from']} or later, followed to "
            f"{first['end_of_data']}. Left: left first, without being {word}. Median: "
            f"Kaplan–Meier time to being {word}, 'not yet' while fewer than half have been. "
            f"By 3 and 5 yrs: the share actually {word} by then, leaving counted as a competing "
            "event (– where no one was followed that long). vs White: log-rank test p-value; "
            "bold when significant after allowing for the several groups compared."
        )
    return t


def render(journeys: Iterable[Journey]) -> Group:
    rows = records(journeys)
    tables = []
    for journey in (PROMOTION, BANK_TO_SUBSTANTIVE):
        chosen = [r for r in rows if r["journey"] == journey]
        unit_names = list(dict.fromkeys(r["unit"] for r in chosen))
        for i, unit in enumerate(unit_names):
            of_unit = [r for r in chosen if r["unit"] == unit]
            tables.append(journey_table(journey, of_unit, caption=i == len(unit_names) - 1))
    if not tables:
        return Group(Text("No journeys: is anything loaded for those organisations and years?"))
    return Group(*tables)


def show(journeys: Iterable[Journey], console: Console) -> None:
    console.print(render(journeys))
