"""Comparison measures: each group's rate, and its relative likelihood against the reference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from equitrack.measures.counting import (
    ALL,
    REFERENCE,
    Counts,
    Tallies,
    group_type,
    is_focus,
    once_for_every_grouping,
    ordered,
    tallies,
)
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.result import Result, compared, outnumbered_reason, rated
from equitrack.model import codes
from equitrack.stats import (
    Comparison,
    Pooling,
    adjust_for_multiplicity,
    compare,
    relative_likelihood_over_periods,
)
from equitrack.stats.reasons import Code, Reason


def evaluate_comparison(
    frame: Frame, measure: Measure, by: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    members, events = _counts(frame, measure, by)
    pooling = Pooling(options.get("pooling", Pooling.POOLED))
    gtype = group_type(measure.attribute, by)
    reference = REFERENCE.get(measure.attribute)
    results: list[Result] = []
    comparisons = Comparisons()
    cells = {(u, b) for (_, u, b) in members} | {(u, b) for (_, u, b) in events}
    for period in years:
        spanned = [period - k for k in range(window)]
        for unit, breakdown in sorted(cells):
            per_year = [
                (members.get((y, unit, breakdown), {}), events.get((y, unit, breakdown), {}))
                for y in spanned
            ]
            groups = ordered({g for m, e in per_year for g in (*m, *e)})
            if not groups:
                continue
            den = {g: sum(m.get(g, 0) for m, _ in per_year) for g in groups}
            num = {g: sum(e.get(g, 0) for _, e in per_year) for g in groups}
            excluded = den.get(codes.UNKNOWN, 0)
            for g in groups:
                result = rated(
                    num[g],
                    den[g],
                    measure.outnumbered,
                    measure=measure.id,
                    org=unit,
                    period=period,
                    group_type=gtype,
                    group=g,
                    breakdown=None if breakdown == ALL else breakdown,
                    excluded=excluded,
                    options=options,
                )
                if reference in den and is_focus(measure.attribute, by, g):
                    # pooled counts are summed, so only a mean of yearly rates needs each year
                    yearly = per_year if pooling is Pooling.MEAN_OF_RATES and window > 1 else ()
                    if outnumbered(result, measure, reference, num, den, yearly):
                        results.append(result)
                        continue
                    c = compare(
                        num[g],
                        den[g],
                        num[reference],
                        den[reference],
                        orientation=measure.orientation,
                    )
                    comparisons.add(result, reference, c)
                    if pooling is Pooling.MEAN_OF_RATES and window > 1:
                        result.ratio, why = _mean_of_rates(per_year, g, reference, measure, c)
                        result.say(why)
                results.append(result)
    comparisons.adjust()
    return results


def outnumbered(
    result: Result,
    measure: Measure,
    reference: str,
    num: Mapping[str, int],
    den: Mapping[str, int],
    per_year: Sequence[tuple[Mapping[str, int], Mapping[str, int]]] = (),
) -> bool:
    """Whether a comparison cannot be made because events outnumber members, in the group, the
    reference or (pooled by mean of rates) any one year; if so the result says so, with no ratio."""
    group = result.group
    over = [x for x in (group, reference) if num.get(x, 0) > den.get(x, 0)]
    over += [x for x in (group, reference) for m, e in per_year if e.get(x, 0) > m.get(x, 0)]
    if not over:
        return False
    result.reference_group = reference
    result.say(outnumbered_reason(measure.outnumbered, None if over[0] == group else over[0]))
    return True


class Comparisons:
    """The comparisons one measure makes, so that each result carries both its own verdict and
    the one adjusted for how many comparisons were reported together."""

    def __init__(self) -> None:
        self._made: list[tuple[Result, Comparison]] = []

    def add(self, result: Result, reference: str, c: Comparison) -> None:
        result.reference_group = reference
        for name, value in compared(c).items():
            setattr(result, name, value)
        self._made.append((result, c))

    def adjust(self) -> None:
        adjusted = adjust_for_multiplicity([c for _, c in self._made])
        for (result, _), c in zip(self._made, adjusted, strict=True):
            result.verdict_adjusted = c.verdict_adjusted and str(c.verdict_adjusted)


def _counts(frame: Frame, measure: Measure, by: str) -> tuple[Counts, Counts]:
    """Members and events per cell and group, counted once for every grouping of the run."""
    made = once_for_every_grouping(frame, measure.id, lambda: _tallies(frame, measure))
    return made.by_group(frame, measure.attribute, by)


def _tallies(frame: Frame, measure: Measure) -> Tallies:
    """Members and events as the engine counts them (`counting.tallies`)."""
    event = measure.event
    assert event is not None
    return tallies(
        frame, measure.population(frame), measure.population, event, measure.attribute,
        measure.breakdown,
    )  # fmt: skip


def _mean_of_rates(
    per_year, group, reference, measure: Measure, pooled: Comparison
) -> tuple[float | None, Reason]:
    """The ratio of the mean yearly rates; the interval stays the pooled one, and says so."""
    exact = relative_likelihood_over_periods(
        [e.get(group, 0) for _, e in per_year],
        [m.get(group, 0) for m, _ in per_year],
        [e.get(reference, 0) for _, e in per_year],
        [m.get(reference, 0) for m, _ in per_year],
        orientation=measure.orientation,
        pooling=Pooling.MEAN_OF_RATES,
    )
    note = Reason(Code.MEAN_OF_RATES)
    return (None if exact is None else float(exact)), (pooled.why + note if pooled.why else note)
