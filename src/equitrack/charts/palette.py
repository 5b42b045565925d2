"""Colours: one fixed colour for each group, on every chart, that colour-blind readers can tell apart.

Why fixed: a reader who has learnt that Black staff are vermillion on one chart must not meet
them in blue on the next, and a chart of three groups must not recolour the two it shares with
a chart of five. So a group's colour depends on its name only, never on its position.

The colours are Okabe and Ito's (2008) palette for colour vision deficiency, with grey for
Unknown. Ethnic groups are all distinct from one another (WRES and broad groups together, so
BME and Black differ too); disability and sex reuse the same hues for their reference and focus
groups, since they never share a chart with ethnicity. A detailed ethnic category takes its
broad group's colour. Colour is never the only cue: every chart also names groups on an axis,
in a legend or in its table, and the text alternative states the message without colour.

Making Data Count colours (grey, blue, orange, purple, red) carry meaning on SPC charts
(common cause, improvement, concern, neutral, target) and are kept for those charts only.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from equitrack.measures.counting import ordered
from equitrack.model import codes
from equitrack.stats.spc import (
    COMMON_CAUSE_COLOUR,
    CONCERN_COLOUR,
    IMPROVEMENT_COLOUR,
    NEUTRAL_COLOUR,
    TARGET_COLOUR,
    PointType,
)

#: Okabe–Ito, by name.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
BLUISH_GREEN = "#009E73"
REDDISH_PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#000000"
GREY = "#999999"

#: NHS identity colours for text, lines and shading (not for groups).
TEXT = "#212b32"
SECONDARY_TEXT = "#4c6272"
PALE_GREY = "#e8edee"
MID_GREY = "#d8dde0"

GROUP_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        codes.WHITE: BLUE,
        codes.BME: REDDISH_PURPLE,
        "Black": VERMILLION,
        "Asian": ORANGE,
        "Mixed": BLUISH_GREEN,
        "Other": SKY_BLUE,
        codes.UNKNOWN: GREY,
        "Not disabled": BLUE,
        "Disabled": VERMILLION,
        "Female": ORANGE,
        "Male": BLUISH_GREEN,
    }
)

#: Groups outside the fixed mapping get one of these, chosen from the name (stable across runs).
SPARE_COLOURS: tuple[str, ...] = (BLACK, YELLOW, SKY_BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE)

#: MDC point colours, by the words the charts use for each classification.
MDC_LABELS: Mapping[PointType, str] = MappingProxyType(
    {
        PointType.COMMON_CAUSE: "Common cause variation",
        PointType.IMPROVEMENT: "Special cause: improvement",
        PointType.CONCERN: "Special cause: concern",
        PointType.NEUTRAL_HIGH: "Special cause: neither better nor worse",
        PointType.NEUTRAL_LOW: "Special cause: neither better nor worse",
    }
)
MDC_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "Common cause variation": COMMON_CAUSE_COLOUR,
        "Special cause: improvement": IMPROVEMENT_COLOUR,
        "Special cause: concern": CONCERN_COLOUR,
        "Special cause: neither better nor worse": NEUTRAL_COLOUR,
    }
)
MDC_TARGET = TARGET_COLOUR


def group_colour(group: str) -> str:
    """The group's colour: fixed by name; a detailed category takes its broad group's."""
    if group in GROUP_COLOURS:
        return GROUP_COLOURS[group]
    category = codes.CATEGORY_BY_CODE.get(group[:1]) if group[1:2] == " " else None
    if category is not None:
        return group_colour(codes.DEFAULT_GROUPING.broad_group(category.code))
    return SPARE_COLOURS[zlib.crc32(group.encode("utf-8")) % len(SPARE_COLOURS)]


def group_order(groups: Iterable[str]) -> list[str]:
    """Groups in display order, each once: the measure tables' order (`ordered`)."""
    return ordered(dict.fromkeys(groups))


def group_scale(groups: Iterable[str]) -> tuple[list[str], list[str]]:
    """(domain, range) for a colour scale over these groups, in display order."""
    domain = group_order(groups)
    return domain, [group_colour(g) for g in domain]
