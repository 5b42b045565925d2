"""Careers over time: how long until an event, by group, when not everyone gets there.

Time to first promotion, or from bank to substantive post, cannot be compared with a plain
rate: people joined at different times, so some have not had the event *yet* when the data
end (censored), and some leave first (a competing event, after which the event can no longer
happen). Three views answer different questions:

- :func:`kaplan_meier` — the share still waiting at each time, treating leaving as censoring.
  This is the answer "if nobody left"; used alone it overstates how many reach the event.
- :func:`cumulative_incidence` — the share who *actually* reached the event (and, separately,
  who left first) by each time: the Aalen–Johansen estimator, where leaving is a competing
  event. At every time, event + competing + still waiting = 1.
- :func:`log_rank` — are the groups' event rates different? The log-rank test across all
  groups and, against a reference group, pairwise (with Benjamini–Hochberg adjusted p-values).
  It compares the event-of-interest hazard with leaving treated as censoring (the
  cause-specific test).

:func:`careers_over_time` runs all three. :func:`durations_from_dates` turns dates into the
inputs, censoring at the end of the data.

Inputs are three equal-length arrays: durations (whatever unit the caller chose; days are
recommended because dates are recorded to the day, so tied times are real and handled as
such; pass ``unit`` so that tables say which), event codes (0 = censored, 1 = event of
interest, 2 = competing event such as leaving) and group labels. An optional fourth,
``counts``, says how many people each row stands for (default one each), so that an engine
can hand over people counted per duration, outcome and group instead of one row per person:
every figure is the same as for the same people one by one (lifelines' case weights, whole
numbers, give the same event tables and so the same curves, intervals and tests).

Small numbers: a group with fewer than ``min_events`` (10) events of interest or fewer than
``min_population`` (30) people is flagged "too few to tell", the project's rule (see
:mod:`equitrack.stats.verdicts`). Its curves and tests are still computed for analysts.

Everything is deterministic. lifelines' Aalen–Johansen fitter randomly jitters tied times of
different event types; here ties are kept (see :func:`_ties_kept_aalen_johansen`), which gives
the exact tie-handling estimator, so the same data always give the same curves.

lifelines (with pandas under it) is imported when a curve is fitted or a test run, not with
this module: the command line and the dashboard import it for its types and constants, and
would otherwise pay for lifelines on every start.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from .verdicts import ALPHA, MIN_EVENTS, MIN_POPULATION, benjamini_hochberg

CENSORED = 0
EVENT = 1
COMPETING = 2
EVENT_CODES = (CENSORED, EVENT, COMPETING)

#: The group label used when no groups are given.
ALL = "all"

#: Days in a year when durations are wanted in years (the Julian year, so leap days average out).
DAYS_PER_YEAR = 365.25

Unit = Literal["days", "years"]
CurveKind = Literal["survival", "event", "competing", "neither"]

_CURVE_SCHEMA = pa.schema(
    [
        ("group", pa.string()),
        ("curve", pa.string()),
        ("time", pa.float64()),
        ("estimate", pa.float64()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("at_risk", pa.int64()),
        ("events", pa.int64()),
        ("censored", pa.int64()),
        ("too_few", pa.bool_()),
    ]
)

_SUMMARY_SCHEMA = pa.schema(
    [
        ("group", pa.string()),
        ("n", pa.int64()),
        ("events", pa.int64()),
        ("competing", pa.int64()),
        ("censored", pa.int64()),
        ("median", pa.float64()),
        ("median_ci_low", pa.float64()),
        ("median_ci_high", pa.float64()),
        ("too_few", pa.bool_()),
        ("reason", pa.string()),
    ]
)

_TEST_SCHEMA = pa.schema(
    [
        ("test", pa.string()),
        ("group", pa.string()),
        ("reference", pa.string()),
        ("statistic", pa.float64()),
        ("df", pa.int64()),
        ("p_value", pa.float64()),
        ("p_adjusted", pa.float64()),
        ("significant", pa.bool_()),
        ("events", pa.int64()),
        ("n", pa.int64()),
        ("reference_events", pa.int64()),
        ("reference_n", pa.int64()),
        ("too_few", pa.bool_()),
        ("reason", pa.string()),
    ]
)


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class Curve:
    """One group's step curve: ``estimate[i]`` holds from ``time[i]`` until the next time.

    ``at_risk[i]`` is the number still under observation just before ``time[i]`` (no event
    and not censored earlier); ``events[i]`` and ``censored[i]`` happen at ``time[i]``. A
    curve starts at time 0. ``ci_low``/``ci_high`` are None where there is no interval (a
    cumulative incidence before its first event).
    """

    group: str
    curve: CurveKind
    time: tuple[float, ...]
    estimate: tuple[float, ...]
    ci_low: tuple[float | None, ...]
    ci_high: tuple[float | None, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    censored: tuple[int, ...]

    def value_at(self, t: float) -> float:
        """The estimate at time ``t`` (right-continuous: an event at ``t`` already counts)."""
        position = int(np.searchsorted(np.asarray(self.time), t, side="right")) - 1
        if position < 0:
            raise ValueError(f"time {t} is before the curve starts at {self.time[0]}")
        return self.estimate[position]


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """A group's counts, its median time to the event (Kaplan–Meier) and the small-numbers flag.

    ``median`` is None when the curve never falls to one half within the data ("not
    reached"); its interval limits are None when they are not reached either.
    """

    group: str
    n: int
    events: int
    competing: int
    censored: int
    median: float | None
    median_ci_low: float | None
    median_ci_high: float | None
    too_few: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """Kaplan–Meier curves (share still waiting for the event), one per group, sorted by name.

    Leaving counts as censoring here (so the curves' ``censored`` column includes leavers).
    Intervals: lifelines' exponential Greenwood
    ("log(-log)") interval, which stays inside [0, 1].
    """

    unit: str
    alpha: float
    curves: tuple[Curve, ...]
    summaries: tuple[GroupSummary, ...]

    def curve(self, group: str) -> Curve:
        return _find(self.curves, group, "survival")

    def summary(self, group: str) -> GroupSummary:
        for s in self.summaries:
            if s.group == group:
                return s
        raise KeyError(group)

    def to_arrow(self) -> pa.Table:
        """Tidy curve table: one row per group and time (see :class:`Curve` for the columns)."""
        return _curves_to_arrow(self.curves, self.summaries, self._metadata())

    def summary_to_arrow(self) -> pa.Table:
        """One row per group: counts, median with its interval, too-few flag and reason."""
        rows = [_summary_record(s) for s in self.summaries]
        return pa.Table.from_pylist(rows, schema=_SUMMARY_SCHEMA.with_metadata(self._metadata()))

    def _metadata(self) -> dict[str, str]:
        return {
            "unit": self.unit,
            "alpha": repr(self.alpha),
            "method": "Kaplan-Meier; competing events censored; exponential Greenwood interval",
        }


@dataclass(frozen=True, slots=True)
class CumulativeIncidence:
    """Aalen–Johansen cumulative incidence with leaving as a competing event, per group.

    Each group has three curves on the same times: ``event`` (share who have had the event),
    ``competing`` (share who left first) and ``neither`` (share still waiting, the all-cause
    Kaplan–Meier curve); the three add up to 1 at every time. Intervals for ``event`` and
    ``competing`` are lifelines' delta-method log(-log) intervals (Collett; SAS LIFETEST);
    for ``neither`` the exponential Greenwood interval.
    """

    unit: str
    alpha: float
    curves: tuple[Curve, ...]
    summaries: tuple[GroupSummary, ...]

    def curve(self, group: str, kind: CurveKind = "event") -> Curve:
        return _find(self.curves, group, kind)

    def to_arrow(self) -> pa.Table:
        """Tidy curve table: one row per group, curve and time."""
        return _curves_to_arrow(self.curves, self.summaries, self._metadata())

    def _metadata(self) -> dict[str, str]:
        return {
            "unit": self.unit,
            "alpha": repr(self.alpha),
            "method": "Aalen-Johansen; tied times kept (no jitter); log(-log) delta-method interval",
        }


@dataclass(frozen=True, slots=True)
class LogRankRow:
    """One log-rank test.

    ``test`` is "overall" (all groups at once; ``group`` and ``reference`` are None, ``events``
    and ``n`` are totals) or "pairwise" (``group`` against ``reference``). ``statistic`` is the
    chi-squared statistic with ``df`` degrees of freedom; it and ``p_value`` are None when no
    test is possible, and then ``reason`` says why. ``reason`` also explains a too-few flag.
    """

    test: Literal["overall", "pairwise"]
    group: str | None
    reference: str | None
    statistic: float | None
    df: int
    p_value: float | None
    p_adjusted: float | None
    significant: bool | None
    events: int
    n: int
    reference_events: int | None
    reference_n: int | None
    too_few: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class LogRank:
    """The overall log-rank test and, when a reference group was given, pairwise tests.

    ``p_adjusted`` on pairwise rows is Benjamini–Hochberg across the pairwise tests of this
    call; ``significant`` uses the raw p-value for the overall test and the adjusted one for
    pairwise tests.
    """

    alpha: float
    overall: LogRankRow
    pairwise: tuple[LogRankRow, ...]

    @property
    def rows(self) -> tuple[LogRankRow, ...]:
        return (self.overall, *self.pairwise)

    def against(self, group: str) -> LogRankRow:
        for row in self.pairwise:
            if row.group == group:
                return row
        raise KeyError(group)

    def to_arrow(self) -> pa.Table:
        rows = [{name: getattr(row, name) for name in _TEST_SCHEMA.names} for row in self.rows]
        metadata = {"alpha": repr(self.alpha), "method": "log-rank; competing events censored"}
        return pa.Table.from_pylist(rows, schema=_TEST_SCHEMA.with_metadata(metadata))


@dataclass(frozen=True, slots=True)
class CareersOverTime:
    """Everything :func:`careers_over_time` computes, from the same inputs."""

    kaplan_meier: KaplanMeier
    cumulative_incidence: CumulativeIncidence
    log_rank: LogRank


# --------------------------------------------------------------------------------------------
# Public functions


def kaplan_meier(
    durations: Any,
    events: Any,
    groups: Any = None,
    *,
    counts: Any = None,
    unit: str = "days",
    alpha: float = ALPHA,
    min_events: int = MIN_EVENTS,
    min_population: int = MIN_POPULATION,
) -> KaplanMeier:
    """Kaplan–Meier curve of time to the event (code 1) per group, with medians.

    Censored people (code 0) and leavers (code 2) both count as censored at their time. A
    censored time equal to an event time counts as still at risk at that time (the usual
    convention). The median is the first time the curve is at or below one half (lifelines'
    definition; R's ``survfit`` instead takes the midpoint of a flat stretch at exactly 0.5).
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    data = _prepare(durations, events, groups, counts)
    _check_alpha(alpha)
    curves, summaries = [], []
    for group, t, e, w in data.by_group():
        fitter = KaplanMeierFitter(alpha=alpha)
        with _quiet():
            fitter.fit(t, event_observed=e == EVENT, weights=w)
        table = fitter.event_table
        ci = fitter.confidence_interval_.to_numpy()
        curves.append(
            Curve(
                group=group,
                curve="survival",
                time=_floats(table.index.to_numpy()),
                estimate=_floats(fitter.survival_function_.iloc[:, 0].to_numpy()),
                ci_low=_optional_floats(ci.min(axis=1)),
                ci_high=_optional_floats(ci.max(axis=1)),
                at_risk=_ints(table["at_risk"].to_numpy()),
                events=_ints(table["observed"].to_numpy()),
                censored=_ints(table["censored"].to_numpy()),
            )
        )
        median = _finite(fitter.median_survival_time_)
        median_ci = median_survival_times(fitter.confidence_interval_).to_numpy().ravel()
        low, high = (_finite(v) for v in sorted(median_ci))
        summaries.append(
            _summary(group, e, w, median, low, high, min_events=min_events, min_pop=min_population)
        )
    return KaplanMeier(unit, alpha, tuple(curves), tuple(summaries))


def cumulative_incidence(
    durations: Any,
    events: Any,
    groups: Any = None,
    *,
    counts: Any = None,
    unit: str = "days",
    alpha: float = ALPHA,
    min_events: int = MIN_EVENTS,
    min_population: int = MIN_POPULATION,
) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of the event (code 1) and of leaving (code 2).

    CIF_k(t) = Σ_{t_j ≤ t} S(t_j−) · d_kj / n_j, where S is the all-cause Kaplan–Meier curve,
    d_kj the events of type k at t_j and n_j the number at risk. Tied times, including an
    event and a leaver on the same day, are kept together in that formula, not jittered.
    """
    from lifelines import KaplanMeierFitter

    data = _prepare(durations, events, groups, counts)
    _check_alpha(alpha)
    ties_kept = _ties_kept_aalen_johansen()
    curves = []
    summaries = []
    for group, t, e, w in data.by_group():
        # lifelines fits on the rank of each time (1, 2, …) and the real times are put back
        # afterwards. The estimator depends only on the order of times, so this is exact, and it
        # avoids lifelines setting the cumulative incidence to 0 at a real time 0 (it treats its
        # first row as the start), and any float trouble in shifting times.
        times = np.unique(t)
        ranks = (np.searchsorted(times, t) + 1).astype(float)
        start_is_real = times[0] == 0  # then lifelines' start row (rank 0) is dropped
        keep = slice(1, None) if start_is_real else slice(None)
        row_times = _floats(np.concatenate([[0.0], times])[keep])

        all_cause = KaplanMeierFitter(alpha=alpha)
        with _quiet():
            all_cause.fit(ranks, event_observed=e != CENSORED, weights=w)
        base = all_cause.event_table
        at_risk = _ints(base["at_risk"].to_numpy()[keep])
        censored = _ints(base["censored"].to_numpy()[keep])
        for kind, code in (("event", EVENT), ("competing", COMPETING)):
            fitter = ties_kept(alpha=alpha)
            with _quiet(), warnings.catch_warnings():
                # never return a jittered estimate silently, whatever lifelines version this is
                warnings.filterwarnings("error", message="Tied event times")
                fitter.fit(ranks, e, event_of_interest=code, weights=w)
            estimate = fitter.cumulative_density_.iloc[:, 0].to_numpy()
            ci = fitter.confidence_interval_.to_numpy()
            # lifelines labels these two columns the wrong way round (upper is the lower limit)
            with np.errstate(invalid="ignore"):
                low, high = np.fmin(ci[:, 0], ci[:, 1]), np.fmax(ci[:, 0], ci[:, 1])
            kind_events = fitter.event_table[fitter.label_cmprisk].to_numpy()
            curves.append(
                Curve(
                    group=group,
                    curve=kind,  # type: ignore[arg-type]
                    time=row_times,
                    estimate=_floats(estimate[keep]),
                    ci_low=_optional_floats(low[keep]),
                    ci_high=_optional_floats(high[keep]),
                    at_risk=at_risk,
                    events=_ints(kind_events[keep]),
                    censored=censored,
                )
            )
        ci = all_cause.confidence_interval_.to_numpy()
        curves.append(
            Curve(
                group=group,
                curve="neither",
                time=row_times,
                estimate=_floats(all_cause.survival_function_.iloc[:, 0].to_numpy()[keep]),
                ci_low=_optional_floats(ci.min(axis=1)[keep]),
                ci_high=_optional_floats(ci.max(axis=1)[keep]),
                at_risk=at_risk,
                events=_ints(base["observed"].to_numpy()[keep]),
                censored=censored,
            )
        )
        summaries.append(
            _summary(group, e, w, None, None, None, min_events=min_events, min_pop=min_population)
        )
    return CumulativeIncidence(unit, alpha, tuple(curves), tuple(summaries))


def log_rank(
    durations: Any,
    events: Any,
    groups: Any,
    *,
    counts: Any = None,
    reference: str | None = None,
    alpha: float = ALPHA,
    min_events: int = MIN_EVENTS,
    min_population: int = MIN_POPULATION,
) -> LogRank:
    """Log-rank test of time to the event (code 1) across groups, and each group vs ``reference``.

    Leavers (code 2) count as censored, so this compares the rate of the event among those
    still in post (the cause-specific hazard), which is what the log-rank test can test;
    differences in leaving show in :func:`cumulative_incidence`. Without ``reference`` only the
    overall test is run. A comparison is flagged too few when any group in it has fewer than
    ``min_events`` events or ``min_population`` people; it is still computed.
    """
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    data = _prepare(durations, events, groups, counts)
    _check_alpha(alpha)
    names = data.group_names
    if reference is not None and reference not in names:
        raise ValueError(f"reference group {reference!r} is not among the groups {list(names)}")
    counts = {g: (_total(w[e == EVENT]), _total(w)) for g, _, e, w in data.by_group()}

    def small(groups_in_test: Sequence[str]) -> str | None:
        reasons = [
            f"{g}: {r}"
            for g in groups_in_test
            if (r := _too_few_reason(*counts[g], min_events, min_population)) is not None
        ]
        return ("too few to tell: " + "; ".join(reasons)) if reasons else None

    is_event = data.events == EVENT
    total_events, total_n = _total(data.counts[is_event]), _total(data.counts)
    if len(names) < 2:
        statistic = p = None
        reason: str | None = "only one group, so nothing to compare"
    elif total_events == 0:
        statistic = p = None
        reason = "no events in any group, so nothing to compare"
    else:
        # lifelines takes the groups in the order they first appear, and the last digits of
        # the statistic depend on it: by name, so the order of the rows does not matter
        order = np.argsort(data.groups, kind="stable")
        with _quiet():
            result = multivariate_logrank_test(
                data.durations[order],
                data.groups[order],
                is_event[order],
                weights=data.counts[order],
            )
        statistic, p = _finite(result.test_statistic), _finite(result.p_value)
        reason = None
    too_few_text = small(names)
    overall = LogRankRow(
        test="overall",
        group=None,
        reference=None,
        statistic=statistic,
        df=max(len(names) - 1, 0),
        p_value=p,
        p_adjusted=None,
        significant=None if p is None else p < alpha,
        events=total_events,
        n=total_n,
        reference_events=None,
        reference_n=None,
        too_few=too_few_text is not None,
        reason=reason or too_few_text,
    )

    pairwise: list[LogRankRow] = []
    if reference is not None:
        ref_mask = data.groups == reference
        for group in names:
            if group == reference:
                continue
            mask = data.groups == group
            events_g, n_g = counts[group]
            events_r, n_r = counts[reference]
            if events_g + events_r == 0:
                statistic = p = None
                reason = "no events in either group, so nothing to compare"
            else:
                with _quiet():
                    result = logrank_test(
                        data.durations[mask],
                        data.durations[ref_mask],
                        is_event[mask],
                        is_event[ref_mask],
                        weights_A=data.counts[mask],
                        weights_B=data.counts[ref_mask],
                    )
                statistic, p = _finite(result.test_statistic), _finite(result.p_value)
                reason = None
            too_few_text = small([group, reference])
            pairwise.append(
                LogRankRow(
                    test="pairwise",
                    group=group,
                    reference=reference,
                    statistic=statistic,
                    df=1,
                    p_value=p,
                    p_adjusted=None,
                    significant=None,
                    events=events_g,
                    n=n_g,
                    reference_events=events_r,
                    reference_n=n_r,
                    too_few=too_few_text is not None,
                    reason=reason or too_few_text,
                )
            )
        adjusted = benjamini_hochberg([row.p_value for row in pairwise])
        pairwise = [
            dataclasses.replace(row, p_adjusted=q, significant=None if q is None else q < alpha)
            for row, q in zip(pairwise, adjusted, strict=True)
        ]
    return LogRank(alpha, overall, tuple(pairwise))


def careers_over_time(
    durations: Any,
    events: Any,
    groups: Any,
    *,
    counts: Any = None,
    reference: str | None = None,
    unit: str = "days",
    alpha: float = ALPHA,
    min_events: int = MIN_EVENTS,
    min_population: int = MIN_POPULATION,
) -> CareersOverTime:
    """Kaplan–Meier, cumulative incidence and log-rank tests from the same arrays."""
    options = {
        "counts": counts,
        "alpha": alpha,
        "min_events": min_events,
        "min_population": min_population,
    }
    return CareersOverTime(
        kaplan_meier(durations, events, groups, unit=unit, **options),
        cumulative_incidence(durations, events, groups, unit=unit, **options),
        log_rank(durations, events, groups, reference=reference, **options),
    )


def durations_from_dates(
    start: Any,
    event: Any,
    competing: Any,
    end_of_data: dt.date,
    *,
    unit: Unit = "days",
) -> tuple[np.ndarray, np.ndarray]:
    """Durations and event codes from dates, censoring at the end of the data.

    ``start`` (required for everyone), ``event`` (e.g. first promotion) and ``competing``
    (e.g. leaving) are equal-length arrays of dates, None/null where it has not happened.
    Dates after ``end_of_data`` are treated as not yet happened. Someone whose event and
    leaving fall on the same day is counted as having the event (it was recorded while in
    post). Durations are whole days, or days / 365.25 for ``unit="years"``.
    """
    if unit not in ("days", "years"):
        raise ValueError(f"unit must be 'days' or 'years', got {unit!r}")
    starts, event_dates, competing_dates = (
        _dates(v, name)
        for v, name in ((start, "start"), (event, "event"), (competing, "competing"))
    )
    if not len(starts) == len(event_dates) == len(competing_dates):
        raise ValueError("start, event and competing must have the same length")
    if np.isnat(starts).any():
        raise ValueError("every person needs a start date")
    end = np.datetime64(end_of_data, "D")
    if (starts > end).any():
        raise ValueError("a start date is after the end of the data")
    for dates, name in ((event_dates, "event"), (competing_dates, "competing")):
        early = ~np.isnat(dates) & (dates < starts)
        if early.any():
            raise ValueError(f"{int(early.sum())} {name} date(s) before the start date")
    has_event = ~np.isnat(event_dates) & (event_dates <= end)
    has_competing = ~np.isnat(competing_dates) & (competing_dates <= end)
    event_first = has_event & (~has_competing | (event_dates <= competing_dates))
    competing_first = has_competing & ~event_first
    stop = np.where(event_first, event_dates, np.where(competing_first, competing_dates, end))
    days = (stop - starts).astype("timedelta64[D]").astype(np.int64)
    codes = np.where(event_first, EVENT, np.where(competing_first, COMPETING, CENSORED))
    durations = days / DAYS_PER_YEAR if unit == "years" else days
    return durations, codes.astype(np.int64)


# --------------------------------------------------------------------------------------------
# Internals


@functools.cache
def _ties_kept_aalen_johansen() -> type:
    """lifelines' Aalen–Johansen fitter without its random jitter of tied times (made on first
    use, so that lifelines is imported only when a curve is fitted).

    lifelines says the estimator "cannot deal with tied times" and moves tied event times of
    different types apart at random. Its formula, Σ S(t_j−) · d_kj / n_j with S the all-cause
    Kaplan–Meier curve, already handles ties exactly (this is the standard tie-handling
    estimator, as in R's ``survival::survfit`` and SAS LIFETEST), and the jitter makes the
    result depend on a random seed and can move an event past a censoring at the same time.
    Reporting no duplicates turns the jitter off.
    """
    from lifelines import AalenJohansenFitter

    class _TiesKeptAalenJohansen(AalenJohansenFitter):
        @staticmethod
        def _check_for_duplicates(durations: Any, events: Any) -> bool:
            return False

        def _bounds(self, lagged_survival: Any, alpha: float, ci_labels: Any) -> Any:
            return _aalen_johansen_bounds(self, lagged_survival, alpha, ci_labels)

    return _TiesKeptAalenJohansen


def _aalen_johansen_bounds(fitter: Any, lagged_survival: Any, alpha: float, ci_labels: Any) -> Any:
    """lifelines' confidence limits of a cumulative incidence (Collett's variance, from
    Greenwood's, with the delta method on the log(-log) scale, which keeps them inside 0 to 1),
    the same sums in the same order, taken over the whole event table at once: lifelines takes
    them row by row through pandas, most of a career journey's fitting time."""
    from lifelines.utils import inv_normal_cdf

    table = fitter.event_table.copy()
    table["Ft"] = fitter.cumulative_density_
    table["lagS"] = lagged_survival.fillna(1)
    if ci_labels is None:
        ci = 1 - alpha
        ci_labels = [f"{fitter._label}_upper_{ci:g}", f"{fitter._label}_lower_{ci:g}"]
    f, lag_s = (table[c].to_numpy(dtype=float) for c in ("Ft", "lagS"))
    d, n = (table[c].to_numpy(dtype=float) for c in ("observed", "at_risk"))
    k = table[fitter.label_cmprisk].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Σ a_i (F - F_i)² over the rows so far, a_i = d_i / n_i / (n_i - d_i), at each row's F
        a = d / n / (n - d)
        first = np.cumsum(a * f**2) + np.cumsum(-(2 * a * f)) * f + np.cumsum(a) * f**2
        second = np.cumsum((lag_s**2) * k * (n - k) / (n**3))
        # Σ c_i (F - F_i), c_i = S(t_i-) k_i / n_i²
        c = lag_s * k / (n**2)
        third = np.cumsum(-(c * f)) + np.cumsum(c) * f
        table["variance"] = first + second - 2 * third
        table["F_transformed"] = np.log(-np.log(table["Ft"]))
        table["se_transformed"] = np.sqrt(table["variance"]) / (
            table["Ft"] * np.absolute(np.log(table["Ft"]))
        )
    z = inv_normal_cdf(1 - alpha / 2)
    table[ci_labels[0]] = np.exp(-np.exp(table["F_transformed"] + z * table["se_transformed"]))
    table[ci_labels[1]] = np.exp(-np.exp(table["F_transformed"] - z * table["se_transformed"]))
    return table["variance"], table[ci_labels]


@dataclass(frozen=True, slots=True)
class _Data:
    durations: np.ndarray
    events: np.ndarray
    groups: np.ndarray
    counts: np.ndarray  # people per row, whole numbers held as floats (lifelines' weights)

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.groups.tolist())))

    def by_group(self) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
        """(name, durations, events, counts) of each group, by name."""
        out = []
        for name in self.group_names:
            mask = self.groups == name
            out.append((name, self.durations[mask], self.events[mask], self.counts[mask]))
        return out


