"""Careers over time: Kaplan–Meier, Aalen–Johansen and log-rank against hand-worked values."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import Counter
from fractions import Fraction as F

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import AalenJohansenFitter
from scipy import stats

from equitrack.stats.survival import (
    ALL,
    EVENT_CODES,
    CareersOverTime,
    _ties_kept_aalen_johansen,
    careers_over_time,
    cumulative_incidence,
    durations_from_dates,
    kaplan_meier,
    log_rank,
)

# --- Kaplan–Meier ----------------------------------------------------------------------------

# Six people; 0 = censored, 1 = event. Censored at 2 counts as still at risk at 2.
#   t  at risk  events  S(t)
#   1     6       1     5/6
#   2     5       1     5/6 · 4/5 = 2/3      (one more censored at 2)
#   3     3       1     2/3 · 2/3 = 4/9
#   4     2       0     4/9                  (censored)
#   5     1       1     0
KM_TIMES = [1, 2, 2, 3, 4, 5]
KM_CODES = [1, 0, 1, 1, 0, 1]


def test_kaplan_meier_matches_hand_worked_example() -> None:
    curve = kaplan_meier(KM_TIMES, KM_CODES).curve(ALL)
    assert curve.time == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)
    expected = [F(1), F(5, 6), F(2, 3), F(4, 9), F(4, 9), F(0)]
    assert curve.estimate == pytest.approx([float(x) for x in expected], abs=1e-12)
    assert curve.at_risk == (6, 6, 5, 3, 2, 1)
    assert curve.events == (0, 1, 1, 1, 0, 1)
    assert curve.censored == (0, 0, 1, 0, 1, 0)
    assert curve.value_at(3.5) == pytest.approx(4 / 9)
    assert curve.value_at(2) == pytest.approx(2 / 3)  # right-continuous


def test_kaplan_meier_interval_is_exponential_greenwood() -> None:
    # At t = 1: S = 5/6, Greenwood Σ d/(n(n−d)) = 1/30. The log(-log) interval is
    # S^exp(±z·se), se = sqrt(Σ) / |ln S|.
    curve = kaplan_meier(KM_TIMES, KM_CODES).curve(ALL)
    s = 5 / 6
    se = math.sqrt(1 / 30) / abs(math.log(s))
    z = stats.norm.ppf(0.975)
    assert curve.ci_low[1] == pytest.approx(s ** math.exp(z * se))
    assert curve.ci_high[1] == pytest.approx(s ** math.exp(-z * se))
    assert all(
        lo <= est <= hi
        for lo, est, hi in zip(curve.ci_low, curve.estimate, curve.ci_high, strict=True)
    )


def test_median_is_first_time_at_or_below_a_half_and_none_when_not_reached() -> None:
    assert kaplan_meier(KM_TIMES, KM_CODES).summary(ALL).median == 3.0  # S(3) = 4/9
    # 1 event in 4, never reaches a half
    summary = kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0]).summary(ALL)
    assert summary.median is None
    assert summary.median_ci_high is None


def test_kaplan_meier_treats_leaving_as_censoring() -> None:
    with_leavers = kaplan_meier(KM_TIMES, [1, 2, 1, 1, 2, 1]).curve(ALL)
    assert with_leavers.estimate == kaplan_meier(KM_TIMES, KM_CODES).curve(ALL).estimate


# Freireich et al. (1963) 6-MP remission data, as in Kleinbaum & Klein, "Survival Analysis:
# A Self-Learning Text": log-rank chi-squared 16.79 on 1 df; KM medians 23 (6-MP) and 8 weeks.
SIX_MP = [6, 6, 6, 7, 10, 13, 16, 22, 23, 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]
SIX_MP_EVENTS = [1] * 9 + [0] * 12
PLACEBO = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
PLACEBO_EVENTS = [1] * 21
LEUKAEMIA = (
    SIX_MP + PLACEBO,
    SIX_MP_EVENTS + PLACEBO_EVENTS,
    ["6-MP"] * 21 + ["placebo"] * 21,
)


def test_medians_match_the_textbook() -> None:
    km = kaplan_meier(*LEUKAEMIA, unit="weeks")
    assert km.summary("6-MP").median == 23.0
    assert km.summary("placebo").median == 8.0
    assert km.curve("6-MP").value_at(6) == pytest.approx(0.857, abs=5e-4)  # Kleinbaum's table


# --- cumulative incidence --------------------------------------------------------------------

# Seven people; 1 = event (e.g. promoted), 2 = competing (left), 0 = censored. At t = 2 an
# event and a leaver are tied. CIF_k(t) = Σ S(t_j−) · d_kj / n_j with S the all-cause KM.
#   t  n  d1 d2  S(t−)  CIF_event              CIF_left             S(t)
#   1  7  1  0   1      1/7                    0                    6/7
#   2  6  1  1   6/7    1/7 + 6/7·1/6 = 2/7    6/7·1/6 = 1/7        6/7·4/6 = 4/7
#   3  4  0  0   4/7    2/7                    1/7                  4/7   (censored)
#   4  3  0  1   4/7    2/7                    1/7 + 4/7·1/3 = 1/3  4/7·2/3 = 8/21
#   5  2  1  0   8/21   2/7 + 8/21·1/2 = 10/21 1/3                  8/21·1/2 = 4/21
#   6  1  0  0   4/21   10/21                  1/3                  4/21  (censored)
CIF_TIMES = [1, 2, 2, 3, 4, 5, 6]
CIF_CODES = [1, 2, 1, 0, 2, 1, 0]
CIF_EVENT = [F(0), F(1, 7), F(2, 7), F(2, 7), F(2, 7), F(10, 21), F(10, 21)]
CIF_LEFT = [F(0), F(0), F(1, 7), F(1, 7), F(1, 3), F(1, 3), F(1, 3)]
STILL_WAITING = [F(1), F(6, 7), F(4, 7), F(4, 7), F(8, 21), F(4, 21), F(4, 21)]


def test_cumulative_incidence_matches_hand_worked_example_with_a_tie() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no jitter warning, no other warning
        cif = cumulative_incidence(CIF_TIMES, CIF_CODES)
    event, left, neither = (cif.curve(ALL, k) for k in ("event", "competing", "neither"))
    assert event.time == left.time == neither.time == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    assert event.estimate == pytest.approx([float(x) for x in CIF_EVENT], abs=1e-12)
    assert left.estimate == pytest.approx([float(x) for x in CIF_LEFT], abs=1e-12)
    assert neither.estimate == pytest.approx([float(x) for x in STILL_WAITING], abs=1e-12)
    # the exact fractions add up, and so do the estimates at every time
    for e, c, s in zip(CIF_EVENT, CIF_LEFT, STILL_WAITING, strict=True):
        assert e + c + s == 1
    for e, c, s in zip(event.estimate, left.estimate, neither.estimate, strict=True):
        assert e + c + s == pytest.approx(1.0, abs=1e-12)
    assert event.at_risk == (7, 7, 6, 4, 3, 2, 1)
    assert event.events == (0, 1, 1, 0, 0, 1, 0)
    assert left.events == (0, 0, 1, 0, 1, 0, 0)


def test_cumulative_incidence_is_deterministic_with_ties() -> None:
    rng = np.random.default_rng(7)
    t = rng.integers(1, 30, size=200)  # many ties between events and leavers
    e = rng.integers(0, 3, size=200)
    first = cumulative_incidence(t, e).to_arrow()
    second = cumulative_incidence(t, e).to_arrow()
    assert first.equals(second)
    times = first.filter(pa.compute.equal(first["curve"], "event"))["time"].to_pylist()
    assert all(float(x).is_integer() for x in times)  # nothing was jittered


def test_cumulative_incidence_agrees_with_lifelines_when_there_are_no_ties() -> None:
    rng = np.random.default_rng(3)
    t = rng.permutation(np.arange(1, 61)).astype(float)
    e = rng.integers(0, 3, size=60)
    ours = cumulative_incidence(t, e).curve(ALL, "event")
    theirs = AalenJohansenFitter().fit(t, e, event_of_interest=1)
    assert ours.estimate == pytest.approx(theirs.cumulative_density_.iloc[:, 0].to_list())


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(EVENT_CODES), st.integers(1, 5)),
        min_size=1,
        max_size=80,
    ),
    st.sampled_from([0.05, 0.1, 0.01]),
)
def test_cumulative_incidence_limits_are_lifelines_own(rows, alpha) -> None:
    """The limits are summed over the event table at once (`_aalen_johansen_bounds`), not row
    by row as lifelines sums them: the same variance and limits, ties and counts included."""
    t, e, w = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    ours = _ties_kept_aalen_johansen()

    class RowByRow(ours):  # lifelines' own limits, with ties kept as ours are
        _bounds = AalenJohansenFitter._bounds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' own divisions by zero at the last row
        for code in (1, 2):
            fast = ours(alpha=alpha).fit(t, e.astype(int), event_of_interest=code, weights=w)
            slow = RowByRow(alpha=alpha).fit(t, e.astype(int), event_of_interest=code, weights=w)
            np.testing.assert_allclose(fast.variance_, slow.variance_, rtol=1e-12, atol=0)
            np.testing.assert_allclose(
                fast.confidence_interval_, slow.confidence_interval_, rtol=1e-12, atol=0
            )
            assert list(fast.confidence_interval_.columns) == list(
                slow.confidence_interval_.columns
            )


def test_cumulative_incidence_counts_events_at_time_zero() -> None:
    # t = 0: n = 4, one event and one leaver: CIF_event 1/4, CIF_left 1/4, S 1/2
    # t = 2: n = 2, one event: CIF_event 1/4 + 1/2·1/2 = 1/2, S 1/4
    cif = cumulative_incidence([0, 0, 2, 3], [1, 2, 1, 0])
    assert cif.curve(ALL, "event").time == (0.0, 2.0, 3.0)
    assert cif.curve(ALL, "event").estimate == pytest.approx([0.25, 0.5, 0.5])
    assert cif.curve(ALL, "competing").estimate == pytest.approx([0.25, 0.25, 0.25])
    assert cif.curve(ALL, "neither").estimate == pytest.approx([0.5, 0.25, 0.25])


def test_cumulative_incidence_is_below_one_minus_kaplan_meier() -> None:
    # Treating leavers as censored (KM) overstates how many reach the event.
    km = kaplan_meier(CIF_TIMES, CIF_CODES).curve(ALL)
    cif = cumulative_incidence(CIF_TIMES, CIF_CODES).curve(ALL, "event")
    assert all(c <= 1 - s + 1e-12 for c, s in zip(cif.estimate, km.estimate, strict=True))
    assert cif.estimate[-1] < 1 - km.estimate[-1]


def test_cumulative_incidence_intervals_are_ordered_and_inside_zero_one() -> None:
    cif = cumulative_incidence(*LEUKAEMIA)
    for curve in cif.curves:
        for lo, est, hi in zip(curve.ci_low, curve.estimate, curve.ci_high, strict=True):
            if lo is not None and hi is not None:
                assert 0 <= lo <= est + 1e-12 and est - 1e-12 <= hi <= 1


# --- log-rank ---------------------------------------------------------------------------------


def test_log_rank_matches_the_textbook_value() -> None:
    test = log_rank(*LEUKAEMIA, reference="placebo")
    assert test.overall.statistic == pytest.approx(16.79, abs=5e-3)
    assert test.overall.df == 1
    pair = test.against("6-MP")
    assert pair.statistic == pytest.approx(16.793, abs=5e-4)
    assert pair.significant is True
    # scipy's independent implementation gives the same p-value
    x = stats.CensoredData(uncensored=SIX_MP[:9], right=SIX_MP[9:])
    y = stats.CensoredData(uncensored=PLACEBO)
    assert pair.p_value == pytest.approx(stats.logrank(x, y).pvalue, rel=1e-9)


def test_log_rank_matches_a_hand_computation() -> None:
    # A: 1, 3, 4+; B: 2, 5, 6. Observed − expected for A at each event time, hypergeometric V:
    #   t  nA nB  d  E_A        V = nA·nB·d·(n−d) / (n²(n−1))
    #   1  3  3   1  3/6 = .5   3·3·1·5/(36·5) = .25    (A's event)
    #   2  2  3   1  2/5 = .4   2·3·1·4/(25·4) = .24
    #   3  2  2   1  2/4 = .5   2·2·1·3/(16·3) = .25    (A's event)
    #   5  0  2   1  0          0
    #   6  0  1   1  0          0
    # O_A = 2, E_A = 1.4, V = 0.74: chi² = 0.6² / 0.74
    test = log_rank([1, 3, 4, 2, 5, 6], [1, 1, 0, 1, 1, 1], ["A"] * 3 + ["B"] * 3, reference="B")
    chi2 = 0.36 / 0.74
    assert test.overall.statistic == pytest.approx(chi2)
    assert test.against("A").statistic == pytest.approx(chi2)
    assert test.against("A").p_value == pytest.approx(stats.chi2.sf(chi2, 1))
    assert test.against("A").too_few is True


def _exponential_cohort(
    mean_days: float, n: int, seed: int, end: int = 730
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    event = np.ceil(rng.exponential(mean_days, n))
    leave = np.ceil(rng.exponential(1000, n))
    t = np.minimum(np.minimum(event, leave), end)
    codes = np.where(t == end, 0, np.where(event <= leave, 1, 2))
    return t, codes


def test_identical_groups_are_not_significantly_different() -> None:
    t, e = _exponential_cohort(300, 150, seed=1)
    test = log_rank(
        np.concatenate([t, t]), np.concatenate([e, e]), ["X"] * 150 + ["Y"] * 150, reference="X"
    )
    assert test.overall.statistic == pytest.approx(0, abs=1e-9)
    assert test.overall.p_value == pytest.approx(1)
    assert test.against("Y").significant is False
    assert test.overall.too_few is False


def test_a_clearly_different_group_is_significant() -> None:
    t1, e1 = _exponential_cohort(150, 200, seed=11)  # promoted quickly
    t2, e2 = _exponential_cohort(600, 200, seed=12)  # promoted slowly
    t3, e3 = _exponential_cohort(150, 200, seed=13)  # like the first
    result = careers_over_time(
        np.concatenate([t1, t2, t3]),
        np.concatenate([e1, e2, e3]),
        ["White"] * 200 + ["Black"] * 200 + ["Asian"] * 200,
        reference="White",
    )
    assert isinstance(result, CareersOverTime)
    test = result.log_rank
    assert test.overall.df == 2
    assert test.overall.p_value < 1e-6
    assert test.against("Black").significant is True
    assert test.against("Black").p_adjusted < 1e-6
    assert test.against("Asian").significant is False
    # BH: adjusted p is never below the raw one
    for row in test.pairwise:
        assert row.p_adjusted >= row.p_value
    medians = {s.group: s.median for s in result.kaplan_meier.summaries}
    assert medians["Black"] > medians["White"]


def test_log_rank_with_no_events_or_one_group_gives_a_reason() -> None:
    none = log_rank([1, 2, 3, 4], [0, 0, 2, 0], ["a", "a", "b", "b"], reference="a")
    assert none.overall.statistic is None and none.overall.p_value is None
    assert "no events" in none.overall.reason
    assert none.against("b").p_value is None
    one = log_rank([1, 2], [1, 1], ["a", "a"])
    assert one.overall.p_value is None and "one group" in one.overall.reason
    with pytest.raises(ValueError, match="reference"):
        log_rank([1, 2], [1, 1], ["a", "b"], reference="c")


# --- small numbers, tables, inputs ------------------------------------------------------------


def test_too_few_follows_the_project_rule_and_thresholds_are_parameters() -> None:
    t, e = _exponential_cohort(200, 29, seed=5)
    summary = kaplan_meier(t, e).summary(ALL)
    assert summary.too_few is True and "people 29 (below 30)" in summary.reason
    t, e = _exponential_cohort(200, 40, seed=5)
    e = np.where(np.arange(40) < 9, 1, 0)  # exactly 9 events
    summary = kaplan_meier(t, e).summary(ALL)
    assert summary.too_few is True and "events 9 (below 10)" in summary.reason
    assert kaplan_meier(t, e, min_events=9).summary(ALL).too_few is False
    e[9] = 1  # 10 events, 40 people
    assert kaplan_meier(t, e).summary(ALL).too_few is False


def test_tables_are_tidy() -> None:
    result = careers_over_time(*LEUKAEMIA, reference="placebo", unit="weeks")
    curves = result.kaplan_meier.to_arrow()
    assert curves.column_names[:6] == ["group", "curve", "time", "estimate", "ci_low", "ci_high"]
    assert "at_risk" in curves.column_names and "too_few" in curves.column_names
    assert curves.schema.metadata[b"unit"] == b"weeks"
    assert set(curves["group"].to_pylist()) == {"6-MP", "placebo"}
    cif = result.cumulative_incidence.to_arrow()
    assert set(cif["curve"].to_pylist()) == {"event", "competing", "neither"}
    assert cif.schema == curves.schema.remove_metadata().with_metadata(cif.schema.metadata)
    tests = result.log_rank.to_arrow()
    for column in ("group", "reference", "statistic", "p_value", "events", "n"):
        assert column in tests.column_names
    assert tests["test"].to_pylist() == ["overall", "pairwise"]
    assert tests["group"].to_pylist() == [None, "6-MP"]
    assert tests["reference"].to_pylist() == [None, "placebo"]
    assert tests["events"].to_pylist() == [30, 9]
    summary = result.kaplan_meier.summary_to_arrow()
    assert summary["median"].to_pylist() == [23.0, 8.0]


def test_inputs_may_be_arrow_or_numpy_and_bad_inputs_are_refused() -> None:
    a = kaplan_meier(pa.array(KM_TIMES), pa.array(KM_CODES), pa.array(["x"] * 6))
    b = kaplan_meier(np.array(KM_TIMES), np.array(KM_CODES), ["x"] * 6)
    assert a == b
    with pytest.raises(ValueError, match="event codes"):
        kaplan_meier([1, 2], [1, 3])
    with pytest.raises(ValueError, match="zero or more"):
        kaplan_meier([-1, 2], [1, 0])
    with pytest.raises(ValueError, match="finite"):
        kaplan_meier([math.nan, 2], [1, 0])
    with pytest.raises(ValueError, match="length"):
        kaplan_meier([1, 2], [1])
    with pytest.raises(ValueError, match="missing"):
        kaplan_meier([1, 2], [1, 0], ["a", None])
    with pytest.raises(ValueError, match="missing"):
        kaplan_meier(pa.array([1, None]), [1, 0])


def test_durations_from_dates_censors_at_the_end_of_data() -> None:
    d = dt.date
    start = [d(2020, 1, 1)] * 5
    promoted = [d(2020, 1, 31), None, d(2020, 3, 1), d(2021, 6, 1), d(2020, 2, 10)]
    left = [None, d(2020, 1, 11), d(2020, 2, 1), None, d(2020, 2, 10)]
    t, e = durations_from_dates(start, promoted, left, d(2020, 12, 31))
    assert t.tolist() == [30, 10, 31, 365, 40]
    # promoted; left; left before promotion; promotion after the data end → censored;
    # promoted and left on the same day → counted as promoted
    assert e.tolist() == [1, 2, 2, 0, 1]
    years, _ = durations_from_dates(start, promoted, left, d(2020, 12, 31), unit="years")
    assert years[3] == pytest.approx(365 / 365.25)
    with pytest.raises(ValueError, match="before the start"):
        durations_from_dates([d(2020, 1, 2)], [d(2020, 1, 1)], [None], d(2020, 12, 31))


# --- people counted per duration, outcome and group ------------------------------------------

PEOPLE = st.lists(
    st.tuples(
        st.integers(0, 12),  # duration
        st.sampled_from([0, 1, 2]),  # outcome
        st.sampled_from(["Asian", "Black", "White"]),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=12, deadline=None)
@given(people=PEOPLE, order=st.randoms(use_true_random=False))
def test_counted_people_give_what_the_same_people_one_by_one_give(people, order) -> None:
    """Curves, intervals, medians, counts and tests: every figure equal to the last digit, and
    the people in any order."""
    counted = Counter(people)
    rows = sorted(counted)
    t, e, g = (list(column) for column in zip(*rows, strict=True))
    names = set(g)
    reference = "White" if "White" in names and len(names) > 1 else None
    from_counts = careers_over_time(t, e, g, counts=[counted[r] for r in rows], reference=reference)
    one_by_one = list(people)
    order.shuffle(one_by_one)
    t, e, g = (list(column) for column in zip(*one_by_one, strict=True))
    assert from_counts == careers_over_time(t, e, g, reference=reference)


def test_counts_must_be_whole_numbers_of_people() -> None:
    assert kaplan_meier([1, 2], [1, 0], counts=[3, 2]).summaries[0].n == 5
    for bad, message in (([1], "differ in length"), ([1, 0], "1 or more"), ([1, 1.5], "whole")):
        with pytest.raises(ValueError, match=message):
            kaplan_meier([1, 2], [1, 0], counts=bad)
