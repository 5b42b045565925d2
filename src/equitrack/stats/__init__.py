"""Statistics over counts: rates, oriented relative likelihoods, significance, verdicts.

Pure functions of integers; no dataframes and no I/O. Start with :func:`compare`::

    from equitrack.stats import compare, format_ratio

    c = compare(150, 800, 300, 1000, orientation="benefit")  # WRES 2: BME vs White
    format_ratio(c.ratio_exact), c.verdict  # ("1.60", "adverse, significant")

A relative likelihood above 1 always means the focus group fares worse (see
:class:`Orientation`).
"""

from ._common import Z95
from .compare import Comparison, adjust_for_multiplicity, compare
from .differences import points_difference, representation_gap_points
from .periods import (
    Pooling,
    pooled_counts,
    rate_over_periods,
    relative_likelihood_over_periods,
)
from .proportions import Proportion, proportion, wilson_interval
from .ratios import (
    IntervalMethod,
    Orientation,
    RatioEstimate,
    katz_interval,
    koopman_interval,
    relative_likelihood,
    relative_likelihood_from_rates,
    risk_ratio,
)
from .rounding import (
    format_interval,
    format_points,
    format_ratio,
    format_share,
    round_half_up,
)
from .significance import Significance, SignificanceTest, two_sided_p_value
from .verdicts import (
    Band,
    Verdict,
    adjusted_verdict,
    benjamini_hochberg,
    is_significant,
    parity_band,
    too_few_to_tell,
    verdict,
)

__all__ = [
    "Z95",
    "Band",
    "Comparison",
    "IntervalMethod",
    "Orientation",
    "Pooling",
    "Proportion",
    "RatioEstimate",
    "Significance",
    "SignificanceTest",
    "Verdict",
    "adjust_for_multiplicity",
    "adjusted_verdict",
    "benjamini_hochberg",
    "compare",
    "format_interval",
    "format_points",
    "format_ratio",
    "format_share",
    "is_significant",
    "katz_interval",
    "koopman_interval",
    "parity_band",
    "points_difference",
    "pooled_counts",
    "proportion",
    "rate_over_periods",
    "relative_likelihood",
    "relative_likelihood_from_rates",
    "relative_likelihood_over_periods",
    "representation_gap_points",
    "risk_ratio",
    "round_half_up",
    "too_few_to_tell",
    "two_sided_p_value",
    "verdict",
    "wilson_interval",
]
