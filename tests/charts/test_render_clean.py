"""Every chart of every report kind renders cleanly in a browser: no word cut off at the edge,
no two words on top of each other (issue 19: titles cut short, legend labels over one another,
an axis title over a band's label).

The charts are the reports' own (`Report.charts()`), built from the mini system for an analyst
(every chart, every figure shown) and for the public (figures withheld, so the "not shown"
notes), so a chart added to a report is checked without a change here. Each is rendered to SVG
as the HTML and PDF outputs render it (`Chart.svg`) and drawn by headless Chromium; the
dashboard's charts are checked on its pages in tests/web/test_browser.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from equitrack.disclosure import Audience, load_policies
from equitrack.reports.write import ReportKind, build
from equitrack.store import Store
from tests.charts.rendering import svg_problems
from tests.web.browser import browser, new_page

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

if TYPE_CHECKING:
    from playwright.sync_api import Page

YEAR = 2026
ORG = "RXA"  # a WRES report is one organisation's
AUDIENCES = (Audience.ANALYST, Audience.PUBLIC)


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with browser() as chromium, new_page(chromium) as opened:
        yield opened


@pytest.fixture(scope="module")
def charts(loaded_system: Callable[..., Store], mini_measured: None) -> list[tuple[str, object]]:
    """(where, chart) for every chart of every report kind, for each audience."""
    mini = loaded_system("mini")
    policies = load_policies()
    found = []
    for kind in ReportKind:
        # the easy-read page draws no chart (it is words); once is enough to see it still does not
        for audience in AUDIENCES[:1] if kind is ReportKind.easy_read else AUDIENCES:
            org = ORG if kind is ReportKind.wres else None
            report = build(
                kind, mini, YEAR, org=org, policy=policies[audience], audience=audience.value
            )
            found += [(f"{kind.value} report ({audience.value})", c) for c in report.charts()]
    return found


def test_every_chart_of_every_report_renders_with_its_words_inside_and_apart(
    page: Page, charts: list[tuple[str, object]]
) -> None:
    kinds = {where.split(" report")[0] for where, _ in charts}
    assert {"scrutiny", "wres", "system"} <= kinds, f"charts found only in {sorted(kinds)}"
    failures = []
    for where, chart in charts:
        found = svg_problems(page, chart.svg())  # type: ignore[attr-defined]
        failures += [f"{where}, chart {chart.title!r}: {p}" for p in found]  # type: ignore[attr-defined]
    assert not failures, f"{len(failures)} problems in {len(charts)} charts:\n" + "\n".join(
        failures
    )


def test_every_chart_of_every_report_is_valid_vega_lite(charts: list[tuple[str, object]]) -> None:
    """Drawing skips the check against Vega-Lite's schema (`Chart.svg`), so it is made here:
    altair raises on a specification the schema refuses."""
    assert len(charts) > 20
    for _, chart in charts:
        assert chart.vega_lite()["description"] == chart.alt  # type: ignore[attr-defined]


def test_the_check_finds_words_off_the_edge_and_on_top_of_each_other(page: Page) -> None:
    """The check itself: it sees what the auditor saw, and not what is not there (labels set at
    an angle that do not touch, words hidden)."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
        '<text x="10" y="16" font-size="14">A title much too long to fit in the chart</text>'
        '<text x="10" y="40" font-size="12">Enough people to tell</text>'
        '<text x="100" y="40" font-size="12">Too few to tell</text>'
        '<text x="10" y="60" font-size="12" opacity="0">Hidden under the title</text>'
        '<text transform="translate(20,90) rotate(-45)" font-size="10">2021/22</text>'
        '<text transform="translate(40,90) rotate(-45)" font-size="10">2022/23</text>'
        '<text x="150" y="60" font-size="12"> </text>'
        "</svg>"
    )
    found = svg_problems(page, svg)
    assert len(found) == 2, found
    assert found[0].startswith("'A title much too long to fit in the chart' runs outside")
    assert found[1] == "'Enough people to tell' overlaps 'Too few to tell'"
