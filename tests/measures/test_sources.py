"""The tables each measure reads (`sources.tables_read`): found once per population for every
measure that reads it, and the same as building each measure's queries on its own."""

from __future__ import annotations

from collections import Counter

import pytest

from equitrack.measures import populations, sources
from equitrack.measures.declare import Frame
from equitrack.measures.populations import Scope
from equitrack.measures.registry import MEASURES
from equitrack.model.tables import TABLES


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Nothing found yet, and each staff-in-post query built counted."""
    monkeypatch.setattr(sources, "_TABLES_READ", {})
    monkeypatch.setattr(sources, "_SHAPES", sources._ShapeOnly())
    built: Counter[str] = Counter()
    real = populations.staff_in_post

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        built["staff in post"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(populations, "staff_in_post", counted)
    return built


def _alone(measure) -> frozenset[str]:  # type: ignore[no-untyped-def]
    """The tables as the measure's own queries name them, built with nothing shared."""
    frame = Frame(
        sources._Unbound(),  # type: ignore[arg-type]
        Scope(),
        (sources.SHAPE_YEAR,),
        measure.resolve(None),
        shared=sources._ShapeOnly(),
    )
    queries = [measure.population(frame)] + ([measure.event(frame)] if measure.event else [])
    names = {n.name for q in queries for n in q.op().find(sources.ops.PhysicalTable)}
    return frozenset(names & {t.name for t in TABLES})


def test_the_staff_in_post_is_built_once_for_every_measure_reading_it(fresh) -> None:
    reading = [m for m in MEASURES.values() if "assignments" in sources.tables_read(m)]
    assert len(reading) > 10
    # the shared workforce, and the bank-only workers' own (built without it), once each
    assert fresh["staff in post"] <= 2


def test_the_tables_found_are_those_each_measures_own_queries_read(fresh) -> None:
    for m in MEASURES.values():
        if m.kind is not sources.Kind.SURVEY:
            assert sources.tables_read(m) == _alone(m), m.id
    assert sources.tables_read(MEASURES["wres2"]) == {"applications", "vacancies", "organisations"}
