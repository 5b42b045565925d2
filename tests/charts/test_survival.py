"""Kaplan–Meier and cumulative incidence charts of a journey, with medians and shares in words."""

from __future__ import annotations

import dataclasses

import pytest

from equitrack.charts import cumulative_incidence_chart, kaplan_meier_chart
from equitrack.stats import format_share
from equitrack.stats.rounding import format_number
from equitrack.stats.survival import DAYS_PER_YEAR

from .builders import check_svg, journey, journey_with, layer_data, marks_of


@pytest.fixture(scope="module")
def promotion():
    return journey()


def test_kaplan_meier_text_gives_each_groups_median(promotion) -> None:
    chart = kaplan_meier_chart(promotion)
    km = promotion.analysis.kaplan_meier
    assert chart.title == "Time to first promotion, RWE: Kaplan–Meier curves"
    assert chart.alt.startswith("Median time to being promoted: White staff ")
    for group in ("White", "Black", "Asian"):
        median = format_number(km.summary(group).median / DAYS_PER_YEAR, 1)
        assert f"{group} staff {median} years" in chart.alt
    assert "Asian staff" in chart.alt and "too few to tell" in chart.alt  # 20 people
    assert "Log-rank test against White staff: Black staff: p = " in chart.alt
    assert "7 people of unknown ethnicity are counted but not drawn." in chart.alt


def test_kaplan_meier_table_is_the_curves(promotion) -> None:
    chart = kaplan_meier_chart(promotion)
    km = promotion.analysis.kaplan_meier
    for group in ("White", "Black", "Asian"):
        curve = km.curve(group)
        rows = [row for row in chart.table if row["Group"] == group]
        assert [row["Share not yet promoted"] for row in rows] == list(curve.estimate)
        assert [row["Years"] * DAYS_PER_YEAR for row in rows] == pytest.approx(list(curve.time))
        assert [row["Still followed"] for row in rows] == list(curve.at_risk)
    readings = {row["group"]: row["reading"] for row in layer_data(chart)[0]}
    assert readings == {
        "White": "Enough people to tell",
        "Black": "Enough people to tell",
        "Asian": "Too few to tell",
    }


def test_cumulative_incidence_text_gives_shares_by_three_and_five_years(promotion) -> None:
    chart = cumulative_incidence_chart(promotion)
    ci = promotion.analysis.cumulative_incidence
    for years in (3, 5):
        event = ci.curve("Black", "event").value_at(years * DAYS_PER_YEAR)
        left = ci.curve("Black", "competing").value_at(years * DAYS_PER_YEAR)
        assert (
            f"Black staff {format_share(event)} promoted, {format_share(left)} left first"
            in chart.alt
        )
    assert "By 3 years: White staff" in chart.alt
    assert "Too few to tell for Asian staff." in chart.alt
    outcomes = {row["Outcome"] for row in chart.table}
    assert outcomes == {"Promoted", "Left first"}
    black_left = [
        row["Share"]
        for row in chart.table
        if row["Group"] == "Black" and row["Outcome"] == "Left first"
    ]
    assert black_left == list(ci.curve("Black", "competing").estimate)


def test_a_journey_with_no_one_known(promotion) -> None:
    empty = dataclasses.replace(promotion, analysis=None)
    chart = kaplan_meier_chart(empty)
    assert chart.alt == (
        "No one of known ethnicity is on this journey, so there are no curves. "
        "7 people of unknown ethnicity are counted but not drawn."
    )
    assert chart.table == []


def test_renders_one_line_per_group_and_outcome(promotion) -> None:
    root = check_svg(kaplan_meier_chart(promotion))
    assert sum(len(list(g)) for g in marks_of(root, "line")) == 3
    assert sum(len(list(g)) for g in marks_of(root, "area")) == 3
    root = check_svg(cumulative_incidence_chart(promotion))
    assert sum(len(list(g)) for g in marks_of(root, "line")) == 6


def test_a_long_curve_is_drawn_from_a_sample_of_its_steps_that_keeps_the_counts() -> None:
    """A system's curve has thousands of steps: at most MOST_POINTS slices are drawn, each row
    standing for the steps since the last, so the events in the table still add up."""
    from equitrack.charts.survival import MOST_POINTS

    big = journey_with(people=2000)
    chart = kaplan_meier_chart(big)
    km = big.analysis.kaplan_meier
    for group in ("White", "Black"):
        curve = km.curve(group)
        assert len(curve.time) > 3 * MOST_POINTS
        rows = [row for row in chart.table if row["Group"] == group]
        assert len(rows) <= MOST_POINTS + 2
        assert rows[-1]["Years"] * DAYS_PER_YEAR == pytest.approx(curve.time[-1])
        assert rows[-1]["Share not yet promoted"] == curve.estimate[-1]
        assert sum(row["Promoted"] for row in rows) == sum(curve.events)
        assert sum(row["Censored or left"] for row in rows) == sum(curve.censored)
