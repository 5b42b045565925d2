"""The methods appendix: every measure shown, with its definition and the options actually used."""

from __future__ import annotations

from equitrack import api
from equitrack.disclosure import gate, policy_for
from equitrack.measures.docs import KIND_TEXT
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result
from equitrack.reports.appendix import methods_section, verdicts_moved
from equitrack.reports.methods import (
    MULTIPLICITY,
    PARITY,
    SIGNIFICANCE,
    SURVEY,
    TOO_FEW,
    TREND,
    describe_measure,
    methods,
)
from equitrack.reports.narrative import TREND_RULE
from equitrack.store import Store
from tests.disclosure.builders import comparison


def made(measure: str, **options: object) -> Result:
    return Result(measure, "RX1", 2026, "broad", "Black", 10, 100, options=dict(options))


def test_every_measure_appears_with_its_title_and_options_used(small_store: Store) -> None:
    real = api.run("wres", (2026,), store=small_store, measures=["wres1"])
    assert real, "the small store has WRES 1 results"
    results = [
        *real,
        made("wres3", window=1, pooling="mean_of_rates", scope={"orgs": [], "system": False}),
        made("wres3", window=2, pooling="mean_of_rates"),
        made("wres2", appointed="appointed"),
        made("leave_declined", split="international"),
    ]
    appendix = methods(results)
    ids = [m.id for m in appendix.measures]
    assert ids == ["wres1", "wres2", "wres3", "leave_declined"]  # the registry's order
    for entry in appendix.measures:
        assert entry.title == MEASURES[entry.id].title
        assert entry.definition == MEASURES[entry.id].description
        assert entry.kind == KIND_TEXT[MEASURES[entry.id].kind]
    wres3 = {o.name: o for o in appendix.measures[2].options}
    assert wres3["window"].values == ("1", "2") and wres3["window"].changed
    assert wres3["window"].text == "window: 1, 2 (default 2; one of 1, 2)"
    assert (
        wres3["pooling"].text
        == "pooling: mean_of_rates (default pooled; one of pooled, mean_of_rates)"
    )
    assert "scope" not in wres3  # which organisations is not a method
    wres2 = appendix.measures[1]
    assert [o.text for o in wres2.options] == ["appointed: appointed (the default)"]
    assert wres2.direction == "ratio = reference rate / group rate (the event is good to have)"
    wres1 = {o.name: o for o in appendix.measures[0].options}
    assert wres1["ethnic_grouping"].text == "ethnic_grouping: black_codes: M, N, P (the default)"
    assert appendix.measures[0].direction is None  # a representation compares nobody


def test_statistical_methods_are_the_code_s_numbers() -> None:
    appendix = methods([made("wres3", window=2, pooling="pooled")])
    names = [m.name for m in appendix.statistics]
    assert names[0] == "Rates" and "Staff survey" not in names
    assert "Katz" in " ".join(m.text for m in appendix.statistics)
    assert "Fisher's exact test when any expected count is below 5" in SIGNIFICANCE.text
    assert "below 10" in TOO_FEW.text and "fewer than 30 people" in TOO_FEW.text
    assert "from 0.80 to 1.25 (both included)" in PARITY.text
    assert "“adverse, significant”" in PARITY.text and "“too few to tell”" in PARITY.text
    assert "Benjamini–Hochberg" in MULTIPLICITY.text and "5%" in MULTIPLICITY.text
    assert TREND.text == TREND_RULE
    assert TREND in appendix.statistics  # every appendix says how a change is judged
    surveyed = methods([made("wres5", survey_measure="wres5", instrument="nss")])
    assert SURVEY in surveyed.statistics and "fewer than 11 respondents" in SURVEY.text


def test_disclosure_rule_given_or_recorded() -> None:
    rule = "public: counts 1–7 suppressed, others rounded to the nearest 5"
    assert methods([made("wres2")], disclosure=rule).disclosure == (rule,)
    recorded = [made("wres2", disclosure=rule), made("wres3", disclosure=rule)]
    assert methods(recorded).disclosure == (rule,)
    assert methods([made("wres2")]).disclosure == ()
    assert all(o.name != "disclosure" for m in methods(recorded).measures for o in m.options)


def test_categories_and_unknown_measures() -> None:
    jc = describe_measure("jc_outcomes")
    assert jc.direction is not None
    assert "Individual action (A or G): ratio = group rate / reference rate" in jc.direction
    assert "System learning (D or E): ratio = reference rate / group rate" in jc.direction
    other = describe_measure("local_measure", [made("local_measure", cutoff=3)])
    assert other.title == "local_measure" and other.definition == ""
    assert [o.text for o in other.options] == ["cutoff: 3 (no default)"]


def test_the_appendix_counts_the_verdicts_the_released_counts_change() -> None:
    """BME 9/300 against White 20/400 is "too few to tell" exact (9 events); released as 10/300
    against 20/400 it is compared again and is no longer too few: one verdict moved. BME 3/300
    is not shown at all; Asian 40/300 against 20/400 keeps its verdict."""
    exact = comparison({"White": (20, 400), "BME": (9, 300), "Mixed": (3, 300), "Asian": (40, 300)})
    shown = gate(exact, "public")
    said = verdicts_moved(exact, shown)
    assert said is not None
    assert "Of the 2 comparisons shown, 1 has a different verdict" in said
    assert "1 more is not shown" in said
    public = methods_section(shown, policy_for("public"), exact)
    assert any(getattr(b, "text", "") == said for b in public.blocks)
    analyst = methods_section(exact, policy_for("analyst"), exact)
    assert not any(
        "Verdicts from the released counts" in getattr(b, "text", "") for b in analyst.blocks
    )
