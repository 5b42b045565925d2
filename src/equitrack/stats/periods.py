"""Rates over several periods: pooled (the WRES 3 default) or the mean of each period's rate.

WRES 3 divides two years' disciplinary entrants by two years' 31-March headcounts ("pooled").
The option ``pooling=mean_of_rates`` averages each year's rate instead; with headcounts that
differ between years the two give different answers, and a report must say which it used.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from fractions import Fraction

from ._common import check_events
from .ratios import Orientation


class Pooling(StrEnum):
    POOLED = "pooled"  # sum of events / sum of populations
    MEAN_OF_RATES = "mean_of_rates"  # unweighted mean of each period's rate


def pooled_counts(events: Sequence[int], populations: Sequence[int]) -> tuple[int, int]:
    """Total events and total population over the periods, for a full comparison of pooled data."""
    if len(events) != len(populations):
        raise ValueError(
            f"{len(events)} event counts but {len(populations)} populations: one of each per period"
        )
    if not events:
        raise ValueError("no periods given")
    pairs = [
        check_events(k, n, f"period {i + 1}")
        for i, (k, n) in enumerate(zip(events, populations, strict=True))
    ]
    return sum(k for k, _ in pairs), sum(n for _, n in pairs)


def rate_over_periods(
    events: Sequence[int], populations: Sequence[int], *, pooling: Pooling | str = Pooling.POOLED
) -> Fraction | None:
    """The group's rate over the periods, exact; None when it is undefined.

    Pooled: None when every population is 0. Mean of rates: None when any period's population is
    0, because that period has no rate to average.
    """
    pooling = Pooling(pooling)
    total_events, total_population = pooled_counts(events, populations)
    if pooling is Pooling.POOLED:
        return None if total_population == 0 else Fraction(total_events, total_population)
    if any(n == 0 for n in populations):
        return None
    return sum(
        (Fraction(k, n) for k, n in zip(events, populations, strict=True)), Fraction(0)
    ) / len(events)


def relative_likelihood_over_periods(
    focus_events: Sequence[int],
    focus_populations: Sequence[int],
    reference_events: Sequence[int],
    reference_populations: Sequence[int],
    *,
    orientation: Orientation | str,
    pooling: Pooling | str = Pooling.POOLED,
) -> Fraction | None:
    """The oriented ratio (> 1 = focus group fares worse) of the two groups' multi-period rates.

    Exact; None when it is undefined (a rate is undefined, or the denominator rate is 0). For
    the interval and verdict of pooled data, pass :func:`pooled_counts` to ``compare``.
    """
    orientation = Orientation(orientation)
    focus = rate_over_periods(focus_events, focus_populations, pooling=pooling)
    reference = rate_over_periods(reference_events, reference_populations, pooling=pooling)
    if focus is None or reference is None:
        return None
    top, bottom = (focus, reference) if orientation.focus_over_reference else (reference, focus)
    return None if bottom == 0 else top / bottom
