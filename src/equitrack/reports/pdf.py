"""The PDF is the HTML, printed by WeasyPrint: one content, two forms.

It is written as PDF/UA-1, a tagged PDF whose structure tree carries the headings, tables and
figures of the HTML, with the document's title and language (the Public Sector Bodies
Accessibility Regulations 2018 ask this of a document a council publishes). A chart's
alternative text in the PDF is its title and its description in words, as a screen reader
hears them in the HTML.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

#: The PDF standard every report is written to (WeasyPrint's name for it).
VARIANT = "pdf/ua-1"
_SVG = "{http://www.w3.org/2000/svg}"


def alt_text(title: str, description: str) -> str:
    """A chart's alternative text in the PDF: its title, then what it shows."""
    title, description = " ".join(title.split()), " ".join(description.split())
    if not description:
        return title
    return f"{title.rstrip('.')}. {description}" if title else description


def _describe_charts(root: Element) -> None:
    """WeasyPrint takes a figure's alternative text from its SVG `<title>` alone: the
    description is added to it, so the PDF's figure says what the chart shows, not only its
    name. (A `<title>` is never drawn, so the picture is unchanged.)"""
    for svg in root.iter(f"{_SVG}svg"):
        title = svg.find(f"{_SVG}title")
        desc = svg.find(f"{_SVG}desc")
        if title is not None:
            title.text = alt_text(title.text or "", "" if desc is None else desc.text or "")


def write_pdf(html_text: str, path: Path) -> None:
    import weasyprint

    # WeasyPrint warns about every CSS property it ignores (screen-only rules): not the user's
    # concern, so its log stays quiet unless something fails
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html_text)
    _describe_charts(document.etree_element)
    document.write_pdf(path, pdf_variant=VARIANT)
