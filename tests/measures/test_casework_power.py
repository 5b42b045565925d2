"""The disparities the generator builds into leave, casework, just culture and pay are found
with its defaults, and with `Disparities.none()` nothing is adverse more often than chance.

Figures are pooled over the reporting years 2020-2026 for the whole system (sums of each
year's counts). Where the injected effect is a ratio inside the parity band (0.80-1.25; the
generator's odds ratios of 1.15-1.3 on common events give risk ratios of about 1.1-1.2), the
measure cannot call it "adverse" and the test asks for what it can show: a ratio whose 95%
interval lies wholly above 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pytest
from scipy.stats import binom

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.measures import Request, Scope, evaluate, measure
from equitrack.stats import Comparison, compare
from equitrack.store import Store, connect
from equitrack.synth import generate, write

YEARS = tuple(range(2020, 2027))
CASEWORK = (
    "leave_declined",
    "suspension",
    "severe_outcome",
    "long_case",
    "jc_assessed",
    "jc_outcomes",
    "jc_unsupported",
)

Pooled = dict[tuple[str | None, str], tuple[int, int]]


def pooled(store: Store, measure_id: str, by: str = "wres") -> Pooled:
    """The system's counts per breakdown cell and group, summed over YEARS."""
    sums: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0])
    request = Request(years=YEARS, scope=Scope(system=True), by=by)
    for r in evaluate(store, measure(measure_id), request):
        sums[(r.breakdown, r.group)][0] += r.numerator
        sums[(r.breakdown, r.group)][1] += r.denominator
    return {k: (n, d) for k, (n, d) in sums.items()}


def against_white(
    counts: Pooled, group: str, cell: str | None = None, orientation: str = "harm"
) -> Comparison:
    return compare(*counts[(cell, group)], *counts[(cell, "White")], orientation=orientation)


def worse(c: Comparison) -> bool:
    """Significantly worse for the group: the ratio's interval lies wholly above 1."""
    return bool(c.significant) and c.ratio is not None and c.ratio > 1


@pytest.fixture(scope="module")
def region_cases(tmp_path_factory: pytest.TempPathFactory):
    """A region-sized system (about 230,000 staff), only the tables casework reads: the
    just-culture disparities (odds ratios of 0.7-0.85 on assessment) need that many cases."""
    tmp = tmp_path_factory.mktemp("region")
    tables = generate("region", seed=7)
    keep = ("organisations", "people", "assignments", "disciplinary")
    write({name: tables[name] for name in keep}, tmp / "data", "parquet")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(tmp / "pseudonymisation.key"))
        mp.delenv(config.KEY_ENV, raising=False)
        store = connect(str(tmp / "region.duckdb"))
        assert import_paths([tmp / "data"], store).ok
    yield store
    store.close()


def test_leave_disparities_are_found(llr: Store) -> None:
    wres, broad = pooled(llr, "leave_declined"), pooled(llr, "leave_declined", "broad")
    # everyone: ethnicity and international recruitment together (BME about 1.3)
    assert against_white(wres, "BME").verdict == "adverse, significant"
    # leave_declined_odds alone, among staff not internationally recruited
    assert worse(against_white(wres, "BME", "Others | All types"))
    assert against_white(broad, "Black", "Others | All types").verdict == "adverse, significant"
    # leave_declined_international_odds: international recruits against others of the same
    # group and leave type (about 2 to 2.5 times as often declined)
    for leave_type in ("annual", "study", "extended"):
        international = wres[(f"International recruit | {leave_type}", "BME")]
        others = wres[(f"Others | {leave_type}", "BME")]
        c = compare(*international, *others, orientation="harm")
        assert c.verdict == "adverse, significant", (leave_type, c.ratio)


def test_discipline_disparities_are_found(llr: Store, region_cases: Store) -> None:
    # suspension_odds (Black 1.8): found for Black staff in LLR, for every group in a region
    suspension = against_white(pooled(llr, "suspension", "broad"), "Black")
    assert suspension.verdict == "adverse, significant"
    assert against_white(pooled(region_cases, "suspension"), "BME").verdict == (
        "adverse, significant"
    )
    # severe_outcome_odds
    assert against_white(pooled(llr, "severe_outcome"), "BME").verdict == "adverse, significant"
    assert worse(against_white(pooled(region_cases, "severe_outcome", "broad"), "Black"))


