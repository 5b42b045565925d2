"""The issue's hand-worked examples, built as canonical files and measured end to end."""

from pathlib import Path

import pytest

from equitrack.measures import Request, evaluate, measure
from equitrack.stats import format_points, format_ratio
from tests.measures.builders import ORG, System


def bme(results, period=2026, breakdown=None):
    return next(
        r for r in results if r.group == "BME" and r.period == period and r.breakdown == breakdown
    )


def test_wres2_appointment_from_shortlisting(tmp_path: Path) -> None:
    s = System()
    s.applicants("A", shortlisted=1000, appointed=300, applied="2025-06-01", not_shortlisted=50)
    s.applicants("H", shortlisted=800, appointed=150, applied="2025-06-01", not_shortlisted=70)
    s.applicants("N", shortlisted=40, appointed=40, applied="2024-06-01")  # a different year
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    results = evaluate(s.load(tmp_path), measure("wres2"), Request(years=(2026,)))
    r = bme(results)
    assert (r.numerator, r.denominator) == (150, 800)
    white = next(x for x in results if x.group == "White")
    assert (white.numerator, white.denominator) == (300, 1000)
    assert format_ratio(r.ratio) == "1.60" and r.band == "adverse"
    assert r.verdict == "adverse, significant" and r.org == ORG
    assert r.options["appointed"] == "appointed"


def test_wres3_pooled_over_two_years_and_as_a_mean_of_rates(tmp_path: Path) -> None:
    s = System()
    groups = {"H": (1200, 1300, 12, 10), "A": (4000, 3900, 20, 18)}
    for code, (staff_2025, staff_2026, entrants_2025, entrants_2026) in groups.items():
        earlier = s.people_of(code, staff_2025, start="2020-01-01", end="2025-06-30")
        later = s.people_of(code, staff_2026, start="2025-07-01")
        for pid in earlier[:entrants_2025]:
            s.case(pid, "2024-10-01")
        for pid in later[:entrants_2026]:
            s.case(pid, "2025-10-01")
        s.case(later[0], "2025-12-01")  # a second case in the year counts once
        s.case(earlier[-1], "2025-11-01", case_type="capability")  # not conduct
    bank_only = s.person("H", start="2025-01-01", contract="bank")
    s.case(bank_only, "2025-09-01")  # bank-only on the formal date: Bank WRES, not WRES 3
    store = s.load(tmp_path)
    pooled = bme(evaluate(store, measure("wres3"), Request(years=(2026,))))
    assert (pooled.numerator, pooled.denominator) == (22, 2500)
    assert format_ratio(pooled.ratio) == "1.83"
    assert pooled.options["window"] == 2 and pooled.options["pooling"] == "pooled"
    mean = bme(
        evaluate(
            store, measure("wres3"), Request(years=(2026,), options={"pooling": "mean_of_rates"})
        )
    )
    assert format_ratio(mean.ratio) == "1.84" and mean.options["pooling"] == "mean_of_rates"
    one_year = bme(evaluate(store, measure("wres3"), Request(years=(2026,), options={"window": 1})))
    assert (one_year.numerator, one_year.denominator) == (10, 1300)
    bank = evaluate(store, measure("bank3"), Request(years=(2026,), options={"window": 1}))
    assert sum(r.numerator for r in bank) == 1


def test_wres4_non_mandatory_training(tmp_path: Path) -> None:
    s = System()
    for code, staff, trained in (("A", 4000, 900), ("H", 1250, 250)):
        people = s.people_of(code, staff)
        for pid in people[:trained]:
            s.trained(pid, "2025-09-01")
            s.trained(pid, "2025-10-01")  # a second course counts the person once
        for pid in people[trained : trained + 100]:
            s.trained(pid, "2025-09-01", mandatory=True)  # mandatory does not count
            s.trained(pid, "2024-09-01")  # nor does last year's
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    r = bme(evaluate(s.load(tmp_path), measure("wres4"), Request(years=(2026,))))
    assert (r.numerator, r.denominator) == (250, 1250)
    assert abs(r.ratio - 1.125) < 1e-12 and format_ratio(r.ratio) == "1.13"
    assert r.band == "non-adverse"


