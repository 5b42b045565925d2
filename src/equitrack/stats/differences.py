"""Differences between shares in percentage points (WRES 9, board representation).

WRES 9 is not a ratio: it is the BME share of the board's voting members minus the BME share
of the workforce, in percentage points (negative = the board is less diverse than the staff).
"""

from __future__ import annotations

from fractions import Fraction

from ._common import Number, check_events, to_fraction


def points_difference(share: Number, reference_share: Number) -> Fraction:
    """100 × (share − reference_share) for two proportions between 0 and 1, exactly."""
    first, second = to_fraction(share), to_fraction(reference_share)
    for name, value in (("share", first), ("reference share", second)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be a proportion between 0 and 1, got {value}")
    return 100 * (first - second)


def representation_gap_points(
    group_members: int, members: int, workforce_share: Number
) -> Fraction | None:
    """Group share of ``members`` minus the group's workforce share, in percentage points.

    ``workforce_share`` is a proportion (0.186 for 18.6%), or an exact Fraction of counts.
    None when there are no members, so no share. Example: 2 BME of 14 voting members against
    an 18.6% BME workforce is −4.3143 points.
    """
    k, n = check_events(group_members, members, "board")
    if n == 0:
        return None
    return points_difference(Fraction(k, n), workforce_share)