def _prepare(durations: Any, events: Any, groups: Any, counts: Any = None) -> _Data:
    t = _numbers(durations, "durations")
    codes = _numbers(events, "events")
    if len(t) != len(codes):
        raise ValueError(f"durations ({len(t)}) and events ({len(codes)}) differ in length")
    if len(t) == 0:
        raise ValueError("no people: durations is empty")
    if not np.isfinite(t).all():
        raise ValueError("durations must be finite numbers")
    if (t < 0).any():
        raise ValueError("durations must be zero or more")
    if not np.isin(codes, EVENT_CODES).all():
        bad = sorted(set(codes[~np.isin(codes, EVENT_CODES)].tolist()))
        raise ValueError(f"event codes must be 0 (censored), 1 (event) or 2 (competing): {bad}")
    if groups is None:
        labels = np.full(len(t), ALL, dtype=object)
    else:
        values = groups.to_pylist() if hasattr(groups, "to_pylist") else list(groups)
        if len(values) != len(t):
            raise ValueError(f"groups ({len(values)}) and durations ({len(t)}) differ in length")
        if any(v is None for v in values):
            raise ValueError("a group label is missing; label unknowns explicitly")
        labels = np.array([str(v) for v in values], dtype=object)
    return _Data(t.astype(float), codes.astype(np.int64), labels, _people(counts, len(t)))


