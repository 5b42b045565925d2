"""Statistical process control charts as NHS England's "Making Data Count" (MDC) draws them.

Boards read these charts every month, so they follow MDC as implemented by the NHS-R package
NHSRplotthedots (``ptd_spc``): the same centre, limits, special-cause points, colours and icons
on the same input. Two charts:

* :func:`xmr_chart` — an XmR (individuals) chart of a series of values. Centre = mean; moving
  range mR_i = |x_i - x_{i-1}|; moving ranges >= 3.267 x mean mR are screened out and the mean
  recomputed (``screen_outliers``, on by default); limits = mean +/- 2.66 x mean mR; inner lines
  at +/- (2/3 x 2.66) x mean mR.
* :func:`p_chart` — a p-chart of rates whose denominators change (appointment rate,
  disciplinary entry rate): centre p = sum(numerators) / sum(denominators); per-period limits
  p +/- 3 sqrt(p(1 - p)/n_i), clipped to [0, 1]; inner lines at 2 sigma. NHSRplotthedots has no
  p-chart; this one applies exactly the same rules and icons to its per-period limits.

Special cause, in priority order (the first rule that applies names the point; every rule's own
flag is kept too): a point beyond a limit; a trend of 7 points each strictly above (or below) the
one before; 2 of 3 consecutive points on one side of the centre beyond the inner line; a shift of
7 consecutive points on one side of the centre (see :mod:`equitrack.stats.spc_rules`). Each
special-cause point is improvement, concern or neutral by the measure's improvement direction.
The variation icon is the last point's type; the assurance icon compares an optional target with
the last point's limits (above the upper limit: "fail" if higher is better, "pass" if lower is;
below the lower limit the reverse; otherwise "hit and miss"; none for a neutral measure).

Matched to NHSRplotthedots (R/ptd_spc_standard.R, ptd_calculate_point_type.R,
ptd_calculate_assurance_type.R, ptd_add_short_group_warnings.R, geom_ptd_icon.R):

* a point exactly on a limit is inside it, a point exactly on an inner line is not beyond it,
  and a point exactly on the centre is on neither side (so it breaks a shift or a 2-of-3);
* a moving range is screened out when it is >= 3.267 x the first mean (kept only if below);
* every point of a 7-point trend or shift is flagged, and a longer one flags all its points;
* a trend's points are high/low by the trend's direction, not by their side of the centre;
* 2-of-3 flags only the points beyond the inner line, never the third point;
* fewer than 13 points: trial limits (NHSRplotthedots' default ``ptd_spc.warning_threshold``);
* ``fix_after_n_points=k``: centre and limits from the first k periods only, applied to all;
* colours are ``ptd_spc_colours()``'s defaults;
* a period given twice is refused (R: "duplicate rows found in ..."): two values for one period
  would be charted as two consecutive points and make moving ranges, trends and shifts of them.

Deliberate differences, each an edge NHSRplotthedots does not handle or handles by accident:

* Decisions are exact: values are taken at their decimal value (as elsewhere in
  :mod:`equitrack.stats`) and compared with the limits in rational arithmetic (for the p-chart,
  by comparing squares), so a point exactly on a limit is on it, not 1e-15 outside it. R
  compares binary floats and can differ on such a point in the last bit.
* Missing values (``None`` or NaN; for the p-chart a missing count or a denominator of 0) stay
  in the output as rows with no classification and no colour. They are left out of the mean,
  a moving range needs both neighbours (so a gap is never bridged, as in R), and a gap ends a
  trend, a shift or a 2-of-3 window: the rules are about consecutive periods. NHSRplotthedots
  asks for no gaps and can fail on them. The icons use the last period that has a value.
* A constant series (mean moving range 0) is not screened: R screens out every moving range
  (0 >= 3.267 x 0) and its limits become NaN; here the limits sit on the mean, so no point is
  beyond them and none is on either side of the centre.
* A single value, or values never in adjacent periods, have no moving range and so no limits:
  the result has no icons and says why in ``note``. R draws a common-cause icon with NaN limits.
* The improvement direction must be given (R defaults to "increase"), because a wrong default
  silently swaps improvement and concern.
* The trial flag counts the values the limits rest on (the baseline when limits are fixed)
  rather than the rows of the chart, and ``fix_after_n_points`` may be below 12 (R refuses);
  such limits are then trial limits.
* A point that ends one trend and, after an equal step, is followed by a trend the other way
  keeps its own trend's direction; NHSRplotthedots takes the sign of the (flat) step to its
  right and calls it "Decreasing" whichever way its trend went.
* The November 2023 MDC revision of 2-of-3 is available as ``two_in_three="mdc_2023"``; the
  default ``"classic"`` is what NHSRplotthedots does (see :class:`TwoInThreeRule`).
* NHSRplotthedots' rebasing, facets and trajectories are not here: run one chart per segment.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ._common import Number, check_count, check_events, to_fraction
from .spc_rules import (
    SpecialCauseRule,
    TwoInThreeRule,
    shift_members,
    trend_directions,
    two_in_three_members,
)

if TYPE_CHECKING:
    import pyarrow as pa

#: MDC colours (NHSRplotthedots ``ptd_spc_colours()``).
COMMON_CAUSE_COLOUR = "#a6a6a6"  # grey
IMPROVEMENT_COLOUR = "#00b0f0"  # blue
CONCERN_COLOUR = "#e46c0a"  # orange
NEUTRAL_COLOUR = "#490092"  # purple
TARGET_COLOUR = "#de1b1b"  # red

#: XmR constants: 2.66 = 3 / d2 (d2 = 1.128 for ranges of two) and the moving-range screen.
LIMIT_FACTOR = Fraction("2.66")
INNER_FACTOR = Fraction(2, 3) * LIMIT_FACTOR
SCREEN_FACTOR = Fraction("3.267")
#: Standard deviations to the limits and inner lines of a p-chart.
P_LIMIT_SIGMAS = 3
P_INNER_SIGMAS = 2
#: Fewer points than this and the limits are trial limits (NHSRplotthedots' default).
TRIAL_THRESHOLD = 13


class ChartType(StrEnum):
    XMR = "xmr"
    P = "p"


class ImprovementDirection(StrEnum):
    INCREASE = "increase"  # higher is better
    DECREASE = "decrease"  # lower is better
    NEUTRAL = "neutral"  # neither: special causes are "neutral", with no assurance


class PointType(StrEnum):
    """A point's classification, named as NHSRplotthedots' ``point_type`` column."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


