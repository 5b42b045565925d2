"""compare() composes the pieces; adjust_for_multiplicity() adds the adjusted verdict."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from equitrack.stats import (
    Band,
    Comparison,
    IntervalMethod,
    SignificanceTest,
    Verdict,
    adjust_for_multiplicity,
    benjamini_hochberg,
    compare,
)


def test_small_numbers_are_computed_but_labelled() -> None:
    c = compare(4, 25, 30, 100, orientation="harm")
    assert c.ratio is not None and c.ratio > 0
    assert c.too_few
    assert c.verdict is Verdict.TOO_FEW
    assert c.reason is not None and "focus group events 4 (below 10)" in c.reason
    assert "focus group population 25 (below 30)" in c.reason
    # every expected count is 5 or more (34 events over 125: 6.8 and 27.2), so still the z test
    assert c.test is SignificanceTest.Z_LOG


def test_zero_reference_events_gives_undefined_verdict_with_reason() -> None:
    c = compare(12, 1200, 0, 4000, orientation="harm")
    assert c.ratio is None and c.ratio_exact is None
    assert c.verdict is Verdict.UNDEFINED
    assert c.reason == "no events in the reference group, so the ratio is undefined"
    assert c.interval_method is IntervalMethod.KOOPMAN
    assert c.ci_low is not None and c.ci_low > 1 and c.ci_high is None
    assert c.significant is True  # the interval still excludes 1
    assert c.band is None


def test_empty_focus_group_has_nothing_but_a_reason() -> None:
    c = compare(0, 0, 10, 100, orientation="benefit")
    assert (c.ratio, c.ci_low, c.ci_high, c.p_value, c.test) == (None, None, None, None, None)
    assert c.significant is None
    assert c.verdict is Verdict.UNDEFINED
    assert c.focus.rate is None
    assert c.reason is not None and "focus group is empty" in c.reason


def test_rates_and_counts_travel_with_the_comparison() -> None:
    c = compare(150, 800, 300, 1000, orientation="benefit")
    assert (c.focus.events, c.focus.population, c.focus.rate) == (150, 800, 0.1875)
    assert (c.reference.events, c.reference.population, c.reference.rate) == (300, 1000, 0.3)


def test_thresholds_pass_through() -> None:
    c = compare(150, 800, 300, 1000, orientation="benefit", band_high=2)
    assert c.band is Band.NON_ADVERSE
    assert compare(15, 80, 30, 100, orientation="benefit", min_events=20).too_few
    narrow = compare(150, 800, 300, 1000, orientation="benefit", z=1.0)
    wide = compare(150, 800, 300, 1000, orientation="benefit")
    assert narrow.ci_low is not None and wide.ci_low is not None
    assert narrow.ci_low > wide.ci_low


def test_adjusted_verdict_sits_beside_the_raw_one() -> None:
    family = [
        compare(150, 800, 300, 1000, orientation="benefit"),  # p ≈ 1e-7: survives
        compare(40, 400, 67, 1000, orientation="harm"),  # borderline: p = 0.036
        compare(30, 300, 30, 300, orientation="harm"),  # identical rates
        compare(0, 0, 5, 50, orientation="harm"),  # no test: None, not counted
    ]
    borderline = family[1]
    assert borderline.p_value is not None and 0.034 < borderline.p_value < 0.05
    assert borderline.verdict is Verdict.ADVERSE_SIGNIFICANT
    adjusted = adjust_for_multiplicity(family)
    expected = benjamini_hochberg([c.p_value for c in family])
    assert [c.p_adjusted for c in adjusted] == expected
    assert expected[3] is None
    assert adjusted[0].verdict_adjusted is Verdict.ADVERSE_SIGNIFICANT
    # three tests; the borderline p ranks second, so it is multiplied by 3/2: above 0.05
    assert adjusted[1].p_adjusted is not None and adjusted[1].p_adjusted > 0.05
    assert adjusted[1].verdict is Verdict.ADVERSE_SIGNIFICANT  # raw verdict kept
    assert adjusted[1].verdict_adjusted is Verdict.ADVERSE_NOT_SIGNIFICANT
    assert adjusted[2].verdict_adjusted is Verdict.NON_ADVERSE
    assert adjusted[3].verdict_adjusted is Verdict.UNDEFINED
    # the raw comparisons are untouched
    assert family[1].p_adjusted is None


@st.composite
def group(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=0, max_value=3_000))
    return draw(st.integers(min_value=0, max_value=n)), n


@settings(max_examples=200, deadline=None)
@given(group(), group(), st.sampled_from(["benefit", "harm"]))
def test_compare_is_internally_consistent(
    focus: tuple[int, int], reference: tuple[int, int], orientation: str
) -> None:
    c: Comparison = compare(*focus, *reference, orientation=orientation)
    assert c.ratio is None or math.isfinite(c.ratio)
    assert (c.ratio is None) == (c.ratio_exact is None) == (c.band is None)
    if c.ratio is None or c.ratio == 0:
        assert c.reason is not None
    if c.band is None:
        assert c.verdict is Verdict.UNDEFINED
    elif c.too_few:
        assert c.verdict is Verdict.TOO_FEW
    else:
        assert c.verdict.value.startswith(c.band.value)
        if c.band is not Band.NON_ADVERSE:
            assert c.verdict.value.endswith(", significant") is bool(c.significant)
    if c.p_value is not None:
        assert 0.0 <= c.p_value <= 1.0
    if c.ci_low is not None:
        assert c.significant == (c.ci_low > 1 or (c.ci_high is not None and c.ci_high < 1))


#: A neutral verdict for each verdict of the same counts taken as a harm.
AS_HARM = {
    Verdict.ADVERSE_SIGNIFICANT: Verdict.HIGHER_SIGNIFICANT,
    Verdict.ADVERSE_NOT_SIGNIFICANT: Verdict.HIGHER_NOT_SIGNIFICANT,
    Verdict.NON_ADVERSE: Verdict.SIMILAR,
    Verdict.FAVOURABLE_SIGNIFICANT: Verdict.LOWER_SIGNIFICANT,
    Verdict.FAVOURABLE_NOT_SIGNIFICANT: Verdict.LOWER_NOT_SIGNIFICANT,
    Verdict.TOO_FEW: Verdict.TOO_FEW,
    Verdict.UNDEFINED: Verdict.UNDEFINED,
}


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
def test_a_neutral_measure_says_higher_or_lower_never_adverse(
    focus: tuple[int, int], reference: tuple[int, int]
) -> None:
    """A route in (international recruitment) is neither a harm nor a benefit: the ratio is the
    focus group's rate over the reference's, as for a harm, and its verdicts (raw and after the
    adjustment) say higher, similar or lower where a harm's would say adverse or favourable."""
    neutral = compare(*focus, *reference, orientation="neutral")
    harm = compare(*focus, *reference, orientation="harm")
    assert neutral.ratio == harm.ratio and neutral.ci_low == harm.ci_low
    assert neutral.verdict is AS_HARM[harm.verdict]
    (adjusted,) = adjust_for_multiplicity([neutral])
    (adjusted_harm,) = adjust_for_multiplicity([harm])
    assert adjusted.verdict_adjusted is AS_HARM[adjusted_harm.verdict_adjusted]
    assert "adverse" not in neutral.verdict and "favourable" not in neutral.verdict
