"""The words of every reason code, written out by hand, as measures and the gate make them."""

from __future__ import annotations

import pytest

from equitrack.stats import compare, proportion, risk_ratio
from equitrack.stats.reasons import Code, Reason, codes_of, words
from equitrack.stats.verdicts import too_few_reason

#: (code, values, words): what a measure says, and (where the gate drops or rebuilds numbers)
#: what the gate says. Every code appears at least once (checked below).
CASES = [
    (
        Code.TOO_FEW,
        {
            "below": "focus_events,reference_population",
            "focus_events": 3,
            "reference_population": 20,
            "min_events": 10,
            "min_population": 30,
        },
        "too few to tell: focus group events 3 (below 10); reference group population 20 "
        "(below 30)",
    ),
    (  # the gate has dropped the counts, and keeps which were below their floors
        Code.TOO_FEW,
        {"below": "focus_population", "min_events": 10, "min_population": 30},
        "too few to tell: focus group population below 30",
    ),
    (
        Code.EMPTY_GROUPS,
        {"groups": "focus group"},
        "the focus group is empty (no staff), so there is no rate to compare",
    ),
    (
        Code.EMPTY_GROUPS,
        {"groups": "focus group,reference group"},
        "the focus group and the reference group are empty (no staff), so there is no rate to "
        "compare",
    ),
    (
        Code.NO_EVENTS_EITHER,
        {},
        "no events in either group, so the ratio is undefined (0/0)",
    ),
    (
        Code.UNDEFINED_RATIO,
        {"group": "reference group"},
        "no events in the reference group, so the ratio is undefined",
    ),
    (Code.ZERO_RATIO, {"group": "focus group"}, "no events in the focus group, so the ratio is 0"),
    (Code.EMPTY_POPULATION, {}, "the population is empty, so there is no rate"),
    (Code.WORKFORCE_SHARE, {"workforce": 154, "staff": 1234}, "12.5% of 1,234 staff"),
    (Code.WORKFORCE_SHARE, {"staff": 1234}, "workforce share not shown (small numbers)"),
    (Code.NO_WORKFORCE, {}, "no workforce to compare with"),
    (
        Code.NEEDED_FOR_PARITY,
        {"needed": 7, "target": 2028, "year": 2026},
        "7 more needed for parity, about 4 a year to reach it by 2028",
    ),
    (
        Code.NEEDED_FOR_PARITY,
        {"needed": 1234, "target": 2028, "year": 2028},
        "1,234 more needed for parity",
    ),
    (Code.NEEDED_FOR_PARITY, {"needed": 0, "target": 2028, "year": 2026}, "at or above parity"),
    (
        Code.NEEDED_FOR_PARITY,
        {"target": 2028, "year": 2026},
        "headcount for parity not shown (small numbers)",
    ),
    (
        Code.NEEDED_ROW,
        {
            "needed": 5,
            "target": 2028,
            "year": 2026,
            "group": "Black",
            "parity": "replace",
            "cell": "Band 8a and above",
        },
        "more Black staff needed at this level for their share to equal their workforce share "
        "(senior posts as many as now), about 3 a year to reach it by 2028",
    ),
    (
        Code.NEEDED_ROW,
        {"target": 2028, "year": 2026, "group": "BME", "parity": "add", "cell": "Band 8a"},
        "more BME staff needed at this level for their share to equal their workforce share "
        "(posts added)",
    ),
    (Code.NEEDED_ROW, {"needed": 0, "group": "BME", "parity": "add"}, "at or above parity"),
    (Code.NOT_KNOWN, {"share": 0.0875}, "8.8% of staff not known"),
    (Code.NOT_KNOWN, {}, "– of staff not known"),
    (Code.QUARTER_PEOPLE, {"people": 2.5, "quarter_size": 12.25}, "2.50 of 12.25 people"),
    (
        Code.QUARTER_PEOPLE,
        {"people": 10.0, "quarter_size": 25.0, "rounded": 1},
        "about 10 of 25 people",
    ),
    (Code.QUARTER_PEOPLE, {"rounded": 1}, "people in the quarter not shown (small numbers)"),
    (
        Code.PAY_NO_DATA,
        {"who": "receiving a bonus", "groups": "Mixed or White"},
        "no data: no staff receiving a bonus in Mixed or White",
    ),
    (Code.PAY_NO_DATA, {"who": "with hourly pay"}, "no data: nobody with hourly pay"),
    (
        Code.PAY_REFERENCE_ZERO,
        {"which": "mean and median"},
        "the reference mean and median pay is 0, so the gap is undefined",
    ),
    (
        Code.PAY_CENTRES,
        {"stat": "mean", "group_pay": 19.9, "reference_pay": 1020.125},
        "mean £19.90 against £1,020.12",
    ),
    (Code.PAY_CENTRES, {"stat": "median", "reference_pay": 20.0}, "median – against £20.00"),
    (Code.FEW_RESPONDENTS, {"floor": 11}, "fewer than 11 respondents"),
    (
        Code.OUTNUMBERED,
        {
            "words": "more people entered the formal process than were in post on 31 March, "
            "because leavers count"
        },
        "more people entered the formal process than were in post on 31 March, because leavers "
        "count, so no rate or ratio is given",
    ),
    (
        Code.OUTNUMBERED,
        {"words": "more events were counted than people in the population", "group": "White"},
        "for White staff, more events were counted than people in the population, so no rate "
        "or ratio is given",
    ),
    (
        Code.MEAN_OF_RATES,
        {},
        "ratio of the mean of yearly rates; interval and test from pooled counts",
    ),
    (Code.NO_DATA, {"text": "no data loaded"}, "no data loaded"),
    (Code.TOO_FEW_TO_SHOW, {}, "too few to show"),
    (Code.SUPPRESSED, {}, "suppressed to protect small numbers"),
    (Code.WITHHELD, {}, "detail withheld (exact figures)"),
    (
        Code.NOT_RELEASED,
        {},
        "not released to this audience (outside the years and figures protected together)",
    ),
]


