"""With the generator's disparities off nothing is adverse more often than chance; with them on,
the engine finds them."""

from collections.abc import Callable

from scipy.stats import binom

from equitrack.measures import Request, evaluate, measure
from equitrack.store import Store

YEARS = tuple(range(2020, 2027))
RATIOS = ("wres2", "wres3", "wres4")


def comparisons(store: Store, by: str) -> list:
    return [
        r
        for m in RATIOS
        for r in evaluate(store, measure(m), Request(years=YEARS, by=by))
        if r.verdict is not None
    ]


def test_no_disparity_means_no_more_adverse_findings_than_chance(
    loaded_system: Callable[..., Store],
) -> None:
    fair = loaded_system("llr", parity=True)
    results = comparisons(fair, "wres") + comparisons(fair, "broad")
    adverse = [r for r in results if r.verdict == "adverse, significant"]
    # a two-sided 5% test calls about 2.5% adverse by chance; allow the 99.9th percentile
    limit = binom.ppf(0.999, len(results), 0.025)
    assert len(results) > 250
    assert len(adverse) <= limit, [(r.measure, r.org, r.period, r.group, r.ratio) for r in adverse]


def test_the_default_disparities_are_found(llr: Store) -> None:
    wres2 = [r for r in evaluate(llr, measure("wres2"), Request(years=YEARS)) if r.group == "BME"]
    big = [r for r in wres2 if r.org in ("RWE", "RT5")]
    assert sum(r.verdict == "adverse, significant" for r in big) >= len(big) - 1
    assert all(1.2 < r.ratio < 2.2 for r in big)
    black = [
        r
        for r in evaluate(llr, measure("wres2"), Request(years=YEARS, by="broad"))
        if r.group == "Black" and r.org == "RWE"
    ]
    assert all(r.verdict == "adverse, significant" for r in black)


def test_adjusted_verdicts_never_promote(llr: Store) -> None:
    for r in comparisons(llr, "broad"):
        if r.verdict_adjusted and r.verdict_adjusted.endswith(", significant"):
            assert r.verdict == r.verdict_adjusted
