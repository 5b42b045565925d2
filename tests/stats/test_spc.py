"""SPC charts as Making Data Count / NHSRplotthedots draw them: each rule on a constructed series.

Most series start from the same baseline, fixed with ``fix_after_n_points=14`` so that the points
under test cannot move the limits:

    BASE = 12, 10, 12, 10, ... (14 values)   mean = (7·12 + 7·10)/14 = 11
    moving ranges: 13 of |12 − 10| = 2        mean mR = 2 (none ≥ 3.267 × 2, so none screened)
    limits  = 11 ± 2.66 × 2         = 5.68 and 16.32
    inner   = 11 ± (2/3 × 2.66) × 2 = 11 ± 3.54667 = 7.45333 and 14.54667

The baseline alternates across the mean, so on its own it has no trend, shift or 2-of-3, and it
ends below the mean (10) so a run above the mean after it starts fresh.
"""

from __future__ import annotations

import json
import math

import pytest

from equitrack.stats import (
    COMMON_CAUSE_COLOUR,
    CONCERN_COLOUR,
    IMPROVEMENT_COLOUR,
    NEUTRAL_COLOUR,
    TARGET_COLOUR,
    AssuranceIcon,
    ChartType,
    PointType,
    Side,
    SpcChart,
    SpecialCauseRule,
    VariationIcon,
    p_chart,
    xmr_chart,
)
from equitrack.stats.spc_rules import shift_members, trend_directions, two_in_three_members

BASE = [12, 10] * 7
UPPER, LOWER = 16.32, 5.68


def chart(values: list, direction: str = "increase", **options) -> SpcChart:
    """An XmR chart of values labelled 0, 1, 2, ...; the baseline is fixed unless told."""
    options.setdefault("fix_after_n_points", 14)
    return xmr_chart(list(enumerate(values)), improvement_direction=direction, **options)


def tail(c: SpcChart, n: int) -> list:
    """The last n points (the ones after the baseline, in most tests)."""
    return list(c.points[-n:])


# --- the baseline itself ---------------------------------------------------------------------


def test_baseline_limits_and_inner_lines_are_hand_computed() -> None:
    c = chart(BASE + [11])
    assert c.centre == 11
    assert c.mean_moving_range == 2
    assert c.moving_ranges_screened_out == 0
    p = c.points[-1]
    assert (p.lower_limit, p.upper_limit) == pytest.approx((LOWER, UPPER), abs=1e-12)
    assert p.upper_inner == pytest.approx(14.546667, abs=1e-6)
    assert p.lower_inner == pytest.approx(7.453333, abs=1e-6)
    assert not any(p.special_cause for p in c.points)
    assert {p.point_type for p in c.points} == {PointType.COMMON_CAUSE}
    assert {p.colour for p in c.points} == {COMMON_CAUSE_COLOUR}
    assert c.limits_basis == 14 and not c.trial_limits


# --- rule 1: a point beyond a limit ----------------------------------------------------------


def test_point_beyond_the_upper_limit_is_special_cause() -> None:
    c = chart(BASE + [11, 16.33, 11])
    before, beyond, after = tail(c, 3)
    assert beyond.outside_limits and beyond.rule is SpecialCauseRule.OUTSIDE_LIMITS
    assert beyond.side is Side.HIGH
    assert beyond.point_type is PointType.IMPROVEMENT and beyond.colour == IMPROVEMENT_COLOUR
    assert not before.special_cause and not after.special_cause


def test_a_point_exactly_on_a_limit_is_inside_it() -> None:
    # 16.32 = 11 + 2.66 × 2 and 5.68 = 11 − 2.66 × 2 exactly; NHSRplotthedots tests y > upl.
    c = chart(BASE + [16.32, 11, 5.68, 11])
    on_upper, _, on_lower, _ = tail(c, 4)
    assert not on_upper.outside_limits and not on_lower.outside_limits
    assert not on_upper.special_cause and not on_lower.special_cause


