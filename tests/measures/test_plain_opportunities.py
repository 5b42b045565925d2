"""The engine agrees, count for count, with a plain pandas implementation of the scrutiny
measures for recommendations 3 to 6 (tests/reference/plain_opportunities.py), on a generated
system, for the default options and the alternatives each measure offers."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from equitrack import synth
from equitrack.measures import Request, evaluate, measure
from equitrack.measures.declare import Shared
from equitrack.store import Store
from tests.reference import plain_opportunities as plain

YEARS = tuple(range(2019, 2027))
CASES = (
    ("edi_training_reach", {}),
    ("edi_training_reach", {"mandatory": "exclude", "workforce": "both"}),
    ("bystander_reach", {}),
    ("bystander_reach", {"workforce": "bank"}),
    ("bystander_reach_since", {}),
    ("bystander_reach_since", {"since": 2024, "workforce": "both"}),
    ("edi_training_completion", {}),
    ("edi_training_completion", {"completion": "all", "mandatory": "exclude"}),
    ("edi_training_delivery", {}),
    ("development_appointment", {}),
    ("development_appointment", {"appointed": "offered", "opportunity_type": "acting_up"}),
    ("unadvertised_development", {}),
    ("unadvertised_development", {"source": "development"}),
    ("unadvertised_development", {"opportunity_type": "talent_programme"}),
    ("panel_diversity", {}),
    ("development_participation", {}),
    ("development_participation", {"kind": "shadowing", "workforce": "both"}),
    ("cross_org_placements", {}),
    ("cross_org_placements", {"kind": "secondment"}),
    ("progression_after_development", {}),
    ("progression_after_development", {"outcome_at": "snapshot", "leavers": "exclude"}),
    ("progression_after_development", {"kind": "mentoring"}),
    ("edi_objectives", {}),
    ("succession_pool", {}),
    ("succession_pool", {"bands": "7_and_above"}),
    ("succession_pool_by_band", {}),
)

Key = tuple[str, int, str | None, str]
Counts = dict[Key, tuple[int, ...]]


def _shown(measure_id: str, numerator: int, denominator: int, excluded: int) -> tuple[int, ...]:
    return (
        (numerator, denominator, excluded)
        if measure_id == "panel_diversity"
        else (
            numerator,
            denominator,
        )
    )


def engine_counts(store: Store, measure_id: str, options: dict, shared: Shared) -> Counts:
    out: Counts = {}
    request = Request(years=YEARS, options=options, shared=shared)
    for r in evaluate(store, measure(measure_id), request):
        key = (r.org, int(r.period), r.breakdown, r.group)
        assert key not in out, f"engine returned {key} twice"
        if r.numerator or r.denominator or r.excluded:
            out[key] = _shown(measure_id, r.numerator, r.denominator, r.excluded)
    return out


def plain_counts(tables, measure_id: str, options: dict) -> Counts:
    out: Counts = {}
    frame = plain.counts(tables, measure_id, YEARS, **options)
    for row in frame.itertuples(index=False):
        breakdown = None if pd.isna(row.breakdown) else row.breakdown
        key = (row.org, int(row.period), breakdown, row.group)
        assert key not in out, f"plain returned {key} twice"
        if row.numerator or row.denominator or row.excluded:
            out[key] = _shown(measure_id, int(row.numerator), int(row.denominator), row.excluded)
    return out


def differences(engine: Counts, plain_: Counts, limit: int = 12) -> str:
    keys = sorted(set(engine) | set(plain_), key=lambda k: tuple(str(x) for x in k))
    wrong = [k for k in keys if engine.get(k) != plain_.get(k)]
    lines = [f"{len(wrong)} of {len(keys)} counts differ:"] if wrong else []
    lines += [f"  {k}: engine {engine.get(k)} vs plain {plain_.get(k)}" for k in wrong[:limit]]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def mini(loaded_system: Callable[..., Store]):
    """The session's generated mini system (seed 7), and the same tables for the plain side."""
    tables = synth.generate("mini", seed=7)
    with Shared(YEARS) as shared:
        yield loaded_system("mini"), {k: v.to_pandas() for k, v in tables.items()}, shared


@pytest.mark.parametrize(
    ("measure_id", "options"),
    CASES,
    ids=[f"{m}-{'-'.join(map(str, o.values())) or 'defaults'}" for m, o in CASES],
)
def test_engine_agrees_with_plain_pandas(mini, measure_id: str, options: dict) -> None:
    store, tables, shared = mini
    engine = engine_counts(store, measure_id, options, shared)
    expected = plain_counts(tables, measure_id, options)
    assert expected, "the plain implementation produced nothing to compare"
    assert sum(v[0] for v in expected.values()) > 0, "no events at all: a vacuous comparison"
    assert not differences(engine, expected), differences(engine, expected)


def test_every_measure_is_cross_checked() -> None:
    from equitrack.measures.opportunities import MEASURES

    assert {m.id for m in MEASURES} == {m for m, _ in CASES} == set(plain.MEASURES)
