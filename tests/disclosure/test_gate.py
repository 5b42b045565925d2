"""Each rule of the gate on small hand-checked results."""

import copy

import pytest

from equitrack.disclosure import TOO_FEW_TO_SHOW, Policy, analyse, gate, policy_for
from equitrack.stats import compare, proportion
from tests.disclosure.builders import by, comparison, representation, survey

PUBLIC = policy_for("public")


def test_counts_are_rounded_and_rates_come_from_the_rounded_figures() -> None:
    results = representation({"All": {"White": 12, "BME": 13, "Unknown": 0}})
    out = gate(results, "public")
    white, bme, unknown = (by(out, group=g) for g in ("White", "BME", "Unknown"))
    assert (white.numerator, white.denominator) == (10, 25)
    assert (bme.numerator, bme.denominator) == (15, 25)
    assert (unknown.numerator, unknown.suppressed) == (0, False)  # zero stays 0
    expected = proportion(10, 25)
    assert white.rate == pytest.approx(0.4) and bme.rate == pytest.approx(0.6)
    assert (white.rate_ci_low, white.rate_ci_high) == (expected.ci_low, expected.ci_high)
    assert not white.suppressed and white.options["disclosure"] == PUBLIC.describe()


def test_eight_shows_as_ten_and_small_counts_are_suppressed() -> None:
    results = representation({"All": {"White": 8, "BME": 3, "Unknown": 5}})
    out = gate(results, "public")
    white, bme = by(out, group="White"), by(out, group="BME")
    assert white.numerator == 10 and white.denominator == 15
    assert bme.numerator is None and bme.rate is None and bme.rate_ci_low is None
    assert bme.suppressed and bme.reason == "suppressed to protect small numbers"


def test_a_ratio_is_cleared_when_any_count_it_rests_on_is_below_eight() -> None:
    results = comparison({"White": (20, 400), "BME": (7, 300), "Unknown": (0, 10)})
    bme = by(gate(results, "public"), group="BME")
    assert bme.numerator is None and bme.denominator == 300
    assert bme.ratio is None and bme.ratio_ci_low is None and bme.ratio_ci_high is None
    assert bme.p_value is None and bme.verdict is None and bme.verdict_adjusted is None
    assert bme.band is None and bme.reason == TOO_FEW_TO_SHOW
    assert bme.excluded == 10 and by(gate(results, "public"), group="Unknown").denominator == 10


def test_a_ratio_resting_on_counts_of_eight_or_more_is_made_again_from_the_shown_counts() -> None:
    """BME 9/300 against White 20/400 shows as 10/300 against 20/400: the ratio a reader works
    out from those, (10/300) / (20/400) = 2/3, not the exact 0.6 that would give the 9 away."""
    results = comparison({"White": (20, 400), "BME": (9, 300)})
    before = by(results, group="BME")
    bme = by(gate(results, "public"), group="BME")
    assert (bme.numerator, bme.denominator) == (10, 300)
    assert before.ratio == pytest.approx(0.6)
    assert bme.ratio == pytest.approx(2 / 3)
    again = compare(10, 300, 20, 400, orientation="harm")
    assert (bme.ratio_ci_low, bme.ratio_ci_high, bme.p_value) == (
        again.ci_low,
        again.ci_high,
        again.p_value,
    )
    # the verdict too: exact, 9 events were too few to tell; shown, 10 are enough
    assert before.verdict == "too few to tell"
    assert before.reason == "too few to tell: focus group events 9 (below 10)"
    assert bme.verdict == str(again.verdict) == "favourable, not significant"
    assert bme.reason is None


def test_a_ratio_is_cleared_when_the_reference_group_is_too_small() -> None:
    results = comparison({"White": (6, 30), "BME": (50, 400)})
    assert by(results, group="BME").ratio is not None
    bme = by(gate(results, "public"), group="BME")
    assert bme.ratio is None and bme.reason == TOO_FEW_TO_SHOW


def test_a_survey_group_under_eleven_respondents_is_hidden() -> None:
    results = survey({"White": (50, 200), "BME": (4, 10)})
    out = gate(results, "public")
    bme = by(out, group="BME")
    assert bme.numerator is None and bme.denominator is None
    assert bme.rate is None and bme.difference is None and bme.suppressed
    assert bme.reason == "fewer than 11 respondents"
    white = by(out, group="White")
    assert (white.numerator, white.denominator, white.suppressed) == (50, 200, False)


