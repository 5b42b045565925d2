"""Narrative sentences: the exact words for each verdict, and never more than the statistics say."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from equitrack.measures.comparison import Comparisons
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result, rated
from equitrack.reports.evidence import sentences
from equitrack.reports.narrative import (
    NEGATIONS,
    describe,
    headline,
    trend_sentence,
)
from equitrack.stats import Orientation, Verdict, compare
from equitrack.tracker.evidence import Status, measure_status

ADVERSE = "This is an adverse gap, and it is statistically significant."
NOT_A_GAP = "The difference is not statistically significant, so it is not described as a gap."
ADJUSTED = "after allowing for the number of comparisons made, it is not significant"
IN_BAND = "this is within the range treated as no adverse gap (0.80 to 1.25)."


def result(measure: str = "wres3", group: str = "Black", **values: object) -> Result:
    """A comparison result as measures return it, with the fields given by hand."""
    fields: dict = {
        "measure": measure,
        "org": "RX1",
        "period": 2026,
        "group_type": "broad",
        "group": group,
        "numerator": 45,
        "denominator": 2937,
        "rate": 45 / 2937,
        "reference_group": "White",
        "options": dict(MEASURES[measure].options) if measure in MEASURES else {},
    }
    fields.update(values)
    return Result(**fields)


def compared(
    ratio: float,
    low: float,
    high: float,
    verdict: Verdict | None = None,
    adjusted: Verdict | None = None,
    *,
    measure: str = "wres3",
    **values: object,
) -> Result:
    """A comparison with enough people to tell: its relative likelihood, 95% interval and
    verdicts (raw, and after the adjustment for many comparisons) given by hand."""
    return result(
        measure,
        ratio=ratio,
        ratio_ci_low=low,
        ratio_ci_high=high,
        verdict=verdict and verdict.value,
        verdict_adjusted=adjusted and adjusted.value,
        too_few=False,
        **values,
    )


def counted(measure: str, numerator: int, denominator: int, **values: object) -> Result:
    """A result comparing no one, its rate worked out from its counts."""
    return result(
        measure,
        reference_group=None,
        numerator=numerator,
        denominator=denominator,
        rate=numerator / denominator,
        **values,
    )


def real(
    measure: str, counts: list[tuple[int, int, int, int]], group: str = "Black"
) -> list[Result]:
    """Results from real statistics: `compare` on each set of counts, adjusted together."""
    orientation = MEASURES[measure].orientation
    comparisons = Comparisons()
    out = []
    for a, n1, c, n2 in counts:
        r = rated(
            a,
            n1,
            measure=measure,
            org="RX1",
            period=2026,
            group_type="broad",
            group=group,
            options=dict(MEASURES[measure].options),
        )
        comparisons.add(r, "White", compare(a, n1, c, n2, orientation=orientation))
        out.append(r)
    comparisons.adjust()
    return out


def claims(text: str) -> str:
    """The sentence without the fixed negations, lower case: what it asserts."""
    for phrase in NEGATIONS:
        text = text.replace(phrase, "")
    return text.lower()


# --- each verdict in words --------------------------------------------------------------------


def test_adverse_and_significant() -> None:
    r = compared(1.62, 1.10, 2.39, Verdict.ADVERSE_SIGNIFICANT, Verdict.ADVERSE_SIGNIFICANT)
    assert describe(r) == (
        "Black staff were 1.62 times as likely as White staff to enter a formal disciplinary "
        f"process (95% interval 1.10 to 2.39). {ADVERSE}"
    )


def test_non_adverse_names_the_band() -> None:
    r = compared(1.10, 0.90, 1.34, Verdict.NON_ADVERSE, group="BME")
    assert describe(r) == (
        "BME staff were 1.10 times as likely as White staff to enter a formal disciplinary "
        f"process (95% interval 0.90 to 1.34); {IN_BAND}"
    )


def test_a_benefit_puts_the_reference_group_first() -> None:
    """WRES 2's ratio is White / BME: the sentence reads the same way round as the number."""
    r = compared(1.10, 0.95, 1.27, Verdict.NON_ADVERSE, measure="wres2", group="BME")
    assert describe(r).startswith(
        "White staff were 1.10 times as likely as BME staff to be appointed from shortlisting"
    )
    assert describe(r).endswith(IN_BAND)


