"""Differences between shares in percentage points (WRES 9, board representation), and the
headcount that would close one (Model Employer).

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


#: How posts are counted when closing a gap: as many as now, or added on top.
PARITY_MODES = ("replace", "add")


def headcount_for_parity(
    senior: int, senior_total: int, staff: int, staff_total: int, mode: str = "replace"
) -> int:
    """How many more of a group at 8a and above would make its share there equal its share of
    the workforce (`staff` of `staff_total`), at today's sizes; 0 once at or above parity.

    ``replace`` (default, the Model Employer way): senior posts stay as many as now and are
    filled as they fall vacant, so needed = ceil(w·N - n) with w = staff / staff_total, N =
    senior_total and n = senior. ``add``: the group's senior staff are added on top, and each
    addition also grows N, so needed = ceil((w·N - n) / (1 - w)). Exact integer arithmetic.
    """
    if mode not in PARITY_MODES:
        raise ValueError(f"mode must be one of {', '.join(PARITY_MODES)}, not {mode!r}")
    if staff_total <= 0:
        return 0
    short = staff * senior_total - senior * staff_total  # (w·N - n) × staff_total
    if short <= 0:
        return 0
    over = staff_total if mode == "replace" else staff_total - staff
    if over <= 0:
        return 0  # everyone in the workforce is in the group: no addition reaches parity
    return -(-short // over)  # ceiling division


def parity_pace(needed: int, year: int, target: int) -> int | None:
    """How many more a year, from reporting year `year`, reach `needed` by `target` (the
    Model Employer path: the same number each year, rounded up); None when the target year is
    not after `year`, as no yearly path is left."""
    years_left = target - year
    if years_left <= 0:
        return None
    return -(-max(needed, 0) // years_left)
