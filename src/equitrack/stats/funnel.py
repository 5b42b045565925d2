"""Funnel plots comparing organisations: Spiegelhalter's method with overdispersion.

A league table ranks organisations whether or not their differences are more than chance; a
funnel plot shows each organisation's figure against its size, with limits that narrow as size
grows, so only the organisations outside the funnel are said to differ. With many organisations
the spread between them is usually wider than sampling alone explains (case mix, coding,
recording), and plain limits would then flag a third of them. Spiegelhalter's additive
random-effects adjustment widens the limits by a between-organisation variance τ² estimated
from the data, so that what is left outside is unusual even allowing for that.

The method is the one NHS analysts know from the NHS-R package FunnelPlotR (Mainey; version
0.6 read for this), after Spiegelhalter (2005) Statistics in Medicine 24:1185-1202, Spiegelhalter
(2005) Quality & Safety in Health Care 14:347-351 and Spiegelhalter et al. (2012) JRSS A
175:1-47. For proportions and indirectly standardised ratios it gives the same target, φ, τ²,
limits and outliers as FunnelPlotR on the same (one row per unit) input, except where listed
below.

1. Transform each unit to a scale where its sampling spread is roughly normal with a known s:

   * proportion p = events/n: y = asin √p, s = 1/(2√n), target asin √(Σevents/Σn);
   * standardised ratio O/E, FunnelPlotR's "SHMI" method (its default): y = ln(O/E),
     s = 1/√E, target 0 (a ratio of 1), with E rounded to 2 decimal places first (FunnelPlotR's
     ``SHMI_rounding``, which follows NHS Digital's SHMI); its "CQC" method: y = √(O/E),
     s = 1/(2√E), target 1;
   * relative likelihood RL = (a/n1)/(c/n2), oriented as in :mod:`.ratios` (> 1 = worse for the
     focus group): y = ln RL, s² = 1/a − 1/n1 + 1/c − 1/n2 (the Katz variance the spec uses
     for every RL interval), target ln of the pooled RL (Σa/Σn1)/(Σc/Σn2). Its horizontal axis
     is the precision 1/s², the usual funnel axis when there is no single denominator.

2. z = (y − target)/s.
3. Take the edge off extreme units before estimating spread. Winsorise (proportions, CQC
   ratios, relative likelihoods): z below the 10th percentile is set to it and z above the
   90th to it, the percentiles by R's default ``quantile`` (type 7, numpy's "linear"), all
   units still counted. SHMI truncates instead: rank z (ties averaged), band = ⌊rank·k/(N+1)⌋
   with k = 1/trim, and keep only units with 0 < band < k − 1, as NHS Digital does.
4. φ = Σz̃²/n over the n units kept; with weights w = 1/s² over the same units,
   τ² = (nφ − (n − 1)) / (Σw − Σw²/Σw) when nφ > n − 1, else 0 (DerSimonian-Laird).
5. The limits are widened only when overdispersion is on and φ > 1 (FunnelPlotR since 0.4.2
   decides on φ, not τ²: with 1 − 1/n ≤ φ ≤ 1 it reports a small τ² but draws plain limits;
   so does this module, see ``tau2`` and ``tau2_applied``).
6. Limits target ± z·√(s² + τ²) on the transformed scale, z = 1.959964 (95%) and 3.090232
   (99.8%), transformed back: sin²(·) for proportions, exp(·) for log scales, (·)² for CQC.
   Plain (unwidened) limits for standardised ratios are FunnelPlotR's exact Poisson ones,
   χ²(α/2; 2E)/2E and χ²(1 − α/2; 2(E + 1))/2E with α = 0.05 and 0.002.
7. A unit is an outlier when its value (p, O/E or RL, unrounded) is strictly outside its own
   limits; a value on a limit is inside (FunnelPlotR: LCL <= value <= UCL is inside). A
   proportion of 0 or 1 meets a limit clamped to 0 or 1 exactly, so this decides real cases.

The limits grid, for drawing, is FunnelPlotR's: 1000 evenly spaced points from 3 (proportions),
1.1 (standardised ratios) or 1 (relative likelihoods, in precision) up to the largest unit's x
rounded up, together with every unit's own x.

Deliberate differences from FunnelPlotR, each for a stated reason:

* Proportion limits are clamped on the transformed scale (to [0, π/2]) before sin², so a limit
  beyond 0 or 1 is exactly 0 or 1. FunnelPlotR instead sets a grid value to 0 (or 1) when it
  is out of order with the next grid point; the two agree except possibly at the single grid
  point where a limit first reaches 0 or 1, where FunnelPlotR can keep a small wrong value.
* CQC limits are squared back to the ratio scale, (1 ± z·σ)² with a negative base taken as 0.
  FunnelPlotR 0.6 plots 1 ± z·σ, on the square-root scale, against O/E (its 0.3 releases
  squared them); the unsquared limits are about half as wide as they should be.
* With overdispersion switched off, φ and τ² are still estimated and reported (only the limits
  stay plain); FunnelPlotR reports both as 0 then.
* One row per unit: repeated unit labels are an error rather than summed, so that a caller's
  join mistake is not silently merged. Units are kept in input order, not sorted.
* Units that cannot be placed (zero or missing denominator, a relative likelihood with no
  events in a group, ...) are excluded before anything is estimated, take no part in the
  truncation ranks, and are counted by reason in ``excluded`` and listed in the unit table.
  FunnelPlotR would carry them as NaN, which R ranks last.
* Under SHMI a unit with no observed events has y = −∞. It is ranked (lowest) as in
  FunnelPlotR and is compared with its limits as usual; if it survives truncation it is left
  out of φ and τ² (which it would make infinite) and ``notes`` says so.
* Every unit outside the 95% limits is listed as an outlier, with the widest limit it crosses;
  FunnelPlotR flags against one chosen limit (99.8% by default): filter on ``limit``.
* FunnelPlotR's "RC" ratio of counts is not offered: its limits use s = 1/(2√n), which does not
  match the per-unit s it uses for z. A relative likelihood of two rates is the ratio of counts
  equitrack compares, and has the Katz s on both.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from ._arrays import as_floats, as_labels, same_length
from ._common import Z95
from .ratios import Orientation

if TYPE_CHECKING:
    import pyarrow as pa

#: Two-sided 99.8% normal quantile, as FunnelPlotR uses it.
Z998 = 3.090232

#: FunnelPlotR's default share trimmed at each end before estimating overdispersion.
TRIM = 0.1

#: Points in the limits grid before the units' own x values are added (FunnelPlotR's).
GRID_POINTS = 1000

_GRID_START = {"proportion": 3.0, "standardised_ratio": 1.1, "relative_likelihood": 1.0}

LimitsFunction = Callable[[np.ndarray, float, bool], tuple[np.ndarray, ...]]


class FunnelKind(StrEnum):
    PROPORTION = "proportion"
    STANDARDISED_RATIO = "standardised_ratio"
    RELATIVE_LIKELIHOOD = "relative_likelihood"


class RatioMethod(StrEnum):
    """FunnelPlotR's two methods for indirectly standardised ratios (``sr_method``)."""

    #: log scale, truncation, expected counts rounded to 2 dp (FunnelPlotR's default)
    SHMI = "shmi"
    #: square-root scale, winsorisation
    CQC = "cqc"


