"""Small hand-made inputs for the chart tests, and a check that an SVG is a finished chart."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import numpy as np

from equitrack.charts import Chart
from equitrack.measures.careers import PROMOTION, Counts, Journey
from equitrack.measures.result import Result, rated
from equitrack.stats import compare
from equitrack.stats.survival import careers_over_time

SVG = "{http://www.w3.org/2000/svg}"


def compared(
    group: str,
    ratio: float | None,
    low: float | None,
    high: float | None,
    verdict: str | None,
    *,
    measure: str = "wres3",
    org: str = "RWE",
    too_few: bool = False,
    numerator: int | None = 40,
    denominator: int | None = 2470,
    suppressed: bool = False,
    reference: str | None = "White",
    **values: Any,
) -> Result:
    """A compared result with the figures given, as the measure engine would leave them."""
    return Result(
        measure=measure,
        org=org,
        period=2026,
        group_type="broad",
        group=group,
        numerator=numerator,
        denominator=denominator,
        rate=None if numerator is None or not denominator else numerator / denominator,
        reference_group=reference,
        ratio=ratio,
        ratio_ci_low=low,
        ratio_ci_high=high,
        verdict=verdict,
        verdict_adjusted=values.pop("verdict_adjusted", verdict),
        too_few=too_few,
        suppressed=suppressed,
        **values,
    )


def from_counts(group: str, a: int, n1: int, c: int, n2: int, **values: Any) -> Result:
    """A compared result whose figures come from :func:`equitrack.stats.compare` (a harm)."""
    result = compare(a, n1, c, n2, orientation="harm")
    return compared(
        group,
        result.ratio,
        result.ci_low,
        result.ci_high,
        str(result.verdict),
        too_few=result.too_few,
        numerator=a,
        denominator=n1,
        **values,
    )


def reference(group: str = "White", numerator: int = 50, denominator: int = 5000) -> Result:
    return Result(
        measure="wres3",
        org="RWE",
        period=2026,
        group_type="broad",
        group=group,
        numerator=numerator,
        denominator=denominator,
    )


WRES1_COUNTS: dict[str, dict[str, int]] = {
    "Clinical | Band 2": {"White": 60, "Black": 25, "Asian": 10, "Unknown": 5},
    "Clinical | Band 5": {"White": 100, "Black": 60, "Asian": 30, "Unknown": 10},
    "Clinical | Band 8a": {"White": 40, "Black": 3, "Asian": 5, "Unknown": 2},
    "Non-clinical | Band 3": {"White": 80, "Black": 10, "Asian": 10},
    "Non-clinical | Band 7": {"White": 30, "Black": 8, "Asian": 4},
}


def representation_results(*, hide_below: int = 0) -> list[Result]:
    """WRES 1 cells with their shares; counts below ``hide_below`` withheld as the gate would."""
    results = []
    for cell, groups in WRES1_COUNTS.items():
        total = sum(groups.values())
        for group, n in groups.items():
            where: dict[str, Any] = {
                "measure": "wres1",
                "org": "RWE",
                "period": 2026,
                "group_type": "broad",
                "group": group,
                "breakdown": cell,
            }
            if n < hide_below:
                results.append(Result(numerator=None, denominator=None, suppressed=True, **where))
            else:
                results.append(rated(n, total, **where))
    return results


def journey(*, seed: int = 3) -> Journey:
    """A promotion journey: White staff promoted sooner than Black staff; Asian staff few."""
    return journey_with(seed=seed)


def journey_with(*, seed: int = 3, people: int = 120) -> Journey:
    """`journey`, with `people` White staff (and two thirds as many Black staff)."""
    rng = np.random.default_rng(seed)
    groups, durations, events = [], [], []
    sizes = (("White", people, 900), ("Black", people * 2 // 3, 1500), ("Asian", 20, 1000))
    for group, n, scale in sizes:
        for _ in range(n):
            promoted, left, end = rng.exponential(scale), rng.exponential(2000), 2500.0
            days = min(promoted, left, end)
            code = 1 if days == promoted else (2 if days == left else 0)
            groups.append(group)
            durations.append(float(round(days) + 1))
            events.append(code)
    analysis = careers_over_time(np.array(durations), np.array(events), groups, reference="White")
    counts = {g: Counts(people=groups.count(g)) for g in ("White", "Black", "Asian")}
    counts["Unknown"] = Counts(people=7)
    return Journey(
        PROMOTION, "RWE", "broad", dt.date(2026, 3, 31), dt.date(2018, 4, 1), counts, analysis
    )


def check_svg(chart: Chart) -> ET.Element:
    """The chart renders to an SVG that parses, says its title and alt first, and has marks."""
    text = chart.svg()
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root[0], root[1]
    assert title.tag == f"{SVG}title" and title.text == chart.title
    assert desc.tag == f"{SVG}desc" and desc.text == chart.alt
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    marks = [g for g in root.iter(f"{SVG}g") if "role-mark" in (g.get("class") or "")]
    assert marks, "no mark groups in the SVG"
    drawn = sum(len(list(g)) for g in marks)
    assert drawn > 0, "the mark groups are empty"
    assert "url(http" not in text and 'href="http' not in text  # nothing fetched
    return root


def marks_of(root: ET.Element, kind: str) -> list[ET.Element]:
    """Mark groups of one kind ("symbol", "rule", "line", "rect", "text", "area")."""
    return [
        g
        for g in root.iter(f"{SVG}g")
        if f"mark-{kind}" in (g.get("class") or "") and "role-mark" in (g.get("class") or "")
    ]


def _dicts(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a Vega-Lite spec, depth first (layers, panels and encodings included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


def layer_data(chart: Chart) -> list[list[dict[str, Any]]]:
    """The inline data of every layer of the Vega-Lite spec (panels of a concat included)."""
    return [
        node["data"]["values"]
        for node in _dicts(chart.vega_lite())
        if isinstance(node.get("data"), dict) and "values" in node["data"]
    ]


def colour_scales(chart: Chart) -> dict[str, str]:
    """Every group-to-colour mapping in the spec's colour, fill and stroke scales."""
    mapping: dict[str, str] = {}
    for node in _dicts(chart.vega_lite()):
        for channel in ("color", "fill", "stroke"):
            encoding = node.get(channel)
            if isinstance(encoding, dict) and encoding.get("field") == "group":
                scale = encoding["scale"]
                for group, colour in zip(scale["domain"], scale["range"], strict=True):
                    assert mapping.setdefault(group, colour) == colour
    return mapping