def test_a_point_beyond_a_limit_without_a_fixed_baseline() -> None:
    # 10, 12 alternating (14 values) then 24: mean = (70 + 84 + 24)/15 = 178/15 = 11.8667.
    # Moving ranges: 13 of 2 and |24 − 12| = 12; mean 38/14 = 2.714; 12 ≥ 3.267 × 2.714 = 8.87,
    # so it is screened and the mean mR is 2: UCL = 11.8667 + 5.32 = 17.1867 < 24.
    c = xmr_chart(
        list(enumerate([10, 12] * 7 + [24])), improvement_direction="increase", target=None
    )
    assert c.points[-1].outside_limits
    assert [p.special_cause for p in c.points] == [False] * 14 + [True]


# --- screening of moving ranges --------------------------------------------------------------


def test_screening_a_large_moving_range_changes_the_limits_as_hand_computed() -> None:
    values = [10, 12] * 7 + [24]
    screened = xmr_chart(list(enumerate(values)), improvement_direction="increase")
    unscreened = xmr_chart(
        list(enumerate(values)), improvement_direction="increase", screen_outliers=False
    )
    mean = 178 / 15  # 11.8667
    # With screening: the range of 12 is dropped, mean mR = 26/13 = 2.
    assert screened.moving_ranges_screened_out == 1
    assert screened.mean_moving_range == 2
    assert screened.points[0].upper_limit == pytest.approx(mean + 5.32, abs=1e-9)  # 17.1867
    assert screened.points[0].lower_limit == pytest.approx(mean - 5.32, abs=1e-9)  # 6.5467
    assert [p.moving_range_used for p in screened.points] == [False] + [True] * 13 + [False]
    assert screened.points[-1].moving_range == 12
    # Without: mean mR = 38/14 = 2.7143, half-width 2.66 × 2.7143 = 7.22.
    assert unscreened.moving_ranges_screened_out == 0
    assert unscreened.mean_moving_range == pytest.approx(38 / 14, abs=1e-12)
    assert unscreened.points[0].upper_limit == pytest.approx(mean + 7.22, abs=1e-9)  # 19.0867
    assert unscreened.points[0].lower_limit == pytest.approx(mean - 7.22, abs=1e-9)  # 4.6467
    assert unscreened.options.screen_outliers is False


def test_a_moving_range_exactly_at_the_screen_is_screened_out() -> None:
    # Values 0, 0, 0, 0, 1.733, 5: moving ranges 0, 0, 0, 1.733, 3.267; mean 5/5 = 1, so the
    # screen is 3.267 × 1 and the last range sits exactly on it. NHSRplotthedots keeps only
    # ranges strictly below the screen, so it goes: mean mR = 1.733/4 = 0.43325.
    c = xmr_chart(list(enumerate([0, 0, 0, 0, 1.733, 5])), improvement_direction="increase")
    assert c.moving_ranges_screened_out == 1
    assert c.mean_moving_range == pytest.approx(0.43325, abs=1e-12)


def test_a_constant_series_has_limits_on_the_mean_and_no_special_cause() -> None:
    c = xmr_chart(list(enumerate([5] * 15)), improvement_direction="increase", target=6)
    assert c.mean_moving_range == 0
    assert {(p.lower_limit, p.centre, p.upper_limit) for p in c.points} == {(5, 5, 5)}
    assert not any(p.special_cause for p in c.points)
    assert c.variation_icon is VariationIcon.COMMON_CAUSE
    assert c.assurance_icon is AssuranceIcon.FAIL  # 6 is above the upper "limit" of 5


# --- rule 2: a trend of 7 --------------------------------------------------------------------


def test_seven_rising_points_are_a_trend_even_below_the_mean() -> None:
    # Crosses the mean (11), so it is not a shift; all within the inner lines.
    rising = [9, 9.5, 10, 10.5, 11.5, 12, 12.5]
    c = chart(BASE + rising + [11])
    points = tail(c, 8)
    assert [p.trend for p in points] == [True] * 7 + [False]
    assert all(p.rule is SpecialCauseRule.TREND for p in points[:7])
    # A trend is high or low by its direction, not by the point's side of the mean.
    assert all(p.side is Side.HIGH for p in points[:7])
    assert points[0].value == 9 and points[0].point_type is PointType.IMPROVEMENT
    assert not any(p.shift or p.two_in_three for p in points)


