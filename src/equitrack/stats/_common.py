"""Shared input handling: counts are checked once, numbers are made exact once.

Every public function takes counts as plain integers. Checking them in one place keeps the
error messages the same everywhere, and converting to :class:`fractions.Fraction` lets bands
and display rounding be decided on the exact value rather than on a binary float that
misrepresents it (0.3 / 0.1875 is 1.5999999999999999 in floating point).
"""

from __future__ import annotations

import math
import operator
from decimal import Decimal
from fractions import Fraction

#: Two-sided 95% normal quantile, to the precision the specification fixes.
Z95 = 1.959964

Number = int | float | Fraction | Decimal


def check_count(value: int, name: str) -> int:
    """A count must be a whole number of people, zero or more (numpy integers are fine)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a whole number, not a bool")
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be a whole number, got {value!r}") from None
    if count < 0:
        raise ValueError(f"{name} must be zero or more, got {count}")
    return count


def check_events(events: int, population: int, group: str = "") -> tuple[int, int]:
    """Events are people in the population, so there cannot be more of them than it has."""
    prefix = f"{group} " if group else ""
    k = check_count(events, f"{prefix}events")
    n = check_count(population, f"{prefix}population")
    if k > n:
        raise ValueError(f"{prefix}events ({k}) exceed the {prefix}population ({n})")
    return k, n


def to_fraction(value: Number) -> Fraction:
    """The exact value a number stands for; a float stands for its shortest decimal form.

    ``repr`` of a float is the shortest decimal that reads back as the same float, so 2.675
    becomes exactly 2675/1000 here although the float itself is 2.67499999999999982…
    That is the value a person typed or saw, and the one display rounding should act on.
    """
    if isinstance(value, bool):
        raise TypeError("a bool is not a number here")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(repr(value))
    # numpy scalars and the like
    try:
        return Fraction(operator.index(value))
    except TypeError:
        pass
    as_float = float(value)
    if not math.isfinite(as_float):
        raise ValueError(f"not a finite number: {value!r}")
    return Fraction(repr(as_float))