def _people(counts: Any, size: int) -> np.ndarray:
    """How many people each row stands for, as floats: lifelines takes them as case weights,
    and whole-number weights give exactly the sums that repeating the rows would."""
    if counts is None:
        return np.ones(size, dtype=float)
    n = _numbers(counts, "counts")
    if len(n) != size:
        raise ValueError(f"counts ({len(n)}) and durations ({size}) differ in length")
    if not (np.all(np.isfinite(n)) and np.all(n == np.round(n))) or (n < 1).any():
        raise ValueError("counts must be whole numbers of people, 1 or more")
    return n.astype(float)


def _total(counts: np.ndarray) -> int:
    return round(float(counts.sum()))


def _numbers(values: Any, name: str) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        if values.null_count:
            raise ValueError(f"{name} has missing values")
        values = values.to_numpy(zero_copy_only=False)
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must be numbers, got {array.dtype}")
    whole = np.issubdtype(array.dtype, np.integer) or (
        np.all(np.isfinite(array)) and np.all(array == np.round(array))
    )
    if name == "events" and not whole:
        raise ValueError("event codes must be whole numbers")
    return array


def _dates(values: Any, name: str) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        values = values.to_pylist()
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} dates must be one-dimensional")
    if np.issubdtype(array.dtype, np.datetime64):
        return array.astype("datetime64[D]")
    return np.array([np.datetime64("NaT") if v is None else v for v in array], "datetime64[D]")


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")