class OutlierLimit(StrEnum):
    P95 = "95%"
    P998 = "99.8%"


class OutlierDirection(StrEnum):
    HIGH = "high"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class FunnelOptions:
    """Everything that changes the answer, recorded with it."""

    kind: FunnelKind
    overdispersion: bool = True
    trim: float = TRIM
    method: RatioMethod | None = None  # standardised ratios only
    round_expected: bool | None = None  # SHMI only
    orientation: Orientation | None = None  # relative likelihoods only
    grid_points: int = GRID_POINTS

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "overdispersion": self.overdispersion,
            "trim": self.trim,
            "method": None if self.method is None else str(self.method),
            "round_expected": self.round_expected,
            "orientation": None if self.orientation is None else str(self.orientation),
            "grid_points": self.grid_points,
        }


@dataclass(frozen=True, slots=True)
class FunnelUnit:
    """One organisation on the funnel, or the reason it is not on it.

    ``counts`` are the inputs by name (``events``/``population``, ``observed``/``expected``
    with ``expected_used`` after SHMI rounding, or the four relative-likelihood counts). ``x``
    is the horizontal position: population, expected count used, or precision 1/s². ``value``
    is on the natural scale (p, O/E, RL) and ``y`` on the transformed one. ``z_trimmed`` is
    the winsorised z, or for SHMI the z when kept by truncation and None when truncated;
    ``in_dispersion`` says whether the unit counted in φ and τ². When ``reason`` is set the
    unit was excluded and every computed field is None.
    """

    unit: str
    counts: dict[str, float | None]
    x: float | None
    value: float | None
    y: float | None
    s: float | None
    z: float | None
    z_trimmed: float | None
    in_dispersion: bool
    lower95: float | None
    upper95: float | None
    lower998: float | None
    upper998: float | None
    outlier_limit: OutlierLimit | None
    outlier_direction: OutlierDirection | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FunnelOutlier:
    """A unit outside its limits: the widest limit crossed (99.8% before 95%) and which side.

    Outside means strictly beyond: a value exactly on a limit is inside it, as FunnelPlotR has
    it (``outliers_func``: inside when LCL <= value <= UCL).
    """

    unit: str
    value: float
    limit: OutlierLimit
    direction: OutlierDirection
    bound: float  # the limit it is beyond


