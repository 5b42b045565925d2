"""The recommendation 1, 2 and 9 measures agree, count for count, with plain pandas versions
written from the spec (tests/reference/plain_progression.py, plain_bank_journeys.py), on the
generated LLR system, per organisation by WRES group and for the system by broad group."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from equitrack.measures import Request, Scope, evaluate, measure
from equitrack.store import Store
from tests.reference import plain_bank_journeys, plain_progression

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

YEARS = (2020, 2023, 2026)
MEASURES = (*plain_progression.MEASURES, *plain_bank_journeys.MEASURES)
ASKS = {"orgs-wres": (False, "wres"), "system-broad": (True, "broad")}
TABLES = ("organisations", "people", "assignments", "incidents")

Key = tuple[str, str, int, str | None, str]
Counts = dict[Key, tuple[int, int]]


def _keep(numerator: int, denominator: int) -> bool:
    return not (numerator == 0 and denominator == 0)


def engine_counts(store: Store, measure_id: str, system: bool, by: str) -> Counts:
    counts: Counts = {}
    request = Request(years=YEARS, scope=Scope(system=system), by=by)
    for r in evaluate(store, measure(measure_id), request):
        key = (r.measure, r.org, int(r.period), r.breakdown, r.group)
        assert key not in counts, f"engine returned {key} twice"
        if _keep(int(r.numerator), int(r.denominator)):
            counts[key] = (int(r.numerator), int(r.denominator))
    return counts


def plain_counts(frame: pd.DataFrame) -> Counts:
    counts: Counts = {}
    for row in frame.itertuples(index=False):
        breakdown = None if pd.isna(row.breakdown) else row.breakdown
        key = (row.measure, row.unit, int(row.period), breakdown, row.group)
        assert key not in counts, f"plain returned {key} twice"
        if _keep(int(row.numerator), int(row.denominator)):
            counts[key] = (int(row.numerator), int(row.denominator))
    return counts


def differences(engine: Counts, plain: Counts, limit: int = 15) -> str:
    keys = sorted(set(engine) | set(plain), key=lambda k: tuple(str(x) for x in k))
    wrong = [k for k in keys if engine.get(k) != plain.get(k)]
    lines = [f"{len(wrong)} of {len(keys)} counts differ (numerator, denominator):"]
    lines += [f"  {k}: engine {engine.get(k)} vs plain {plain.get(k)}" for k in wrong[:limit]]
    return "\n".join(lines) if wrong else ""


@pytest.fixture(scope="module")
def tables(llr: Store) -> dict[str, pd.DataFrame]:
    """The loaded tables as they are stored (identifiers pseudonymised alike in every table)."""
    return {name: llr.table(name).to_pandas() for name in TABLES}


@pytest.fixture(scope="module")
def plain(tables) -> dict[str, Counts]:
    out = {}
    for ask, (system, by) in ASKS.items():
        frames = [
            plain_progression.all_measures(tables, YEARS, system, by),
            plain_bank_journeys.all_measures(tables, YEARS, system, by),
        ]
        out[ask] = plain_counts(pd.concat(frames, ignore_index=True))
    return out


@pytest.mark.parametrize("ask", ASKS)
@pytest.mark.parametrize("measure_id", MEASURES)
def test_engine_agrees_with_plain_pandas(
    llr: Store, plain: dict[str, Counts], measure_id: str, ask: str
) -> None:
    system, by = ASKS[ask]
    engine = engine_counts(llr, measure_id, system, by)
    expected = {k: v for k, v in plain[ask].items() if k[0] == measure_id}
    assert expected, "the plain implementation produced nothing to compare"
    assert {k[2] for k in expected} == set(YEARS)
    assert not differences(engine, expected), differences(engine, expected)


def test_fair_system_agrees_too(loaded_system: Callable[..., Store]) -> None:
    """The same on the system generated without disparities, for the measures that carry one."""
    fair = loaded_system("llr", parity=True)
    tables = {name: fair.table(name).to_pandas() for name in TABLES}
    plain = plain_counts(
        pd.concat(
            [
                plain_progression.all_measures(tables, (2026,)),
                plain_bank_journeys.all_measures(tables, (2026,)),
            ]
        )
    )
    for measure_id in ("promotion", "bank_conversion", "racist_abuse"):
        request = Request(years=(2026,))
        engine = {
            (r.measure, r.org, int(r.period), r.breakdown, r.group): (r.numerator, r.denominator)
            for r in evaluate(fair, measure(measure_id), request)
            if _keep(r.numerator, r.denominator)
        }
        expected = {k: v for k, v in plain.items() if k[0] == measure_id}
        assert not differences(engine, expected), differences(engine, expected)
