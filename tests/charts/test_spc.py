"""SPC charts in Making Data Count colours, with the special causes and trial limits in words."""

from __future__ import annotations

import pytest

from equitrack.charts import spc_chart
from equitrack.charts.palette import MDC_COLOURS
from equitrack.stats import (
    COMMON_CAUSE_COLOUR,
    CONCERN_COLOUR,
    IMPROVEMENT_COLOUR,
    NEUTRAL_COLOUR,
    p_chart,
    xmr_chart,
)

from .builders import check_svg, layer_data, marks_of

YEARS = [
    (2019, 10, 500),
    (2020, 12, 520),
    (2021, 9, 480),
    (2022, 11, 510),
    (2023, 10, 530),
    (2024, None, None),  # withheld by the disclosure gate
    (2025, 13, 500),
    (2026, 40, 520),  # far above the limits
]
#: 16 months: a run below the mean, a rising trend beyond the upper limit, then back.
MONTHS = [5, 6, 5, 7, 6, 5, 6, 7, 8, 9, 10, 11, 12, 13, 6, 5]


@pytest.fixture(scope="module")
def yearly():
    stats = p_chart(YEARS, improvement_direction="decrease")
    return stats, spc_chart(
        stats,
        title="Entering the formal disciplinary process, Black staff, RWE",
        value_label="Rate of entering the formal disciplinary process",
    )


@pytest.fixture(scope="module")
def monthly():
    stats = xmr_chart(
        [(f"M{i + 1}", v) for i, v in enumerate(MONTHS)], improvement_direction="increase", target=9
    )
    return stats, spc_chart(
        stats, title="Days to first response", value_label="Days", period_label="Month"
    )


def test_the_colours_are_making_data_counts() -> None:
    assert MDC_COLOURS == {
        "Common cause variation": COMMON_CAUSE_COLOUR,
        "Special cause: improvement": IMPROVEMENT_COLOUR,
        "Special cause: concern": CONCERN_COLOUR,
        "Special cause: neither better nor worse": NEUTRAL_COLOUR,
    }
    assert (COMMON_CAUSE_COLOUR, IMPROVEMENT_COLOUR, CONCERN_COLOUR, NEUTRAL_COLOUR) == (
        "#a6a6a6",
        "#00b0f0",
        "#e46c0a",
        "#490092",
    )


def test_points_are_coloured_by_their_classification(yearly, monthly) -> None:
    for stats, chart in (yearly, monthly):
        layer = next(
            layer for layer in chart.vega_lite()["layer"] if layer["mark"]["type"] == "point"
        )
        scale = layer["encoding"]["color"]["scale"]
        for label, colour in zip(scale["domain"], scale["range"], strict=True):
            assert MDC_COLOURS[label] == colour
        kinds = {row["period"]: row["kind"] for row in layer_data(chart)[0]}
        for point, row in zip(stats.points, chart.table, strict=True):
            if point.colour is not None:
                assert MDC_COLOURS[kinds[row["Period"]]] == point.colour


def test_p_chart_text_names_the_special_cause_and_trial_limits(yearly) -> None:
    stats, chart = yearly
    assert stats.trial_limits
    assert "These are trial limits: they rest on 7 points, fewer than 13" in chart.alt
    assert (
        "Special-cause variation: concern in 2025/26 (above the upper process limit)." in chart.alt
    )
    assert "The latest point (2025/26) shows special-cause concern (high)." in chart.alt
    assert "2023/24: not shown." in chart.alt
    assert "The overall rate is 2.9%." in chart.alt  # 105 / 3560
    assert chart.vega_lite()["title"]["subtitle"][-1] == "Trial limits: fewer than 13 points."
    notes = [row for data in layer_data(chart) for row in data if row.get("note") == "Trial limits"]
    assert len(notes) == 1


def test_xmr_text_groups_runs_and_says_the_target(monthly) -> None:
    stats, chart = monthly
    assert not stats.trial_limits and "trial" not in chart.alt.lower()
    assert (
        "concern in M1 to M5 (2 of 3 points close to the lower limit; a run of 7 or more points below the mean)"
        in chart.alt
    )
    assert (
        "improvement in M6 to M14 (above the upper process limit; a rising trend of 7 or more points)"
        in chart.alt
    )
    assert "The target is 9.00: the target may or may not be met" in chart.alt
    assert "The mean is 7.56." in chart.alt


def test_no_special_cause_is_said() -> None:
    stats = xmr_chart(
        [(i, v) for i, v in enumerate([10, 12, 10, 12, 11, 10, 12, 11], 1)],
        improvement_direction="neutral",
    )
    chart = spc_chart(stats, title="Steady", value_label="Count", period_label="Week", places=0)
    assert "No special-cause variation" in chart.alt
    assert "trial limits" in chart.alt


def test_the_table_has_the_charts_numbers(yearly, monthly) -> None:
    for stats, chart in (yearly, monthly):
        assert len(chart.table) == len(stats.points)
        for point, row in zip(stats.points, chart.table, strict=True):
            assert row["Value"] == point.value
            assert (row["Mean"], row["Lower process limit"], row["Upper process limit"]) == (
                point.centre,
                point.lower_limit,
                point.upper_limit,
            )
    stats, chart = yearly
    assert [(row["Events"], row["People"]) for row in chart.table] == [(k, n) for _, k, n in YEARS]
    assert chart.table[5]["Variation"] == "not shown"
    assert [row["Period"] for row in chart.table][:2] == ["2018/19", "2019/20"]


def test_renders_points_and_limits(yearly, monthly) -> None:
    stats, chart = yearly
    root = check_svg(chart)
    symbols = sum(len(list(g)) for g in marks_of(root, "symbol"))
    assert symbols == sum(1 for p in stats.points if p.value is not None)
    assert len(marks_of(root, "line")) >= 4  # two limits, the mean and the data
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Trial limits" in texts
    _, chart = monthly
    check_svg(chart)


def test_a_rate_series_chart_from_results() -> None:
    from equitrack.charts import rate_series_chart

    from .builders import compared

    results = []
    for year, k, n in YEARS:
        r = compared("Black", None, None, None, None, numerator=k, denominator=n)
        r.period, r.suppressed = year, k is None
        results.append(r)
    chart = rate_series_chart(results, "wres3", "RWE", "Black")
    assert chart.title == "Entering the formal disciplinary process: Black staff, RWE"
    assert [(row["Events"], row["People"]) for row in chart.table] == [(k, n) for _, k, n in YEARS]
    assert "concern in 2025/26 (above the upper process limit)" in chart.alt
    assert "2023/24: not shown." in chart.alt
