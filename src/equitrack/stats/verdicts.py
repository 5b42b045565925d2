"""From a ratio, its interval and its counts to the words a report uses.

The words are fixed so that narrative, tables and dashboards say the same thing: a parity band
(is the ratio far enough from 1 to matter?), significance (is it clear of 1?), and a small-numbers
flag (are there enough people for either to mean anything?). Bands are decided on the exact
ratio when one is given, so a ratio of exactly 1.25 is non-adverse even when its float is
1.2500000000000002.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from fractions import Fraction

from ._common import Number, check_count, to_fraction
from .reasons import Reason, too_few

PARITY_LOW = Fraction("0.80")
PARITY_HIGH = Fraction("1.25")
MIN_EVENTS = 10
MIN_POPULATION = 30
ALPHA = 0.05


class Band(StrEnum):
    """Where an oriented ratio (> 1 = focus group fares worse) falls against parity."""

    FAVOURABLE = "favourable"  # below the band: favourable to the focus group
    NON_ADVERSE = "non-adverse"  # 0.80 to 1.25 inclusive
    ADVERSE = "adverse"  # above 1.25


class Verdict(StrEnum):
    ADVERSE_SIGNIFICANT = "adverse, significant"
    ADVERSE_NOT_SIGNIFICANT = "adverse, not significant"
    NON_ADVERSE = "non-adverse"
    FAVOURABLE_SIGNIFICANT = "favourable, significant"
    FAVOURABLE_NOT_SIGNIFICANT = "favourable, not significant"
    TOO_FEW = "too few to tell"
    UNDEFINED = "undefined"
    # For a measure that is neither a harm nor a benefit (Orientation.NEUTRAL): the ratio is
    # the focus group's rate over the reference's, and a difference is only a difference.
    HIGHER_SIGNIFICANT = "higher, significant"
    HIGHER_NOT_SIGNIFICANT = "higher, not significant"
    SIMILAR = "similar"
    LOWER_SIGNIFICANT = "lower, significant"
    LOWER_NOT_SIGNIFICANT = "lower, not significant"


#: The neutral verdict that stands where each adverse/favourable one would.
NEUTRAL_VERDICTS = {
    Verdict.ADVERSE_SIGNIFICANT: Verdict.HIGHER_SIGNIFICANT,
    Verdict.ADVERSE_NOT_SIGNIFICANT: Verdict.HIGHER_NOT_SIGNIFICANT,
    Verdict.NON_ADVERSE: Verdict.SIMILAR,
    Verdict.FAVOURABLE_SIGNIFICANT: Verdict.LOWER_SIGNIFICANT,
    Verdict.FAVOURABLE_NOT_SIGNIFICANT: Verdict.LOWER_NOT_SIGNIFICANT,
}


def parity_band(
    ratio: Number | None, *, low: Number = PARITY_LOW, high: Number = PARITY_HIGH
) -> Band | None:
    """Band of an oriented ratio; boundaries belong to the non-adverse band. None if undefined.

    Comparison is exact: floats are taken at their decimal value, so pass the exact ratio
    (a Fraction of counts) where you have it.
    """
    if ratio is None:
        return None
    value, lower, upper = to_fraction(ratio), to_fraction(low), to_fraction(high)
    if lower > upper:
        raise ValueError(f"the band's lower limit {low} is above its upper limit {high}")
    if value > upper:
        return Band.ADVERSE
    if value < lower:
        return Band.FAVOURABLE
    return Band.NON_ADVERSE


def is_significant(ci_low: float | None, ci_high: float | None) -> bool | None:
    """True when the interval excludes 1. A missing upper limit means "no finite limit".

    None when there is no interval at all (``ci_low`` is None: an empty group).
    """
    if ci_low is None:
        return None
    return ci_low > 1 or (ci_high is not None and ci_high < 1)


def too_few_reason(
    focus_events: int,
    focus_population: int,
    reference_events: int,
    reference_population: int,
    *,
    min_events: int = MIN_EVENTS,
    min_population: int = MIN_POPULATION,
) -> str | None:
    """Why the counts are too small to tell, or None when they are not.

    Too few: any event count below ``min_events`` (10) or any population below
    ``min_population`` (30). The ratio is still computed, but narrative must not call it
    adverse or improving.
    """
    why = too_few_why(
        focus_events,
        focus_population,
        reference_events,
        reference_population,
        min_events=min_events,
        min_population=min_population,
    )
    return None if why is None else why.words


def too_few_why(
    focus_events: int,
    focus_population: int,
    reference_events: int,
    reference_population: int,
    *,
    min_events: int = MIN_EVENTS,
    min_population: int = MIN_POPULATION,
) -> Reason | None:
    """`too_few_reason` as data: the counts below their floors (`equitrack.stats.reasons`)."""
    counts = {
        "focus_events": check_count(focus_events, "focus group events"),
        "reference_events": check_count(reference_events, "reference group events"),
        "focus_population": check_count(focus_population, "focus group population"),
        "reference_population": check_count(reference_population, "reference group population"),
    }
    return too_few(counts, min_events, min_population)


def too_few_to_tell(
    focus_events: int,
    focus_population: int,
    reference_events: int,
    reference_population: int,
    *,
    min_events: int = MIN_EVENTS,
    min_population: int = MIN_POPULATION,
) -> bool:
    """Any event count below ``min_events`` or any population below ``min_population``."""
    reason = too_few_reason(
        focus_events,
        focus_population,
        reference_events,
        reference_population,
        min_events=min_events,
        min_population=min_population,
    )
    return reason is not None


def verdict(
    band: Band | None, significant: bool | None, too_few: bool, *, neutral: bool = False
) -> Verdict:
    """The one phrase for a comparison, in order of precedence.

    Undefined ratio → "undefined"; small numbers → "too few to tell"; inside the band →
    "non-adverse" (significant or not: a clear but small difference is still parity);
    otherwise the band with "significant" or "not significant". A ``neutral`` measure's
    verdicts say higher, similar or lower instead (`NEUTRAL_VERDICTS`).
    """
    said = _verdict(band, significant, too_few)
    return NEUTRAL_VERDICTS.get(said, said) if neutral else said


def _verdict(band: Band | None, significant: bool | None, too_few: bool) -> Verdict:
    if band is None:
        return Verdict.UNDEFINED
    if too_few:
        return Verdict.TOO_FEW
    if band is Band.NON_ADVERSE:
        return Verdict.NON_ADVERSE
    if band is Band.ADVERSE:
        return Verdict.ADVERSE_SIGNIFICANT if significant else Verdict.ADVERSE_NOT_SIGNIFICANT
    return Verdict.FAVOURABLE_SIGNIFICANT if significant else Verdict.FAVOURABLE_NOT_SIGNIFICANT


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg (1995) adjusted p-values, in the input order.

    Controls the false discovery rate across many comparisons (groups × measures ×
    organisations). A None (no test possible) stays None and does not count towards the
    number of tests. Adjusted values are min over ranks j ≥ i of p_(j)·m/j, capped at 1, so
    they are never below the raw value and never out of rank order.
    """
    tested: list[tuple[float, int]] = []
    for position, p in enumerate(p_values):
        if p is None:
            continue
        value = float(p)
        if not 0.0 <= value <= 1.0:  # also rejects NaN
            raise ValueError(f"p-value at position {position} is not in [0, 1]: {p!r}")
        tested.append((value, position))
    tested.sort()
    m = len(tested)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 1.0
    for rank in range(m, 0, -1):
        value, position = tested[rank - 1]
        running = min(running, value * m / rank)
        adjusted[position] = max(running, value)  # guards against rounding below the raw p
    return adjusted


def adjusted_verdict(
    band: Band | None,
    significant: bool | None,
    too_few: bool,
    p_adjusted: float | None,
    *,
    alpha: float = ALPHA,
    neutral: bool = False,
) -> Verdict:
    """The verdict once the false discovery rate is controlled.

    A comparison stays significant only if it was significant on its own (interval excludes
    1) and its BH-adjusted p-value is below ``alpha``; adjustment can demote a verdict, never
    promote one.
    """
    still_significant = bool(significant) and p_adjusted is not None and p_adjusted < alpha
    return verdict(band, still_significant, too_few, neutral=neutral)
