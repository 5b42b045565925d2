"""WRES 1 representation: stacked shares by band, clinical and non-clinical, groups in order."""

from __future__ import annotations

import random
from typing import Any

import pytest

from equitrack.charts import representation_chart
from equitrack.charts.palette import group_colour
from equitrack.measures.result import Result, rated

from .builders import WRES1_COUNTS, check_svg, layer_data, marks_of, representation_results


def test_two_panels_with_the_bands_in_order() -> None:
    chart = representation_chart(representation_results())
    spec = chart.vega_lite()
    assert [panel["title"]["text"] for panel in spec["vconcat"]] == [
        "Clinical staff",
        "Non-clinical staff",
    ]
    bands = [panel["layer"][0]["encoding"]["y"]["sort"] for panel in spec["vconcat"]]
    assert bands == [["Band 2", "Band 5", "Band 8a"], ["Band 3", "Band 7"]]
    assert chart.title == "Representation by band (clinical and non-clinical), RWE, 2025/26"
    assert spec["vconcat"][0]["layer"][0]["encoding"]["y"]["title"] == "Pay band"


def test_groups_keep_a_fixed_order_whatever_the_input_order() -> None:
    results = representation_results()
    shuffled = results[:]
    random.Random(1).shuffle(shuffled)
    for given in (results, shuffled):
        chart = representation_chart(given)
        colour = chart.vega_lite()["vconcat"][0]["layer"][0]["encoding"]["color"]
        assert colour["scale"]["domain"] == ["White", "Black", "Asian", "Unknown"]
        assert colour["scale"]["range"] == [group_colour(g) for g in colour["scale"]["domain"]]
        assert [row["Group"] for row in chart.table[:4]] == ["White", "Black", "Asian", "Unknown"]


def test_the_table_has_the_inputs_numbers() -> None:
    results = representation_results()
    chart = representation_chart(results)
    assert len(chart.table) == len(results)
    by_cell = {(f"{row['Staff group']} | {row['Band']}", row["Group"]): row for row in chart.table}
    for r in results:
        row = by_cell[(r.breakdown, r.group)]
        assert (row["Staff"], row["Staff in the band"], row["Share"]) == (
            r.numerator,
            r.denominator,
            r.rate,
        )
    assert by_cell[("Clinical | Band 5", "Black")]["Share"] == pytest.approx(60 / 200)
    drawn = {
        (row["band"], row["group"]): row["share"]
        for data in layer_data(chart)
        for row in data
        if "share" in row
    }
    assert drawn[("Band 5", "Black")] == pytest.approx(60 / 200)


def test_the_text_names_each_groups_highest_and_lowest_band() -> None:
    chart = representation_chart(representation_results())
    assert (
        "Among clinical staff, Black staff had their highest share in Band 5 (30.0%) and their "
        "lowest in Band 8a (6.0%)."
    ) in chart.alt
    assert (
        "Among non-clinical staff, Black staff had their highest share in Band 7 (19.0%)"
        in chart.alt
    )
    assert "White staff" not in chart.alt  # the reference is what the others are read against


def test_a_withheld_share_is_not_drawn_and_says_not_shown() -> None:
    results = representation_results(hide_below=5)  # Black in Band 8a (3) and Asian in Band 7 (4)
    chart = representation_chart(results)
    assert (
        "Among clinical staff, some figures are not shown (Band 8a): too few to show." in chart.alt
    )
    assert "Among non-clinical staff, some figures are not shown (Band 7)" in chart.alt
    hidden = [row for row in chart.table if not row["Shown"]]
    assert {(row["Band"], row["Group"]) for row in hidden} == {
        ("Band 8a", "Black"),
        ("Band 8a", "Unknown"),
        ("Band 7", "Asian"),
    }
    assert all(row["Share"] is None and row["Staff"] is None for row in hidden)
    notes = [row for data in layer_data(chart) for row in data if "note" in row]
    assert {row["band"] for row in notes} == {"Band 8a", "Band 7"}