def test_just_culture_disparities_are_found(region_cases: Store) -> None:
    # assessment_odds (0.85, Black 0.7): fewer minority cases assessed before going formal
    assessed = pooled(region_cases, "jc_assessed")
    assert worse(against_white(assessed, "BME", orientation="benefit"))
    assert worse(against_white(assessed, "BME", "Bank", orientation="benefit"))
    black = against_white(pooled(region_cases, "jc_assessed", "broad"), "Black", None, "benefit")
    assert worse(black)
    # and so more formal cases resting on no assessment, a path that supports no action
    unsupported = pooled(region_cases, "jc_unsupported")
    assert worse(against_white(unsupported, "BME"))
    assert worse(against_white(unsupported, "BME", "No assessment"))


def test_no_injected_disparity_is_not_found(llr: Store) -> None:
    """Case duration and the just-culture outcome carry no disparity in the generator."""
    for measure_id, cells in (
        ("long_case", (None, "Substantive")),
        ("jc_outcomes", ("Individual action (A or G)", "System learning (D or E)")),
    ):
        for by, groups in (("wres", ("BME",)), ("broad", ("Black", "Asian"))):
            counts = pooled(llr, measure_id, by)
            for cell in cells:
                for group in groups:
                    orientation = "benefit" if cell and "learning" in cell else "harm"
                    c = against_white(counts, group, cell, orientation)
                    assert c.verdict != "adverse, significant", (measure_id, cell, group)


def test_parity_gives_no_more_adverse_findings_than_chance(
    loaded_system: Callable[..., Store],
) -> None:
    fair = loaded_system("llr", parity=True)
    results = [
        r
        for m in CASEWORK
        for by in ("wres", "broad")
        for r in evaluate(fair, measure(m), Request(years=YEARS, by=by))
        if r.verdict is not None
    ]
    adverse = [r for r in results if r.verdict == "adverse, significant"]
    # a two-sided 5% test calls about 2.5% adverse by chance; allow the 99.9th percentile
    assert len(results) > 1000
    assert len(adverse) <= binom.ppf(0.999, len(results), 0.025), [
        (r.measure, r.org, r.period, r.breakdown, r.group, r.ratio) for r in adverse
    ]
    # pooled for the system, the international recruits' leave is declined as often as others'
    wres = pooled(fair, "leave_declined")
    for leave_type in ("annual", "study", "extended"):
        international = wres[(f"International recruit | {leave_type}", "BME")]
        c = compare(*international, *wres[(f"Others | {leave_type}", "BME")], orientation="harm")
        assert c.verdict != "adverse, significant", leave_type


def _gaps(store: Store, by: str) -> dict:
    request = Request(years=YEARS, scope=Scope(system=True), by=by)
    return {
        (r.period, r.breakdown, r.group, r.reference_group): r
        for r in evaluate(store, measure("pay_gap"), request)
    }


def test_pay_gap_disparities_are_found(llr: Store, loaded_system: Callable[..., Store]) -> None:
    """senior_band_odds and promotion_hazard pay minority staff less than the same workforce
    treated equally; bonus_odds gives fewer of them clinical excellence awards. In LLR the
    raw BME gap is negative (minority staff are over-represented among doctors), so the test
    compares each figure with the same system generated with `Disparities.none()`."""
    fair = loaded_system("llr", parity=True)
    unfair, equal = _gaps(llr, "wres"), _gaps(fair, "wres")
    for year in YEARS:
        key = (year, "Hourly pay: mean", "BME", "White")
        assert unfair[key].difference > equal[key].difference + 1, year
    median = [
        unfair[(y, "Hourly pay: median", "BME", "White")].difference
        - equal[(y, "Hourly pay: median", "BME", "White")].difference
        for y in YEARS
    ]
    assert sum(median) / len(median) > 1
    black = _gaps(llr, "broad")
    assert all(black[(y, "Hourly pay: mean", "Black", "White")].difference > 1 for y in YEARS)

    def bonus_ratio(gaps: dict) -> float:
        got = {g: [0, 0] for g in ("BME", "White")}
        for y in YEARS:
            for g in got:
                r = gaps[(y, "Received bonus pay", g, None)]
                got[g][0] += r.numerator
                got[g][1] += r.denominator
        return (got["BME"][0] / got["BME"][1]) / (got["White"][0] / got["White"][1])

    assert bonus_ratio(unfair) < bonus_ratio(equal) - 0.2
