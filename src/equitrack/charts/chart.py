"""A chart as reports and the dashboard use it: picture, words and numbers together.

Why one type: a chart is not done until a reader who cannot see it gets the same message
(``alt``, computed from the data) and a reader who wants the figures gets them (``table``). So
every builder returns a :class:`Chart`, and :meth:`Chart.svg` writes the title and the text
alternative into the SVG itself (``<title>``, ``<desc>``, ``role="img"``, ``aria-labelledby``)
so the words travel with the picture into any page or document.

Rendering is local: vl-convert runs Vega-Lite in-process, and external data URLs are refused,
so a chart never touches the network.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

import altair

if TYPE_CHECKING:
    import pyarrow as pa

Rows = list[dict[str, Any]]

_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_REPLACED_ATTRIBUTES = re.compile(
    r'\s(?:role|aria-label|aria-labelledby|aria-roledescription)="[^"]*"'
)


def _vega_lite_version() -> str:
    """The Vega-Lite version Altair writes ("6.4" for schema v6.4.1), for vl-convert."""
    major, minor, *_ = altair.SCHEMA_VERSION.lstrip("v").split(".")
    return f"{major}.{minor}"


@dataclass(frozen=True, eq=False)
class Chart:
    """A chart: its ``title``, its message in words (``alt``), its data (``table``) and ``spec``.

    ``table`` holds one dict per row with readable column names (or an Arrow table); a figure
    that is not shown is None there. ``spec`` is the Altair chart, already titled and styled.
    """

    title: str
    alt: str
    table: Rows | pa.Table
    spec: Any  # an Altair top-level chart (Chart, LayerChart, VConcatChart, ...)

    def vega_lite(self, validate: bool = True) -> dict[str, Any]:
        """The Vega-Lite specification, with the text alternative as its description (checked
        against Vega-Lite's schema unless not `validate`)."""
        spec = self.spec.to_dict(validate=validate)
        spec["description"] = self.alt
        return spec

    def rows(self) -> Rows:
        """The table as a list of dicts, whichever form it was given in."""
        if isinstance(self.table, list):
            return self.table
        return self.table.to_pylist()

    def svg(self) -> str:
        """An accessible SVG: ``role="img"`` labelled by its ``<title>`` and ``<desc>``. Drawn
        without checking the specification against the schema, which takes as long as drawing
        it (a page's first request draws several): every report's chart is checked in the tests
        (tests/charts/test_render_clean.py)."""
        import vl_convert

        raw = vl_convert.vegalite_to_svg(
            self.vega_lite(validate=False), vl_version=_vega_lite_version(), allowed_base_urls=[]
        )
        return _accessible(raw, self.title, self.alt)


#: ARIA the renderer puts on the marks inside: a chart is one image, named by its title and
#: description, and Vega's empty mark groups would otherwise be unnamed graphics (axe
#: svg-img-alt) that assistive technology reads as clutter.
_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def _accessible(svg: str, title: str, description: str) -> str:
    """Put ``<title>`` and ``<desc>`` first in the root element and point ARIA at them."""
    key = hashlib.sha1(f"{title}\n{description}".encode()).hexdigest()[:10]
    opening = _SVG_OPEN.search(svg)
    if opening is not None:
        head, body = svg[: opening.end()], svg[opening.end() :]
        svg = head + _own_ids(_INNER_ARIA.sub("", body), f"chart-{key}")
        opening = _SVG_OPEN.search(svg)
    if opening is None:
        raise ValueError("vl-convert returned something that is not an SVG document")
    title_id, desc_id = f"chart-{key}-title", f"chart-{key}-desc"
    tag = _REPLACED_ATTRIBUTES.sub("", opening.group(0))[:-1]
    tag += f' role="img" aria-labelledby={quoteattr(f"{title_id} {desc_id}")}>'
    inserted = (
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>"
        f"<desc id={quoteattr(desc_id)}>{escape(description)}</desc>"
    )
    return svg[: opening.start()] + tag + inserted + svg[opening.end() :]


#: An element's id, and the references to one (a clip path, a gradient).
_ID = re.compile(r'\bid="([^"]+)"')


def _own_ids(body: str, prefix: str) -> str:
    """The renderer's ids (its clip paths, gradients), which it numbers across the process,
    named after the chart instead, in order: a chart is the same text whichever process drew
    it and whatever it drew before (so a chart kept on disk is the one drawn now), and two
    charts drawn apart never share an id on one page."""
    found = dict.fromkeys(_ID.findall(body))
    if not found:
        return body
    names = {old: f"{prefix}-{i}" for i, old in enumerate(found, 1)}
    alternatives = "|".join(re.escape(old) for old in sorted(names, key=len, reverse=True))
    used = re.compile(rf'(\bid="|url\(#|href="#)({alternatives})(?=[")])')
    return used.sub(lambda m: m.group(1) + names[m.group(2)], body)