def test_wres9_board_against_the_workforce(tmp_path: Path) -> None:
    s = System()
    s.people_of("N", 2, pay_band="VSM", board=(True, True))
    s.people_of("A", 12, pay_band="VSM", board=(True, False))
    s.people_of("N", 184)
    s.people_of("A", 801)  # with the 15 board members: 1,000 staff, 186 BME (18.6%)
    s.person("A", pay_band="VSM", board=(False, False))  # a non-voting member
    s.people_of("A", 1, end="2025-01-01", board=(True, True))  # left before 31 March
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    results = evaluate(s.load(tmp_path), measure("wres9"), Request(years=(2026,)))
    voting = bme(results, breakdown="Voting")
    assert (voting.numerator, voting.denominator) == (2, 14)
    assert format_points(voting.difference) == "-4.31"
    assert bme(results, breakdown="All").denominator == 15


def test_wres1_counts_each_person_once_by_the_tie_break(tmp_path: Path) -> None:
    s = System()
    pid = s.person("N", pay_band="Band 5")
    s.assign(pid, "2016-01-01", pay_band="Band 7")  # same fte: the higher band wins
    s.assign(pid, "2016-01-01", contract="bank", pay_band="Band 8a")  # bank never counts
    s.people_of("A", 3, pay_band="Band 5")
    s.people_of("", 1, pay_band="Band 5")
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    results = evaluate(s.load(tmp_path), measure("wres1"), Request(years=(2026,)))
    cells = {(r.breakdown, r.group): (r.numerator, r.denominator) for r in results}
    assert cells[("Clinical | Band 7", "BME")] == (1, 1)
    assert ("Clinical | Band 5", "BME") not in cells
    assert cells[("Clinical | Band 5", "White")] == (3, 4)
    assert cells[("All", "Unknown")] == (1, 5)  # Unknown stays in every denominator
    assert sum(n for (cell, _), (n, _) in cells.items() if cell == "All") == 5


@pytest.mark.parametrize("bad", [{"window": 3}, {"pooling": "median"}])
def test_options_outside_their_choices_are_refused(tmp_path: Path, bad: dict) -> None:
    s = System()
    s.person("A")
    with pytest.raises(ValueError, match="must be one of"):
        evaluate(s.load(tmp_path), measure("wres3"), Request(years=(2026,), options=bad))


def test_a_survey_item_is_compared_with_white_staff_as_every_indicator_is(tmp_path: Path) -> None:
    """WRES 6 (harassment from staff, a harm): BME 90 of 300 (30%), White 100 of 500 (20%).
    Difference +10 points; ratio 0.30 / 0.20 = 1.50, Katz interval
    exp(ln 1.5 ± 1.96·sqrt(1/90 − 1/300 + 1/100 − 1/500)) = 1.17 to 1.92: adverse, significant.
    WRES 7 (equal opportunities, a benefit): BME 150 of 300, White 300 of 500, so the ratio is
    White's over BME's, 0.60 / 0.50 = 1.20: inside the band, non-adverse. A group of 10
    respondents is neither shown as compared nor compared."""
    s = System()
    s.person("A")
    s.surveyed("wres6", "BME", 90, 300)
    s.surveyed("wres6", "White", 100, 500)
    s.surveyed("wres6", "Unknown", 4, 10)
    s.surveyed("wres7", "BME", 150, 300)
    s.surveyed("wres7", "White", 300, 500)
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    store = s.load(tmp_path)
    request = Request(years=(2026,))
    wres6 = {r.group: r for r in evaluate(store, measure("wres6"), request)}
    bme = wres6["BME"]
    assert bme.difference == pytest.approx(10.0)
    assert format_ratio(bme.ratio) == "1.50"
    assert (round(bme.ratio_ci_low, 2), round(bme.ratio_ci_high, 2)) == (1.17, 1.92)
    assert bme.verdict == "adverse, significant" and bme.reference_group == "White"
    unknown = wres6["Unknown"]
    assert unknown.ratio is None and unknown.verdict is None
    assert unknown.reason == "fewer than 11 respondents"
    wres7 = {r.group: r for r in evaluate(store, measure("wres7"), request)}
    assert format_ratio(wres7["BME"].ratio) == "1.20"
    assert wres7["BME"].verdict == "non-adverse"
    assert wres7["BME"].difference == pytest.approx(-10.0)
