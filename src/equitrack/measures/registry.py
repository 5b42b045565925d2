"""Every declared measure, by id and family: what the CLI, reports and parity tests iterate."""

from __future__ import annotations

from equitrack.measures import (
    bank_journeys,
    bank_wres,
    casework,
    opportunities,
    pay,
    progression,
    wdes,
    wres,
)
from equitrack.measures.declare import Kind, Measure
from equitrack.measures.result import Result

MEASURES: dict[str, Measure] = {
    m.id: m
    for m in (
        *wres.MEASURES,
        *wdes.MEASURES,
        *bank_wres.MEASURES,
        *opportunities.MEASURES,
        *casework.MEASURES,
        *pay.MEASURES,
        *progression.MEASURES,
        *bank_journeys.MEASURES,
    )
}
FAMILIES = ("wres", "wdes", "bank-wres", "scrutiny")


def family(name: str) -> tuple[Measure, ...]:
    return tuple(m for m in MEASURES.values() if m.family == name)


def measure_of(result: Result) -> Measure | None:
    """The declaration a result comes from (None for a measure not registered here)."""
    return MEASURES.get(result.measure)


def kind_of(result: Result) -> Kind:
    """The kind of measure a result comes from; a result of an unregistered measure is read as
    a survey result when its options name a survey item, as a comparison when it has a
    reference group, and otherwise as a representation."""
    m = measure_of(result)
    if m is not None:
        return m.kind
    if "survey_measure" in result.options:
        return Kind.SURVEY
    return Kind.COMPARISON if result.reference_group else Kind.REPRESENTATION


def measure(measure_id: str) -> Measure:
    try:
        return MEASURES[measure_id]
    except KeyError:
        raise KeyError(f"no measure {measure_id!r}; known: {', '.join(MEASURES)}") from None