@dataclass(frozen=True, slots=True)
class FunnelLimits:
    """Control limits over a grid of x values, for drawing the funnel (ascending x)."""

    x: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    lower998: np.ndarray
    upper998: np.ndarray


@dataclass(frozen=True, slots=True)
class FunnelResult:
    """The funnel as numbers: target, dispersion, per-unit limits, the grid and outliers.

    ``tau2`` is the estimate from the data; ``tau2_applied`` is what widened the limits
    (``tau2`` when ``adjusted``, else 0). ``adjusted`` is true when overdispersion is on and
    φ > 1. ``n_dispersion`` counts the units φ was averaged over. ``excluded`` counts units
    left off the funnel by reason; ``notes`` records anything else worth knowing.
    """

    options: FunnelOptions
    target: float
    phi: float
    tau2: float
    tau2_applied: float
    adjusted: bool
    n_dispersion: int
    units: tuple[FunnelUnit, ...]
    limits: FunnelLimits
    outliers: tuple[FunnelOutlier, ...]
    excluded: dict[str, int]
    notes: tuple[str, ...] = ()

    @property
    def kind(self) -> FunnelKind:
        return self.options.kind

    def summary(self) -> dict[str, Any]:
        """The scalars, for metadata and logs."""
        return {
            "options": self.options.as_dict(),
            "target": self.target,
            "phi": self.phi,
            "tau2": self.tau2,
            "tau2_applied": self.tau2_applied,
            "adjusted": self.adjusted,
            "n_units": len(self.units),
            "n_dispersion": self.n_dispersion,
            "excluded": dict(self.excluded),
            "notes": list(self.notes),
        }

    def to_arrow(self) -> dict[str, pa.Table]:
        """``{"units": per-unit table, "limits": the grid}``; the summary rides in metadata.

        Both tables carry the :meth:`summary` as JSON under the schema metadata key
        ``equitrack.funnel``, so an export says which options and dispersion it came from.
        """
        import pyarrow as pa

        metadata = {"equitrack.funnel": json.dumps(self.summary(), sort_keys=True)}
        count_names = list(self.units[0].counts) if self.units else []
        integer_counts = self.kind is not FunnelKind.STANDARDISED_RATIO
        count_type = pa.int64() if integer_counts else pa.float64()
        columns: dict[str, pa.Array] = {"unit": pa.array([u.unit for u in self.units], pa.string())}
        for name in count_names:
            raw = [u.counts[name] for u in self.units]
            if integer_counts:
                raw = [None if v is None else int(v) for v in raw]
            columns[name] = pa.array(raw, count_type)
        for name in (
            "x",
            "value",
            "y",
            "s",
            "z",
            "z_trimmed",
            "lower95",
            "upper95",
            "lower998",
            "upper998",
        ):
            columns[name] = pa.array([getattr(u, name) for u in self.units], pa.float64())
        columns["in_dispersion"] = pa.array([u.in_dispersion for u in self.units], pa.bool_())
        columns["outlier_limit"] = pa.array(
            [None if u.outlier_limit is None else str(u.outlier_limit) for u in self.units],
            pa.string(),
        )
        columns["outlier_direction"] = pa.array(
            [None if u.outlier_direction is None else str(u.outlier_direction) for u in self.units],
            pa.string(),
        )
        columns["reason"] = pa.array([u.reason for u in self.units], pa.string())
        units = pa.table(columns).replace_schema_metadata(metadata)
        grid = self.limits
        limits = pa.table(
            {
                "x": pa.array(grid.x, pa.float64()),
                "target": pa.array(np.full(grid.x.shape, self.target), pa.float64()),
                "lower95": pa.array(grid.lower95, pa.float64()),
                "upper95": pa.array(grid.upper95, pa.float64()),
                "lower998": pa.array(grid.lower998, pa.float64()),
                "upper998": pa.array(grid.upper998, pa.float64()),
            }
        ).replace_schema_metadata(metadata)
        return {"units": units, "limits": limits}


