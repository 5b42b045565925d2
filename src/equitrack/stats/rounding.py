"""Display rounding: half up, on the decimal value, and only at the very end.

Python's ``round`` rounds half to even and acts on the binary float, so ``round(2.675, 2)`` is
2.67 and ``round(1.125, 2)`` is 1.12. Published WRES figures round half up (1.125 → 1.13), so
rounding here is done with :mod:`decimal` on the value the number stands for: an exact
Fraction of counts when available, otherwise the float's shortest decimal form (``repr``).
Ties go away from zero (as Excel's ROUND does), so −4.315 shows as −4.32.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ._common import Number, to_fraction

RATIO_PLACES = 2
SHARE_PLACES = 1
POINTS_PLACES = 2


def round_half_up(value: Number | str, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimal places, ties away from zero, as a Decimal."""
    if places < 0:
        raise ValueError("places must be zero or more")
    exact = to_fraction(Decimal(value)) if isinstance(value, str) else to_fraction(value)
    whole = int(abs(exact) * 10**places + Fraction(1, 2))  # floor: the half rounds up
    sign = 1 if exact < 0 and whole != 0 else 0  # no "-0.00"
    return Decimal((sign, tuple(int(digit) for digit in str(whole)), -places))


def format_number(value: Number | None, places: int, *, missing: str = "undefined") -> str:
    """``value`` rounded half up to ``places`` places, as text; never "-0.00"."""
    if value is None:
        return missing
    return str(round_half_up(value, places))


def format_ratio(
    value: Number | None, *, places: int = RATIO_PLACES, missing: str = "undefined"
) -> str:
    """A relative likelihood for display: 2 dp by default (1.125 → "1.13")."""
    return format_number(value, places, missing=missing)


def format_share(
    proportion: Number | None, *, places: int = SHARE_PLACES, missing: str = "undefined"
) -> str:
    """A proportion (0 to 1) shown as a percentage to 1 dp: 2/14 → "14.3%"."""
    if proportion is None:
        return missing
    return f"{round_half_up(to_fraction(proportion) * 100, places)}%"


def format_points(
    points: Number | None, *, places: int = POINTS_PLACES, missing: str = "undefined"
) -> str:
    """A difference in percentage points, to 2 dp: −4.3143 → "-4.31"."""
    return format_number(points, places, missing=missing)


def format_interval(
    low: Number | None,
    high: Number | None,
    *,
    places: int = RATIO_PLACES,
    missing: str = "no interval",
) -> str:
    """An interval as "1.35 to 1.90"; a missing upper limit reads "no upper limit"."""
    if low is None:
        return missing
    upper = "no upper limit" if high is None else str(round_half_up(high, places))
    return f"{round_half_up(low, places)} to {upper}"
