"""The hand-worked examples from the issue and a published figure, exactly as stated."""

from __future__ import annotations

from fractions import Fraction

import pytest

from equitrack.stats import (
    Band,
    IntervalMethod,
    Orientation,
    Pooling,
    SignificanceTest,
    Verdict,
    compare,
    format_points,
    format_ratio,
    pooled_counts,
    rate_over_periods,
    relative_likelihood_from_rates,
    relative_likelihood_over_periods,
    representation_gap_points,
    round_half_up,
)


def test_wres2_appointment_from_shortlisting() -> None:
    # White 300 appointed of 1,000 shortlisted, BME 150 of 800: RL = L_White / L_BME
    c = compare(150, 800, 300, 1000, orientation=Orientation.BENEFIT)
    assert c.ratio_exact == Fraction(30, 100) / Fraction(1875, 10000) == Fraction(8, 5)
    assert format_ratio(c.ratio_exact) == "1.60"
    assert c.band is Band.ADVERSE
    # Katz, by hand: se = sqrt(1/300 − 1/1000 + 1/150 − 1/800) = sqrt(0.00775);
    # exp(ln 1.6 ∓ 1.959964 × 0.0880341) = 1.3464 to 1.9013, clear of 1
    assert c.interval_method is IntervalMethod.KATZ
    assert c.ci_low is not None and c.ci_high is not None
    assert (round(c.ci_low, 4), round(c.ci_high, 4)) == (1.3464, 1.9013)
    assert c.significant is True
    assert c.test is SignificanceTest.Z_LOG
    assert c.p_value is not None and c.p_value < 1e-6
    assert not c.too_few
    assert c.verdict is Verdict.ADVERSE_SIGNIFICANT
    assert c.reason is None


BME_ENTRANTS, BME_STAFF = [12, 10], [1200, 1300]
WHITE_ENTRANTS, WHITE_STAFF = [20, 18], [4000, 3900]


def test_wres3_pooled_over_two_years() -> None:
    # (22/2500) / (38/7900) = 1.8295 → 1.83
    rl = relative_likelihood_over_periods(
        BME_ENTRANTS, BME_STAFF, WHITE_ENTRANTS, WHITE_STAFF, orientation="harm"
    )
    assert rl == Fraction(22, 2500) / Fraction(38, 7900)
    assert format_ratio(rl) == "1.83"
    assert pooled_counts(BME_ENTRANTS, BME_STAFF) == (22, 2500)
    assert pooled_counts(WHITE_ENTRANTS, WHITE_STAFF) == (38, 7900)
    c = compare(
        *pooled_counts(BME_ENTRANTS, BME_STAFF),
        *pooled_counts(WHITE_ENTRANTS, WHITE_STAFF),
        orientation="harm",
    )
    assert c.ratio_exact == rl
    assert format_ratio(c.ratio) == "1.83"


def test_wres3_as_a_mean_of_yearly_rates() -> None:
    # BME (1/100 + 1/130)/2 = 23/2600; White (1/200 + 18/3900)/2 = 25/5200; ratio 46/25 = 1.84
    assert rate_over_periods(BME_ENTRANTS, BME_STAFF, pooling="mean_of_rates") == Fraction(23, 2600)
    assert rate_over_periods(WHITE_ENTRANTS, WHITE_STAFF, pooling="mean_of_rates") == Fraction(
        25, 5200
    )
    rl = relative_likelihood_over_periods(
        BME_ENTRANTS,
        BME_STAFF,
        WHITE_ENTRANTS,
        WHITE_STAFF,
        orientation="harm",
        pooling=Pooling.MEAN_OF_RATES,
    )
    assert rl == Fraction(46, 25)
    assert format_ratio(rl) == "1.84"


def test_periods_must_pair_up_and_undefined_rates_are_none() -> None:
    with pytest.raises(ValueError):
        pooled_counts([1, 2], [10])
    with pytest.raises(ValueError):
        pooled_counts([], [])
    assert rate_over_periods([0, 3], [0, 30], pooling="mean_of_rates") is None
    assert rate_over_periods([0, 3], [0, 30]) == Fraction(1, 10)
    assert rate_over_periods([0], [0]) is None
    assert relative_likelihood_over_periods([1], [10], [0], [10], orientation="harm") is None


def test_wres4_training_displays_half_up() -> None:
    # White 900 of 4,000 = 0.225, BME 250 of 1,250 = 0.2: RL = 0.225 / 0.2 = 1.125 → 1.13
    c = compare(250, 1250, 900, 4000, orientation="benefit")
    assert c.ratio_exact == Fraction(9, 8)
    assert c.ratio == 1.125
    assert format_ratio(c.ratio_exact) == "1.13"
    assert format_ratio(c.ratio) == "1.13"
    assert c.band is Band.NON_ADVERSE
    assert c.verdict is Verdict.NON_ADVERSE


def test_wres9_board_difference_in_points() -> None:
    # 2 BME of 14 voting members (14.2857%) against an 18.6% BME workforce: −4.3143 points
    gap = representation_gap_points(2, 14, 0.186)
    assert gap == 100 * (Fraction(2, 14) - Fraction(186, 1000))
    assert format_points(gap) == "-4.31"
    assert representation_gap_points(0, 0, 0.186) is None
    with pytest.raises(ValueError):
        representation_gap_points(2, 14, 18.6)  # a share, not a percentage


def test_published_christie_2022_appointment_ratio() -> None:
    # The Christie NHS FT, WRES 2022: appointment rates White 46.99%, BME 14.65%;
    # 46.99 / 14.65 = 3.2075, i.e. 3.21 to 2 dp (published to 1 dp as 3.2)
    rl = relative_likelihood_from_rates(14.65, 46.99, orientation="benefit")
    assert rl == Fraction(4699, 1465)
    assert format_ratio(rl) == "3.21"
    assert str(round_half_up(rl, 1)) == "3.2"
    assert relative_likelihood_from_rates(0, 46.99, orientation="benefit") is None
    assert relative_likelihood_from_rates(14.65, 46.99, orientation="harm") == Fraction(1465, 4699)
