"""A rate with its 95% Wilson score interval.

Wilson's interval (Wilson 1927; recommended by Newcombe 1998, Statistics in Medicine 17:857-872,
and used by PHE/OHID Fingertips) stays inside [0, 1] and behaves sensibly at 0 and at 100%,
where the textbook Wald interval collapses to a width of zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ._common import Z95, check_events
from .reasons import Code, Reason


@dataclass(frozen=True, slots=True)
class Proportion:
    """``events`` of ``population`` people, as a rate with a Wilson interval.

    ``rate``, ``ci_low`` and ``ci_high`` are None only when the population is empty, and then
    ``reason`` says so.
    """

    events: int
    population: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    reason: str | None = None
    why: Reason | None = None  # `reason` as data (`equitrack.stats.reasons`)

    @property
    def exact(self) -> Fraction | None:
        """The rate as an exact fraction, for display rounding and band decisions."""
        return None if self.population == 0 else Fraction(self.events, self.population)


def wilson_interval(events: int, population: int, *, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for events/population.

    At 0 events the lower limit is exactly 0 and the upper is z²/(n + z²); at n events the
    upper limit is exactly 1. Raises ValueError for an empty population, which has no rate:
    use :func:`proportion` to get that reported rather than raised.
    """
    k, n = check_events(events, population)
    if n == 0:
        raise ValueError("an empty population has no rate, so no interval")
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = (z / denominator) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if k == 0 else max(0.0, centre - half_width)
    high = 1.0 if k == n else min(1.0, centre + half_width)
    return low, high


def proportion(events: int, population: int, *, z: float = Z95) -> Proportion:
    """The rate events/population with its Wilson interval; an empty population has none."""
    k, n = check_events(events, population)
    if n == 0:
        why = Reason(Code.EMPTY_POPULATION)
        return Proportion(k, n, None, None, None, why.words, why)
    low, high = wilson_interval(k, n, z=z)
    return Proportion(k, n, k / n, low, high)
