"""Funnel plots: organisations against their size, limits from the stats, outliers named."""

from __future__ import annotations

import pytest

from equitrack.charts import funnel_chart
from equitrack.stats import funnel_proportions, funnel_relative_likelihoods

from .builders import check_svg, layer_data, marks_of

UNITS = ["RWE", "RT5", "RY5", "RJ1", "RX2", "RA3", "RB4", "RC5", "RD6", "RE7"]
EVENTS = [30, 12, 18, 25, 40, 8, 22, 90, 15, 0]
PEOPLE = [1000, 600, 700, 900, 1100, 400, 800, 1200, 650, 0]  # RE7 has no one: not placed


@pytest.fixture(scope="module")
def rates():
    stats = funnel_proportions(UNITS, EVENTS, PEOPLE)
    chart = funnel_chart(
        stats,
        title="Entering the formal disciplinary process by organisation, 2025/26",
        value_label="Rate of entering the formal disciplinary process",
    )
    return stats, chart


def test_the_outlier_is_named_with_the_limit_it_crosses(rates) -> None:
    stats, chart = rates
    assert [(o.unit, str(o.limit)) for o in stats.outliers] == [("RC5", "99.8%")]
    assert "Outside the 99.8% limits: RC5 (7.5%, above)." in chart.alt
    assert "Every other organisation is within the 95% limits." in chart.alt
    assert "against the pooled value of 3.5%" in chart.alt  # 260 / 7350
    labels = [row["label"] for data in layer_data(chart) for row in data if row.get("label")]
    assert labels == ["RC5"]


def test_overdispersion_and_left_out_units_are_said(rates) -> None:
    stats, chart = rates
    assert stats.adjusted
    assert "The limits are widened for overdispersion" in chart.alt
    assert chart.vega_lite()["title"]["subtitle"][-1] == "Limits widened for overdispersion."
    assert "Not shown: RE7 (zero denominator)." in chart.alt
    assert "for 9 organisations" in chart.alt


def test_the_table_has_the_funnels_numbers(rates) -> None:
    stats, chart = rates
    assert [row["Organisation"] for row in chart.table] == UNITS
    for unit, row in zip(stats.units, chart.table, strict=True):
        assert (row["Events"], row["People"]) == (unit.counts["events"], unit.counts["population"])
        assert row["Rate"] == unit.value
        assert (row["95% lower limit"], row["99.8% upper limit"]) == (unit.lower95, unit.upper998)
    assert chart.table[7]["Outside the limits"] == "high, beyond 99.8%"
    assert chart.table[9]["Why not shown"] == "zero denominator" and chart.table[9]["Rate"] is None
    points = next(data for data in layer_data(chart) if data and "unit" in data[0])
    assert {p["unit"]: p["value"] for p in points} == {
        u.unit: u.value for u in stats.units if u.reason is None
    }


def test_the_limits_drawn_are_the_funnels(rates) -> None:
    stats, chart = rates
    grid = next(data for data in layer_data(chart) if data and "line" in data[0])
    upper = {row["x"]: row["y"] for row in grid if row["line"] == "998-upper"}
    matched = 0
    for x, upper998 in zip(stats.limits.x, stats.limits.upper998, strict=True):
        if float(x) in upper:
            assert upper[float(x)] == pytest.approx(float(upper998))
            matched += 1
    assert matched == len(upper) > 1  # every drawn point is one of the funnel's
    assert max(upper) == pytest.approx(float(stats.limits.x[-1]))


def test_relative_likelihoods_with_no_outlier() -> None:
    stats = funnel_relative_likelihoods(
        UNITS[:5],
        [30, 12, 18, 25, 40],
        [500, 300, 350, 450, 550],
        [40, 30, 25, 30, 30],
        [1500, 1200, 1000, 1100, 1300],
        orientation="harm",
    )
    chart = funnel_chart(stats, title="Black staff against White staff, by organisation")
    assert not stats.outliers
    assert "No organisation is outside the 95% limits." in chart.alt
    assert chart.alt.startswith("Relative likelihood for 5 organisations")
    y = next(layer for layer in chart.vega_lite()["layer"] if layer["mark"]["type"] == "point")
    assert y["encoding"]["y"]["scale"]["type"] == "log"


def test_renders_points_limits_and_labels(rates) -> None:
    stats, chart = rates
    root = check_svg(chart)
    symbols = sum(len(list(g)) for g in marks_of(root, "symbol"))
    assert symbols == sum(1 for u in stats.units if u.reason is None)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "RC5" in texts