def _too_few_reason(events: int, n: int, min_events: int, min_population: int) -> str | None:
    problems = []
    if events < min_events:
        problems.append(f"events {events} (below {min_events})")
    if n < min_population:
        problems.append(f"people {n} (below {min_population})")
    return ", ".join(problems) if problems else None


def _summary(
    group: str,
    e: np.ndarray,
    w: np.ndarray,
    median: float | None,
    median_low: float | None,
    median_high: float | None,
    *,
    min_events: int,
    min_pop: int,
) -> GroupSummary:
    events, n = _total(w[e == EVENT]), _total(w)
    reason = _too_few_reason(events, n, min_events, min_pop)
    return GroupSummary(
        group=group,
        n=n,
        events=events,
        competing=_total(w[e == COMPETING]),
        censored=_total(w[e == CENSORED]),
        median=median,
        median_ci_low=median_low,
        median_ci_high=median_high,
        too_few=reason is not None,
        reason=None if reason is None else f"too few to tell: {reason}",
    )


def _summary_record(s: GroupSummary) -> dict[str, Any]:
    return {name: getattr(s, name) for name in _SUMMARY_SCHEMA.names}


def _curves_to_arrow(
    curves: Sequence[Curve], summaries: Sequence[GroupSummary], metadata: dict[str, str]
) -> pa.Table:
    too_few = {s.group: s.too_few for s in summaries}
    columns: dict[str, list[Any]] = {name: [] for name in _CURVE_SCHEMA.names}
    for c in curves:
        size = len(c.time)
        columns["group"].extend([c.group] * size)
        columns["curve"].extend([c.curve] * size)
        for name in ("time", "estimate", "ci_low", "ci_high", "at_risk", "events", "censored"):
            columns[name].extend(getattr(c, name))
        columns["too_few"].extend([too_few[c.group]] * size)
    return pa.table(columns, schema=_CURVE_SCHEMA.with_metadata(metadata))


def _find(curves: Sequence[Curve], group: str, kind: str) -> Curve:
    for c in curves:
        if c.group == group and c.curve == kind:
            return c
    raise KeyError((group, kind))


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def _optional_floats(values: np.ndarray) -> tuple[float | None, ...]:
    return tuple(_finite(v) for v in values)


def _ints(values: np.ndarray) -> tuple[int, ...]:
    return tuple(round(float(v)) for v in values)


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence lifelines' warnings about tied times around one call.

    Tied times are handled exactly here (see :func:`_ties_kept_aalen_johansen`), so those
    warnings say nothing the caller needs to act on. Other warnings still show.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*\b[Tt]ied\b")
        yield
