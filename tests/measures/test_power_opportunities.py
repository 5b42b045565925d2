"""The scrutiny measures for recommendations 3 to 6 find the generator's disparities, and find
nothing beyond chance when the generator treats everyone alike (`Disparities.none()`).

Which disparity each measure should see, in the generator (src/equitrack/synth):
- `nonmandatory_training` (0.85 for every minority group) thins optional courses, among them
  Active Bystander and the interactive EDI courses: reach without the mandatory refresher, and
  the interactive share of EDI training, lean White, by less than the parity band (1.25).
- `informal_selection_odds` (about 0.5): shadowing and acting up are mostly picked informally.
  `positive_action_rate` (3.0) boosts talent programmes and reverse mentoring for minority
  staff, so participation of *any* kind leans the other way; per kind it is adverse.
- The mix of kinds makes minority staff's development less often hosted elsewhere.
- `appointment_odds` (WRES 2) applies to development vacancies too; for Black staff it shows.
- `succession_odds` (about 0.55) at band 7 and above.
- `promotion_hazard` (0.6 to 0.85): too weak for ~500 promotions after development in LLR to
  reach significance, so a system generated with a hazard ratio of 0.4 checks that the measure
  recovers it.
EDI objectives and training completion carry no disparity; only the second test applies.

Figures are pooled over the reporting years 2020 to 2026 for the whole system.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from scipy.stats import binom

from equitrack import config, synth
from equitrack.ingest import import_paths
from equitrack.measures import Request, Scope, evaluate, measure
from equitrack.measures.covered import is_no_data
from equitrack.measures.declare import Shared
from equitrack.stats import Comparison, compare
from equitrack.store import Store, connect
from equitrack.synth.params import ByGroup

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

YEARS = tuple(range(2020, 2027))
ADVERSE = "adverse, significant"

#: (measure, options, by, group, expected with the defaults): "adverse" = adverse and
#: significant; "leans" = significantly above 1 but inside the parity band.
FOUND = (
    ("edi_training_reach", {"mandatory": "exclude"}, "wres", "BME", "leans"),
    ("bystander_reach", {}, "wres", "BME", "leans"),
    ("edi_training_delivery", {}, "wres", "BME", "leans"),
    ("development_appointment", {}, "broad", "Black", "adverse"),
    ("unadvertised_development", {"source": "development"}, "wres", "BME", "adverse"),
    ("development_participation", {"kind": "shadowing"}, "wres", "BME", "adverse"),
    ("development_participation", {"kind": "acting_up"}, "wres", "BME", "adverse"),
    ("cross_org_placements", {}, "wres", "BME", "adverse"),
    ("succession_pool", {}, "wres", "BME", "adverse"),
    ("succession_pool", {"bands": "7_and_above"}, "wres", "BME", "adverse"),
)
#: Every measure, as it is compared in the chance test: succession pools by band, since with
#: `bands=all` they also measure who holds senior posts (not a disparity of the pools).
EVERY = (
    ("edi_training_reach", {}),
    ("edi_training_reach", {"mandatory": "exclude"}),
    ("bystander_reach", {}),
    ("edi_training_completion", {}),
    ("edi_training_delivery", {}),
    ("development_appointment", {}),
    ("unadvertised_development", {}),
    ("unadvertised_development", {"source": "development"}),
    ("development_participation", {}),
    ("development_participation", {"kind": "shadowing"}),
    ("cross_org_placements", {}),
    ("progression_after_development", {}),
    ("edi_objectives", {}),
    ("succession_pool", {"bands": "7_and_above"}),
)


def pooled(store: Store, measure_id: str, options: dict, by: str, group: str) -> Comparison:
    """The group against White, counts summed over the years, for the whole system."""
    results = evaluate(
        store,
        measure(measure_id),
        Request(years=YEARS, scope=Scope(system=True), by=by, options=options),
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        if r.breakdown is None and not is_no_data(r):  # a cohort before the data began
            totals[r.group][0] += r.numerator
            totals[r.group][1] += r.denominator
    return compare(*totals[group], *totals["White"], orientation=measure(measure_id).orientation)


def _id(case: tuple) -> str:
    return f"{case[0]}-{'-'.join(case[1].values()) or 'defaults'}"


@pytest.mark.parametrize("case", FOUND, ids=[_id(c) for c in FOUND])
def test_the_default_disparities_are_found(llr: Store, case: tuple) -> None:
    measure_id, options, by, group, expected = case
    c = pooled(llr, measure_id, options, by, group)
    if expected == "adverse":
        assert str(c.verdict) == ADVERSE, (c.ratio, c.ci_low, c.ci_high)
    else:
        assert c.ci_low > 1.0 and 1.05 < c.ratio <= 1.25, (c.ratio, c.ci_low, c.ci_high)


#: With `bands=all` succession pools also reflect who holds senior posts, which differs without
#: any disparity (medical grades, for one, are off the AfC scale), so only by band is it gone.
GONE = tuple(c for c in FOUND if c[:2] != ("succession_pool", {}))


@pytest.mark.parametrize("case", GONE, ids=[_id(c) for c in GONE])
def test_without_disparities_they_are_gone(loaded_system: Callable[..., Store], case) -> None:
    measure_id, options, by, group, _ = case
    c = pooled(loaded_system("llr", parity=True), measure_id, options, by, group)
    assert c.ci_low <= 1.0, (c.ratio, c.ci_low, c.ci_high)


def test_no_disparity_means_no_more_adverse_findings_than_chance(
    loaded_system: Callable[..., Store],
) -> None:
    fair = loaded_system("llr", parity=True)
    results = []
    with Shared(YEARS) as shared:
        for measure_id, options in EVERY:
            for scope, by in ((Scope(), "wres"), (Scope(system=True), "broad")):
                request = Request(YEARS, scope, by, options, shared=shared)
                results += [r for r in evaluate(fair, measure(measure_id), request) if r.verdict]
    adverse = [r for r in results if r.verdict == ADVERSE]
    limit = binom.ppf(0.999, len(results), 0.025)
    assert len(results) > 500
    assert len(adverse) <= limit, [(r.measure, r.org, r.period, r.group, r.ratio) for r in adverse]


@pytest.fixture(scope="module")
def slow_promotion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """LLR with minority staff promoted at 0.4 times White staff's hazard."""
    folder = tmp_path_factory.mktemp("slow-promotion")
    disparities = replace(synth.Disparities(), promotion_hazard=ByGroup.bme(0.4))
    synth.write(synth.generate("llr", seed=7, disparities=disparities), folder / "data", "parquet")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(folder / "key"))
        store = connect(str(folder / "db.duckdb"))
        assert import_paths([folder / "data"], store).ok
    yield store
    store.close()


def test_progression_after_development_finds_slower_promotion(
    slow_promotion: Store, loaded_system: Callable[..., Store]
) -> None:
    slow = pooled(slow_promotion, "progression_after_development", {}, "wres", "BME")
    assert str(slow.verdict) == ADVERSE and slow.ratio > 1.6, slow.ratio
    defaults = pooled(loaded_system("llr"), "progression_after_development", {}, "wres", "BME")
    fair = pooled(
        loaded_system("llr", parity=True), "progression_after_development", {}, "wres", "BME"
    )
    assert fair.ci_low <= 1.0 and str(fair.verdict) != ADVERSE
    assert defaults.ratio > fair.ratio  # the default hazard moves it the expected way