def test_six_rising_points_are_not_a_trend() -> None:
    c = chart(BASE + [9, 9.5, 10, 10.5, 11.5, 12, 11])
    assert not any(p.trend for p in c.points)


def test_an_equal_pair_breaks_a_trend() -> None:
    # 9, 9.5, 10, 10 — the next rise starts again at the second 10 and is only 5 long.
    c = chart(BASE + [9, 9.5, 10, 10, 10.5, 11.5, 12, 12.5])
    assert not any(p.trend for p in c.points)


def test_a_falling_trend_is_concern_when_higher_is_better() -> None:
    c = chart(BASE + [13, 12.5, 12, 10.5, 10, 9.5, 9])
    points = tail(c, 7)
    assert all(p.trend and p.side is Side.LOW for p in points)
    assert {p.point_type for p in points} == {PointType.CONCERN}
    assert {p.colour for p in points} == {CONCERN_COLOUR}


def test_a_turning_point_takes_the_direction_of_the_trend_it_starts() -> None:
    # 8 → 14 rises over 7 points and 14 → 9 falls over 7; they share the 14.
    c = chart(BASE + [8, 9, 10, 11.5, 12, 13, 14, 13.5, 13, 12, 11.5, 10, 9])
    points = tail(c, 13)
    assert all(p.trend for p in points)
    assert [p.side for p in points] == [Side.HIGH] * 6 + [Side.LOW] * 7


def test_a_flat_step_between_two_trends_leaves_each_its_own_direction() -> None:
    # Deliberate difference from NHSRplotthedots, which names the first 14 "Decreasing" because
    # it and the next point are both in trends and the step between them is not a rise.
    c = chart(BASE + [8, 9, 10, 11.5, 12, 13, 14, 14, 13.5, 13, 12, 11.5, 10, 9])
    points = tail(c, 14)
    assert points[6].value == 14 and points[6].side is Side.HIGH
    assert points[7].value == 14 and points[7].side is Side.LOW


# --- rule 3: 2 of 3 beyond the inner line ----------------------------------------------------


def test_two_of_three_beyond_the_inner_line_flags_only_those_two() -> None:
    # 15 and 15.5 are beyond the inner line (14.547) but inside the limit (16.32); 12.5
    # between them is on the same side of the mean but not beyond the line, so it is not
    # flagged. The 10 after them is below the mean.
    c = chart(BASE + [12, 15, 12.5, 15.5, 10])
    points = tail(c, 5)
    assert [p.two_in_three for p in points] == [False, True, False, True, False]
    assert points[1].rule is SpecialCauseRule.TWO_IN_THREE
    assert points[1].side is Side.HIGH and points[1].point_type is PointType.IMPROVEMENT
    assert not any(p.outside_limits or p.shift or p.trend for p in points)


def test_two_of_three_needs_all_three_on_the_same_side() -> None:
    # 15 (above the upper inner line) and 7 (below the lower one, 7.453) are on opposite
    # sides: NHSRplotthedots issue #143.
    c = chart(BASE + [15, 7, 15, 10])
    high, low, _, _ = tail(c, 4)
    assert high.value > high.upper_inner and low.value < low.lower_inner
    assert not any(p.two_in_three for p in c.points)


def test_a_point_on_the_mean_breaks_two_of_three() -> None:
    c = chart(BASE + [15, 11, 15, 10])
    assert not any(p.two_in_three for p in c.points)


def test_one_beyond_the_inner_line_is_not_enough() -> None:
    c = chart(BASE + [12, 15, 12, 10])
    assert not any(p.special_cause for p in c.points)


