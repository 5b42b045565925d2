"""The look every chart shares: fonts, sizes, text colours, the title and where legends go.

Why in one place: reports and the dashboard put charts side by side, and NHS readers expect
the NHS.UK look (dark text on white, plain sans-serif type, titles in sentence case, left
aligned). Fonts are named, never fetched.

Why the text has room to spare: vl-convert lays a chart out by measuring its words with the
first font of `FONT` it finds, but the reader's browser or the PDF renderer draws them with the
first one *it* finds. DejaVu Sans comes first because it is the widest common sans-serif and the
one Linux falls back to where Arial is missing (the server that writes the PDF, most Linux
desktops): measured with it, no word is wider on screen or paper than the room it was given;
where DejaVu is not installed (Windows, macOS) Arial draws, narrower, with room to spare. On top
of that, titles wrap at the chart's width (`lines`) rather than running past it, and legends sit
under the chart in columns with padding, so no two labels can meet.
"""

from __future__ import annotations

import textwrap
from typing import Any

import altair

from .palette import MID_GREY, SECONDARY_TEXT, TEXT

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
WIDTH = 520
TITLE_SIZE = 16
SUBTITLE_SIZE = 12
#: The widest a character of `FONT` runs on average, as a share of the font size (DejaVu Sans
#: Bold averages about 0.56 in English words; a little over, so a line of capitals still fits).
CHARACTER_WIDTH = 0.62


def lines(text: str, width: float, font_size: float) -> list[str]:
    """``text`` in lines that fit ``width`` pixels at ``font_size``, broken between words."""
    characters = max(20, int(width / (CHARACTER_WIDTH * font_size)))
    return textwrap.wrap(text, characters, break_long_words=False) or [text]


def title_lines(title: str) -> list[str]:
    """A chart's title as it is drawn: in lines no wider than a chart's plot (`WIDTH`)."""
    return lines(title, WIDTH, TITLE_SIZE)


def titled(spec: Any, title: str, subtitle: str | list[str] | None = None) -> Any:
    """The chart with its title (and an optional line or two under it saying how to read it),
    each wrapped to the width of a plot, so neither runs past the chart."""
    params: dict[str, Any] = {"text": title_lines(title), "anchor": "start"}
    if subtitle:
        given = [subtitle] if isinstance(subtitle, str) else subtitle
        params["subtitle"] = [part for s in given for part in lines(s, WIDTH, SUBTITLE_SIZE)]
    return spec.properties(title=altair.TitleParams(**params))


def finish(spec: Any) -> Any:
    """The shared configuration, applied once at the top level."""
    return (
        spec.configure(font=FONT, background="white")
        .configure_view(stroke=None)
        .configure_title(
            fontSize=TITLE_SIZE,
            fontWeight="bold",
            color=TEXT,
            subtitleColor=SECONDARY_TEXT,
            subtitleFontSize=SUBTITLE_SIZE,
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
            columnPadding=24,
            rowPadding=6,
            labelLimit=WIDTH // 2,
        )
        .configure_header(labelColor=TEXT, titleColor=TEXT, labelFontSize=13)
        .configure_concat(spacing=24)
    )
