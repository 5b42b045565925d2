"""One call from four counts to everything a report says about a comparison.

:func:`compare` composes the pieces (rates, oriented ratio, interval, p-value, band, small
numbers flag, verdict) so that every measure reports them the same way, and
:func:`adjust_for_multiplicity` adds the Benjamini–Hochberg verdict beside the raw one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ._common import Z95, Number
from .proportions import Proportion, proportion
from .ratios import IntervalMethod, Orientation, relative_likelihood
from .reasons import Reason
from .significance import SignificanceTest, two_sided_p_value
from .verdicts import (
    ALPHA,
    MIN_EVENTS,
    MIN_POPULATION,
    PARITY_HIGH,
    PARITY_LOW,
    Band,
    Verdict,
    adjusted_verdict,
    benjamini_hochberg,
    is_significant,
    parity_band,
    too_few_why,
    verdict,
)


@dataclass(frozen=True, slots=True)
class Comparison:
    """The focus group against the reference group, oriented so that ratio > 1 = worse for focus.

    ``ratio`` is None when undefined and 0.0 when the numerator group has no events; then
    ``reason`` says why. ``ci_high`` None means no finite upper limit. ``reason`` also explains
    a "too few to tell" verdict. ``p_adjusted`` and ``verdict_adjusted`` are filled in by
    :func:`adjust_for_multiplicity`.
    """

    focus: Proportion
    reference: Proportion
    orientation: Orientation
    ratio: float | None
    ratio_exact: Fraction | None
    ci_low: float | None
    ci_high: float | None
    interval_method: IntervalMethod | None
    p_value: float | None
    test: SignificanceTest | None
    band: Band | None
    significant: bool | None
    too_few: bool
    verdict: Verdict
    reason: str | None
    p_adjusted: float | None = None
    verdict_adjusted: Verdict | None = None
    why: Reason | None = None  # `reason` as data (`equitrack.stats.reasons`)


def compare(
    focus_events: int,
    focus_population: int,
    reference_events: int,
    reference_population: int,
    *,
    orientation: Orientation | str,
    z: float = Z95,
    band_low: Number = PARITY_LOW,
    band_high: Number = PARITY_HIGH,
    min_events: int = MIN_EVENTS,
    min_population: int = MIN_POPULATION,
    min_expected: float = 5.0,
) -> Comparison:
    """Compare the focus group's rate with the reference group's.

    ``orientation`` says whether the event is a benefit (WRES 2, 4: ratio = L_ref / L_focus)
    or a harm (WRES 3: ratio = L_focus / L_ref); either way a ratio above 1 means the focus
    group fares worse. Thresholds default to the specification's values.
    """
    orientation = Orientation(orientation)
    focus = proportion(focus_events, focus_population, z=z)
    reference = proportion(reference_events, reference_population, z=z)
    estimate = relative_likelihood(
        focus.events,
        focus.population,
        reference.events,
        reference.population,
        orientation=orientation,
        z=z,
    )
    significance = two_sided_p_value(
        focus.events,
        focus.population,
        reference.events,
        reference.population,
        min_expected=min_expected,
    )
    small = too_few_why(
        focus.events,
        focus.population,
        reference.events,
        reference.population,
        min_events=min_events,
        min_population=min_population,
    )
    band = parity_band(estimate.exact, low=band_low, high=band_high)
    significant = is_significant(estimate.ci_low, estimate.ci_high)
    too_few = small is not None
    why = estimate.why or small
    return Comparison(
        focus=focus,
        reference=reference,
        orientation=orientation,
        ratio=estimate.ratio,
        ratio_exact=estimate.exact,
        ci_low=estimate.ci_low,
        ci_high=estimate.ci_high,
        interval_method=estimate.method,
        p_value=significance.p_value,
        test=significance.test,
        band=band,
        significant=significant,
        too_few=too_few,
        verdict=verdict(band, significant, too_few, neutral=orientation is Orientation.NEUTRAL),
        reason=None if why is None else why.words,
        why=why,
    )


def adjust_for_multiplicity(
    comparisons: Sequence[Comparison], *, alpha: float = ALPHA
) -> list[Comparison]:
    """The same comparisons with BH-adjusted p-values and verdicts beside the raw ones.

    Pass the whole family reported together (groups × measures × organisations); the
    adjustment depends on how many tests there were.
    """
    adjusted = benjamini_hochberg([c.p_value for c in comparisons])
    return [
        dataclasses.replace(
            c,
            p_adjusted=p,
            verdict_adjusted=adjusted_verdict(
                c.band,
                c.significant,
                c.too_few,
                p,
                alpha=alpha,
                neutral=c.orientation is Orientation.NEUTRAL,
            ),
        )
        for c, p in zip(comparisons, adjusted, strict=True)
    ]