def test_a_survey_group_of_eleven_is_shown_even_with_eight_positive() -> None:
    bme = by(gate(survey({"White": (50, 200), "BME": (8, 11)}), "public"), group="BME")
    assert (bme.numerator, bme.denominator) == (10, 10)


def test_survey_differences_come_from_the_shown_rates() -> None:
    results = survey({"White": (52, 203), "BME": (33, 98)})
    bme = by(gate(results, "public"), group="BME")
    assert (bme.numerator, bme.denominator) == (35, 100)
    assert bme.difference == pytest.approx(100 * (35 / 100 - 50 / 205))
    assert bme.difference != by(results, group="BME").difference


def test_the_analyst_sees_exact_counts_with_the_rule_recorded() -> None:
    results = comparison({"White": (20, 400), "BME": (3, 300)})
    out = gate(results, "analyst")
    for before, after in zip(results, out, strict=True):
        assert after is not before
        assert after.record() | {"options": before.options} == before.record()
        assert after.options["disclosure"] == policy_for("analyst").describe()


def test_an_analysts_own_organisations_pass_exact() -> None:
    own = representation({"All": {"White": 40, "BME": 3}}, org="RX1")
    other = representation({"All": {"White": 40, "BME": 3}}, org="RX2")
    out = gate(own + other, "public", exact_orgs={"RX1"})
    assert by(out, org="RX1", group="BME").numerator == 3
    assert by(out, org="RX1", group="White").numerator == 40
    assert by(out, org="RX2", group="BME").numerator is None
    assert (
        by(out, org="RX1", group="BME")
        .options["disclosure"]
        .startswith("exact counts for the analyst's own organisation")
    )


def test_inputs_are_never_changed() -> None:
    results = comparison({"White": (20, 400), "BME": (3, 300), "Unknown": (1, 12)})
    results += survey({"White": (50, 200), "BME": (4, 10)})
    before = copy.deepcopy([r.record() for r in results])
    out = gate(results, "public")
    assert [r.record() for r in results] == before
    assert all(a is not b for a, b in zip(results, out, strict=True))
    assert all("disclosure" not in r.options for r in results)


def test_a_policy_can_be_given_directly() -> None:
    results = representation({"All": {"White": 9, "BME": 30}})
    strict = Policy(name="strict", smallest_shown=10, rounding_base=10, secondary=False)
    out = gate(results, strict)
    assert by(out, group="White").numerator is None  # 9 is below 10 here
    assert by(out, group="BME").numerator == 30 and by(out, group="BME").denominator == 40
    assert by(out, group="BME").options["disclosure"].startswith("strict: counts 1–9 suppressed")


def test_one_analysis_gated_for_several_audiences_gives_each_what_it_would_get_alone() -> None:
    """A release reads its results once and gates them for every audience: what is decided
    for one set of rules and exact organisations is reused only for the same numbers (the
    board's and the public's), never for other rules or other organisations."""
    results = representation({"All": {"White": 40, "BME": 3, "Unknown": 9}}, org="RX1")
    results += representation({"All": {"White": 12, "BME": 30, "Unknown": 5}}, org="RX2")
    results += representation({"All": {"White": 40, "BME": 9, "Unknown": 30}}, org="RX3")
    strict = Policy(name="strict", smallest_shown=10, rounding_base=10)
    asked = [("board", frozenset()), ("public", frozenset()), ("board", frozenset({"RX1"}))]
    asked += [(strict, frozenset()), ("public", frozenset({"RX2"}))]
    shared = analyse(results)
    for audience, exact in asked:
        alone = gate(results, audience, exact_orgs=exact)
        assert gate((), audience, exact_orgs=exact, analysis=shared) == alone
    # the rules differ where it shows: 9 is rounded to 10 for the board, hidden by `strict`
    board, own = gate(results, "board"), gate(results, "board", exact_orgs={"RX1"})
    assert by(board, org="RX3", group="BME").numerator == 10
    assert by(gate(results, strict), org="RX3", group="BME").numerator is None
    assert by(own, org="RX1", group="BME").numerator == 3
    assert by(board, org="RX1", group="BME").numerator is None