class Side(StrEnum):
    """Which way a special cause points: above the centre / rising, or below / falling."""

    HIGH = "high"
    LOW = "low"


class VariationIcon(StrEnum):
    """MDC variation icons, from the last point (NHSRplotthedots' icon file names)."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"


class AssuranceIcon(StrEnum):
    """MDC assurance icons (NHSRplotthedots: consistent_pass, consistent_fail, inconsistent)."""

    PASS = "pass"  # the target is beyond the limit on the wrong side: every point passes
    FAIL = "fail"  # the target is beyond the limit on the good side: every point fails
    HIT_AND_MISS = "hit_and_miss"  # the target is within the limits


POINT_COLOURS: dict[PointType, str] = {
    PointType.COMMON_CAUSE: COMMON_CAUSE_COLOUR,
    PointType.IMPROVEMENT: IMPROVEMENT_COLOUR,
    PointType.CONCERN: CONCERN_COLOUR,
    PointType.NEUTRAL_HIGH: NEUTRAL_COLOUR,
    PointType.NEUTRAL_LOW: NEUTRAL_COLOUR,
}


@dataclass(frozen=True, slots=True)
class SpcOptions:
    """The options a chart was drawn with, kept on the result so a report can state them."""

    improvement_direction: ImprovementDirection
    target: float | None
    two_in_three: TwoInThreeRule
    fix_after_n_points: int | None
    screen_outliers: bool | None  # None for a p-chart, which has no moving ranges
    trial_threshold: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "improvement_direction": str(self.improvement_direction),
            "target": self.target,
            "two_in_three": str(self.two_in_three),
            "fix_after_n_points": self.fix_after_n_points,
            "screen_outliers": self.screen_outliers,
            "trial_threshold": self.trial_threshold,
        }


@dataclass(frozen=True, slots=True)
class SpcPoint:
    """One period of a chart. Limits are None where there are none; flags are per rule.

    ``outside_limits``, ``trend``, ``two_in_three`` and ``shift`` say whether each rule applies
    to the point on its own; ``rule`` is the first of them in priority order, and it alone
    decides ``side`` and so ``point_type``. A missing value has no flags set and no
    ``point_type`` or ``colour`` (its limits are still given where they are known, so the lines
    can be drawn across the gap). A value with no limits at all (a chart of one value) is not
    classified either. ``period`` is the label as given.
    """

    period: object
    value: float | None
    numerator: int | None  # p-chart only
    denominator: int | None  # p-chart only
    moving_range: float | None  # XmR only: |x_i - x_{i-1}| when both periods have a value
    moving_range_used: bool  # the moving range went into the mean moving range
    centre: float | None
    lower_limit: float | None
    upper_limit: float | None
    lower_inner: float | None
    upper_inner: float | None
    outside_limits: bool
    trend: bool
    two_in_three: bool
    shift: bool
    rule: SpecialCauseRule | None
    side: Side | None
    point_type: PointType | None
    colour: str | None

    @property
    def special_cause(self) -> bool:
        return self.rule is not None


@dataclass(frozen=True, slots=True)
class SpcChart:
    """A chart: its points, the limits' basis, the icons and the options that made them.

    ``centre`` is the mean (XmR) or pooled rate (p-chart); ``limits_basis`` is how many values
    it and the limits rest on, and ``trial_limits`` is True when there are limits but they rest
    on fewer than ``options.trial_threshold`` values (``limits_label`` says so in words).
    ``note`` says why there are no limits or icons, when there are none.
    """

    chart: ChartType
    points: tuple[SpcPoint, ...]
    centre: float | None
    mean_moving_range: float | None  # XmR only, after screening
    moving_ranges_screened_out: int
    limits_basis: int
    trial_limits: bool
    limits_label: str
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None
    options: SpcOptions
    note: str | None = None

    def to_arrow(self) -> pa.Table:
        """One row per period; the chart-level fields go in the schema metadata (JSON values).

        Periods keep their type where Arrow can hold it (strings, dates, integers) and become
        strings where it cannot (mixed types).
        """
        import pyarrow as pa

        periods = [p.period for p in self.points]
        try:
            period_array = pa.array(periods) if periods else pa.array([], pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            period_array = pa.array([str(p) for p in periods], pa.string())

        kinds = {
            "value": pa.float64(),
            "numerator": pa.int64(),
            "denominator": pa.int64(),
            "moving_range": pa.float64(),
            "moving_range_used": pa.bool_(),
            "centre": pa.float64(),
            "lower_limit": pa.float64(),
            "upper_limit": pa.float64(),
            "lower_inner": pa.float64(),
            "upper_inner": pa.float64(),
            "outside_limits": pa.bool_(),
            "trend": pa.bool_(),
            "two_in_three": pa.bool_(),
            "shift": pa.bool_(),
            "special_cause": pa.bool_(),
            "rule": pa.string(),
            "side": pa.string(),
            "point_type": pa.string(),
            "colour": pa.string(),
        }
        columns: dict[str, pa.Array] = {"period": period_array}
        for name, kind in kinds.items():
            columns[name] = pa.array([_plain(getattr(p, name)) for p in self.points], kind)
        table = pa.table(columns)
        metadata = {
            "chart": self.chart,
            "centre": self.centre,
            "mean_moving_range": self.mean_moving_range,
            "moving_ranges_screened_out": self.moving_ranges_screened_out,
            "limits_basis": self.limits_basis,
            "trial_limits": self.trial_limits,
            "limits_label": self.limits_label,
            "variation_icon": self.variation_icon,
            "assurance_icon": self.assurance_icon,
            "options": self.options.as_dict(),
            "note": self.note,
        }
        return table.replace_schema_metadata(
            {f"equitrack.spc.{k}": json.dumps(_plain(v)) for k, v in metadata.items()}
        )


def xmr_chart(
    points: Sequence[tuple[object, Number | None]],
    *,
    improvement_direction: ImprovementDirection | str,
    target: Number | None = None,
    screen_outliers: bool = True,
    two_in_three: TwoInThreeRule | str = TwoInThreeRule.CLASSIC,
    fix_after_n_points: int | None = None,
    trial_threshold: int = TRIAL_THRESHOLD,
) -> SpcChart:
    """An XmR chart of ``(period label, value)`` pairs, in time order; a value may be None.

    ``fix_after_n_points=k`` computes the centre and limits from the first k periods and applies
    them to every period (NHSRplotthedots' option of the same name).
    """
    options = _options(
        improvement_direction,
        target,
        two_in_three,
        fix_after_n_points,
        screen_outliers,
        trial_threshold,
        smallest_baseline=2,
    )
    labels: list[object] = []
    values: list[Fraction | None] = []
    for i, item in enumerate(points):
        label, value = _unpack(item, 2, i)
        labels.append(label)
        values.append(_value(value, i))

    n_base = len(values) if fix_after_n_points is None else min(fix_after_n_points, len(values))
    baseline = values[:n_base]
    present = [v for v in baseline if v is not None]
    moving: list[Fraction | None] = [None] + [
        abs(b - a) if a is not None and b is not None else None for a, b in pairwise(values)
    ]
    base_ranges = [(i, r) for i, r in enumerate(moving[:n_base]) if r is not None]

    centre = sum(present, Fraction(0)) / len(present) if present else None
    mean_range: Fraction | None = None
    used: set[int] = set()
    screened = 0
    note = None
    if base_ranges:
        first_mean = sum((r for _, r in base_ranges), Fraction(0)) / len(base_ranges)
        kept = base_ranges
        if screen_outliers and first_mean > 0:
            kept = [(i, r) for i, r in base_ranges if r < SCREEN_FACTOR * first_mean]
            screened = len(base_ranges) - len(kept)
        used = {i for i, _ in kept}
        mean_range = sum((r for _, r in kept), Fraction(0)) / len(kept)
    elif not present:
        note = "no values, so no centre, limits or icons"
    else:
        note = "no two consecutive periods have values, so no moving range, limits or icons"

    bands: list[_Band | None]
    if centre is None or mean_range is None:
        bands = [None] * len(values)
    else:
        half = LIMIT_FACTOR * mean_range
        inner = INNER_FACTOR * mean_range
        band = _Band(
            centre=centre,
            outer_sq=half * half,
            inner_sq=inner * inner,
            lower=float(centre - half),
            upper=float(centre + half),
            lower_inner=float(centre - inner),
            upper_inner=float(centre + inner),
        )
        bands = [band] * len(values)

    return _chart(
        ChartType.XMR,
        labels,
        values,
        [None] * len(values),
        [None] * len(values),
        moving,
        used,
        bands,
        centre,
        mean_range,
        screened,
        len(present),
        options,
        note,
    )


def p_chart(
    points: Sequence[tuple[object, int | None, int | None]],
    *,
    improvement_direction: ImprovementDirection | str,
    target: Number | None = None,
    two_in_three: TwoInThreeRule | str = TwoInThreeRule.CLASSIC,
    fix_after_n_points: int | None = None,
    trial_threshold: int = TRIAL_THRESHOLD,
) -> SpcChart:
    """A p-chart of ``(period label, numerator, denominator)`` counts, in time order.

    A period with a missing count or a denominator of 0 has no rate and is treated as missing.
    ``target`` is a rate (between 0 and 1). ``fix_after_n_points=k`` pools the first k periods
    for the centre; each period's limits still come from its own denominator.
    """
    options = _options(
        improvement_direction,
        target,
        two_in_three,
        fix_after_n_points,
        None,
        trial_threshold,
        smallest_baseline=1,
    )
    if options.target is not None and not 0 <= options.target <= 1:
        raise ValueError(f"a p-chart's target is a rate between 0 and 1, got {target!r}")
    labels: list[object] = []
    numerators: list[int | None] = []
    denominators: list[int | None] = []
    values: list[Fraction | None] = []
    for i, item in enumerate(points):
        label, k, n = _unpack(item, 3, i)
        labels.append(label)
        if k is None or n is None:
            numerators.append(None if k is None else check_count(k, f"period {i + 1} numerator"))
            denominators.append(
                None if n is None else check_count(n, f"period {i + 1} denominator")
            )
            values.append(None)
            continue
        k, n = check_events(k, n, f"period {i + 1}")
        numerators.append(k)
        denominators.append(n)
        values.append(Fraction(k, n) if n > 0 else None)

    n_base = len(values) if fix_after_n_points is None else min(fix_after_n_points, len(values))
    base = [(numerators[i], denominators[i]) for i in range(n_base) if values[i] is not None]
    total_den = sum(n for _, n in base if n is not None)
    centre = Fraction(sum(k for k, _ in base if k is not None), total_den) if base else None
    note = None if base else "no period has a rate, so no centre, limits or icons"

    bands: list[_Band | None] = []
    for n in denominators:
        if centre is None or not n:
            bands.append(None)
            continue
        variance = centre * (1 - centre) / n
        sigma = math.sqrt(variance)
        p = float(centre)
        bands.append(
            _Band(
                centre=centre,
                outer_sq=P_LIMIT_SIGMAS**2 * variance,
                inner_sq=P_INNER_SIGMAS**2 * variance,
                lower=max(0.0, p - P_LIMIT_SIGMAS * sigma),
                upper=min(1.0, p + P_LIMIT_SIGMAS * sigma),
                lower_inner=max(0.0, p - P_INNER_SIGMAS * sigma),
                upper_inner=min(1.0, p + P_INNER_SIGMAS * sigma),
            )
        )

    return _chart(
        ChartType.P,
        labels,
        values,
        numerators,
        denominators,
        [None] * len(values),
        set(),
        bands,
        centre,
        None,
        0,
        len(base),
        options,
        note,
    )


@dataclass(frozen=True, slots=True)
class _Band:
    """A period's centre and limits: exact squared half-widths for decisions, floats to show."""

    centre: Fraction
    outer_sq: Fraction  # (distance from centre to a process limit) squared
    inner_sq: Fraction  # (distance from centre to an inner line) squared
    lower: float
    upper: float
    lower_inner: float
    upper_inner: float

    def beyond(self, x: Fraction, *, inner: bool = False) -> int:
        """+1 strictly above the upper limit (or inner line), -1 strictly below, else 0."""
        d = x - self.centre
        if d * d > (self.inner_sq if inner else self.outer_sq):
            return 1 if d > 0 else -1
        return 0


def _chart(
    chart: ChartType,
    labels: list[object],
    values: list[Fraction | None],
    numerators: list[int | None],
    denominators: list[int | None],
    moving: list[Fraction | None],
    used: set[int],
    bands: list[_Band | None],
    centre: Fraction | None,
    mean_range: Fraction | None,
    screened: int,
    basis: int,
    options: SpcOptions,
    note: str | None,
) -> SpcChart:
    """Apply the rules to values and their bands, classify and colour, and pick the icons."""
    _check_periods(labels)
    count = len(values)
    sides: list[int | None] = []
    outside: list[int] = []
    counted: list[bool] = []
    for value, band in zip(values, bands, strict=True):
        if value is None or band is None:
            sides.append(None)
            outside.append(0)
            counted.append(False)
            continue
        d = value - band.centre
        sides.append((d > 0) - (d < 0))
        out = band.beyond(value)
        outside.append(out)
        past_inner = band.beyond(value, inner=True) != 0
        if options.two_in_three is TwoInThreeRule.CLASSIC:
            counted.append(past_inner and out == 0)
        else:
            counted.append(past_inner)

    # Trends need no limits, but a value with no limits has no classification either.
    trends = trend_directions(
        [v if b is not None else None for v, b in zip(values, bands, strict=True)]
    )
    two_three = two_in_three_members(sides, counted)
    shifts = shift_members(sides)

    result: list[SpcPoint] = []
    for i in range(count):
        band = bands[i]
        value = values[i]
        rule: SpecialCauseRule | None = None
        direction = 0
        if outside[i]:
            rule, direction = SpecialCauseRule.OUTSIDE_LIMITS, outside[i]
        elif trends[i]:
            rule, direction = SpecialCauseRule.TREND, trends[i]
        elif two_three[i]:
            rule, direction = SpecialCauseRule.TWO_IN_THREE, sides[i] or 0
        elif shifts[i]:
            rule, direction = SpecialCauseRule.SHIFT, sides[i] or 0
        has_value = value is not None and band is not None
        point_type = _point_type(direction, options.improvement_direction) if has_value else None
        result.append(
            SpcPoint(
                period=labels[i],
                value=None if value is None else float(value),
                numerator=numerators[i],
                denominator=denominators[i],
                moving_range=_float_or_none(moving[i]),
                moving_range_used=i in used,
                centre=None if band is None else float(band.centre),
                lower_limit=None if band is None else band.lower,
                upper_limit=None if band is None else band.upper,
                lower_inner=None if band is None else band.lower_inner,
                upper_inner=None if band is None else band.upper_inner,
                outside_limits=outside[i] != 0,
                trend=trends[i] != 0,
                two_in_three=two_three[i],
                shift=shifts[i],
                rule=rule,
                side=None if direction == 0 else (Side.HIGH if direction > 0 else Side.LOW),
                point_type=point_type,
                colour=None if point_type is None else POINT_COLOURS[point_type],
            )
        )

    last = next((i for i in reversed(range(count)) if result[i].point_type is not None), None)
    variation = assurance = None
    last_band = None if last is None else bands[last]
    if last is not None and last_band is not None:
        variation = _variation_icon(result[last])
        assurance = _assurance_icon(last_band, options)
    has_limits = any(band is not None for band in bands)
    trial = has_limits and basis < options.trial_threshold
    return SpcChart(
        chart=chart,
        points=tuple(result),
        centre=None if centre is None else float(centre),
        mean_moving_range=None if mean_range is None else float(mean_range),
        moving_ranges_screened_out=screened,
        limits_basis=basis,
        trial_limits=trial,
        limits_label=_limits_label(has_limits, basis, trial, options),
        variation_icon=variation,
        assurance_icon=assurance,
        options=options,
        note=note,
    )


def _point_type(direction: int, improvement: ImprovementDirection) -> PointType:
    if direction == 0:
        return PointType.COMMON_CAUSE
    if improvement is ImprovementDirection.NEUTRAL:
        return PointType.NEUTRAL_HIGH if direction > 0 else PointType.NEUTRAL_LOW
    good = 1 if improvement is ImprovementDirection.INCREASE else -1
    return PointType.IMPROVEMENT if direction == good else PointType.CONCERN


def _variation_icon(point: SpcPoint) -> VariationIcon:
    """The last point's type and side: a concern when higher is better is "concern_low"."""
    if point.side is None:
        return VariationIcon.COMMON_CAUSE
    if point.point_type is PointType.IMPROVEMENT:
        return VariationIcon(f"improvement_{point.side}")
    if point.point_type is PointType.CONCERN:
        return VariationIcon(f"concern_{point.side}")
    return VariationIcon(f"neutral_{point.side}")


def _assurance_icon(band: _Band, options: SpcOptions) -> AssuranceIcon | None:
    if options.target is None or options.improvement_direction is ImprovementDirection.NEUTRAL:
        return None
    where = band.beyond(to_fraction(options.target))
    if where == 0:
        return AssuranceIcon.HIT_AND_MISS
    higher_is_better = options.improvement_direction is ImprovementDirection.INCREASE
    # A target above the upper limit is out of reach if higher is better, and always met if
    # lower is better; below the lower limit it is the reverse.
    target_above = where > 0
    return AssuranceIcon.FAIL if target_above == higher_is_better else AssuranceIcon.PASS


def _limits_label(has_limits: bool, basis: int, trial: bool, options: SpcOptions) -> str:
    if not has_limits:
        return "no limits"
    fixed = options.fix_after_n_points
    base = (
        f"fixed on the first {fixed} periods ({basis} values)"
        if fixed is not None
        else f"from {basis} values"
    )
    if trial:
        return f"trial limits, {base}: fewer than {options.trial_threshold} values"
    return f"limits {base}"


def _options(
    improvement_direction: ImprovementDirection | str,
    target: Number | None,
    two_in_three: TwoInThreeRule | str,
    fix_after_n_points: int | None,
    screen_outliers: bool | None,
    trial_threshold: int,
    *,
    smallest_baseline: int,
) -> SpcOptions:
    fix = None
    if fix_after_n_points is not None:
        fix = check_count(fix_after_n_points, "fix_after_n_points")
        if fix < smallest_baseline:
            raise ValueError(
                f"fix_after_n_points must be at least {smallest_baseline} for this chart"
            )
    if target is not None:
        target = float(to_fraction(target))
    return SpcOptions(
        improvement_direction=ImprovementDirection(improvement_direction),
        target=target,
        two_in_three=TwoInThreeRule(two_in_three),
        fix_after_n_points=fix,
        screen_outliers=screen_outliers,
        trial_threshold=check_count(trial_threshold, "trial_threshold"),
    )


def _check_periods(labels: Sequence[object]) -> None:
    """Refuse a period given twice: a chart has one point per period, in time order."""
    seen: dict[object, int] = {}
    for i, label in enumerate(labels):
        try:
            first = seen.setdefault(label, i)
        except TypeError:  # an unhashable label: compare with each before it
            first = next((j for j in range(i) if labels[j] == label), i)
        if first != i:
            raise ValueError(
                f"period {label!r} is given twice (points {first + 1} and {i + 1}); a chart has "
                "one point per period, so combine or choose that period's values first"
            )


def _unpack(item: Any, width: int, position: int) -> tuple[Any, ...]:
    try:
        parts = tuple(item)
    except TypeError:
        parts = ()
    if len(parts) != width:
        shape = "(period, value)" if width == 2 else "(period, numerator, denominator)"
        raise ValueError(f"point {position + 1} must be a {shape} tuple, got {item!r}")
    return parts


def _value(value: Number | None, position: int) -> Fraction | None:
    """A value as an exact fraction; None and NaN both mean the period has no value."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        return to_fraction(value)
    except (TypeError, ValueError) as error:
        raise type(error)(f"point {position + 1}: {error}") from None


def _float_or_none(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _plain(value: Any) -> Any:
    """StrEnums as their strings, for Arrow and JSON."""
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