def test_adverse_but_not_significant_is_not_a_gap() -> None:
    r = compared(1.40, 0.95, 2.06, Verdict.ADVERSE_NOT_SIGNIFICANT, Verdict.ADVERSE_NOT_SIGNIFICANT)
    text = describe(r)
    assert text.endswith(NOT_A_GAP)
    assert "adverse" not in claims(text) and "gap" not in claims(text)


def test_favourable() -> None:
    significant = compared(0.55, 0.40, 0.76, Verdict.FAVOURABLE_SIGNIFICANT)
    assert describe(significant).endswith(
        "This favours Black staff, and it is statistically significant."
    )
    not_significant = compared(0.70, 0.45, 1.09, Verdict.FAVOURABLE_NOT_SIGNIFICANT)
    assert describe(not_significant).endswith("The difference is not statistically significant.")
    for r in (significant, not_significant):
        assert "adverse" not in claims(describe(r)) and "gap" not in claims(describe(r))


def test_too_few_to_tell_is_said_and_nothing_more() -> None:
    r = result(
        group="Mixed",
        numerator=4,
        denominator=120,
        ratio=2.9,  # far outside the band: still not called adverse
        ratio_ci_low=1.02,
        ratio_ci_high=8.1,
        band="adverse",
        verdict=Verdict.TOO_FEW.value,
        verdict_adjusted=Verdict.TOO_FEW.value,
        too_few=True,
    )
    text = describe(r)
    assert (
        text == "There are too few cases to tell whether the rates of Mixed staff and White staff "
        "differ (4 of 120)."
    )
    assert "adverse" not in text.lower() and "improv" not in text.lower()


def test_suppressed_figures_are_too_small_to_show_without_numbers() -> None:
    r = result(
        numerator=None,
        denominator=None,
        rate=None,
        ratio=None,
        ratio_ci_low=None,
        ratio_ci_high=None,
        verdict=Verdict.ADVERSE_SIGNIFICANT.value,
        suppressed=True,
    )
    text = describe(r)
    assert text == "Figures for Black staff are too small to show."
    assert not re.search(r"\d", text)
    # even where a gate left counts in place, a suppressed result shows none of them
    kept = result(numerator=5, denominator=31, ratio=3.2, suppressed=True)
    assert not re.search(r"\d", describe(kept))


def test_the_adjusted_verdict_is_said_when_it_differs() -> None:
    r = compared(
        1.38,
        1.04,
        1.83,
        Verdict.ADVERSE_SIGNIFICANT,
        Verdict.ADVERSE_NOT_SIGNIFICANT,
        measure="promotion",
    )
    text = describe(r)
    assert text.startswith("White staff were 1.38 times as likely as Black staff to be promoted")
    assert ADJUSTED in text
    assert "adverse" not in claims(text) and "gap" not in claims(text)
    assert ADVERSE not in text


def test_an_undefined_ratio_gives_the_reason() -> None:
    r = result(
        numerator=12,
        denominator=1200,
        ratio=None,
        ratio_ci_low=2.5,
        verdict=Verdict.UNDEFINED.value,
        too_few=False,
        reason="no events in the reference group, so the ratio is undefined",
    )
    assert describe(r) == (
        "The relative likelihood for Black staff against White staff cannot be calculated: no "
        "events in the reference group, so the ratio is undefined."
    )


def test_a_measure_with_no_phrase_is_described_by_its_title() -> None:
    r = compared(1.5, 1.2, 1.9, Verdict.ADVERSE_SIGNIFICANT, measure="custom_measure")
    text = describe(r)
    assert text.startswith("On “custom_measure”, the relative likelihood for Black staff")
    assert "where above 1 means Black staff fare worse" in text