def test_the_november_2023_rule_counts_points_beyond_the_limits_too() -> None:
    # 17 is beyond the limit (16.32) and 15 beyond the inner line, both above the mean, with
    # 12 also above. Classic (NHSRplotthedots): only points between the inner line and the
    # limit count, so the 15 is alone and common cause. MDC November 2023: the 17 counts too.
    values = BASE + [12, 17, 15, 10]
    classic = tail(chart(values), 4)
    revised = tail(chart(values, two_in_three="mdc_2023"), 4)
    assert classic[1].rule is SpecialCauseRule.OUTSIDE_LIMITS
    assert not classic[2].special_cause and not classic[2].two_in_three
    assert revised[2].two_in_three and revised[2].rule is SpecialCauseRule.TWO_IN_THREE
    assert revised[1].rule is SpecialCauseRule.OUTSIDE_LIMITS  # rule 1 still names it
    assert revised[1].two_in_three  # but it is part of the 2 of 3
    assert not revised[0].two_in_three  # 12 is not beyond the inner line
    assert chart(values, two_in_three="mdc_2023").options.two_in_three == "mdc_2023"


def test_issue_153_two_beyond_the_limit_then_one_inside_it() -> None:
    # 17, 17, 15: NHSRplotthedots (issue #153) leaves the 15 as common cause; the 2023 rule
    # flags it.
    values = BASE + [17, 17, 15, 10]
    assert not tail(chart(values), 4)[2].special_cause
    assert tail(chart(values, two_in_three="mdc_2023"), 4)[2].two_in_three


# --- rule 4: a shift of 7 --------------------------------------------------------------------


def test_seven_points_on_one_side_of_the_mean_are_a_shift() -> None:
    above = [11.5, 12, 11.5, 12, 11.5, 12, 11.5]  # not monotonic, within the inner line
    points = tail(chart(BASE + above + [10]), 8)
    assert [p.shift for p in points] == [True] * 7 + [False]
    assert all(p.rule is SpecialCauseRule.SHIFT and p.side is Side.HIGH for p in points[:7])
    assert {p.point_type for p in points[:7]} == {PointType.IMPROVEMENT}


def test_six_points_on_one_side_are_not_a_shift() -> None:
    points = tail(chart(BASE + [11.5, 12, 11.5, 12, 11.5, 12, 10]), 7)
    assert not any(p.shift for p in points)


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    points = tail(chart(BASE + [11.5, 12, 11.5, 11, 12, 11.5, 12, 11.5]), 8)
    assert not any(p.shift for p in points)


def test_a_shift_below_the_mean_is_concern_when_higher_is_better() -> None:
    points = tail(chart(BASE + [10.5, 10, 10.5, 10, 10.5, 10, 10.5]), 7)
    assert all(p.shift and p.side is Side.LOW for p in points)
    assert {p.point_type for p in points} == {PointType.CONCERN}


# --- priority --------------------------------------------------------------------------------


def test_a_trend_outranks_a_shift_and_decides_the_direction() -> None:
    # Seven falling points all above the mean: a trend (down) and a shift (above). The trend
    # comes first, so they are low: concern when higher is better.
    points = tail(chart(BASE + [14, 13.5, 13, 12.5, 12, 11.8, 11.5]), 7)
    assert all(p.trend and p.shift for p in points)
    assert all(p.rule is SpecialCauseRule.TREND and p.side is Side.LOW for p in points)
    assert {p.point_type for p in points} == {PointType.CONCERN}


def test_beyond_a_limit_outranks_a_shift() -> None:
    points = tail(chart(BASE + [11.5, 12, 11.5, 17, 11.5, 12, 11.5]), 7)
    assert all(p.shift for p in points)
    assert points[3].rule is SpecialCauseRule.OUTSIDE_LIMITS
    assert [p.rule for p in points].count(SpecialCauseRule.SHIFT) == 6


# --- improvement direction -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "high", "low", "colour_high"),
    [
        ("increase", PointType.IMPROVEMENT, PointType.CONCERN, IMPROVEMENT_COLOUR),
        ("decrease", PointType.CONCERN, PointType.IMPROVEMENT, CONCERN_COLOUR),
        ("neutral", PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW, NEUTRAL_COLOUR),
    ],
)
def test_the_improvement_direction_decides_improvement_or_concern(
    direction: str, high: PointType, low: PointType, colour_high: str
) -> None:
    high_point, _, low_point, _ = tail(chart(BASE + [20, 11, 3, 11], direction), 4)
    assert high_point.point_type is high and low_point.point_type is low
    assert high_point.colour == colour_high


