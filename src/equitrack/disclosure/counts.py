"""The rule for one count: suppressed when small, otherwise rounded; zero stays 0.

Kept apart from the gate so the one rule is stated once and can be tested by hand: with the
public rules 1–7 are suppressed (None), 8 → 10, 12 → 10, 13 → 15, and 0 stays 0.
"""

from __future__ import annotations

from fractions import Fraction

from equitrack.disclosure.policy import Policy


def rounded(value: int | Fraction, base: int) -> int:
    """`value` to the nearest multiple of `base`, halves up (the published convention)."""
    if base <= 1 and isinstance(value, int):
        return value
    return int((Fraction(value) / base + Fraction(1, 2)).__floor__()) * base


def is_small(value: int | Fraction, policy: Policy) -> bool:
    """A count that must not be shown: above zero and below the smallest count shown."""
    return 0 < value < policy.smallest_shown


def _suppressed_or_rounded(value: int | Fraction, policy: Policy) -> int | None:
    """A non-zero amount under a suppressing policy: None when small, else rounded.

    One that rounds to 0 without being 0 (possible only with unusual rules, say a smallest
    count shown of 1 and a base of 5) is suppressed too: 0 must always mean nobody.
    """
    if is_small(value, policy):
        return None
    shown = rounded(value, policy.rounding_base)
    return shown if shown > 0 else None


def shown_count(value: int, policy: Policy) -> int | None:
    """The figure shown for an exact count: None (suppressed), 0, or the rounded count."""
    if policy.exact or value == 0:
        return value
    return _suppressed_or_rounded(value, policy)


def shown_amount(value: float, policy: Policy) -> float | None:
    """`shown_count` for an amount of people that may be fractional (pay quarters spread ties
    evenly): small amounts suppressed, others rounded to the base."""
    if policy.exact or value == 0:
        return value
    shown = _suppressed_or_rounded(Fraction(value).limit_denominator(10_000), policy)
    return None if shown is None else float(shown)
