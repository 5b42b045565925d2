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
from equitrack.measures.declare import Measure

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


def measure(measure_id: str) -> Measure:
    try:
        return MEASURES[measure_id]
    except KeyError:
        raise KeyError(f"no measure {measure_id!r}; known: {', '.join(MEASURES)}") from None