# --- the steps, public so that they can be checked on their own -----------------------------


def winsorise(z: np.ndarray, trim: float = TRIM) -> np.ndarray:
    """z pulled in to its ``trim`` and ``1 − trim`` quantiles (R's type 7 quantile)."""
    z = np.asarray(z, dtype=np.float64)
    low, high = np.quantile(z, [trim, 1 - trim])
    return np.clip(z, low, high)


def truncate(z: np.ndarray, trim: float = TRIM) -> np.ndarray:
    """NHS Digital's SHMI truncation as FunnelPlotR codes it: NaN for units cut off.

    With k = 1/trim (10 for 10%), each unit's band is ⌊rank·k/(N + 1)⌋ (average ranks for
    ties) and units in band 0 or in band k − 1 and above are dropped.
    """
    from scipy.stats import rankdata

    z = np.asarray(z, dtype=np.float64)
    k = 1 / trim
    band = np.floor(rankdata(z, method="average") * k / (len(z) + 1))
    return np.where((band > 0) & (band < k - 1), z, np.nan)


@dataclass(frozen=True, slots=True)
class Dispersion:
    phi: float
    tau2: float
    n: int


def dispersion(z_trimmed: np.ndarray, s: np.ndarray) -> Dispersion:
    """φ = mean z̃² and the DerSimonian-Laird τ² over the units whose z̃ is finite.

    τ² = (nφ − (n − 1)) / (Σw − Σw²/Σw), w = 1/s², when nφ > n − 1; otherwise 0. With a
    single unit the denominator is 0 and there is no between-unit variance to estimate: 0.
    """
    z_trimmed = np.asarray(z_trimmed, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    used = np.isfinite(z_trimmed)
    n = int(used.sum())
    if n == 0:
        raise ValueError("no units to estimate dispersion from")
    zt = z_trimmed[used]
    phi = float(np.sum(zt * zt) / n)
    w = 1.0 / s[used] ** 2
    total = float(np.sum(w))
    denominator = total - float(np.sum(w * w)) / total
    if n * phi <= n - 1 or denominator <= 0:
        return Dispersion(phi, 0.0, n)
    return Dispersion(phi, max(0.0, (n * phi - (n - 1)) / denominator), n)


# --- entry points -------------------------------------------------------------------------


def funnel_proportions(
    units: Sequence[Any],
    events: Any,
    population: Any,
    *,
    overdispersion: bool = True,
    trim: float = TRIM,
    grid_points: int = GRID_POINTS,
) -> FunnelResult:
    """Funnel for rates events/population (FunnelPlotR ``data_type = "PR"``).

    A unit with a missing count or an empty population is excluded, with its reason; rates of
    0 and 1 are ordinary points (asin √p is 0 and π/2).
    """
    options = FunnelOptions(
        FunnelKind.PROPORTION,
        overdispersion=overdispersion,
        trim=_check_trim(trim),
        grid_points=_check_grid(grid_points),
    )
    names = _unit_names(units)
    k = _whole_counts(events, "events")
    n = _whole_counts(population, "population")
    same_length([("units", len(names)), ("events", len(k)), ("population", len(n))])
    reasons: list[str | None] = []
    for i, name in enumerate(names):
        if math.isnan(k[i]) or math.isnan(n[i]):
            reasons.append("missing count")
        elif k[i] > n[i]:
            raise ValueError(f"{name}: events ({k[i]:.0f}) exceed the population ({n[i]:.0f})")
        elif n[i] == 0:
            reasons.append("zero denominator")
        else:
            reasons.append(None)
    ok = np.array([r is None for r in reasons])
    _require_units(ok, reasons)
    target = float(Fraction(int(k[ok].sum()), int(n[ok].sum())))
    target_y = math.asin(math.sqrt(target))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(ok, k / n, np.nan)
        y = np.arcsin(np.sqrt(value))
        s = np.where(ok, 1 / (2 * np.sqrt(n)), np.nan)

    def limits(x: np.ndarray, tau2: float, adjusted: bool) -> tuple[np.ndarray, ...]:
        sigma = np.sqrt(1 / (4 * x) + tau2)
        out = []
        for zq in (Z95, Z998):
            for sign in (-1, 1):
                theta = np.clip(target_y + sign * zq * sigma, 0.0, math.pi / 2)
                out.append(np.sin(theta) ** 2)
        return tuple(out)

    return _fit(
        options,
        names,
        {"events": k, "population": n},
        x=n,
        value=value,
        y=y,
        s=s,
        reasons=reasons,
        target=target,
        target_y=target_y,
        limits=limits,
        truncating=False,
    )


def funnel_standardised_ratios(
    units: Sequence[Any],
    observed: Any,
    expected: Any,
    *,
    method: RatioMethod | str = RatioMethod.SHMI,
    round_expected: bool = True,
    overdispersion: bool = True,
    trim: float = TRIM,
    grid_points: int = GRID_POINTS,
) -> FunnelResult:
    """Funnel for indirectly standardised ratios observed/expected (FunnelPlotR ``"SR"``).

    ``method="shmi"`` (default, as FunnelPlotR) works on the log scale and truncates;
    ``"cqc"`` on the square-root scale and winsorises. ``round_expected`` rounds E to 2 dp
    under SHMI (FunnelPlotR's ``SHMI_rounding``, on by default), with Python's ``round``,
    which rounds the binary value correctly as R 4's ``round`` also sets out to; ``value``
    stays the unrounded O/E, as FunnelPlotR plots it. A missing count or an expected count of 0 (after rounding) excludes
    the unit.
    """
    method = RatioMethod(method)
    rounding = round_expected and method is RatioMethod.SHMI
    options = FunnelOptions(
        FunnelKind.STANDARDISED_RATIO,
        overdispersion=overdispersion,
        trim=_check_trim(trim),
        method=method,
        round_expected=rounding,
        grid_points=_check_grid(grid_points),
    )
    names = _unit_names(units)
    o = as_floats(observed, "observed")
    e = as_floats(expected, "expected")
    same_length([("units", len(names)), ("observed", len(o)), ("expected", len(e))])
    for label, values in (("observed", o), ("expected", e)):
        if np.any(np.isinf(values)) or np.any(values < 0):
            raise ValueError(f"{label} counts must be finite and zero or more")
    e_used = np.array([round(v, 2) if rounding and not math.isnan(v) else v for v in e])
    reasons: list[str | None] = []
    for i in range(len(names)):
        if math.isnan(o[i]) or math.isnan(e[i]):
            reasons.append("missing count")
        elif e_used[i] == 0:
            reasons.append("zero expected count" + (" after rounding to 2 dp" if e[i] else ""))
        else:
            reasons.append(None)
    ok = np.array([r is None for r in reasons])
    _require_units(ok, reasons)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(ok, o / e, np.nan)
        ratio_used = np.where(ok, o / e_used, np.nan)
        if method is RatioMethod.SHMI:
            y = np.log(ratio_used)
            s = np.where(ok, 1 / np.sqrt(e_used), np.nan)
            target_y = 0.0
        else:
            y = np.sqrt(ratio_used)
            s = np.where(ok, 1 / (2 * np.sqrt(e_used)), np.nan)
            target_y = 1.0

    def limits(x: np.ndarray, tau2: float, adjusted: bool) -> tuple[np.ndarray, ...]:
        if not adjusted:
            return _poisson_limits(x)
        out = []
        for zq in (Z95, Z998):
            for sign in (-1, 1):
                if method is RatioMethod.SHMI:
                    out.append(np.exp(sign * zq * np.sqrt(1 / x + tau2)))
                else:
                    root = 1 + sign * zq * np.sqrt(1 / (4 * x) + tau2)
                    out.append(np.clip(root, 0.0, None) ** 2)
        return tuple(out)

    return _fit(
        options,
        names,
        {"observed": o, "expected": e, "expected_used": e_used},
        x=e_used,
        value=value,
        y=y,
        s=s,
        reasons=reasons,
        target=1.0,
        target_y=target_y,
        limits=limits,
        truncating=method is RatioMethod.SHMI,
    )


def funnel_relative_likelihoods(
    units: Sequence[Any],
    focus_events: Any,
    focus_population: Any,
    reference_events: Any,
    reference_population: Any,
    *,
    orientation: Orientation | str,
    overdispersion: bool = True,
    trim: float = TRIM,
    grid_points: int = GRID_POINTS,
) -> FunnelResult:
    """Funnel for each organisation's relative likelihood, against the pooled one.

    The ratio is oriented as :func:`equitrack.stats.relative_likelihood` orients it (above 1
    = the focus group fares worse), y = ln RL with the Katz s, and x = 1/s². A unit is
    excluded, with its reason, when a count is missing, a group is empty, a group has no
    events (the ratio is 0 or undefined and ln RL has no finite value), or every person in
    both groups had the event (s = 0).
    """
    orientation = Orientation(orientation)
    options = FunnelOptions(
        FunnelKind.RELATIVE_LIKELIHOOD,
        overdispersion=overdispersion,
        trim=_check_trim(trim),
        orientation=orientation,
        grid_points=_check_grid(grid_points),
    )
    names = _unit_names(units)
    fa = _whole_counts(focus_events, "focus_events")
    fn = _whole_counts(focus_population, "focus_population")
    ra = _whole_counts(reference_events, "reference_events")
    rn = _whole_counts(reference_population, "reference_population")
    same_length(
        [
            ("units", len(names)),
            ("focus_events", len(fa)),
            ("focus_population", len(fn)),
            ("reference_events", len(ra)),
            ("reference_population", len(rn)),
        ]
    )
    if orientation.focus_over_reference:
        a, n1, c, n2 = fa, fn, ra, rn
    else:
        a, n1, c, n2 = ra, rn, fa, fn
    reasons: list[str | None] = []
    variance = np.full(len(names), np.nan)
    for i, name in enumerate(names):
        for events, population, group in ((fa, fn, "focus"), (ra, rn, "reference")):
            if events[i] > population[i]:
                raise ValueError(
                    f"{name}: {group} events ({events[i]:.0f}) exceed the {group} "
                    f"population ({population[i]:.0f})"
                )
        if any(math.isnan(v[i]) for v in (fa, fn, ra, rn)):
            reasons.append("missing count")
        elif fn[i] == 0 or rn[i] == 0:
            reasons.append("empty group")
        elif fa[i] == 0 or ra[i] == 0:
            reasons.append("no events in a group (ratio 0 or undefined)")
        else:
            exact = (
                Fraction(1, int(a[i]))
                - Fraction(1, int(n1[i]))
                + Fraction(1, int(c[i]))
                - Fraction(1, int(n2[i]))
            )
            if exact == 0:
                reasons.append("no variance (everyone in both groups had the event)")
            else:
                reasons.append(None)
                variance[i] = float(exact)
    ok = np.array([r is None for r in reasons])
    _require_units(ok, reasons)
    pooled = Fraction(int(a[ok].sum()) * int(n2[ok].sum()), int(n1[ok].sum()) * int(c[ok].sum()))
    target = float(pooled)
    target_y = math.log(pooled)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(ok, (a / n1) / (c / n2), np.nan)
        y = np.log(value)
        s = np.sqrt(variance)
        precision = 1 / variance

    def limits(x: np.ndarray, tau2: float, adjusted: bool) -> tuple[np.ndarray, ...]:
        sigma = np.sqrt(1 / x + tau2)
        return tuple(np.exp(target_y + sign * zq * sigma) for zq in (Z95, Z998) for sign in (-1, 1))

    return _fit(
        options,
        names,
        {
            "focus_events": fa,
            "focus_population": fn,
            "reference_events": ra,
            "reference_population": rn,
        },
        x=precision,
        value=value,
        y=y,
        s=s,
        reasons=reasons,
        target=target,
        target_y=target_y,
        limits=limits,
        truncating=False,
    )


# --- shared machinery ---------------------------------------------------------------------


def _fit(
    options: FunnelOptions,
    names: list[str],
    counts: dict[str, np.ndarray],
    *,
    x: np.ndarray,
    value: np.ndarray,
    y: np.ndarray,
    s: np.ndarray,
    reasons: list[str | None],
    target: float,
    target_y: float,
    limits: LimitsFunction,
    truncating: bool,
) -> FunnelResult:
    ok = np.array([r is None for r in reasons])
    idx = np.flatnonzero(ok)
    notes: list[str] = []
    z = np.full(len(names), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z[idx] = (y[idx] - target_y) / s[idx]
    z_trimmed = np.full(len(names), np.nan)
    z_trimmed[idx] = (
        truncate(z[idx], options.trim) if truncating else winsorise(z[idx], options.trim)
    )
    infinite = ok & np.isinf(z_trimmed)
    if infinite.any():
        left_out = ", ".join(names[i] for i in np.flatnonzero(infinite))
        notes.append(
            f"left out of the dispersion estimate (no observed events, so ln(O/E) is -inf): "
            f"{left_out}"
        )
    if np.isfinite(z_trimmed).any():
        d = dispersion(z_trimmed, s)
    else:  # e.g. every unit kept by SHMI truncation had no observed events
        d = Dispersion(math.nan, 0.0, 0)
        notes.append("no unit could inform the dispersion estimate: phi is undefined")
    adjusted = options.overdispersion and d.phi > 1
    tau2_applied = d.tau2 if adjusted else 0.0
    if d.n == 1:
        notes.append("one unit in the dispersion estimate: tau2 is 0")

    unit_limits = [np.full(len(names), np.nan) for _ in range(4)]
    if idx.size:
        for column, computed in zip(
            unit_limits, limits(x[idx], tau2_applied, adjusted), strict=True
        ):
            column[idx] = computed
    lo95, up95, lo998, up998 = unit_limits

    top = math.ceil(float(np.max(x[idx])))
    start = _GRID_START[str(options.kind)]
    grid_x = np.unique(np.concatenate([np.linspace(start, top, options.grid_points), x[idx]]))
    grid = FunnelLimits(grid_x, *limits(grid_x, tau2_applied, adjusted))

    built: list[FunnelUnit] = []
    outliers: list[FunnelOutlier] = []
    for i, name in enumerate(names):
        unit_counts = {key: _opt(column[i]) for key, column in counts.items()}
        if not ok[i]:
            built.append(_excluded_unit(name, unit_counts, reasons[i]))
            continue
        v = float(value[i])
        found = _outlier(v, lo95[i], up95[i], lo998[i], up998[i])
        if found is not None:
            outliers.append(FunnelOutlier(name, v, *found))
        built.append(
            FunnelUnit(
                name,
                unit_counts,
                float(x[i]),
                v,
                float(y[i]),
                float(s[i]),
                float(z[i]),
                _opt(z_trimmed[i]),
                bool(np.isfinite(z_trimmed[i])),
                float(lo95[i]),
                float(up95[i]),
                float(lo998[i]),
                float(up998[i]),
                None if found is None else found[0],
                None if found is None else found[1],
            )
        )
    excluded = dict(Counter(r for r in reasons if r is not None))
    return FunnelResult(
        options=options,
        target=target,
        phi=d.phi,
        tau2=d.tau2,
        tau2_applied=tau2_applied,
        adjusted=adjusted,
        n_dispersion=d.n,
        units=tuple(built),
        limits=grid,
        outliers=tuple(outliers),
        excluded=excluded,
        notes=tuple(notes),
    )


def _excluded_unit(name: str, counts: dict[str, float | None], reason: str | None) -> FunnelUnit:
    return FunnelUnit(
        unit=name,
        counts=counts,
        x=None,
        value=None,
        y=None,
        s=None,
        z=None,
        z_trimmed=None,
        in_dispersion=False,
        lower95=None,
        upper95=None,
        lower998=None,
        upper998=None,
        outlier_limit=None,
        outlier_direction=None,
        reason=reason,
    )


def _outlier(
    v: float, lo95: float, up95: float, lo998: float, up998: float
) -> tuple[OutlierLimit, OutlierDirection, float] | None:
    """The widest limit `v` is strictly beyond, and which side; on a limit is inside it."""
    if v > up998:
        return OutlierLimit.P998, OutlierDirection.HIGH, float(up998)
    if v < lo998:
        return OutlierLimit.P998, OutlierDirection.LOW, float(lo998)
    if v > up95:
        return OutlierLimit.P95, OutlierDirection.HIGH, float(up95)
    if v < lo95:
        return OutlierLimit.P95, OutlierDirection.LOW, float(lo95)
    return None


def _poisson_limits(x: np.ndarray) -> tuple[np.ndarray, ...]:
    """FunnelPlotR's exact Poisson limits for O/E at expected count x (target 1)."""
    from scipy.stats import chi2

    out = []
    for alpha in (0.05, 0.002):
        out.append(chi2.ppf(alpha / 2, 2 * x) / (2 * x))
        out.append(chi2.ppf(1 - alpha / 2, 2 * (x + 1)) / (2 * x))
    return tuple(out)


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _unit_names(units: Sequence[Any]) -> list[str]:
    names = as_labels(units, "units")
    if any(name is None for name in names):
        raise ValueError("every unit needs a label")
    labels = [str(name) for name in names]
    repeated = sorted(label for label, count in Counter(labels).items() if count > 1)
    if repeated:
        raise ValueError(
            f"units must be unique (one row per unit), repeated: {', '.join(repeated)}"
        )
    return labels


def _whole_counts(values: Any, name: str) -> np.ndarray:
    """Counts of people: whole numbers, zero or more; NaN where missing."""
    array = as_floats(values, name)
    finite = array[~np.isnan(array)]
    if np.any(np.isinf(finite)) or np.any(finite < 0) or np.any(finite != np.floor(finite)):
        raise ValueError(f"{name} must be whole numbers, zero or more (or missing)")
    return array


def _require_units(ok: np.ndarray, reasons: list[str | None]) -> None:
    if not ok.any():
        counted = Counter(r for r in reasons if r is not None)
        why = "; ".join(f"{reason}: {count}" for reason, count in sorted(counted.items()))
        raise ValueError(f"no unit can be placed on the funnel ({why or 'no units given'})")


def _check_trim(trim: float) -> float:
    if not 0 < trim < 0.5:
        raise ValueError(f"trim must be between 0 and 0.5 (a share at each end), got {trim}")
    return float(trim)


def _check_grid(points: int) -> int:
    if points < 2:
        raise ValueError("the limits grid needs at least 2 points")
    return int(points)
