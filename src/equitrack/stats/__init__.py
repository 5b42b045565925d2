"""Statistics over counts: rates, oriented relative likelihoods, significance, verdicts.

Pure functions of integers; no dataframes and no I/O. Start with :func:`compare`::

    from equitrack.stats import compare, format_ratio

    c = compare(150, 800, 300, 1000, orientation="benefit")  # WRES 2: BME vs White
    format_ratio(c.ratio_exact), c.verdict  # ("1.60", "adverse, significant")

A relative likelihood above 1 always means the focus group fares worse (see
:class:`Orientation`).

scipy and lifelines are imported inside the functions that use them, not with the package:
every command and page imports this package, and most never need either.
"""

from ._common import Z95
from .compare import Comparison, adjust_for_multiplicity, compare
from .differences import (
    PARITY_MODES,
    headcount_for_parity,
    parity_pace,
    points_difference,
    representation_gap_points,
)
from .funnel import (
    FunnelKind,
    FunnelLimits,
    FunnelOptions,
    FunnelOutlier,
    FunnelResult,
    FunnelUnit,
    OutlierDirection,
    OutlierLimit,
    RatioMethod,
    funnel_proportions,
    funnel_relative_likelihoods,
    funnel_standardised_ratios,
)
from .pay_gap import (
    BonusReceipt,
    PayGap,
    PayGapReport,
    QuarterShare,
    UnknownShare,
    gap_percent,
    pay_gap,
    pay_quarters,
)
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
from .spc import (
    COMMON_CAUSE_COLOUR,
    CONCERN_COLOUR,
    IMPROVEMENT_COLOUR,
    NEUTRAL_COLOUR,
    POINT_COLOURS,
    TARGET_COLOUR,
    AssuranceIcon,
    ChartType,
    ImprovementDirection,
    PointType,
    Side,
    SpcChart,
    SpcOptions,
    SpcPoint,
    VariationIcon,
    p_chart,
    xmr_chart,
)
from .spc_rules import SpecialCauseRule, TwoInThreeRule
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
    "COMMON_CAUSE_COLOUR",
    "CONCERN_COLOUR",
    "IMPROVEMENT_COLOUR",
    "NEUTRAL_COLOUR",
    "PARITY_MODES",
    "POINT_COLOURS",
    "TARGET_COLOUR",
    "Z95",
    "AssuranceIcon",
    "Band",
    "BonusReceipt",
    "ChartType",
    "Comparison",
    "FunnelKind",
    "FunnelLimits",
    "FunnelOptions",
    "FunnelOutlier",
    "FunnelResult",
    "FunnelUnit",
    "ImprovementDirection",
    "IntervalMethod",
    "Orientation",
    "OutlierDirection",
    "OutlierLimit",
    "PayGap",
    "PayGapReport",
    "PointType",
    "Pooling",
    "Proportion",
    "QuarterShare",
    "RatioEstimate",
    "RatioMethod",
    "Side",
    "Significance",
    "SignificanceTest",
    "SpcChart",
    "SpcOptions",
    "SpcPoint",
    "SpecialCauseRule",
    "TwoInThreeRule",
    "UnknownShare",
    "VariationIcon",
    "Verdict",
    "adjust_for_multiplicity",
    "adjusted_verdict",
    "benjamini_hochberg",
    "compare",
    "format_interval",
    "format_points",
    "format_ratio",
    "format_share",
    "funnel_proportions",
    "funnel_relative_likelihoods",
    "funnel_standardised_ratios",
    "gap_percent",
    "headcount_for_parity",
    "is_significant",
    "katz_interval",
    "koopman_interval",
    "p_chart",
    "parity_band",
    "parity_pace",
    "pay_gap",
    "pay_quarters",
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
    "xmr_chart",
]
