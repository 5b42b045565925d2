"""Relative likelihoods: orientation, the Katz interval, and zero counts (Koopman interval)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from equitrack.stats import (
    Z95,
    IntervalMethod,
    Orientation,
    katz_interval,
    koopman_interval,
    relative_likelihood,
    risk_ratio,
)
from equitrack.stats.ratios import koopman_score

# --- orientation -------------------------------------------------------------------------


def test_benefit_puts_the_reference_rate_on_top() -> None:
    # WRES 2: BME (focus) 150 of 800 appointed, White (reference) 300 of 1,000
    r = relative_likelihood(150, 800, 300, 1000, orientation=Orientation.BENEFIT)
    assert r.exact is not None and r.exact == pytest.approx(0.30 / 0.1875)
    assert r.ratio == 1.6


def test_harm_puts_the_focus_rate_on_top() -> None:
    # disciplinary: BME (focus) 22 of 2,500, White (reference) 38 of 7,900
    r = relative_likelihood(22, 2500, 38, 7900, orientation="harm")
    assert r.ratio == pytest.approx((22 / 2500) / (38 / 7900), rel=1e-15)
    assert r.ratio > 1  # BME more likely to enter a disciplinary process: worse


def test_above_one_means_worse_for_the_focus_group_either_way() -> None:
    # the focus group gets fewer good things and more bad things: both ratios exceed 1
    fewer_appointments = relative_likelihood(10, 100, 30, 100, orientation="benefit")
    more_discipline = relative_likelihood(30, 100, 10, 100, orientation="harm")
    assert fewer_appointments.ratio == more_discipline.ratio == 3.0


def test_orientation_must_be_known() -> None:
    with pytest.raises(ValueError):
        relative_likelihood(1, 10, 1, 10, orientation="good")


# --- Katz ---------------------------------------------------------------------------------


def test_katz_interval_hand_computed_wres2() -> None:
    # var = 1/300 − 1/1000 + 1/150 − 1/800 = 0.00775, se = 0.0880341, ln 1.6 = 0.4700036
    # exp(0.4700036 ∓ 1.959964 × 0.0880341) = 1.3464 to 1.9013 (worked with bc -l)
    low, high = katz_interval(300, 1000, 150, 800)
    assert round(low, 4) == 1.3464
    assert round(high, 4) == 1.9013
    assert math.log(high / low) / 2 == pytest.approx(Z95 * math.sqrt(0.00775), rel=1e-12)


def test_katz_matches_published_perondi_example() -> None:
    # Fagerland, Lydersen & Laake (2017) Statistical Analysis of Contingency Tables, ch. 4,
    # Perondi et al. (2004): 7/34 vs 1/34, Katz log interval 0.9096 to 53.8695
    low, high = katz_interval(7, 34, 1, 34)
    assert (round(low, 4), round(high, 4)) == (0.9096, 53.8695)


def test_katz_needs_events_in_both_groups() -> None:
    with pytest.raises(ValueError):
        katz_interval(0, 10, 3, 10)


def test_every_count_positive_uses_katz() -> None:
    r = relative_likelihood(150, 800, 300, 1000, orientation="benefit")
    assert r.method is IntervalMethod.KATZ
    assert (r.ci_low, r.ci_high) == katz_interval(300, 1000, 150, 800)
    assert r.reason is None


# --- Koopman (zero counts) ----------------------------------------------------------------


def test_koopman_matches_published_perondi_example() -> None:
    # Fagerland et al. (2017), ch. 4 (R package contingencytables): Koopman asymptotic score
    # interval for 7/34 vs 1/34 is 1.2209 to 42.5757
    low, high = koopman_interval(7, 34, 1, 34)
    assert high is not None
    assert (round(low, 4), round(high, 4)) == (1.2209, 42.5757)


# Cross-checked once against an independent implementation, statsmodels 0.15.0
# confint_proportions_2indep(x1, n1, x2, n2, method="score", compare="ratio",
# correction=False) (statsmodels is not a dependency; the numbers are pinned here).
STATSMODELS_SCORE = [
    ((0, 16, 15, 72), 0.0, 0.96190205),  # Ritland et al. (2007) table
    ((0, 100, 5, 100), 0.0, 0.75175483),
    ((0, 1000, 30, 5000), 0.0, 0.63806894),
    ((4, 100, 0, 100), 1.06188360, None),
    ((12, 1200, 0, 4000), 10.4202999, None),
]


@pytest.mark.parametrize(("counts", "low", "high"), STATSMODELS_SCORE)
def test_koopman_zero_counts_match_statsmodels(
    counts: tuple[int, int, int, int], low: float, high: float | None
) -> None:
    got_low, got_high = koopman_interval(*counts)
    assert got_low == pytest.approx(low, rel=1e-6, abs=1e-12)
    if high is None:
        assert got_high is None
    else:
        assert got_high == pytest.approx(high, rel=1e-6)


def constrained_score_independently(a: int, n1: int, c: int, n2: int, phi: float) -> float:
    """Miettinen–Nurminen-form score statistic (no N/(N−1) factor), with p2 found by numerically
    maximising the likelihood under p1 = phi·p2 rather than by the closed-form quadratic."""

    def negative_log_likelihood(p2: float) -> float:
        p1 = phi * p2
        total = 0.0
        for x, n, p in ((a, n1, p1), (c, n2, p2)):
            total += (x * math.log(p) if x else 0.0) + ((n - x) * math.log1p(-p) if n > x else 0.0)
        return -total

    upper = min(1.0, 1.0 / phi)
    fit = minimize_scalar(
        negative_log_likelihood,
        bounds=(1e-15, upper * (1 - 1e-15)),
        method="bounded",
        options={"xatol": 1e-14},
    )
    p2 = fit.x
    p1 = phi * p2
    numerator = (a / n1 - phi * c / n2) ** 2
    variance = p1 * (1 - p1) / n1 + phi * phi * p2 * (1 - p2) / n2
    return numerator / variance


@pytest.mark.parametrize(
    "counts", [(0, 16, 15, 72), (0, 40, 30, 100), (3, 50, 0, 80), (7, 34, 1, 34)]
)
def test_koopman_limits_are_where_an_independent_score_statistic_hits_z_squared(
    counts: tuple[int, int, int, int],
) -> None:
    low, high = koopman_interval(*counts)
    for limit in (low, high):
        if limit is not None and limit > 0:
            assert koopman_score(*counts, limit) == pytest.approx(Z95**2, rel=1e-9)
            independent = constrained_score_independently(*counts, limit)
            assert independent == pytest.approx(Z95**2, rel=1e-4)


def test_no_events_in_reference_group_under_harm_is_undefined_with_a_reason() -> None:
    r = relative_likelihood(12, 1200, 0, 4000, orientation="harm")
    assert r.ratio is None and r.exact is None
    assert r.reason == "no events in the reference group, so the ratio is undefined"
    assert r.method is IntervalMethod.KOOPMAN
    assert r.ci_low is not None and r.ci_low > 1  # still tells us the focus group is worse off
    assert r.ci_high is None  # no finite upper limit, reported as None, not inf


def test_no_events_in_focus_group_under_harm_is_zero_with_a_reason() -> None:
    r = relative_likelihood(0, 500, 20, 3000, orientation="harm")
    assert r.ratio == 0.0
    assert r.reason == "no events in the focus group, so the ratio is 0"
    assert r.ci_low == 0.0
    assert r.ci_high is not None and math.isfinite(r.ci_high) and r.ci_high > 0


def test_no_events_in_focus_group_under_benefit_is_undefined() -> None:
    # nobody from the focus group appointed: ratio = L_ref / 0
    r = relative_likelihood(0, 40, 30, 100, orientation="benefit")
    assert r.ratio is None
    assert r.reason == "no events in the focus group, so the ratio is undefined"
    assert r.ci_low is not None and r.ci_low > 1 and r.ci_high is None


def test_no_events_in_reference_group_under_benefit_is_zero() -> None:
    r = relative_likelihood(5, 40, 0, 100, orientation="benefit")
    assert r.ratio == 0.0
    assert r.reason == "no events in the reference group, so the ratio is 0"


def test_no_events_anywhere_is_undefined_and_the_interval_says_nothing() -> None:
    r = relative_likelihood(0, 40, 0, 100, orientation="harm")
    assert r.ratio is None
    assert r.reason == "no events in either group, so the ratio is undefined (0/0)"
    assert (r.ci_low, r.ci_high) == (0.0, None)


@pytest.mark.parametrize(
    ("counts", "empty"),
    [((0, 0, 5, 10), "focus group is empty"), ((5, 10, 0, 0), "reference group is empty")],
)
def test_empty_group_has_no_ratio_and_no_interval(
    counts: tuple[int, int, int, int], empty: str
) -> None:
    r = relative_likelihood(*counts, orientation="harm")
    assert (r.ratio, r.exact, r.ci_low, r.ci_high, r.method) == (None, None, None, None, None)
    assert empty in (r.reason or "")


def test_both_groups_empty_says_both() -> None:
    r = relative_likelihood(0, 0, 0, 0, orientation="benefit")
    assert r.reason is not None and "and the" in r.reason and "are empty" in r.reason


def test_risk_ratio_names_label_the_reasons() -> None:
    r = risk_ratio(3, 10, 0, 10, names=("Black staff", "White staff"))
    assert r.reason == "no events in the White staff, so the ratio is undefined"


# --- properties ---------------------------------------------------------------------------


@st.composite
def group(draw: st.DrawFn, min_n: int = 1, max_n: int = 20_000) -> tuple[int, int]:
    n = draw(st.integers(min_value=min_n, max_value=max_n))
    k = draw(st.integers(min_value=0, max_value=n))
    return k, n


orientations = st.sampled_from(list(Orientation))


def inverse(x: float | None) -> float | None:
    """1/x with 0 ↔ None (no finite limit)."""
    if x is None:
        return 0.0
    return None if x == 0 else 1 / x


def close(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is y
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-300)


@settings(max_examples=300, deadline=None)
@given(group(), group(), orientations)
def test_swapping_groups_inverts_ratio_and_interval(
    focus: tuple[int, int], reference: tuple[int, int], orientation: Orientation
) -> None:
    forward = relative_likelihood(*focus, *reference, orientation=orientation)
    backward = relative_likelihood(*reference, *focus, orientation=orientation)
    if forward.exact is not None and forward.exact != 0:
        assert backward.exact == 1 / forward.exact
    else:
        # 0 one way is undefined the other way, and 0/0 is undefined both ways
        assert forward.reason is not None and backward.reason is not None
        assert forward.exact is None or backward.exact is None
    assert close(forward.ci_low, inverse(backward.ci_high))
    assert close(forward.ci_high, inverse(backward.ci_low))


@settings(max_examples=200, deadline=None)
@given(group(), group())
def test_benefit_is_harm_with_the_groups_swapped(
    focus: tuple[int, int], reference: tuple[int, int]
) -> None:
    benefit = relative_likelihood(*focus, *reference, orientation="benefit")
    harm = relative_likelihood(*reference, *focus, orientation="harm")
    assert (benefit.exact, benefit.ci_low, benefit.ci_high) == (
        harm.exact,
        harm.ci_low,
        harm.ci_high,
    )


@settings(max_examples=300, deadline=None)
@given(group(), group(), orientations)
def test_interval_contains_the_estimate_and_is_never_infinite(
    focus: tuple[int, int], reference: tuple[int, int], orientation: Orientation
) -> None:
    r = relative_likelihood(*focus, *reference, orientation=orientation)
    assert r.ci_low is not None  # both groups have staff here
    assert math.isfinite(r.ci_low) and r.ci_low >= 0
    assert r.ci_high is None or (math.isfinite(r.ci_high) and r.ci_high >= r.ci_low)
    if r.ratio is not None:
        assert math.isfinite(r.ratio)
        assert r.ci_low <= r.ratio * (1 + 1e-12)
        assert r.ci_high is None or r.ratio <= r.ci_high * (1 + 1e-12)
    else:
        assert r.reason is not None and "undefined" in r.reason


@settings(max_examples=200, deadline=None)
@given(
    group(max_n=2000).filter(lambda g: 0 < g[0] < g[1]),
    group(max_n=2000).filter(lambda g: 0 < g[0] < g[1]),
    st.integers(min_value=2, max_value=50),
)
def test_more_data_at_the_same_rates_narrows_the_katz_interval(
    focus: tuple[int, int], reference: tuple[int, int], factor: int
) -> None:
    small = relative_likelihood(*focus, *reference, orientation="harm")
    big = relative_likelihood(
        *(factor * x for x in focus), *(factor * x for x in reference), orientation="harm"
    )
    assert big.exact == small.exact
    assert small.ci_low is not None and small.ci_high is not None
    assert big.ci_low is not None and big.ci_high is not None
    assert small.ci_low < big.ci_low and big.ci_high < small.ci_high


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=1, max_value=500),
    group(max_n=500).filter(lambda g: g[0] > 0),
    st.integers(min_value=2, max_value=20),
)
def test_more_data_with_no_focus_events_lowers_the_upper_limit(
    focus_n: int, reference: tuple[int, int], factor: int
) -> None:
    small = relative_likelihood(0, focus_n, *reference, orientation="harm")
    big = relative_likelihood(
        0, factor * focus_n, *(factor * x for x in reference), orientation="harm"
    )
    assert small.ci_high is not None and big.ci_high is not None
    assert big.ci_high < small.ci_high


@settings(max_examples=200, deadline=None)
@given(group().filter(lambda g: g[0] > 0), st.integers(min_value=1, max_value=20_000))
def test_zero_reference_events_is_undefined_with_a_reason_never_inf_or_zero(
    focus: tuple[int, int], reference_n: int
) -> None:
    r = relative_likelihood(*focus, 0, reference_n, orientation="harm")
    assert r.ratio is None and r.exact is None
    assert r.reason == "no events in the reference group, so the ratio is undefined"
    assert r.ci_low is not None and 0 < r.ci_low < math.inf
    assert r.ci_high is None
