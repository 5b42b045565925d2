"""Every declared measure, by id and family: what the CLI, reports and parity tests iterate."""

from __future__ import annotations

from equitrack.measures import (
    bank_journeys,
    bank_wres,
    careers,
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
#: Careers over time: measures too, but followed per person rather than counted per year, so
#: kept apart from `MEASURES` (which the engine evaluates) and listed beside them.
JOURNEYS: dict[str, careers.JourneyMeasure] = {j.id: j for j in careers.JOURNEY_MEASURES}


def listed() -> tuple[Measure | careers.JourneyMeasure, ...]:
    """Every registered measure, yearly and journeys, as `equitrack measures` lists them."""
    return (*MEASURES.values(), *JOURNEYS.values())


def journey_for(recommendation: int) -> careers.JourneyMeasure | None:
    """The journey that evidences `recommendation`, if one does."""
    return next((j for j in JOURNEYS.values() if j.recommendation == recommendation), None)


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
