"""The Chart type: an accessible SVG with its title and text alternative, and its table."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import altair
import pyarrow as pa
import pytest

from equitrack.charts import Chart

from .builders import SVG


def _chart(
    title: str = "Shares & ratios <by group>", alt: str = 'Black staff "were" 1.62 times'
) -> Chart:
    spec = (
        altair.Chart(altair.Data(values=[{"a": 1, "b": 2}, {"a": 2, "b": 3}]))
        .mark_point()
        .encode(x="a:Q", y="b:Q")
        .properties(title=title)
    )
    return Chart(title=title, alt=alt, table=pa.table({"a": [1, 2], "b": [2, 3]}), spec=spec)


def test_svg_carries_title_and_description_escaped() -> None:
    chart = _chart()
    root = ET.fromstring(chart.svg())
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title" and root[0].text == chart.title
    assert root[1].tag == f"{SVG}desc" and root[1].text == chart.alt
    ids = root.get("aria-labelledby").split()
    assert ids == [root[0].get("id"), root[1].get("id")]


def test_the_renderers_own_aria_is_replaced() -> None:
    """Vega names its mark groups (role="graphics-object" and so on); the chart is one image."""
    svg = _chart().svg()
    assert svg.count("role=") == 1 and 'role="img"' in svg
    assert "aria-label=" not in svg and "aria-roledescription=" not in svg


def test_aria_on_the_rendered_root_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """A renderer that labels the root itself (vl-convert does not, today) is overruled too."""
    import vl_convert

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" role="graphics-document" aria-label="x"><g/></svg>'
    )
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda *args, **kwargs: svg)
    root = ET.fromstring(_chart(title="T", alt="D").svg())
    assert root.get("role") == "img" and root.get("aria-label") is None
    assert [child.text for child in root[:2]] == ["T", "D"]


def test_vega_lite_has_the_alt_as_description() -> None:
    chart = _chart()
    spec = chart.vega_lite()
    assert spec["description"] == chart.alt
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


def test_rows_from_an_arrow_table() -> None:
    assert _chart().rows() == [{"a": 1, "b": 2}, {"a": 2, "b": 3}]


def test_no_external_data_is_fetched() -> None:
    import pytest

    spec = altair.Chart(altair.UrlData("https://example.com/data.csv")).mark_point().encode(x="a:Q")
    chart = Chart(title="t", alt="a", table=[], spec=spec)
    with pytest.raises(Exception, match="not allowed"):
        chart.svg()


def test_periods_read_as_people_write_them() -> None:
    from equitrack.charts.words import join, period_label

    assert [period_label(p) for p in (2026, 202504, 202603, "Q1")] == [
        "2025/26",
        "Apr 2025",
        "Mar 2026",
        "Q1",
    ]
    assert [join([]), join(["A"]), join(["A", "B"]), join(["A", "B", "C"])] == [
        "",
        "A",
        "A and B",
        "A, B and C",
    ]


def test_a_long_title_is_drawn_in_lines_no_wider_than_the_plot_and_again_once_named() -> None:
    from equitrack.charts.style import CHARACTER_WIDTH, TITLE_SIZE, WIDTH, finish, titled
    from equitrack.reports.naming import chart_named, namer

    title = "Relative likelihood of entering the formal disciplinary process, RWE, 2025/26"
    spec = finish(titled(_chart().spec, title, "Shaded: 0.80 to 1.25, non-adverse."))
    chart = Chart(title=title, alt="", table=[], spec=spec)
    most = WIDTH / (CHARACTER_WIDTH * TITLE_SIZE)  # characters a line of the plot's width holds
    drawn = chart.vega_lite()["title"]["text"]
    assert len(drawn) == 2 and all(len(line) <= most for line in drawn)
    assert " ".join(drawn) == title
    long_name = "Leicester, Leicestershire and Rutland integrated care system"
    named = chart_named(chart, namer({"RWE": long_name})).vega_lite()["title"]["text"]
    assert len(named) == 3 and all(len(line) <= most for line in named)
    assert " ".join(named) == title.replace("RWE", long_name)


def _clipped(title: str) -> Chart:
    """A chart whose marks the renderer clips: its SVG has a clip path, and refers to it."""
    spec = (
        altair.Chart(altair.Data(values=[{"a": 1, "b": 2}, {"a": 2, "b": 3}]))
        .mark_bar(clip=True)
        .encode(x=altair.X("a:Q", scale=altair.Scale(domain=[0, 1.5])), y="b:Q")
        .properties(title=title)
    )
    return Chart(title=title, alt=f"{title}, in words", table=[], spec=spec)


def test_a_chart_is_the_same_text_whatever_was_drawn_before_and_its_ids_its_own() -> None:
    """The renderer numbers its clip paths across the process: a chart kept on disk by one
    process and shown beside one another drew must neither differ nor share an id with it."""
    first = _clipped("First").svg()
    for n in range(3):
        _clipped(f"Other {n}").svg()
    again, other = _clipped("First").svg(), _clipped("Other 0").svg()
    assert again == first
    for svg in (first, other):
        ids = [e.get("id") for e in ET.fromstring(svg).iter() if e.get("id")]
        assert len(ids) == len(set(ids)) > 2  # the title's, the description's and a clip's
        for used in re.findall(r"url\(#([^)]+)\)", svg):
            assert used in ids
    first_ids = set(re.findall(r'\bid="([^"]+)"', first))
    assert first_ids.isdisjoint(re.findall(r'\bid="([^"]+)"', other))