def test_the_improvement_direction_must_be_named() -> None:
    with pytest.raises(TypeError):
        xmr_chart([("a", 1), ("b", 2)])  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        xmr_chart([("a", 1), ("b", 2)], improvement_direction="up")


# --- icons -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "last", "icon"),
    [
        ("increase", 20, VariationIcon.IMPROVEMENT_HIGH),
        ("increase", 3, VariationIcon.CONCERN_LOW),
        ("decrease", 20, VariationIcon.CONCERN_HIGH),
        ("decrease", 3, VariationIcon.IMPROVEMENT_LOW),
        ("neutral", 20, VariationIcon.NEUTRAL_HIGH),
        ("neutral", 3, VariationIcon.NEUTRAL_LOW),
        ("increase", 11.5, VariationIcon.COMMON_CAUSE),
    ],
)
def test_variation_icon_is_the_last_points_type(direction: str, last: float, icon) -> None:
    assert chart(BASE + [11, last], direction).variation_icon is icon


def test_variation_icon_ignores_earlier_special_causes() -> None:
    c = chart(BASE + [20, 11])
    assert c.points[-2].special_cause
    assert c.variation_icon is VariationIcon.COMMON_CAUSE


@pytest.mark.parametrize(
    ("direction", "target", "icon"),
    [
        # limits 5.68 to 16.32
        ("increase", 17, AssuranceIcon.FAIL),  # target above what the process can reach
        ("decrease", 17, AssuranceIcon.PASS),
        ("increase", 5, AssuranceIcon.PASS),  # every point clears a target below the limit
        ("decrease", 5, AssuranceIcon.FAIL),
        ("increase", 12, AssuranceIcon.HIT_AND_MISS),
        ("increase", 16.32, AssuranceIcon.HIT_AND_MISS),  # on the limit is within it
        ("neutral", 17, None),
        ("increase", None, None),
    ],
)
def test_assurance_icon_compares_the_target_with_the_limits(
    direction: str, target: float | None, icon: AssuranceIcon | None
) -> None:
    c = chart(BASE + [11], direction, target=target)
    assert c.assurance_icon is icon


def test_colours_are_the_making_data_count_colours() -> None:
    assert COMMON_CAUSE_COLOUR == "#a6a6a6"
    assert IMPROVEMENT_COLOUR == "#00b0f0"
    assert CONCERN_COLOUR == "#e46c0a"
    assert NEUTRAL_COLOUR == "#490092"
    assert TARGET_COLOUR == "#de1b1b"


# --- trial limits and fixing -----------------------------------------------------------------


def test_fewer_than_13_points_give_trial_limits() -> None:
    twelve = xmr_chart(list(enumerate(BASE[:12])), improvement_direction="increase")
    thirteen = xmr_chart(list(enumerate(BASE[:13])), improvement_direction="increase")
    assert twelve.trial_limits and "trial" in twelve.limits_label
    assert twelve.limits_basis == 12
    assert not thirteen.trial_limits and "trial" not in thirteen.limits_label
    # Trial limits still flag special causes.
    short = xmr_chart(list(enumerate(BASE[:10] + [40])), improvement_direction="increase")
    assert short.trial_limits and short.points[-1].outside_limits


def test_fixed_limits_do_not_move_with_later_points() -> None:
    c = chart(BASE + [30, 30, 30, 30])
    assert c.centre == 11 and c.mean_moving_range == 2
    assert [p.upper_limit for p in c.points] == pytest.approx([UPPER] * 18)
    assert c.options.fix_after_n_points == 14
    assert "fixed on the first 14" in c.limits_label
    unfixed = chart(BASE + [30, 30, 30, 30], fix_after_n_points=None)
    assert unfixed.centre == pytest.approx((154 + 120) / 18)


def test_a_baseline_of_fewer_than_13_values_is_trial() -> None:
    c = chart(BASE + [11] * 5, fix_after_n_points=10)
    assert c.limits_basis == 10 and c.trial_limits


# --- short series and gaps -------------------------------------------------------------------


