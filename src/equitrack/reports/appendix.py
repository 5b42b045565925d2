"""The sections every report ends with: the data behind it, and how each figure was made."""

from __future__ import annotations

from collections.abc import Sequence

from equitrack.disclosure import Policy
from equitrack.measures import calendar
from equitrack.measures.result import Result
from equitrack.reports.content import Paragraph, Rows, Section
from equitrack.reports.methods import methods
from equitrack.reports.quality import Quality


def data_quality(q: Quality) -> Section:
    """Declaration rates, what is loaded and for when, and the rows the importer rejected."""
    coverage = Rows(
        "What is loaded",
        ("Table", "Rows", "From", "To", "Reporting years"),
        tuple(
            (
                c.table,
                f"{c.rows:,}",
                c.first.isoformat() if c.first else "",
                c.last.isoformat() if c.last else "",
                f"{calendar.label(c.periods[0])} to {calendar.label(c.periods[-1])}"
                if c.periods
                else "",
            )
            for c in q.tables
        ),
    )
    files = Rows(
        "Files imported",
        ("File", "Table", "Rows read", "Loaded", "Rejected", "When"),
        tuple(
            (
                b.source,
                b.table,
                *(
                    "" if n is None else f"{n:,}"
                    for n in (b.rows_read, b.rows_loaded, b.rows_rejected)
                ),
                b.loaded_at,
            )
            for b in q.batches
        ),
    )
    return Section(
        "data-quality",
        "Data quality",
        (*(Paragraph(s) for s in q.sentences()), coverage, files),
    )


def verdicts_moved(exact: Sequence[Result], shown: Sequence[Result]) -> str | None:
    """How many verdicts the released counts change, for a protected audience: a shown ratio is
    compared again from the rounded counts, so its verdict can differ from the exact one."""
    pairs = [(e, s) for e, s in zip(exact, shown, strict=True) if e.verdict is not None]
    if not pairs:
        return None
    kept = [(e, s) for e, s in pairs if s.verdict is not None]
    moved = sum(e.verdict != s.verdict for e, s in kept)
    hidden = len(pairs) - len(kept)
    return (
        f"Verdicts from the released counts. Of the {len(kept):,} comparisons shown, {moved:,} "
        f"{'has' if moved == 1 else 'have'} a different verdict from the one the exact counts "
        f"give, because every figure shown is worked out from the rounded counts; {hidden:,} "
        f"more {'is' if hidden == 1 else 'are'} not shown (too few to show)."
    )


def methods_section(
    results: Sequence[Result], policy: Policy, exact: Sequence[Result] | None = None
) -> Section:
    """Every definition and option behind the figures shown, and the statistics used; with the
    `exact` results the shown ones were gated from, how many verdicts the gate changed."""
    m = methods(results, disclosure=policy.describe())
    moved = None if exact is None or policy.exact else verdicts_moved(exact, results)
    measures = Rows(
        "The measures in this report",
        ("Measure", "Definition", "Options used"),
        tuple(
            (
                f"{x.title} ({x.id})",
                " ".join(t for t in (x.definition, x.direction or "") if t),
                "; ".join(o.text for o in x.options),
            )
            for x in m.measures
        ),
    )
    return Section(
        "methods",
        "Methods",
        (
            *(Paragraph(f"{s.name}. {s.text}") for s in m.statistics),
            *(Paragraph(f"Disclosure control. {d}") for d in m.disclosure),
            *((Paragraph(moved),) if moved else ()),
            measures,
        ),
    )
