"""Monthly series: months name themselves, add up to their year, and end where the year ends."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import ibis
import pytest

from equitrack import api
from equitrack.measures import Request, Scope, calendar, evaluate
from equitrack.measures import populations as pop
from equitrack.measures.calendar import Interval
from equitrack.measures.registry import MEASURES
from equitrack.store import Store

YEAR = 2025


def test_the_months_of_a_reporting_year_run_april_to_march() -> None:
    months = calendar.months_of(2026)
    assert months[0] == 202504 and months[-1] == 202603 and len(months) == 12
    assert calendar.periods([2026, 2025], Interval.YEAR) == (2025, 2026)
    assert len(calendar.periods([2025, 2026], Interval.MONTH)) == 24


@pytest.mark.parametrize(
    ("period", "start", "end", "bank_from", "previous", "label"),
    [
        (2026, "2025-04-01", "2026-03-31", "2025-10-01", 2025, "2025/26"),
        (202402, "2024-02-01", "2024-02-29", "2023-08-30", 202401, "Feb 2024"),
        (202409, "2024-09-01", "2024-09-30", "2024-03-31", 202408, "Sep 2024"),
        (202501, "2025-01-01", "2025-01-31", "2024-08-01", 202412, "Jan 2025"),
        (202512, "2025-12-01", "2025-12-31", "2025-07-01", 202511, "Dec 2025"),
    ],
)
def test_a_period_knows_its_days(period, start, end, bank_from, previous, label) -> None:
    day = dt.date.fromisoformat
    assert calendar.start(period) == day(start)
    assert calendar.end(period) == day(end)
    opens = pop.bank_window_opens(ibis.literal(calendar.end(period)))
    assert ibis.duckdb.connect().to_pyarrow(opens).as_py() == day(bank_from)
    assert calendar.previous(period) == previous
    assert calendar.label(period) == label


def _counts(results, periods) -> Counter:
    """Numerators and denominators per (measure, unit, group, breakdown), summed over periods."""
    total: Counter = Counter()
    for r in results:
        if r.period in periods:
            key = (r.measure, r.org, r.group, r.breakdown)
            total[(*key, "n")] += r.numerator or 0
            total[(*key, "d")] += r.denominator or 0
    return +total


def _run(store: Store, measures: list[str], interval: Interval):
    return api.run(
        ["wres", "bank-wres", "scrutiny"],
        (YEAR,),
        store=store,
        orgs=("RWE",),
        system=True,
        measures=measures,
        interval=interval,
    )


def test_records_counted_by_their_date_add_up_from_months_to_the_year(llr: Store) -> None:
    """Applications, leave requests and incidents are counted once each, in the month of
    their date, so twelve months hold exactly what the year holds."""
    wanted = ["wres2", "leave_declined", "incident_action", "development_appointment"]
    yearly = _run(llr, wanted, Interval.YEAR)
    monthly = _run(llr, wanted, Interval.MONTH)
    assert {r.period for r in monthly} <= set(calendar.months_of(YEAR))
    assert {r.measure for r in monthly} == set(wanted)
    assert all(r.options.get("interval") == "month" for r in monthly)
    year_counts = _counts(yearly, {YEAR})
    assert {k[0] for k in year_counts} == set(wanted), "every measure has counts to compare"
    assert _counts(monthly, calendar.months_of(YEAR)) == year_counts


def test_march_staff_in_post_are_the_year_end_staff_in_post(llr: Store) -> None:
    """A snapshot measure's March figure is taken on 31 March, as the year's is."""
    wanted = ["wres1", "bank1", "senior_representation"]
    yearly = _run(llr, wanted, Interval.YEAR)
    monthly = _run(llr, wanted, Interval.MONTH)
    march = [r for r in monthly if r.period == YEAR * 100 + 3]
    assert march and _counts(march, {YEAR * 100 + 3}) == _counts(yearly, {YEAR})
    april = [r for r in monthly if r.measure == "wres1" and r.period == (YEAR - 1) * 100 + 4]
    assert april, "April has staff in post of its own"


def test_measures_counted_once_a_year_are_left_out_of_a_monthly_run(llr: Store) -> None:
    monthly = _run(llr, ["wres5", "pay_gap", "wres3"], Interval.MONTH)
    assert {r.measure for r in monthly} == {"wres3"}
    assert all(r.options["window"] == 1 for r in monthly), "months are not pooled"
    with pytest.raises(ValueError, match="once a year"):
        evaluate(llr, MEASURES["wres5"], Request((YEAR,), Scope(("RWE",)), interval=Interval.MONTH))