def test_an_empty_series_has_no_points_no_limits_and_says_so() -> None:
    c = xmr_chart([], improvement_direction="increase", target=3)
    assert c.points == () and c.centre is None
    assert c.variation_icon is None and c.assurance_icon is None
    assert not c.trial_limits and c.limits_label == "no limits"
    assert "no values" in (c.note or "")
    assert c.to_arrow().num_rows == 0


def test_a_single_value_has_a_centre_but_no_limits_or_icons() -> None:
    c = xmr_chart([("2024-25", 7)], improvement_direction="increase", target=3)
    assert c.centre == 7 and c.mean_moving_range is None
    (p,) = c.points
    assert p.value == 7 and p.upper_limit is None and p.point_type is None
    assert c.variation_icon is None and c.assurance_icon is None
    assert "moving range" in (c.note or "")


def test_two_values_have_trial_limits_and_common_cause() -> None:
    # 3 and 5: mean 4, one moving range of 2, limits 4 ± 5.32.
    c = xmr_chart([("a", 3), ("b", 5)], improvement_direction="increase")
    assert c.centre == 4 and c.mean_moving_range == 2
    assert c.points[0].lower_limit == pytest.approx(-1.32)
    assert c.points[0].upper_limit == pytest.approx(9.32)
    assert c.trial_limits
    assert c.variation_icon is VariationIcon.COMMON_CAUSE


def test_a_missing_value_is_kept_unclassified_and_never_bridged() -> None:
    # 10, None, 14, 12: the only moving range is |12 − 14| = 2; mean (10 + 14 + 12)/3 = 12.
    c = xmr_chart([("a", 10), ("b", None), ("c", 14), ("d", 12)], improvement_direction="increase")
    assert c.centre == 12 and c.mean_moving_range == 2
    gap = c.points[1]
    assert gap.value is None and gap.point_type is None and gap.colour is None
    assert gap.upper_limit == pytest.approx(17.32)  # the line continues across the gap
    assert [p.moving_range for p in c.points] == [None, None, None, 2]
    assert c.limits_basis == 3


def test_nan_is_a_missing_value() -> None:
    c = xmr_chart([("a", 10), ("b", math.nan), ("c", 14)], improvement_direction="increase")
    assert c.points[1].value is None
    assert c.centre == 12


def test_a_gap_ends_a_shift() -> None:
    above = [11.5, 12, 11.5, 12, 11.5, 12, 11.5]
    assert all(p.shift for p in tail(chart(BASE + above), 7))
    gapped = tail(chart(BASE + above[:4] + [None] + above[4:]), 8)
    assert not any(p.shift for p in gapped)


def test_icons_come_from_the_last_period_with_a_value() -> None:
    c = chart(BASE + [20, None])
    assert c.points[-1].point_type is None
    assert c.variation_icon is VariationIcon.IMPROVEMENT_HIGH


def test_malformed_points_are_rejected() -> None:
    with pytest.raises(ValueError, match="point 2"):
        xmr_chart([("a", 1), ("b",)], improvement_direction="increase")  # type: ignore[list-item]
    with pytest.raises(ValueError, match="fix_after_n_points"):
        xmr_chart([("a", 1), ("b", 2)], improvement_direction="increase", fix_after_n_points=1)


def test_a_period_given_twice_is_refused() -> None:
    """Two values for 2025/26 would be charted as two consecutive points, their difference a
    moving range; NHSRplotthedots refuses them ("duplicate rows found in ...") and so do we."""
    twice = [("2024/25", 10), ("2025/26", 12), ("2025/26", 11)]
    with pytest.raises(ValueError, match=r"period '2025/26' is given twice \(points 2 and 3\)"):
        xmr_chart(twice, improvement_direction="increase")
    with pytest.raises(ValueError, match="period 2025 is given twice"):
        p_chart([(2024, 1, 10), (2025, 2, 10), (2025, 3, 10)], improvement_direction="decrease")
    # a gap is not a repeat: each period once, one without a value
    assert (
        len(xmr_chart([(1, 10), (2, None), (3, 12)], improvement_direction="increase").points) == 3
    )


# --- p-chart ---------------------------------------------------------------------------------


P_POINTS = [("a", 5, 100), ("b", 20, 200), ("c", 30, 100), ("d", 4, 90), ("e", 1, 10)]


