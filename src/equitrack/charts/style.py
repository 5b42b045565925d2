"""The look every chart shares: fonts, sizes, text colours, the title and where legends go.

Why in one place: reports and the dashboard put charts side by side, and NHS readers expect
the NHS.UK look (dark text on white, plain sans-serif type, titles in sentence case, left
aligned). Fonts are named, never fetched: vl-convert renders with local fonts, and Arial falls
back to any local sans-serif.
"""

from __future__ import annotations

from typing import Any

import altair

from .palette import MID_GREY, SECONDARY_TEXT, TEXT

FONT = "Arial, Helvetica, sans-serif"
WIDTH = 520


def titled(spec: Any, title: str, subtitle: str | list[str] | None = None) -> Any:
    """The chart with its title (and an optional line or two under it saying how to read it)."""
    params: dict[str, Any] = {"text": title, "anchor": "start"}
    if subtitle:
        params["subtitle"] = subtitle
    return spec.properties(title=altair.TitleParams(**params))


def finish(spec: Any) -> Any:
    """The shared configuration, applied once at the top level."""
    return (
        spec.configure(font=FONT, background="white")
        .configure_view(stroke=None)
        .configure_title(
            fontSize=16,
            fontWeight="bold",
            color=TEXT,
            subtitleColor=SECONDARY_TEXT,
            subtitleFontSize=12,
            anchor="start",
            offset=10,
        )
        .configure_axis(
            labelColor=TEXT,
            titleColor=TEXT,
            labelFontSize=12,
            titleFontSize=12,
            titleFontWeight="normal",
            gridColor=MID_GREY,
            domainColor=SECONDARY_TEXT,
            tickColor=SECONDARY_TEXT,
        )
        .configure_legend(
            labelColor=TEXT,
            titleColor=TEXT,
            labelFontSize=12,
            titleFontSize=12,
            titleFontWeight="normal",
            orient="bottom",
            direction="horizontal",
            columns=3,
            labelLimit=260,
        )
        .configure_header(labelColor=TEXT, titleColor=TEXT, labelFontSize=13)
        .configure_concat(spacing=24)
    )
