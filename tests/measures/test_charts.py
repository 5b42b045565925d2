"""Measure results feed the SPC and funnel charts with exactly their own counts."""

from __future__ import annotations

import math

import pytest

from equitrack import api
from equitrack.measures.calendar import Interval, label
from equitrack.measures.charts import funnel, improvement, series_chart
from equitrack.measures.registry import MEASURES
from equitrack.stats.spc import ChartType, ImprovementDirection
from equitrack.store import Store

YEARS = tuple(range(2019, 2027))


@pytest.fixture(scope="module")
def wres(llr: Store):
    return api.run("wres", YEARS, store=llr, measures=["wres2", "wres3"])


def test_a_yearly_p_chart_of_a_groups_rate(wres) -> None:
    chart = series_chart(wres, "wres3", "RWE", "BME")
    rows = sorted(
        (r for r in wres if r.measure == "wres3" and r.org == "RWE" and r.group == "BME"),
        key=lambda r: r.period,
    )
    assert chart.chart is ChartType.P
    assert [p.period for p in chart.points] == [label(r.period) for r in rows]
    assert [(p.numerator, p.denominator) for p in chart.points] == [
        (r.numerator, r.denominator) for r in rows
    ]
    pooled = sum(r.numerator for r in rows) / sum(r.denominator for r in rows)
    assert chart.centre == pytest.approx(pooled)
    assert chart.trial_limits  # seven or eight years are fewer than 13 points
    assert chart.options.improvement_direction is ImprovementDirection.DECREASE  # fewer is better


def test_a_monthly_p_chart_has_real_limits_after_13_months(llr: Store) -> None:
    months = api.run(
        "wres", (2025, 2026), store=llr, orgs=("RWE",), measures=["wres2"], interval=Interval.MONTH
    )
    chart = series_chart(months, "wres2", "RWE", "BME")
    assert [p.period for p in chart.points][:2] == ["Apr 2024", "May 2024"]
    assert len(chart.points) == 24 and not chart.trial_limits
    assert chart.options.improvement_direction is ImprovementDirection.INCREASE


def test_improvement_follows_the_measures_orientation() -> None:
    assert improvement(MEASURES["wres2"]) is ImprovementDirection.INCREASE
    assert improvement(MEASURES["wres3"]) is ImprovementDirection.DECREASE


def test_a_funnel_of_organisations_against_the_pooled_ratio(wres) -> None:
    year = 2026
    plot = funnel(wres, "wres2", year, "BME")
    rows = [r for r in wres if r.measure == "wres2" and r.period == year]
    by = {(r.org, r.group): r for r in rows}
    orgs = sorted({r.org for r in rows})
    assert [u.unit for u in plot.units] == orgs
    white_a = sum(by[(o, "White")].numerator for o in orgs)
    white_n = sum(by[(o, "White")].denominator for o in orgs)
    bme_a = sum(by[(o, "BME")].numerator for o in orgs)
    bme_n = sum(by[(o, "BME")].denominator for o in orgs)
    assert plot.target == pytest.approx((white_a / white_n) / (bme_a / bme_n))
    for u in plot.units:
        assert u.value == pytest.approx(by[(u.unit, "BME")].ratio)
        assert math.isfinite(u.lower95) and u.lower95 < plot.target < u.upper95