def test_p_chart_limits_are_hand_computed_per_period() -> None:
    # p̄ = (5 + 20 + 30 + 4 + 1)/(100 + 200 + 100 + 90 + 10) = 60/500 = 0.12; p̄(1 − p̄) = 0.1056.
    # n = 100: σ = √0.001056 = 0.0324962; 3σ = 0.0974885 → 0.0225115 to 0.2174885
    #                                       2σ = 0.0649923 → 0.0550077 to 0.1849923
    # n = 200: σ = √0.000528 = 0.0229783; 3σ = 0.0689348 → 0.0510652 to 0.1889348
    # n = 90:  σ = √0.0011733 = 0.0342540; 3σ = 0.1027619 → 0.0172381 to 0.2227619
    # n = 10:  σ = √0.01056 = 0.1027619; 3σ = 0.3082856 → −0.188 (clipped to 0) to 0.4282856
    #                                     2σ = 0.2055237 → −0.086 (clipped to 0) to 0.3255237
    c = p_chart(P_POINTS, improvement_direction="decrease")
    assert c.chart is ChartType.P and c.centre == pytest.approx(0.12)
    a, b, cc, d, e = c.points
    assert (a.lower_limit, a.upper_limit) == pytest.approx((0.0225115, 0.2174885), abs=1e-7)
    assert (a.lower_inner, a.upper_inner) == pytest.approx((0.0550077, 0.1849923), abs=1e-7)
    assert (b.lower_limit, b.upper_limit) == pytest.approx((0.0510652, 0.1889348), abs=1e-7)
    assert (d.lower_limit, d.upper_limit) == pytest.approx((0.0172381, 0.2227619), abs=1e-7)
    assert e.lower_limit == 0.0 and e.upper_limit == pytest.approx(0.4282856, abs=1e-7)
    assert e.lower_inner == 0.0 and e.upper_inner == pytest.approx(0.3255237, abs=1e-7)
    # c = 0.30 is above its limit: higher is worse here, so it is concern.
    assert cc.outside_limits and cc.point_type is PointType.CONCERN
    assert cc.value == pytest.approx(0.30) and (cc.numerator, cc.denominator) == (30, 100)
    assert [p.special_cause for p in c.points] == [False, False, True, False, False]
    assert c.trial_limits and c.limits_basis == 5


def test_p_chart_limits_depend_on_each_periods_denominator() -> None:
    # p̄ = (25 + 5 + 30 + 0)/(100 + 20 + 300 + 80) = 60/500 = 0.12; p̄(1 − p̄) = 0.1056.
    # The same rate, 0.25, is beyond the limit with n = 100 (upper 0.2175) but not with n = 20
    # (σ = √(0.1056/20) = 0.0726636, upper 0.12 + 0.2179908 = 0.3379908). And 0/80 is below
    # its lower limit (σ = √(0.1056/80) = 0.0363318, lower 0.12 − 0.1089954 = 0.0110046).
    c = p_chart(
        [("a", 25, 100), ("b", 5, 20), ("c", 30, 300), ("d", 0, 80)],
        improvement_direction="increase",
    )
    a, b, _, d = c.points
    assert a.value == b.value == 0.25
    assert a.outside_limits and not b.outside_limits
    assert b.upper_limit == pytest.approx(0.3379908, abs=1e-7)
    assert d.outside_limits and d.side is Side.LOW and d.point_type is PointType.CONCERN
    assert d.lower_limit == pytest.approx(0.0110046, abs=1e-7)


def test_p_chart_rate_exactly_on_its_limit_is_inside() -> None:
    # 65/100 and 35/100: p̄ = 0.5, σ = √(0.25/100) = 0.05, limits 0.35 and 0.65 exactly.
    c = p_chart([("a", 65, 100), ("b", 35, 100)], improvement_direction="increase")
    a, b = c.points
    assert a.upper_limit == pytest.approx(0.65) and b.lower_limit == pytest.approx(0.35)
    assert not a.outside_limits and not b.outside_limits