def test_subtotals_are_named_not_drawn() -> None:
    from equitrack.measures.result import rated

    total = sum(sum(g.values()) for cell, g in WRES1_COUNTS.items() if cell.startswith("Clinical"))
    black = sum(g["Black"] for cell, g in WRES1_COUNTS.items() if cell.startswith("Clinical"))
    results = representation_results() + [
        rated(
            black,
            total,
            measure="wres1",
            org="RWE",
            period=2026,
            group_type="broad",
            group="Black",
            breakdown="Clinical | All",
        )
    ]
    chart = representation_chart(results)
    assert f"Black staff were {round(100 * black / total, 1)}% overall" in chart.alt
    bands = chart.vega_lite()["vconcat"][0]["layer"][0]["encoding"]["y"]["sort"]
    assert "All" not in bands


def test_one_organisation_and_year() -> None:
    results = representation_results()
    results[0].org = "RT5"
    with pytest.raises(ValueError, match="one organisation"):
        representation_chart(results)


def test_renders_stacked_bars() -> None:
    chart = representation_chart(representation_results(hide_below=5))
    root = check_svg(chart)
    bars = sum(len(list(g)) for g in marks_of(root, "rect"))
    shown = sum(1 for r in representation_results(hide_below=5) if not r.suppressed)
    assert bars == shown


def _cell(breakdown: str, group: str, n: int | None, total: int | None, **where: Any) -> Result:
    fields: dict[str, Any] = {
        "measure": "wres1",
        "org": "RWE",
        "period": 2026,
        "group_type": "broad",
        "group": group,
        "breakdown": breakdown,
        **where,
    }
    if n is None:
        return Result(numerator=None, denominator=None, suppressed=True, **fields)
    return rated(n, total, **fields)


def test_incidents_are_titled_by_their_measure_with_categories_in_words() -> None:
    results = [
        _cell(f"Bank | {code}", group, n, 40, measure="bank_incidents")
        for code in ("racist_abuse", "verbal_abuse")
        for group, n in (("White", 25), ("Black", 15))
    ]
    chart = representation_chart(results)
    assert chart.title.startswith("Incidents affecting bank and substantive staff, by category")
    spec = chart.vega_lite()
    y = spec["vconcat"][0]["layer"][0]["encoding"]["y"]
    assert y["title"] == "Category"
    assert y["sort"] == ["Racist abuse", "Verbal abuse"]
    drawn = {row["band"] for data in layer_data(chart) for row in data if "band" in row}
    assert drawn == {"Racist abuse", "Verbal abuse"}
    assert "racist_abuse" not in chart.svg() and "racist_abuse" not in chart.alt
    assert spec["vconcat"][0]["layer"][0]["encoding"]["x"]["title"] == (
        "Share of incidents in the category"
    )


def test_a_band_nobody_is_in_is_not_an_empty_bar_and_a_band_all_withheld_says_not_shown() -> None:
    results = representation_results() + [
        _cell("Clinical | Band 9", "White", 0, 0),
        _cell("Clinical | Band 9", "Black", 0, 0),
        _cell("Clinical | VSM", "White", None, None),
        _cell("Clinical | VSM", "Black", None, None),
    ]
    chart = representation_chart(results)
    clinical = chart.vega_lite()["vconcat"][0]
    bands = clinical["layer"][0]["encoding"]["y"]["sort"]
    assert "Band 9" not in bands and "VSM" in bands
    notes = {
        row["band"]: row["note"] for data in layer_data(chart) for row in data if "note" in row
    }
    assert notes == {"VSM": "not shown"}


def test_a_panel_with_nothing_shown_is_left_out_and_a_chart_with_nothing_is_refused() -> None:
    hidden = [_cell("Clinical | Band 5", g, None, None) for g in ("White", "Black")]
    chart = representation_chart(
        hidden
        + [
            _cell("Non-clinical | Band 3", "White", 5, 10),
            _cell("Non-clinical | Band 3", "Black", 5, 10),
        ]
    )
    assert [p["title"]["text"] for p in chart.vega_lite()["vconcat"]] == ["Non-clinical staff"]
    with pytest.raises(ValueError, match="no band has a share"):
        representation_chart(hidden)
