"""The NHS Staff Survey items behind the WDES survey metrics, by disability.

The disparity set in the generator (`survey_disability_adverse_odds`, an odds ratio of the
adverse answer for disabled vs non-disabled respondents) comes back out of the survey table by
plain pandas arithmetic, and out of the WDES measures once the data is imported. Seeds are
fixed, so these are exact regression checks with wide margins either way.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pytest

from equitrack import api, config, synth
from equitrack.ingest import import_paths
from equitrack.store import Store, connect
from equitrack.synth import Disparities

from .checks import model_problems, odds_ratio, workforce_at

Tables = dict[str, pa.Table]
#: Item, and whether a yes is the adverse answer (harassment, pressure to work when unwell).
ITEMS = {"wdes4": True, "wdes5": False, "wdes6": True, "wdes7": False, "wdes9": False}
YEARS = range(2019, 2027)


def disability_rows(tables: Tables) -> pd.DataFrame:
    s = tables["survey"].to_pandas()
    return s[(s.instrument == "nss") & (s.group_type == "disability")]


def adverse_odds(tables: Tables, item: str) -> tuple[float, float, float]:
    """Odds of the adverse answer, disabled over non-disabled, pooled over orgs and years."""
    s = disability_rows(tables)
    g = s[s.measure == item].groupby("group_value")[["positive", "responses"]].sum()
    if not ITEMS[item]:
        g["positive"] = g.responses - g.positive  # count the adverse answer
    return odds_ratio(g.loc["Disabled", "positive"], g.loc["Disabled", "responses"],
                      g.loc["Not disabled", "positive"], g.loc["Not disabled", "responses"])  # fmt: skip


def test_items_groups_and_response(llr: Tables) -> None:
    assert model_problems(llr) == []
    s = disability_rows(llr)
    assert set(s.measure) == {f"wdes{n}" for n in range(4, 10)}
    assert set(s.survey_year) == set(range(2018, 2026))
    for item in ITEMS:
        assert set(s[s.measure == item].group_value) == {"Disabled", "Not disabled"}
    assert set(s[s.measure == "wdes8"].group_value) == {"Disabled"}  # adjustments: disabled only
    everyone = llr["survey"].to_pandas()
    assert not everyone[everyone.measure.str.startswith("wdes")].instrument.eq("bank").any()
    # about 45% of staff in post on 1 October, by their declared disability
    staff = workforce_at(llr, "2024-10-01").merge(
        llr["people"].select(["person_id", "disability"]).to_pandas(), on="person_id"
    )
    heads = staff.disability.value_counts()
    responses = s[(s.survey_year == 2024) & (s.measure == "wdes4")].groupby("group_value")
    responses = responses.responses.sum()
    assert 0.42 < responses["Disabled"] / heads["Y"] < 0.48
    assert 0.43 < responses["Not disabled"] / heads["N"] < 0.47


@pytest.mark.parametrize("item", list(ITEMS))
def test_default_disability_gap_is_recovered(llr: Tables, item: str) -> None:
    ratio, lo, hi = adverse_odds(llr, item)
    assert lo > 1.2 and 1.25 < ratio < 1.75, (item, ratio, lo, hi)


@pytest.mark.parametrize("item", list(ITEMS))
def test_no_disability_gap_without_the_disparity(llr_fair: Tables, item: str) -> None:
    ratio, lo, hi = adverse_odds(llr_fair, item)
    assert lo <= 1 <= hi or abs(ratio - 1) < 0.1, (item, ratio, lo, hi)


def test_recovered_size_matches_the_parameter(llr: Tables) -> None:
    ratios = [adverse_odds(llr, item)[0] for item in ITEMS]
    typical = math.exp(sum(map(math.log, ratios)) / len(ratios))
    assert Disparities().survey_disability_adverse_odds == 1.5
    assert Disparities.none().survey_disability_adverse_odds == 1.0
    assert 1.5 * 0.9 < typical < 1.5 * 1.1, ratios


@pytest.fixture(scope="module")
def stores(
    llr: Tables, llr_fair: Tables, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Store]]:
    """The generated survey (and the organisations it refers to) imported into a store.

    Only the two tables the survey measures read, which keeps the import quick.
    """
    base = tmp_path_factory.mktemp("wdes")
    out: dict[str, Store] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(base / "key"))
        for name, tables in (("default", llr), ("fair", llr_fair)):
            folder = base / name
            synth.write({t: tables[t] for t in ("organisations", "survey")}, folder / "data")
            out[name] = connect(str(folder / "db.duckdb"))
            loaded = import_paths([folder / "data"], out[name])
            assert loaded.ok and loaded.rows_loaded == loaded.rows_read
    yield out
    for store in out.values():
        store.close()


def system_differences(store: Store) -> pd.DataFrame:
    """WDES survey results for the system, and each figure's adverse gap in points."""
    results = api.run("wdes", YEARS, store=store, system=True)
    df = pd.DataFrame([r.record() for r in results])
    df = df[df.measure.isin([f"wdes{n}" for n in range(4, 10)])]
    assert set(df.period) == set(YEARS)
    assert (df.denominator > 100).all() and (df.numerator > 0).all()
    gaps = df[df.group == "Disabled"].set_index(["measure", "period"])
    assert (gaps.loc["wdes8"].difference.isna()).all()  # nothing to compare adjustments with
    gaps = gaps.drop(index="wdes8")
    assert (gaps.reference_group == "Not disabled").all()
    sign = gaps.index.get_level_values("measure").map(lambda m: 1 if ITEMS[m] else -1)
    return gaps.assign(adverse_gap=gaps.difference * sign.to_numpy())


def test_wdes_measures_show_the_default_gap(stores: dict[str, Store]) -> None:
    gaps = system_differences(stores["default"])
    assert len(gaps) == len(ITEMS) * len(YEARS)
    assert (gaps.groupby("measure").adverse_gap.mean() > 4).all()  # points, every item
    assert (gaps.adverse_gap > 0).mean() > 0.9


def test_wdes_measures_without_the_disparity(stores: dict[str, Store]) -> None:
    gaps = system_differences(stores["fair"])
    assert (gaps.groupby("measure").adverse_gap.mean().abs() < 2).all()
    assert 0.25 < (gaps.adverse_gap > 0).mean() < 0.75  # not systematically adverse