def test_p_chart_uses_the_same_rules() -> None:
    # 14 periods at 10/100 and 14/100 alternating (p̄ = 0.12), then seven at 13/100: a shift.
    base = [(f"b{i}", 10 if i % 2 else 14, 100) for i in range(14)]
    shift = [(f"s{i}", 13, 100) for i in range(7)]
    c = p_chart(base + shift, improvement_direction="increase", fix_after_n_points=14)
    assert c.centre == pytest.approx(0.12)
    assert [p.shift for p in c.points] == [False] * 14 + [True] * 7
    assert c.variation_icon is VariationIcon.IMPROVEMENT_HIGH


def test_p_chart_assurance_uses_the_last_periods_limits() -> None:
    # Last period n = 10: limits 0 to 0.4283, so a target of 0.5 is out of reach (increase).
    c = p_chart(P_POINTS, improvement_direction="increase", target=0.5)
    assert c.assurance_icon is AssuranceIcon.FAIL
    c = p_chart(P_POINTS, improvement_direction="increase", target=0.4)
    assert c.assurance_icon is AssuranceIcon.HIT_AND_MISS


def test_p_chart_missing_counts_and_empty_denominators() -> None:
    c = p_chart(
        [("a", 5, 100), ("b", None, 100), ("c", 0, 0), ("d", 15, 100)],
        improvement_direction="increase",
    )
    # p̄ = 20/200 = 0.1 from a and d only
    assert c.centre == pytest.approx(0.1) and c.limits_basis == 2
    assert [p.value for p in c.points] == [0.05, None, None, 0.15]
    assert c.points[1].point_type is None and c.points[2].upper_limit is None
    assert c.points[1].upper_limit is not None  # n = 100 is known
    assert p_chart([], improvement_direction="increase").centre is None


def test_p_chart_rejects_impossible_counts_and_targets() -> None:
    with pytest.raises(ValueError):
        p_chart([("a", 11, 10)], improvement_direction="increase")
    with pytest.raises(ValueError, match="between 0 and 1"):
        p_chart([("a", 1, 10)], improvement_direction="increase", target=95)


# --- output ----------------------------------------------------------------------------------


def test_to_arrow_has_a_row_per_period_and_the_chart_in_its_metadata() -> None:
    c = chart(BASE + [20, None], target=17)
    table = c.to_arrow()
    assert table.num_rows == 16
    rows = table.to_pylist()
    assert rows[14]["rule"] == "outside_limits"
    assert rows[14]["point_type"] == "special_cause_improvement"
    assert rows[14]["colour"] == IMPROVEMENT_COLOUR
    assert rows[14]["special_cause"] is True
    assert rows[15]["value"] is None and rows[15]["point_type"] is None
    assert rows[0]["upper_limit"] == pytest.approx(UPPER)
    meta = {k.decode(): json.loads(v) for k, v in table.schema.metadata.items()}
    assert meta["equitrack.spc.variation_icon"] == "improvement_high"
    assert meta["equitrack.spc.assurance_icon"] == "fail"
    assert meta["equitrack.spc.trial_limits"] is False
    assert meta["equitrack.spc.options"]["fix_after_n_points"] == 14
    assert meta["equitrack.spc.options"]["two_in_three"] == "classic"


# --- the rule functions on their own ---------------------------------------------------------


def test_rule_functions_on_bare_sequences() -> None:
    from fractions import Fraction

    rising = [Fraction(i) for i in range(1, 8)]
    assert trend_directions(rising) == [1] * 7
    assert trend_directions(rising[:6]) == [0] * 6
    assert trend_directions([*rising[:3], None, *rising[3:]]) == [0] * 8
    assert shift_members([1] * 7) == [True] * 7
    assert shift_members([1] * 3 + [0] + [1] * 3) == [False] * 7
    assert shift_members([-1] * 6 + [1]) == [False] * 7
    # NHSRplotthedots' own examples (test-ptd_calculate_point_type.R), all on one side:
    assert two_in_three_members([1] * 3, [True, False, True]) == [True, False, True]
    assert two_in_three_members([1] * 7, [False, False, True, False, True, False, False]) == [
        False,
        False,
        True,
        False,
        True,
        False,
        False,
    ]
    assert two_in_three_members([1, -1, 1], [True, True, True]) == [False] * 3
