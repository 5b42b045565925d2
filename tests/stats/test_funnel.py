"""Funnel plots: Spiegelhalter's overdispersed limits, as FunnelPlotR computes them."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pytest

from equitrack.stats import Z95
from equitrack.stats.funnel import (
    Z998,
    FunnelKind,
    OutlierDirection,
    OutlierLimit,
    RatioMethod,
    dispersion,
    funnel_proportions,
    funnel_relative_likelihoods,
    funnel_standardised_ratios,
    truncate,
    winsorise,
)

# --- a hand-worked example ------------------------------------------------------------------
#
# Eight units, chosen so that every square root is exact: p = k/n is a square of a tenth and n
# is 25, 100 or 400, so s = 1/(2√n) is 0.1, 0.05 or 0.025. Σk = 275 and Σn = 1100, so the
# target is p = 0.25 and asin √0.25 = asin 0.5 = π/6 = 0.5235988.
#
#   unit   k/n      √p   y = asin √p   s      z = (y − π/6)/s
#   A      1/25    0.2   0.2013579    0.1    −3.222409
#   B      4/25    0.4   0.4115168    0.1    −1.120819
#   C      9/25    0.6   0.6435011    0.1     1.199023
#   D     16/25    0.8   0.9272952    0.1     4.036964
#   E     16/100   0.4   0.4115168    0.05   −2.241639
#   F     49/100   0.7   0.7753975    0.05    5.035974
#   G     36/400   0.3   0.3046927    0.025  −8.756245
#   H    144/400   0.6   0.6435011    0.025   4.796093
#
# Winsorising at the 10th and 90th percentiles (R's type 7: position h = (n − 1)·q in the
# sorted z, interpolating): sorted z = G, A, E, B, C, D, H, F.
#   10th: h = 0.7, −8.756245 + 0.7 × (−3.222409 + 8.756245) = −4.882559 (G is pulled up to it)
#   90th: h = 6.3,  4.796093 + 0.3 × (5.035974 − 4.796093) =  4.868058 (F is pulled down to it)
# z̃² = 10.383917, 1.256236, 1.437657, 16.297082, 5.024944, 23.697985 (F), 23.839387 (G),
#      23.002511; Σ = 104.939718, so φ = Σ/8 = 13.117465 and nφ = 104.94 > n − 1 = 7.
# w = 1/s² = 4n: 100 (×4), 400 (×2), 1600 (×2); Σw = 4400, Σw² = 5,480,000,
# Σw − Σw²/Σw = 4400 − 1245.4545 = 3154.5455, so τ² = (104.939718 − 7)/3154.5455 = 0.0310472.
# φ > 1, so the limits are widened. For E (n = 100): σ = √(1/400 + 0.0310472) = 0.1831589;
# the upper 95% limit is sin²(π/6 + 1.959964 × 0.1831589) = sin²(0.8825836) = 0.5965746 and
# the lower 99.8% limit would be sin²(π/6 − 3.090232 × 0.1831589) = sin²(−0.0424046): the
# transformed limit is below 0, so the limit is 0 (not sin² of a negative angle, 0.0018).
# D (0.64) is above its own upper 95% limit, sin²(π/6 + 1.959964 × √(0.01 + 0.0310472)) =
# 0.6336465, and below its 99.8% one: the one outlier. G, far out before widening, is inside.

UNITS = list("ABCDEFGH")
EVENTS = [1, 4, 9, 16, 16, 49, 36, 144]
POPULATION = [25, 25, 25, 25, 100, 100, 400, 400]


@pytest.fixture(scope="module")
def worked():
    return funnel_proportions(UNITS, EVENTS, POPULATION)


def test_hand_worked_z_and_winsorised_z(worked) -> None:
    by_unit = {u.unit: u for u in worked.units}
    expected_z = {
        "A": -3.222409,
        "B": -1.120819,
        "C": 1.199023,
        "D": 4.036964,
        "E": -2.241639,
        "F": 5.035974,
        "G": -8.756245,
        "H": 4.796093,
    }
    for unit, z in expected_z.items():
        assert by_unit[unit].z == pytest.approx(z, abs=1e-6)
    assert by_unit["G"].z_trimmed == pytest.approx(-4.882559, abs=1e-6)
    assert by_unit["F"].z_trimmed == pytest.approx(4.868058, abs=1e-6)
    assert by_unit["A"].z_trimmed == by_unit["A"].z  # inside the percentiles: unchanged
    assert all(u.in_dispersion for u in worked.units)
    assert worked.target == 0.25


def test_hand_worked_phi_tau2_and_a_limit(worked) -> None:
    assert worked.phi == pytest.approx(104.939718 / 8, abs=1e-6)
    assert worked.tau2 == pytest.approx(0.0310472, abs=1e-7)
    assert worked.adjusted and worked.tau2_applied == worked.tau2
    assert worked.n_dispersion == 8
    e = next(u for u in worked.units if u.unit == "E")
    assert e.upper95 == pytest.approx(0.5965746, abs=1e-7)
    assert e.lower998 == 0.0  # transformed limit below 0: clamped, not folded back


def test_hand_worked_outlier(worked) -> None:
    (outlier,) = worked.outliers
    assert outlier.unit == "D"
    assert (outlier.limit, outlier.direction) == (OutlierLimit.P95, OutlierDirection.HIGH)
    assert outlier.value == 0.64
    assert outlier.bound == pytest.approx(0.6336465, abs=1e-7)
    d = next(u for u in worked.units if u.unit == "D")
    assert (d.outlier_limit, d.outlier_direction) == (OutlierLimit.P95, OutlierDirection.HIGH)


def test_winsorise_matches_r_type_7_quantiles() -> None:
    z = np.array(
        [-8.756245, -3.222409, -2.241639, -1.120819, 1.199023, 4.036964, 4.796093, 5.035974]
    )
    w = winsorise(z, 0.1)
    assert w[0] == pytest.approx(-8.756245 + 0.7 * (-3.222409 + 8.756245))
    assert w[-1] == pytest.approx(4.796093 + 0.3 * (5.035974 - 4.796093))
    assert np.array_equal(w[1:-1], z[1:-1])


# --- no overdispersion ----------------------------------------------------------------------


def test_tau2_is_zero_when_n_phi_is_at_most_n_minus_1() -> None:
    # rates all close to the pooled 0.3: z = 0, ±0.4364, ±0.2182, so φ is far below 1
    r = funnel_proportions(list("abcde"), [30, 32, 28, 31, 29], [100] * 5)
    assert r.phi * 5 <= 4
    assert r.tau2 == 0.0 and r.tau2_applied == 0.0 and not r.adjusted
    # plain limits: target ± z/(2√n) on the arcsine scale
    theta = math.asin(math.sqrt(r.target)) + Z95 / (2 * math.sqrt(100))
    assert r.units[0].upper95 == pytest.approx(math.sin(theta) ** 2, rel=1e-12)
    assert r.outliers == ()


def test_dispersion_formula_directly() -> None:
    # n = 4, z̃ = (2, −2, 1, −1): φ = 10/4 = 2.5, nφ = 10 > 3; w = 1/s² = 4, 4, 16, 16:
    # Σw = 40, Σw² = 544, Σw − Σw²/Σw = 26.4, τ² = (10 − 3)/26.4
    d = dispersion(np.array([2.0, -2.0, 1.0, -1.0]), np.array([0.5, 0.5, 0.25, 0.25]))
    assert (d.phi, d.n) == (2.5, 4)
    assert d.tau2 == pytest.approx(7 / 26.4)
    # nφ = n − 1 exactly: no between-unit variance
    assert dispersion(np.array([1.0, -1.0, 1.0, 0.0]), np.full(4, 0.1)).tau2 == 0.0


def test_small_tau2_with_phi_at_most_one_keeps_plain_limits() -> None:
    # FunnelPlotR (since 0.4.2) widens only when φ > 1. Here 1 − 1/n < φ = 0.992 ≤ 1, so the
    # DerSimonian-Laird τ² is a little above 0 and is reported, but the limits stay plain.
    r = funnel_proportions(list("abcdef"), [30, 38, 25, 38, 28, 29], [100] * 6)
    assert 1 - 1 / 6 < r.phi <= 1
    assert r.tau2 > 0
    assert not r.adjusted and r.tau2_applied == 0.0
    plain = math.sin(math.asin(math.sqrt(r.target)) + Z95 * 0.05) ** 2
    assert r.units[0].upper95 == pytest.approx(plain, rel=1e-12)


def test_a_single_unit_has_no_between_unit_variance() -> None:
    r = funnel_proportions(["only"], [3], [10])
    assert (r.phi, r.tau2, r.n_dispersion) == (0.0, 0.0, 1)  # it is its own target
    assert r.notes == ("one unit in the dispersion estimate: tau2 is 0",)


def test_switching_overdispersion_off_keeps_the_estimates_but_not_the_widening() -> None:
    r = funnel_proportions(UNITS, EVENTS, POPULATION, overdispersion=False)
    assert r.phi == pytest.approx(104.939718 / 8, abs=1e-6)  # still reported
    assert r.tau2 == pytest.approx(0.0310472, abs=1e-7)
    assert not r.adjusted and r.tau2_applied == 0.0
    found = {o.unit: (o.limit, o.direction) for o in r.outliers}
    # with plain limits most of these units are "outliers": the point of the adjustment
    assert found["G"] == (OutlierLimit.P998, OutlierDirection.LOW)  # z = −8.76
    assert found["F"] == (OutlierLimit.P998, OutlierDirection.HIGH)  # z = +5.04
    assert found["E"] == (OutlierLimit.P95, OutlierDirection.LOW)  # z = −2.24
    assert "B" not in found and "C" not in found  # |z| < 1.96


# --- shape of the funnel --------------------------------------------------------------------


def test_limits_narrow_as_n_grows(worked) -> None:
    grid = worked.limits
    assert np.all(np.diff(grid.x) > 0)
    for upper in (grid.upper95, grid.upper998):
        assert np.all(np.diff(upper) <= 1e-15)
    for lower in (grid.lower95, grid.lower998):
        assert np.all(np.diff(lower) >= -1e-15)
    assert grid.upper95[-1] - grid.lower95[-1] < grid.upper95[0] - grid.lower95[0]
    assert np.all(grid.lower998 <= grid.lower95) and np.all(grid.upper95 <= grid.upper998)
    # FunnelPlotR's grid: 1000 points from 3 to ⌈max n⌉, plus every unit's own n
    assert grid.x[0] == 3.0 and grid.x[-1] == 400.0
    assert {25.0, 100.0, 400.0} <= set(grid.x.tolist())


def test_unit_limits_are_the_grid_limits_at_its_own_n(worked) -> None:
    grid = worked.limits
    for u in worked.units:
        i = int(np.flatnonzero(grid.x == u.x)[0])
        assert (u.lower95, u.upper95) == (grid.lower95[i], grid.upper95[i])


def test_proportion_limits_are_symmetric_about_one_half() -> None:
    # sin²(π/4 − a) + sin²(π/4 + a) = 1, so with target 0.5 lower + upper = 1
    r = funnel_proportions(list("abcd"), [40, 60, 45, 55], [100] * 4)
    assert r.target == 0.5
    for u in r.units:
        assert u.lower95 + u.upper95 == pytest.approx(1.0, abs=1e-12)
        assert u.lower998 + u.upper998 == pytest.approx(1.0, abs=1e-12)


def test_proportion_back_transform(worked) -> None:
    # on the arcsine scale each limit is the target ± z·√(s² + τ²)
    target_y = math.asin(math.sqrt(worked.target))
    for u in worked.units:
        sigma = math.sqrt(1 / (4 * u.x) + worked.tau2_applied)
        assert math.asin(math.sqrt(u.upper95)) - target_y == pytest.approx(Z95 * sigma)
        assert target_y - math.asin(math.sqrt(u.lower95)) == pytest.approx(Z95 * sigma)


def test_proportions_at_zero_and_one_are_ordinary_points() -> None:
    r = funnel_proportions(
        ["none", "all", "a", "b", "c", "d", "tiny"],
        [0, 400, 50, 45, 60, 55, 0],
        [400, 400, 100, 100, 100, 100, 1],
        overdispersion=False,
    )
    by_unit = {u.unit: u for u in r.units}
    assert r.excluded == {}
    assert (by_unit["none"].value, by_unit["none"].y) == (0.0, 0.0)
    assert (by_unit["all"].value, by_unit["all"].y) == (1.0, math.pi / 2)
    assert by_unit["none"].outlier_direction is OutlierDirection.LOW
    assert by_unit["all"].outlier_direction is OutlierDirection.HIGH
    assert by_unit["none"].outlier_limit is OutlierLimit.P998
    # 0 of 1 is no surprise: at n = 1 the lower limits are exactly 0, and 0 is not below 0
    assert by_unit["tiny"].lower95 == 0.0 and by_unit["tiny"].outlier_limit is None
    for u in r.units:
        assert 0.0 <= u.lower998 <= u.lower95 <= u.upper95 <= u.upper998 <= 1.0


def test_a_value_exactly_on_a_limit_is_inside_it() -> None:
    """Without overdispersion, target = 201/2016 = 0.0997024, asin √target = 0.3212542.

    ten, 0 of 10: s = 1/(2√10) = 0.1581139. Lower 99.8%: 0.3212542 − 3.090232 × 0.1581139 =
    −0.1673544, below 0, so the limit is exactly 0 and the value 0 is on it: inside. Lower 95%:
    0.3212542 − 1.959964 × 0.1581139 = 0.0113567, sin² = 0.000129: 0 is below it.
    one, 1 of 1: s = 0.5. Upper 99.8%: 0.3212542 + 3.090232 × 0.5 = 1.8663702 > π/2, so the
    limit is exactly 1 and the value 1 is on it. Upper 95%: sin²(1.3012362) = 0.9290803.
    five, 0 of 5: s = 0.2236068; lower 95%: 0.3212542 − 0.4382646 < 0, so both lower limits
    are 0 and the value is on both: no outlier. Were "on" outside, ten and one would be 99.8%
    outliers and five a 99.8% one too.
    """
    r = funnel_proportions(
        ["big1", "big2", "five", "ten", "one"],
        [100, 100, 0, 0, 1],
        [1000, 1000, 5, 10, 1],
        overdispersion=False,
    )
    assert r.target == pytest.approx(0.0997024, abs=1e-7) and not r.adjusted
    by_unit = {u.unit: u for u in r.units}
    ten, one, five = by_unit["ten"], by_unit["one"], by_unit["five"]
    assert ten.value == ten.lower998 == 0.0
    assert ten.lower95 == pytest.approx(0.000129, abs=1e-6)
    assert (ten.outlier_limit, ten.outlier_direction) == (OutlierLimit.P95, OutlierDirection.LOW)
    assert one.value == one.upper998 == 1.0
    assert one.upper95 == pytest.approx(0.9290803, abs=1e-7)
    assert (one.outlier_limit, one.outlier_direction) == (OutlierLimit.P95, OutlierDirection.HIGH)
    assert five.value == five.lower95 == five.lower998 == 0.0
    assert five.outlier_limit is None
    assert [(o.unit, o.limit, o.bound) for o in r.outliers] == [
        ("ten", OutlierLimit.P95, ten.lower95),
        ("one", OutlierLimit.P95, one.upper95),
    ]


# --- exclusions and bad input ---------------------------------------------------------------


def test_zero_and_missing_denominators_are_excluded_and_counted() -> None:
    r = funnel_proportions(
        ["a", "b", "c", "d", "e"],
        pa.array([10, 0, None, 12, 11]),
        pa.array([100, 0, 50, 100, None]),
    )
    assert r.excluded == {"zero denominator": 1, "missing count": 2}
    by_unit = {u.unit: u for u in r.units}
    assert by_unit["b"].reason == "zero denominator" and by_unit["b"].value is None
    assert by_unit["c"].reason == "missing count" and by_unit["c"].counts["events"] is None
    assert r.target == 22 / 200  # only the units on the funnel
    assert r.n_dispersion == 2


def test_nothing_to_plot_raises() -> None:
    with pytest.raises(ValueError, match="zero denominator: 2"):
        funnel_proportions(["a", "b"], [0, 0], [0, 0])


@pytest.mark.parametrize(
    ("units", "events", "population", "message"),
    [
        (["a", "a"], [1, 2], [10, 10], "unique"),
        (["a", "b"], [11, 2], [10, 10], "exceed"),
        (["a", "b"], [1.5, 2], [10, 10], "whole numbers"),
        (["a", "b"], [1, 2], [10], "one value per row"),
    ],
)
def test_bad_input_is_an_error(units, events, population, message) -> None:
    with pytest.raises(ValueError, match=message):
        funnel_proportions(units, events, population)


# --- standardised ratios (FunnelPlotR "SR") -------------------------------------------------


def test_plain_ratio_limits_are_exact_poisson() -> None:
    # Garwood's exact 95% interval for 10 events is 4.7954 to 18.3904; FunnelPlotR divides by E
    r = funnel_standardised_ratios(["a", "b"], [9, 11], [10, 10], overdispersion=False)
    assert r.units[0].lower95 == pytest.approx(0.47954, abs=1e-5)
    assert r.units[0].upper95 == pytest.approx(1.83904, abs=1e-5)
    assert r.target == 1.0


SR_UNITS = [f"T{i}" for i in range(12)]
SR_OBSERVED = [80, 95, 100, 105, 110, 120, 130, 90, 70, 150, 101, 99]


def test_shmi_truncates_the_lowest_and_highest_of_twelve() -> None:
    # N = 12, k = 10: band = ⌊rank × 10/13⌋ is 0 for rank 1 and 9 for rank 12, so those two
    # (70 and 150 observed) are left out of φ; z = √E · ln(O/E) with E = 100
    r = funnel_standardised_ratios(SR_UNITS, SR_OBSERVED, [100] * 12)
    kept = [u.unit for u in r.units if u.in_dispersion]
    assert "T8" not in kept and "T9" not in kept and len(kept) == 10
    z = [10 * math.log(o / 100) for o in SR_OBSERVED]
    kept_z = [z[i] for i in range(12) if i not in (8, 9)]
    assert r.phi == pytest.approx(sum(v * v for v in kept_z) / 10)
    assert r.n_dispersion == 10
    assert r.adjusted
    # widened SHMI limits: exp(±z·√(1/E + τ²)), symmetric about 1 on the log scale
    u = r.units[0]
    assert u.upper95 == pytest.approx(math.exp(Z95 * math.sqrt(0.01 + r.tau2)))
    assert u.lower998 * u.upper998 == pytest.approx(1.0)
    assert {o.unit for o in r.outliers} == {"T8", "T9"}


def test_truncate_directly() -> None:
    z = np.arange(12.0)
    kept = truncate(z, 0.1)
    assert np.isnan(kept[0]) and np.isnan(kept[-1])
    assert np.array_equal(kept[1:-1], z[1:-1])


def test_shmi_rounds_expected_to_two_places_but_plots_unrounded_o_over_e() -> None:
    r = funnel_standardised_ratios(["a", "b", "c"], [10, 12, 1], [10.004, 9.996, 0.004])
    a = r.units[0]
    assert a.counts["expected_used"] == 10.0 and a.x == 10.0
    assert a.value == 10 / 10.004  # unrounded, as FunnelPlotR's rr
    assert a.y == 0.0  # ln(10/10.00)
    assert r.excluded == {"zero expected count after rounding to 2 dp": 1}
    unrounded = funnel_standardised_ratios(
        ["a", "b", "c"], [10, 12, 1], [10.004, 9.996, 0.004], round_expected=False
    )
    assert unrounded.excluded == {} and unrounded.units[0].x == 10.004


def test_cqc_limits_are_squared_back_to_the_ratio_scale() -> None:
    r = funnel_standardised_ratios(SR_UNITS, SR_OBSERVED, [100] * 12, method=RatioMethod.CQC)
    assert r.options.method is RatioMethod.CQC and r.adjusted
    assert all(u.in_dispersion for u in r.units)  # winsorised, nobody dropped
    u = r.units[0]
    sigma = math.sqrt(1 / 400 + r.tau2)
    assert u.y == pytest.approx(math.sqrt(0.8))
    assert u.upper95 == pytest.approx((1 + Z95 * sigma) ** 2)
    assert u.lower998 == pytest.approx((1 - Z998 * sigma) ** 2)


def test_shmi_unit_with_no_events_is_kept_but_not_in_dispersion() -> None:
    r = funnel_standardised_ratios(["a", "b", "c"], [0, 10, 12], [10, 10, 10])
    a = r.units[0]
    assert a.reason is None and a.value == 0.0 and a.z == -math.inf
    assert not a.in_dispersion and r.n_dispersion == 2
    assert "no observed events" in r.notes[0]
    assert (a.outlier_limit, a.outlier_direction) == (OutlierLimit.P998, OutlierDirection.LOW)


# --- relative likelihoods -------------------------------------------------------------------


def test_relative_likelihood_funnel() -> None:
    r = funnel_relative_likelihoods(
        ["u1", "u2", "u3", "u4", "u5"],
        [20, 30, 12, 50, 0],
        [100, 200, 80, 400, 50],
        [10, 25, 10, 60, 5],
        [100, 250, 100, 500, 60],
        orientation="harm",
    )
    # pooled over u1-u4 (u5 has no focus events): (112/780)/(105/950) = 1.2991
    assert r.target == pytest.approx((112 / 780) / (105 / 950))
    assert r.excluded == {"no events in a group (ratio 0 or undefined)": 1}
    u1 = r.units[0]
    # RL = 0.20/0.10 = 2; Katz variance 1/20 − 1/100 + 1/10 − 1/100 = 0.13; x = 1/0.13
    assert u1.value == 2.0
    assert u1.s == pytest.approx(math.sqrt(0.13))
    assert u1.x == pytest.approx(1 / 0.13)
    for u in r.units[:4]:  # symmetric about the target on the log scale
        assert u.lower95 * u.upper95 == pytest.approx(r.target**2)
    assert np.allclose(r.limits.lower998 * r.limits.upper998, r.target**2)


def test_relative_likelihood_orientation_flips_the_ratio() -> None:
    args = (["a", "b", "c"], [20, 30, 12], [100, 200, 80], [10, 25, 10], [100, 250, 100])
    harm = funnel_relative_likelihoods(*args, orientation="harm")
    benefit = funnel_relative_likelihoods(*args, orientation="benefit")
    assert benefit.target == pytest.approx(1 / harm.target)
    for h, b in zip(harm.units, benefit.units, strict=True):
        assert b.value == pytest.approx(1 / h.value)
        assert b.s == pytest.approx(h.s)


def test_relative_likelihood_exclusion_reasons() -> None:
    r = funnel_relative_likelihoods(
        ["ok", "ok2", "empty", "all"],
        [5, 6, 0, 10],
        [50, 40, 0, 10],
        [4, 7, 3, 20],
        [60, 50, 30, 20],
        orientation="harm",
    )
    assert r.excluded == {
        "empty group": 1,
        "no variance (everyone in both groups had the event)": 1,
    }


# --- output ---------------------------------------------------------------------------------


def test_to_arrow(worked) -> None:
    tables = worked.to_arrow()
    units, limits = tables["units"], tables["limits"]
    assert units.num_rows == 8
    assert units.column_names[:3] == ["unit", "events", "population"]
    assert units.schema.field("events").type == pa.int64()
    assert units.column("outlier_limit").to_pylist().count("95%") == 1
    assert limits.num_rows == len(worked.limits.x) >= 1000
    assert limits.column_names == ["x", "target", "lower95", "upper95", "lower998", "upper998"]
    meta = json.loads(units.schema.metadata[b"equitrack.funnel"])
    assert meta["phi"] == pytest.approx(worked.phi)
    assert meta["options"]["kind"] == FunnelKind.PROPORTION == "proportion"
    assert meta["options"]["overdispersion"] is True
    assert limits.schema.metadata == units.schema.metadata


def test_to_arrow_keeps_excluded_units_with_their_reason() -> None:
    r = funnel_standardised_ratios(["a", "b", "c"], [3, None, 5], [4.0, 5.0, 6.0])
    units = r.to_arrow()["units"]
    assert units.column("reason").to_pylist() == [None, "missing count", None]
    assert units.schema.field("observed").type == pa.float64()
