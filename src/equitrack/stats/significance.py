"""Two-sided p-value for a difference in rates between two groups.

The default is the z test on the log scale with the Katz standard error, the same scale as the
Katz interval, so for ordinary counts "p < 0.05" and "the interval excludes 1" agree. With
small expected counts the normal approximation is poor, and Fisher's exact test (conditional on
the margins) is used instead. The p-value does not depend on which group is the focus or on the
orientation: swapping the groups only inverts the ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from ._common import check_events


class SignificanceTest(StrEnum):
    Z_LOG = "z-log"
    FISHER = "fisher-exact"


@dataclass(frozen=True, slots=True)
class Significance:
    """A p-value, the test that produced it, and why, when there is none."""

    p_value: float | None
    test: SignificanceTest | None
    reason: str | None = None


def expected_counts(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float, float]:
    """Expected cells of the 2×2 table [[a, n1−a], [c, n2−c]] under equal rates.

    Order: group 1 events, group 1 non-events, group 2 events, group 2 non-events.
    """
    a, n1 = check_events(a, n1, "first group")
    c, n2 = check_events(c, n2, "second group")
    total = n1 + n2
    if n1 == 0 or n2 == 0:
        raise ValueError("expected counts need both groups to have staff")
    events = a + c
    non_events = total - events
    return (
        n1 * events / total,
        n1 * non_events / total,
        n2 * events / total,
        n2 * non_events / total,
    )


def log_z_p_value(a: int, n1: int, c: int, n2: int) -> float:
    """Two-sided p for ln((a/n1)/(c/n2)) = 0 with the Katz standard error; needs a, c > 0."""
    a, n1 = check_events(a, n1, "first group")
    c, n2 = check_events(c, n2, "second group")
    if a == 0 or c == 0:
        raise ValueError("the log-scale z test needs at least one event in each group")
    variance = Fraction(1, a) - Fraction(1, n1) + Fraction(1, c) - Fraction(1, n2)
    log_ratio = math.log(Fraction(a * n2, n1 * c))
    if variance == 0:  # a = n1 and c = n2: both rates are 100%, identical
        return 1.0
    z = abs(log_ratio) / math.sqrt(variance)
    return min(1.0, math.erfc(z / math.sqrt(2)))


#: Tables as likely as the observed one, to this relative tolerance, count as "as extreme"
#: (scipy.stats.fisher_exact's rule, so the two agree).
FISHER_TOLERANCE = 1e-7


def fisher_p_value(a: int, n1: int, c: int, n2: int) -> float:
    """Two-sided Fisher's exact test on [[a, n1−a], [c, n2−c]], as scipy.stats.fisher_exact.

    With the margins fixed, the first group's events follow a hypergeometric distribution;
    the p-value is the probability of every table no more likely than the one observed. Done
    here from log-gamma rather than by importing scipy.stats (a second's import for the first
    call, then about a millisecond a call; a suite makes thousands)."""
    a, n1 = check_events(a, n1, "first group")
    c, n2 = check_events(c, n2, "second group")
    n, k = n1 + n2, a + c
    low, high = max(0, k - n2), min(k, n1)
    if low == high:
        return 1.0
    whole = _log_choose(n, n1)

    def log_p(x: int) -> float:
        return _log_choose(k, x) + _log_choose(n - k, n1 - x) - whole

    limit = log_p(a) + math.log1p(FISHER_TOLERANCE)
    extreme = (log_p(x) for x in range(low, high + 1))
    return min(1.0, math.fsum(math.exp(p) for p in extreme if p <= limit))


def _log_choose(n: int, r: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(r + 1) - math.lgamma(n - r + 1)


def two_sided_p_value(
    focus_events: int,
    focus_population: int,
    reference_events: int,
    reference_population: int,
    *,
    min_expected: float = 5.0,
) -> Significance:
    """The p-value for "the two groups' rates differ", and which test gave it.

    Fisher's exact test when any expected count is below ``min_expected`` (5 by default), or
    when a group has no events (the log-scale z test is then undefined);
    otherwise the log-scale z test. An empty group gives no p-value, with the reason.
    """
    a, n1 = check_events(focus_events, focus_population, "focus group")
    c, n2 = check_events(reference_events, reference_population, "reference group")
    if n1 == 0 or n2 == 0:
        return Significance(None, None, "a group is empty, so there is nothing to test")
    small = min(expected_counts(a, n1, c, n2)) < min_expected
    if small or a == 0 or c == 0:
        return Significance(fisher_p_value(a, n1, c, n2), SignificanceTest.FISHER)
    return Significance(log_z_p_value(a, n1, c, n2), SignificanceTest.Z_LOG)