@pytest.mark.parametrize(("code", "values", "expected"), CASES)
def test_each_code_has_its_words(code: Code, values: dict, expected: str) -> None:
    assert words(code, values) == expected
    assert Reason(code, values).words == expected


def test_every_code_has_a_case_above() -> None:
    assert {code for code, _, _ in CASES} == set(Code)


def test_a_reason_of_two_parts_joins_codes_and_words() -> None:
    both = Reason(Code.WORKFORCE_SHARE, {"workforce": 1, "staff": 8}) + Reason(
        Code.NEEDED_FOR_PARITY, {"needed": 0}
    )
    assert both.code == "workforce_share+needed_for_parity"
    assert codes_of(both.code) == [Code.WORKFORCE_SHARE, Code.NEEDED_FOR_PARITY]
    assert both.words == "12.5% of 8 staff; at or above parity"
    with pytest.raises(ValueError):
        codes_of("workforce_share+no_such_code")


def test_statistics_say_why_as_data_and_in_the_same_words() -> None:
    c = compare(3, 100, 15, 20, orientation="harm")
    assert c.why is not None and c.why.code == Code.TOO_FEW
    assert c.reason == c.why.words == too_few_reason(3, 100, 15, 20)
    assert c.reason == (
        "too few to tell: focus group events 3 (below 10); reference group population 20 (below 30)"
    )
    empty = proportion(0, 0)
    assert empty.why == Reason(Code.EMPTY_POPULATION) and empty.reason == empty.why.words
    r = risk_ratio(0, 10, 5, 10, names=("BME", "White"))
    assert r.why == Reason(Code.ZERO_RATIO, {"group": "BME"})
    assert r.reason == "no events in the BME, so the ratio is 0"
