"""The four Making Data Count special-cause rules, over one series' sides, bands and values.

Kept apart from :mod:`equitrack.stats.spc` so that each rule can be read, and tested, on its own:
these functions know nothing about how the centre and limits were found (XmR or p-chart), only
which side of the centre each point lies and whether it is beyond the inner line or the limits.

A missing period (``None``) ends every run: a trend, a shift and a 2-of-3 window are all made of
*consecutive* periods, and a gap means we do not know what happened there. Each function returns
one entry per input position, missing positions included (they are never flagged).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise

#: Points in a trend (each strictly above, or below, the one before) or a shift (all on one side).
RUN_LENGTH = 7


class SpecialCauseRule(StrEnum):
    """The rules in Making Data Count's priority order: the first that applies names the point."""

    OUTSIDE_LIMITS = "outside_limits"  # a point beyond a process limit
    TREND = "trend"  # 7 points each strictly above (or below) the previous
    TWO_IN_THREE = "two_in_three"  # 2 of 3 on one side beyond the inner (2-sigma) line
    SHIFT = "shift"  # 7 consecutive points on the same side of the centre


class TwoInThreeRule(StrEnum):
    """Which points count towards "2 of 3 beyond the inner line".

    ``classic`` is NHSRplotthedots (and MDC before November 2023): only points between the inner
    line and the process limit count, so a point beyond the limit does not help its neighbour.
    ``mdc_2023`` is NHS England's November 2023 revision (NHSRplotthedots issue #194): every
    point beyond the inner line counts, including points beyond the limits. Either way all three
    points must be on the same side of the centre, and only the counted points are flagged.
    """

    CLASSIC = "classic"
    MDC_2023 = "mdc_2023"


def consecutive_stretches(present: Sequence[bool]) -> Iterator[range]:
    """Maximal runs of positions that all have a value; a missing position separates them."""
    start: int | None = None
    for i, here in enumerate(present):
        if here and start is None:
            start = i
        elif not here and start is not None:
            yield range(start, i)
            start = None
    if start is not None:
        yield range(start, len(present))


def _windows(present: Sequence[bool], width: int) -> Iterator[range]:
    """Every window of ``width`` consecutive positions with no missing value, in order."""
    for stretch in consecutive_stretches(present):
        for start in range(stretch.start, stretch.stop - width + 1):
            yield range(start, start + width)


def trend_directions(values: Sequence[Fraction | None], run: int = RUN_LENGTH) -> list[int]:
    """+1 for a point in a rising trend, -1 in a falling one, 0 otherwise.

    A trend is ``run`` consecutive points each strictly above (or strictly below) the one before;
    an equal pair breaks it, so does a gap. Every point of the window is part of the trend, and a
    longer trend is made of overlapping windows. A turning point that ends a rising trend and
    starts a falling one (or the reverse) takes the direction of the trend it starts, as
    NHSRplotthedots does ("if a point is part of a trend either side, use right side").
    """
    directions = [0] * len(values)
    present = [v is not None for v in values]
    for window in _windows(present, run):
        run_values = [v for v in (values[i] for i in window) if v is not None]
        steps = [_sign(b - a) for a, b in pairwise(run_values)]
        if all(s == 1 for s in steps):
            direction = 1
        elif all(s == -1 for s in steps):
            direction = -1
        else:
            continue
        for i in window:  # windows come in order of start, so a later trend overrides
            directions[i] = direction
    return directions


def shift_members(sides: Sequence[int | None], run: int = RUN_LENGTH) -> list[bool]:
    """True for points in a run of ``run`` consecutive points on the same side of the centre.

    ``sides`` are -1 (below), 0 (exactly on the centre) or +1 (above); a point on the centre
    belongs to neither side, so it breaks a shift, as does a gap.
    """
    members = [False] * len(sides)
    present = [s is not None for s in sides]
    for window in _windows(present, run):
        first = sides[window[0]]
        if first != 0 and all(sides[i] == first for i in window):
            for i in window:
                members[i] = True
    return members


def two_in_three_members(sides: Sequence[int | None], counted: Sequence[bool]) -> list[bool]:
    """True for counted points in some 3 consecutive points, all on one side, 2+ of them counted.

    ``counted`` says which points count towards the rule (beyond the inner line, and for the
    classic rule not beyond the limit; see :class:`TwoInThreeRule`). The third point must be on
    the same side of the centre but is flagged only if it is counted itself.
    """
    if len(sides) != len(counted):
        raise ValueError("one side and one counted flag per point")
    members = [False] * len(sides)
    present = [s is not None for s in sides]
    for window in _windows(present, 3):
        first = sides[window[0]]
        same_side = first != 0 and all(sides[i] == first for i in window)
        if same_side and sum(counted[i] for i in window) >= 2:
            for i in window:
                if counted[i]:
                    members[i] = True
    return members


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)
