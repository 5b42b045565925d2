"""Relative likelihood (a risk ratio) oriented so that above 1 means the focus group fares worse.

WRES writes its ratios both ways round: appointment from shortlisting (WRES 2) and access to
training (WRES 4) are L_White / L_BME, while entry into formal disciplinary (WRES 3) is
L_BME / L_White. The rule behind both is that a relative likelihood above 1 means BME staff
fare worse. :func:`relative_likelihood` makes that rule the API: say which group is the focus
(BME, Black, disabled…), which is the reference (White, non-disabled…), and whether the event is
a benefit or a harm, and the ratio comes back the right way up.

Intervals:

* every event count above zero: the Katz log interval (Katz, Baptista, Azen & Pike 1978,
  Biometrics 34:469-474), exp(ln RL ± z·sqrt(1/a − 1/n1 + 1/c − 1/n2)), as the spec requires;
* an event count of zero: the Koopman asymptotic score interval (Koopman 1984, Biometrics
  40:513-517), the set of ratios φ not rejected by the Pearson score test of p1 = φ·p2 with p1
  and p2 estimated under that constraint (Miettinen & Nurminen 1985's restricted estimate,
  without their N/(N−1) variance correction). It is the interval for a ratio of two binomial
  proportions that Fagerland, Lydersen & Laake (2015, Statistical Methods in Medical Research
  24:224-254) recommend, it needs no continuity constants, and it stays defined when a group
  has no events: with 0 events in the numerator group the ratio is 0 and the interval runs from
  0 to a finite upper limit; with 0 in the denominator group the ratio is undefined but the
  interval still has a finite lower limit, which is what tells a reader whether the focus group
  is worse off. Its limits are invariant to swapping the groups (φ ↔ 1/φ).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from ._common import Z95, Number, check_events, to_fraction
from .reasons import Code, Reason


class Orientation(StrEnum):
    """What the event is for the person it happens to; decides which way up the ratio is."""

    #: Something staff want (appointment after shortlisting, non-mandatory training). Being
    #: less likely to get it is worse, so ratio = reference rate / focus rate (WRES 2 and 4).
    BENEFIT = "benefit"
    #: Something staff do not want (entering a formal disciplinary process, dismissal). Being
    #: more likely to get it is worse, so ratio = focus rate / reference rate (WRES 3).
    HARM = "harm"
    #: Neither (how people joined: through international recruitment). The ratio is put as
    #: for a harm, focus rate / reference rate, so above 1 means "more likely", and a
    #: difference is described as a difference: never adverse, favourable or a gap.
    NEUTRAL = "neutral"

    @property
    def focus_over_reference(self) -> bool:
        """Whether the ratio is the focus group's rate over the reference's (harm, neutral)."""
        return self is not Orientation.BENEFIT


class IntervalMethod(StrEnum):
    KATZ = "katz"
    KOOPMAN = "koopman"


@dataclass(frozen=True, slots=True)
class RatioEstimate:
    """A relative likelihood with its 95% interval, oriented so that > 1 means worse for focus.

    ``ratio`` is None when it is undefined (no events in the group whose rate is the
    denominator, or an empty group) and 0.0 when the numerator group has no events; either
    way ``reason`` says why in words. ``ci_high`` is None when the interval has no finite
    upper limit, and both limits are None only when a group is empty. ``exact`` is the ratio as
    a fraction of counts, so that bands and display rounding are decided on the true value.
    """

    ratio: float | None
    exact: Fraction | None
    ci_low: float | None
    ci_high: float | None
    method: IntervalMethod | None
    reason: str | None = None
    why: Reason | None = None  # `reason` as data (`equitrack.stats.reasons`)


def katz_interval(a: int, n1: int, c: int, n2: int, *, z: float = Z95) -> tuple[float, float]:
    """Katz log interval for (a/n1)/(c/n2); needs a > 0 and c > 0.

    The variance 1/a − 1/n1 + 1/c − 1/n2 is summed exactly (fractions), so it is never a
    small negative number from rounding; it is 0 only when a = n1 and c = n2.
    """
    a, n1 = check_events(a, n1, "numerator group")
    c, n2 = check_events(c, n2, "denominator group")
    if a == 0 or c == 0:
        raise ValueError("the Katz interval needs at least one event in each group")
    log_ratio = math.log(Fraction(a * n2, n1 * c))
    se = math.sqrt(Fraction(1, a) - Fraction(1, n1) + Fraction(1, c) - Fraction(1, n2))
    return math.exp(log_ratio - z * se), math.exp(log_ratio + z * se)


def koopman_score(a: int, n1: int, c: int, n2: int, phi: float) -> float:
    """Koopman's chi-square statistic for H0: (true rate 1) = phi · (true rate 2).

    Pearson's statistic with the two rates estimated under the constraint (the smaller root of
    Miettinen & Nurminen's quadratic, written in the cancellation-free form 2C/(−B + √(B²−4AC))).
    """
    if phi <= 0:
        raise ValueError("phi must be positive")
    total_events = a + c
    if total_events == 0:
        return 0.0
    big_a = (n1 + n2) * phi
    big_b = -(n1 * phi + a + n2 + c * phi)
    discriminant = max(big_b * big_b - 4 * big_a * total_events, 0.0)
    p2 = 2 * total_events / (-big_b + math.sqrt(discriminant))
    p1 = phi * p2
    statistic = 0.0
    for events, population, p in ((a, n1, p1), (c, n2, p2)):
        expected = population * p
        spread = expected * (1 - p)
        if spread <= 0:
            if not math.isclose(events, expected, abs_tol=1e-12):
                return math.inf
            continue
        statistic += (events - expected) ** 2 / spread
    return statistic


def _koopman_upper(a: int, n1: int, c: int, n2: int, z: float) -> float | None:
    """Upper Koopman limit for (a/n1)/(c/n2); None when there is none (c = 0)."""
    if c == 0:
        return None
    critical = z * z

    def excess(log_phi: float) -> float:
        return koopman_score(a, n1, c, n2, math.exp(log_phi)) - critical

    # Start at the estimate (where the statistic is 0) or, for an estimate of 0, at a ratio
    # small enough that the statistic is below the critical value, and step up to bracket.
    if a > 0:
        low = math.log(Fraction(a * n2, n1 * c))
    else:
        low = math.log(Fraction(n2, n1 * c)) - 1.0
        while excess(low) >= 0:
            low -= 4.0
    high = low + 1.0
    while excess(high) < 0:
        high += 2.0
        if high > 700:  # exp(700) is near the float limit: no finite upper limit
            return None
    return math.exp(_root(excess, low, high))


def _root(f: Callable[[float], float], low: float, high: float) -> float:
    from scipy.optimize import brentq

    return float(brentq(f, low, high, xtol=1e-13, rtol=1e-13, maxiter=200))


def koopman_interval(
    a: int, n1: int, c: int, n2: int, *, z: float = Z95
) -> tuple[float, float | None]:
    """Koopman score interval for (a/n1)/(c/n2); the upper limit is None when unbounded.

    The lower limit is computed as 1 / (upper limit with the groups swapped), which is the
    same root of the same symmetric statistic, so swapping groups inverts the interval exactly.
    With no events in either group every ratio is consistent with the data: (0, None).
    """
    a, n1 = check_events(a, n1, "numerator group")
    c, n2 = check_events(c, n2, "denominator group")
    if n1 == 0 or n2 == 0:
        raise ValueError("an empty group has no rate, so there is no ratio to bound")
    high = _koopman_upper(a, n1, c, n2, z)
    swapped_high = _koopman_upper(c, n2, a, n1, z)
    low = 0.0 if swapped_high is None else 1.0 / swapped_high
    return low, high


def risk_ratio(
    a: int,
    n1: int,
    c: int,
    n2: int,
    *,
    z: float = Z95,
    names: tuple[str, str] = ("numerator group", "denominator group"),
) -> RatioEstimate:
    """(a/n1)/(c/n2) with its interval, the numerator group first; no orientation applied.

    ``names`` label the two groups in the reasons given for zero counts and empty groups.
    Prefer :func:`relative_likelihood`, which orients the ratio for you.
    """
    top, bottom = names
    a, n1 = check_events(a, n1, top)
    c, n2 = check_events(c, n2, bottom)
    if n1 == 0 or n2 == 0:
        empty = [name for name, n in ((top, n1), (bottom, n2)) if n == 0]
        why = Reason(Code.EMPTY_GROUPS, {"groups": ",".join(empty)})
        return RatioEstimate(None, None, None, None, None, why.words, why)
    if a > 0 and c > 0:
        exact = Fraction(a * n2, n1 * c)
        low, high = katz_interval(a, n1, c, n2, z=z)
        return RatioEstimate(float(exact), exact, low, high, IntervalMethod.KATZ)
    low, high = koopman_interval(a, n1, c, n2, z=z)
    if a == 0 and c == 0:
        why = Reason(Code.NO_EVENTS_EITHER)
        return RatioEstimate(None, None, low, high, IntervalMethod.KOOPMAN, why.words, why)
    if c == 0:
        why = Reason(Code.UNDEFINED_RATIO, {"group": bottom})
        return RatioEstimate(None, None, low, high, IntervalMethod.KOOPMAN, why.words, why)
    why = Reason(Code.ZERO_RATIO, {"group": top})
    return RatioEstimate(0.0, Fraction(0), low, high, IntervalMethod.KOOPMAN, why.words, why)


def relative_likelihood(
    focus_events: int,
    focus_population: int,
    reference_events: int,
    reference_population: int,
    *,
    orientation: Orientation | str,
    z: float = Z95,
) -> RatioEstimate:
    """WRES relative likelihood of the focus group against the reference group.

    The returned ``ratio`` is oriented so that **above 1 means the focus group fares worse**:

    * ``Orientation.HARM`` (WRES 3, disciplinary): ratio = L_focus / L_reference;
    * ``Orientation.BENEFIT`` (WRES 2 appointment, WRES 4 training): ratio = L_reference / L_focus.

    Example, WRES 2: BME (focus) 150 appointed of 800 shortlisted, White (reference) 300 of
    1,000, ``orientation="benefit"`` gives 0.30 / 0.1875 = 1.60.
    """
    orientation = Orientation(orientation)
    focus = (focus_events, focus_population, "focus group")
    reference = (reference_events, reference_population, "reference group")
    top, bottom = (focus, reference) if orientation.focus_over_reference else (reference, focus)
    return risk_ratio(top[0], top[1], bottom[0], bottom[1], z=z, names=(top[2], bottom[2]))


def relative_likelihood_from_rates(
    focus_rate: Number, reference_rate: Number, *, orientation: Orientation | str
) -> Fraction | None:
    """The oriented ratio from two published rates (in any one unit, e.g. both in percent).

    For checking published figures when only rates are given; rates typed as floats are
    taken at their decimal value (46.99 is 4699/100). None when the rate that would be the
    denominator is 0.
    """
    orientation = Orientation(orientation)
    focus, reference = to_fraction(focus_rate), to_fraction(reference_rate)
    if focus < 0 or reference < 0:
        raise ValueError("rates cannot be negative")
    top, bottom = (focus, reference) if orientation.focus_over_reference else (reference, focus)
    return None if bottom == 0 else top / bottom
