"""Whether a chart's words render cleanly in a browser: every text inside the picture and none
on top of another.

Why in a browser: vl-convert lays a chart out with the font it measures with, but a reader's
browser (and the PDF renderer) draws with the font it finds, so a title that fits when laid out
can still run off the edge, and two legend labels can meet, once drawn. Chromium draws the SVG
as a reader's browser would; each <text> element's box is read from it (`getBBox`, turned by its
transform into the SVG's own coordinates, so a label set at an angle is a turned rectangle, not
the larger upright box around it) and checked: inside the SVG's viewport, and clear of every
other text. Texts with no words and texts hidden (display, visibility, opacity) are left out.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: How far (pixels) a box may reach past the edge or into another before it counts: rounding.
TOLERANCE = 1.0

#: For the SVG element given: its viewport and each visible text's corners in its coordinates.
_TEXT_BOXES = """
(svg) => {
  const box = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width
    ? svg.viewBox.baseVal
    : {x: 0, y: 0, width: svg.width.baseVal.value, height: svg.height.baseVal.value};
  const hidden = (node) => {
    for (let p = node; p && p !== svg.parentNode; p = p.parentNode) {
      if (p.nodeType !== 1) continue;
      const style = getComputedStyle(p);
      if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) {
        return true;
      }
    }
    return false;
  };
  const inverse = svg.getScreenCTM().inverse();
  const texts = [];
  for (const t of svg.querySelectorAll('text')) {
    const words = (t.textContent || '').trim();
    if (!words || hidden(t)) continue;
    const b = t.getBBox();
    if (!b.width || !b.height) continue;
    const m = inverse.multiply(t.getScreenCTM());
    const corners = [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
                     [b.x, b.y + b.height]].map(([x, y]) => [m.a * x + m.c * y + m.e,
                                                              m.b * x + m.d * y + m.f]);
    texts.push({words, corners});
  }
  return {viewport: [box.x, box.y, box.width, box.height], texts};
}
"""

Point = tuple[float, float]


@dataclass(frozen=True)
class Text:
    words: str
    corners: tuple[Point, ...]  # four, in order round the box


def _projection(corners: tuple[Point, ...], axis: Point) -> tuple[float, float]:
    values = [x * axis[0] + y * axis[1] for x, y in corners]
    return min(values), max(values)


def _axes(corners: tuple[Point, ...]) -> list[Point]:
    """The two directions across a box's sides (unit length)."""
    out = []
    for (x1, y1), (x2, y2) in itertools.pairwise(corners[:3]):
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        out.append((-dy / length, dx / length))
    return out


def overlap(a: Text, b: Text, tolerance: float = TOLERANCE) -> bool:
    """Whether two (possibly turned) boxes overlap by more than ``tolerance`` every way: the
    separating axis test, for two rectangles."""
    for axis in _axes(a.corners) + _axes(b.corners):
        low_a, high_a = _projection(a.corners, axis)
        low_b, high_b = _projection(b.corners, axis)
        if min(high_a, high_b) - max(low_a, low_b) <= tolerance:
            return False
    return True


def outside(text: Text, viewport: tuple[float, float, float, float], tolerance: float) -> bool:
    x0, y0, width, height = viewport
    return any(
        x < x0 - tolerance
        or y < y0 - tolerance
        or x > x0 + width + tolerance
        or y > y0 + height + tolerance
        for x, y in text.corners
    )


def problems(found: dict, tolerance: float = TOLERANCE) -> list[str]:
    """What is wrong with the texts ``found`` by `_TEXT_BOXES`, one line each."""
    viewport = tuple(found["viewport"])
    texts = [Text(t["words"], tuple(tuple(c) for c in t["corners"])) for t in found["texts"]]
    said = [
        f"{t.words!r} runs outside the chart ({_span(t)} in {viewport[2]:.0f} x {viewport[3]:.0f})"
        for t in texts
        if outside(t, viewport, tolerance)  # type: ignore[arg-type]
    ]
    said += [
        f"{a.words!r} overlaps {b.words!r}"
        for a, b in itertools.combinations(texts, 2)
        if overlap(a, b, tolerance)
    ]
    return said


def _span(t: Text) -> str:
    xs, ys = [x for x, _ in t.corners], [y for _, y in t.corners]
    return f"x {min(xs):.0f} to {max(xs):.0f}, y {min(ys):.0f} to {max(ys):.0f}"


def svg_problems(page: Page, svg: str) -> list[str]:
    """Put one chart's SVG on ``page`` on its own, as a report's page holds it, and check it."""
    page.set_content(f"<!doctype html><html lang='en'><body style='margin:0'>{svg}</body></html>")
    return problems(page.locator("svg").first.evaluate(_TEXT_BOXES))


def page_problems(
    page: Page, selector: str = "main svg[role='img']"
) -> list[tuple[str, list[str]]]:
    """Every chart on the page as it is (its styles applied): its title and what is wrong."""
    out = []
    charts = page.locator(selector)
    for i in range(charts.count()):
        chart = charts.nth(i)
        title = (chart.locator(":scope > title").text_content() or f"chart {i + 1}").strip()
        out.append((title, problems(chart.evaluate(_TEXT_BOXES))))
    return out