def test_categories_take_each_category_s_own_direction() -> None:
    """Just-culture individual action is a harm (group first), system learning a benefit."""
    harm, benefit = MEASURES["jc_outcomes"].compared  # type: ignore[attr-defined]

    def said(measure: str, breakdown: str) -> str:
        return describe(compared(1.5, 0.9, 2.4, measure=measure, breakdown=breakdown))

    first = said("jc_outcomes", harm)
    assert first.startswith(
        f"Black staff were 1.50 times as likely as White staff to have an assessed case in “{harm}”"
    )
    second = said("jc_outcomes", benefit)
    assert second.startswith("White staff were 1.50 times as likely as Black staff")
    bank = said("jc_outcomes", f"Bank | {benefit}")
    assert bank.startswith("Bank: White staff were 1.50 times as likely")
    # a measure with a headline category labels its rows with the cell alone
    unsupported = said("jc_unsupported", "Bank")
    assert unsupported.startswith("Bank: Black staff were 1.50 times as likely as White staff")
    assert "does not support individual action" in unsupported


# --- other kinds ------------------------------------------------------------------------------


def test_survey_speaks_of_respondents_and_points() -> None:
    r = compared(
        1.13,
        1.00,
        1.28,
        Verdict.NON_ADVERSE,
        measure="wres5",
        numerator=207,
        denominator=650,
        rate=207 / 650,
        difference=100 * (207 / 650 - 1232 / 4366),
    )
    assert describe(r) == (
        "31.8% of Black respondents said they had experienced harassment, bullying or abuse "
        "from patients, relatives or the public in the last 12 months (207 of 650), against "
        "28.2% of White respondents: 3.6 percentage points higher. Black respondents were 1.13 "
        "times as likely as White respondents to say so (95% interval 1.00 to 1.28); "
        f"{IN_BAND}"
    )


def test_a_survey_group_under_the_threshold_is_too_few_without_counts() -> None:
    r = counted("wres5", 3, 9, group="Mixed", too_few=True, reason="fewer than 11 respondents")
    text = describe(r)
    assert text == "There are too few Mixed respondents to tell (fewer than 11 respondents)."
    assert "3 of 9" not in text


def test_representation_gap_parity_pay_and_share_sentences() -> None:
    wres1 = counted("wres1", 1460, 17189, breakdown="Clinical | Band 5")
    assert (
        describe(wres1)
        == "Clinical, Band 5: Black staff were 8.5% of staff in post (1,460 of 17,189)."
    )
    board = counted("wres9", 1, 16, difference=100 * (1 / 16 - 0.085), breakdown="Voting")
    assert describe(board) == (
        "Voting: Black staff were 6.3% of voting board members (1 of 16), against 8.5% of staff "
        "in post: 2.3 percentage points lower."
    )
    needed = result(
        "model_employer",
        reference_group=None,
        numerator=45,
        denominator=988,
        rate=None,
        breakdown="Needed for parity (Band 8a and above)",
        reason="more Black staff needed at this level for their share to equal their workforce "
        "share (senior posts as many as now)",
    )
    assert describe(needed).startswith("Needed for parity (Band 8a and above): 45 more Black staff")
    pay = result(
        "pay_gap",
        reference_group="White British",
        numerator=1710,
        denominator=9614,
        rate=None,
        difference=1.12,
        breakdown="Hourly pay: mean",
        reason="mean £19.90 against £20.12",
    )
    assert describe(pay) == (
        "The mean hourly pay of Black staff was 1.1% lower than that of White British staff "
        "(£19.90 against £20.12)."
    )
    panels = counted(
        "panel_diversity", 2013, 2259, group="All", group_type="all", breakdown="Posts"
    )
    assert describe(panels) == (
        "Posts: 89.1% of interview panels had an ethnic-minority member (2,013 of 2,259)."
    )


# --- never more than the statistics say (property) --------------------------------------------

counts = st.integers(min_value=1, max_value=400).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
comparisons = st.lists(
    st.tuples(counts, counts).map(lambda p: (*p[0], *p[1])), min_size=1, max_size=6
)


#: A borderline adverse comparison (p = 0.036) beside two null ones: BH demotes it.
DEMOTED = [(40, 400, 67, 1000), (30, 300, 30, 300), (30, 300, 30, 300)]


