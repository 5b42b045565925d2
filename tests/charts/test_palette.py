"""A group has one colour on every chart; MDC colours stay with SPC."""

from __future__ import annotations

from equitrack.charts import group_colour, ratio_chart, representation_chart
from equitrack.charts.palette import (
    GROUP_COLOURS,
    MDC_COLOURS,
    SPARE_COLOURS,
    group_order,
    group_scale,
)
from equitrack.charts.survival import kaplan_meier_chart

from .builders import colour_scales, compared, journey, representation_results


def test_the_same_group_has_the_same_colour_on_every_chart() -> None:
    ratios = ratio_chart(
        [
            compared("Asian", 1.05, 0.81, 1.36, "non-adverse"),
            compared("Black", 1.62, 1.10, 2.39, "adverse, significant"),
        ]
    )
    representation = representation_chart(representation_results())
    curves = kaplan_meier_chart(journey())
    mappings = [colour_scales(chart) for chart in (ratios, representation, curves)]
    for mapping in mappings:
        assert mapping, "no group colour scale found"
        for group, colour in mapping.items():
            assert colour == group_colour(group)
    assert mappings[0]["Black"] == mappings[1]["Black"] == mappings[2]["Black"]
    assert mappings[0]["Asian"] == mappings[1]["Asian"] == mappings[2]["Asian"]
    assert mappings[1]["White"] == mappings[2]["White"]


def test_ethnic_groups_have_distinct_colours_and_none_is_an_mdc_colour() -> None:
    ethnic = ["White", "BME", "Black", "Asian", "Mixed", "Other", "Unknown"]
    colours = [group_colour(g) for g in ethnic]
    assert len(set(colours)) == len(colours)
    assert not {c.lower() for c in GROUP_COLOURS.values()} & {
        c.lower() for c in MDC_COLOURS.values()
    }


def test_a_colour_depends_on_the_name_not_the_position() -> None:
    assert group_scale(["Black", "White"]) == (
        ["White", "Black"],
        [GROUP_COLOURS["White"], GROUP_COLOURS["Black"]],
    )
    assert group_scale(["Asian", "Black"])[1] == [GROUP_COLOURS["Black"], GROUP_COLOURS["Asian"]]


def test_detailed_categories_take_their_broad_groups_colour() -> None:
    assert group_colour("N Black or Black British - African") == GROUP_COLOURS["Black"]
    assert group_colour("H Asian or Asian British - Indian") == GROUP_COLOURS["Asian"]
    unusual = group_colour("Somewhere else")
    assert unusual in SPARE_COLOURS and unusual == group_colour("Somewhere else")


def test_display_order() -> None:
    assert group_order(["Unknown", "Other", "Black", "White", "Asian", "Mixed"]) == [
        "White",
        "Black",
        "Asian",
        "Mixed",
        "Other",
        "Unknown",
    ]
