"""The generator's promotion, bank conversion and racist abuse disparities are found by the
recommendation 1, 2 and 9 measures (at system level, the years pooled); with the disparities
off, nothing is adverse more often than chance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pytest
from scipy.stats import binom

from equitrack.measures import Request, Scope, evaluate, measure
from equitrack.stats import Comparison, compare
from equitrack.store import Store

YEARS = tuple(range(2020, 2027))
INJECTED = ("promotion", "bank_conversion", "racist_abuse")
COMPARED = (*INJECTED, "incident_action")


def pooled(store: Store, measure_id: str, by: str = "wres") -> dict[tuple, Comparison]:
    """System-level counts summed over the years, each group against White, per cell."""
    m = measure(measure_id)
    results = evaluate(store, m, Request(YEARS, Scope(system=True), by))
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        sums[(r.breakdown, r.group)][0] += r.numerator
        sums[(r.breakdown, r.group)][1] += r.denominator
    return {
        (cell, group): compare(*counts, *sums[(cell, "White")], orientation=m.orientation)
        for (cell, group), counts in sums.items()
        if group not in ("White", "Unknown")
    }


def test_promotion_disparity_is_found(llr: Store) -> None:
    bme = pooled(llr, "promotion")[(None, "BME")]
    # promotion hazard 0.6-0.85 against White: White promoted about 1.2 times as often
    assert bme.significant and 1.1 < bme.ratio < 1.5
    black = pooled(llr, "promotion", "broad")[(None, "Black")]
    assert str(black.verdict) == "adverse, significant" and black.ratio > 1.3


def test_bank_conversion_disparity_is_found(llr: Store) -> None:
    bme = pooled(llr, "bank_conversion")[(None, "BME")]
    assert str(bme.verdict) == "adverse, significant" and bme.ratio > 1.25


@pytest.mark.parametrize("cell", [None, "Bank", "Substantive"])
def test_racist_abuse_disparity_is_found(llr: Store, cell: str | None) -> None:
    found = pooled(llr, "racist_abuse", "broad")
    for group in ("Black", "Asian"):  # rate ratios 5 and 3.5
        assert str(found[(cell, group)].verdict) == "adverse, significant", (cell, group)
    assert found[(cell, "Black")].ratio > found[(cell, "Asian")].ratio > 2


def test_no_action_disparity_was_injected(llr: Store) -> None:
    assert not pooled(llr, "incident_action")[(None, "BME")].significant


def test_no_disparity_means_no_more_adverse_findings_than_chance(
    loaded_system: Callable[..., Store],
) -> None:
    fair = loaded_system("llr", parity=True)
    results = [
        r
        for m in COMPARED
        for scope, by in ((Scope(), "wres"), (Scope(system=True), "broad"))
        for r in evaluate(fair, measure(m), Request(YEARS, scope, by))
        if r.verdict is not None
    ]
    adverse = [r for r in results if r.verdict == "adverse, significant"]
    # a two-sided 5% test calls about 2.5% adverse by chance; allow the 99.9th percentile
    assert len(results) > 250
    assert len(adverse) <= binom.ppf(0.999, len(results), 0.025), [
        (r.measure, r.org, r.period, r.breakdown, r.group, r.ratio) for r in adverse
    ]
    for m in INJECTED:
        for (cell, group), c in pooled(fair, m).items():
            assert str(c.verdict) != "adverse, significant", (m, cell, group, c.ratio)
