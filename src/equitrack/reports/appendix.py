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


def methods_section(results: Sequence[Result], policy: Policy) -> Section:
    """Every definition and option behind the figures shown, and the statistics used."""
    m = methods(results, disclosure=policy.describe())
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
            measures,
        ),
    )