@settings(max_examples=300, deadline=None)
@given(
    family=comparisons,
    measure=st.sampled_from(["wres3", "wres2", "leave_declined", "bank_route"]),
)
@example(family=DEMOTED, measure="wres3")
@example(family=DEMOTED, measure="bank_route")
def test_no_sentence_claims_more_than_the_verdict(
    family: list[tuple[int, int, int, int]], measure: str
) -> None:
    for r in real(measure, family):
        text = describe(r)
        said = claims(text)
        verdict = r.verdict_adjusted or r.verdict
        if "gap" in said or "adverse" in said:
            assert verdict == Verdict.ADVERSE_SIGNIFICANT, (text, r)
        if verdict == Verdict.ADVERSE_SIGNIFICANT:
            assert ADVERSE in text
        if r.too_few:
            assert "adverse" not in text.lower() and "improv" not in text.lower(), text
            assert "too few" in text
        if r.verdict != (r.verdict_adjusted or r.verdict):
            assert ADJUSTED in text
        if r.verdict == Verdict.ADVERSE_SIGNIFICANT != (r.verdict_adjusted or r.verdict):
            assert "a possible gap, not confirmed" in text, text
        assert "treated differently" not in text, text  # says why rates differ: not known
        if MEASURES[measure].orientation is Orientation.NEUTRAL:  # how people joined
            judged = re.findall(r"gap|adverse|favour|worse|better|improv", text.lower())
            assert not judged, (judged, text)


@settings(max_examples=200, deadline=None)
@given(before=counts, after=counts, reference=counts)
def test_a_trend_never_calls_too_few_an_improvement(
    before: tuple[int, int], after: tuple[int, int], reference: tuple[int, int]
) -> None:
    (previous,) = real("wres3", [(*before, *reference)])
    (current,) = real("wres3", [(*after, *reference)])
    previous.period = 2025
    text = trend_sentence(previous, current)
    if previous.too_few or current.too_few:
        assert "improv" not in text.lower() and "adverse" not in text.lower()
        assert "too few" in text


def test_a_real_demotion_by_the_adjustment() -> None:
    borderline = real("wres3", DEMOTED)[0]
    assert borderline.verdict == Verdict.ADVERSE_SIGNIFICANT
    assert borderline.verdict_adjusted == Verdict.ADVERSE_NOT_SIGNIFICANT
    text = describe(borderline)
    assert ADJUSTED in text
    assert "gap" not in claims(text) and "adverse" not in claims(text)


# --- this year against last -------------------------------------------------------------------


def test_a_route_of_entry_is_neither_a_harm_nor_a_benefit() -> None:
    """Joining the bank through international recruitment is a route in, not a harm: the ratio
    is the group's rate over White staff's, read as "more likely", and a difference or a
    change between years is said without calling it a gap, better or worse."""
    (now,) = real("bank_route", [(120, 400, 30, 600)])  # 30% against 5%
    assert now.ratio == pytest.approx(0.30 / 0.05)
    assert now.verdict == Verdict.HIGHER_SIGNIFICANT
    text = describe(now)
    assert "Black staff were 6.00 times as likely as White staff" in text, text
    assert "the rates differ, and the difference is statistically significant" in text
    (before,) = real("bank_route", [(20, 400, 30, 600)])  # 5% against 5%: similar
    assert before.verdict == Verdict.SIMILAR
    assert "the rates are similar (0.80 to 1.25)" in describe(before)
    before.period = 2025
    change = trend_sentence(before, now)
    assert "rose from 1.00" in change and "neither better nor worse in itself" in change, change
    for said in (text, describe(before), change):
        assert not re.search(r"gap|adverse|favour|improv|worsening", said.lower()), said
    status, _ = measure_status([now])
    assert status is Status.DESCRIBED  # a route in describes; it is never a gap


def test_overlapping_intervals_are_not_a_change() -> None:
    previous = compared(1.80, 1.2, 2.7, period=2025)
    current = compared(1.62, 1.10, 2.39)
    assert trend_sentence(previous, current) == (
        "The relative likelihood was 1.62 in 2025/26 and 1.80 in 2024/25; the two 95% intervals "
        "overlap, so this is not described as a change."
    )


