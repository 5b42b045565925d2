"""Careers over time in a report: Kaplan–Meier and cumulative incidence curves, through the gate.

Recommendation 1 asks about progression (time to first promotion) and recommendation 2 about
bank staff's route into substantive posts; both are journeys, not yearly rates, so they are
drawn as curves beside the measures.
"""

from __future__ import annotations

from equitrack.charts import cumulative_incidence_chart, kaplan_meier_chart
from equitrack.disclosure import Policy, gate_journey
from equitrack.measures.populations import Scope
from equitrack.measures.registry import journey_for
from equitrack.reports.content import Block, Paragraph, Picture, Section
from equitrack.store import Store


def section(store: Store, number: int, year: int, scope: Scope, policy: Policy) -> Section | None:
    """The journey behind recommendation `number`, or None when it has none."""
    declared = journey_for(number)
    if declared is None:
        return None
    blocks: list[Block] = []
    for journey in declared.follow(store, scope, by="broad", end_year=year):
        shown = gate_journey(journey, policy)
        if shown.analysis is None:
            blocks.append(Paragraph(f"{shown.unit}: too few people on this journey to show."))
            continue
        blocks += [Picture(kaplan_meier_chart(shown)), Picture(cumulative_incidence_chart(shown))]
        note = getattr(shown, "note", None)
        if note:
            blocks.append(Paragraph(note))
    if not blocks:
        blocks.append(Paragraph("No one is on this journey in the data loaded."))
    return Section(ids(number)[0], declared.title, tuple(blocks))


def ids(number: int) -> tuple[str, ...]:
    """The id of recommendation `number`'s journey section, if it has one."""
    declared = journey_for(number)
    return (f"rec{number}-{declared.section}",) if declared else ()