def test_separate_intervals_are_a_change_with_a_direction() -> None:
    previous = compared(2.60, 2.0, 3.4, period=2025)
    current = compared(1.20, 0.9, 1.6)
    assert trend_sentence(previous, current) == (
        "The relative likelihood fell from 2.60 in 2024/25 to 1.20 in 2025/26, and the two 95% "
        "intervals do not overlap: an improvement for Black staff relative to White staff."
    )
    assert "a worsening for Black staff" in trend_sentence(
        compared(1.2, 0.9, 1.6, period=2025),
        compared(2.6, 2.0, 3.4),
    )


def test_shares_change_without_judgement() -> None:
    base = {"measure": "wres1", "reference_group": None, "breakdown": "All"}
    previous = result(period=2025, rate=0.10, rate_ci_low=0.09, rate_ci_high=0.11, **base)
    current = result(rate=0.141, rate_ci_low=0.13, rate_ci_high=0.15, **base)
    assert trend_sentence(previous, current) == (
        "The share rose from 10.0% in 2024/25 to 14.1% in 2025/26, and the two 95% intervals do "
        "not overlap, so this is a change."
    )


def test_trends_that_cannot_be_told() -> None:
    current = compared(1.62, 1.10, 2.39)
    assert trend_sentence(None, current) == "There is no figure for 2024/25 to compare with."
    few = result(period=2025, ratio=3.0, ratio_ci_low=0.9, ratio_ci_high=9.0, too_few=True)
    assert trend_sentence(few, current) == (
        "There are too few cases to tell whether this has changed since 2024/25."
    )
    hidden = result(period=2025, suppressed=True)
    assert "too small to show" in trend_sentence(hidden, current)
    other = compared(1.2, 1.0, 1.4, period=2025, options={"window": 1, "pooling": "pooled"})
    assert "different options (window)" in trend_sentence(other, current)
    with pytest.raises(ValueError, match="group"):
        trend_sentence(result(period=2025, group="Asian"), current)


def test_a_measure_s_sentences_put_black_staff_first_each_with_its_trend() -> None:
    """What reports (and the dashboard) say of a measure: Black staff first whatever order the
    results come in, a trend only where last year has the same figure; with nothing
    compared, the first two groups of known ethnicity."""
    asian = compared(1.90, 1.30, 2.80, Verdict.ADVERSE_SIGNIFICANT, group="Asian")
    black = compared(1.62, 1.10, 2.39, Verdict.ADVERSE_SIGNIFICANT)
    last_year = compared(1.80, 1.2, 2.7, Verdict.ADVERSE_SIGNIFICANT, period=2025)
    white = result(group="White", reference_group=None)
    assert sentences([asian, white, black, last_year], 2026) == [
        describe(black),
        trend_sentence(last_year, black),
        describe(asian),
    ]
    shares = [
        result("wres1", group=g, reference_group=None, breakdown="All")
        for g in ("Unknown", "White", "Black", "Asian")
    ]
    assert sentences(shares, 2026) == [describe(shares[1]), describe(shares[2])]
    assert sentences(shares, 2027) == []


# --- a recommendation's key figure ------------------------------------------------------------


def test_headline_is_the_tracker_s_choice() -> None:
    black, asian = (
        real("wres3", [(60, 1000, 40, 2000)]),
        real("wres3", [(90, 1000, 40, 2000)], group="Asian"),
    )
    appointed = real("wres2", [(118, 400, 120, 400)])  # at parity: no gap
    results = [*asian, *black, *appointed]
    chosen = headline(results, ["wres2", "wres3"])
    assert chosen.status is Status.ADVERSE
    assert chosen.result is black[0]  # Black preferred over a larger Asian ratio, as the tracker
    assert measure_status([*asian, *black])[1] == measure_status(black)[1]
    assert chosen.text == describe(black[0])


def test_headline_without_a_gap_or_data() -> None:
    parity = real("wres3", [(40, 2000, 40, 2000)])
    assert headline(parity).status is Status.NO_GAP
    assert headline(parity).result is parity[0]
    few = real("wres3", [(2, 40, 3, 60)])
    assert headline(few).status is Status.TOO_FEW
    assert "too few" in (headline(few).text or "")
    assert headline([]) == headline([], ["wres3"])
    assert headline([]).status is Status.NO_DATA and headline([]).result is None
