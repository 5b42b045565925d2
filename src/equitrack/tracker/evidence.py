"""Each recommendation's latest evidence, and a status in words that never overstates it.

A recommendation's status is the most telling of its measures' comparisons, for every minority
group (by broad group, so that Black staff are seen, not hidden in BME): a significant adverse
comparison is evidence of a gap; a comparison that is adverse but not significant is not called
a gap; groups too small to tell are said to be so; no results at all means no data is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from equitrack import api
from equitrack.measures.covered import is_no_data
from equitrack.measures.populations import Scope
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result
from equitrack.stats import Verdict, format_interval, format_ratio
from equitrack.store import Store
from equitrack.tracker.plan import Plan, Recommendation


class Status(StrEnum):
    ADVERSE = "evidence of a significant adverse gap"
    NO_GAP = "no significant gap"
    TOO_FEW = "too few to tell"
    DESCRIBED = "figures available, no comparison"
    NO_DATA = "no data loaded"


#: Most telling first: a recommendation takes the first of these any of its measures shows.
PRECEDENCE = (Status.ADVERSE, Status.NO_GAP, Status.TOO_FEW, Status.DESCRIBED, Status.NO_DATA)

K = TypeVar("K")


@dataclass(frozen=True)
class MeasureEvidence:
    measure: str
    title: str
    status: Status
    key_figure: str | None
    results: tuple[Result, ...]


@dataclass(frozen=True)
class RecommendationEvidence:
    recommendation: Recommendation
    year: int
    unit: str | None
    status: Status
    key_figure: str | None
    measures: tuple[MeasureEvidence, ...]


def _verdict(r: Result) -> str | None:
    """The verdict after the false-discovery-rate adjustment where there is one: a measure with
    many cells (leave by type, cases by contract) would otherwise find gaps by chance."""
    return r.verdict_adjusted or r.verdict


def _comparisons(results: Sequence[Result]) -> list[Result]:
    return [r for r in results if r.reference_group and _verdict(r)]


def _describe(r: Result) -> str:
    ratio = format_ratio(r.ratio) if r.ratio is not None else "undefined"
    interval = (
        f" ({format_interval(r.ratio_ci_low, r.ratio_ci_high)})"
        if r.ratio_ci_low is not None and r.ratio_ci_high is not None
        else ""
    )
    cell = f" ({r.breakdown})" if r.breakdown else ""
    return f"{r.group} vs {r.reference_group}{cell}: {ratio}{interval}, {_verdict(r)}"


def key_result(results: Sequence[Result]) -> tuple[Status, Result | None]:
    """The status of one measure's results for one unit and year, and the result that shows
    it: the most adverse significant comparison, Black staff's where they are shown."""
    results = [r for r in results if not is_no_data(r)]  # marked "no data loaded"/"for"
    if not results:
        return Status.NO_DATA, None
    compared = _comparisons(results)
    if not compared:
        return Status.DESCRIBED, None
    adverse = [r for r in compared if _verdict(r) == Verdict.ADVERSE_SIGNIFICANT]
    if adverse:
        black = [r for r in adverse if r.group == "Black"]  # the review's focus, when it shows
        return Status.ADVERSE, max(black or adverse, key=lambda r: r.ratio or 0)
    told = [r for r in compared if _verdict(r) not in (Verdict.TOO_FEW, Verdict.UNDEFINED)]
    if told:
        black = [r for r in told if r.group == "Black"]
        return Status.NO_GAP, (black or told)[0]
    return Status.TOO_FEW, compared[0]


def measure_status(results: Sequence[Result]) -> tuple[Status, str | None]:
    """The status and key figure, in words, of one measure's results for one unit and year."""
    status, key = key_result(results)
    return status, None if key is None else _describe(key)


def most_telling(keyed: Sequence[tuple[Status, K | None]]) -> tuple[Status, K | None]:
    """Several measures' statuses as one: the most telling (`PRECEDENCE`), with the key of the
    first measure showing it that has one. A recommendation and a report's headline both
    choose so, so they cannot disagree."""
    overall = min((status for status, _ in keyed), key=PRECEDENCE.index, default=Status.NO_DATA)
    return overall, next((k for status, k in keyed if status is overall and k is not None), None)


def scope_of(org: str | None) -> Scope:
    """The tracker's scope: one organisation, or the whole system when `org` is None."""
    return Scope((org,), False) if org else Scope((), True)


def evidence_results(
    store: Store, plan: Plan, year: int, *, org: str | None = None, years: int = 1
) -> list[Result]:
    """The results of every measure the plan cites, by broad group, for one organisation or
    the whole system, for `year` and the `years - 1` before it (a report shows the trend)."""
    scope = scope_of(org)
    wanted = sorted({m for r in plan.recommendations for m in r.evidence})
    if not wanted:
        return []
    return api.run(
        sorted({MEASURES[m].family for m in wanted}),
        tuple(range(year - years + 1, year + 1)),
        store=store,
        orgs=scope.orgs,
        system=scope.system,
        by="broad",
        measures=wanted,
    )


def summarise(
    store: Store, plan: Plan, year: int, *, org: str | None = None
) -> list[RecommendationEvidence]:
    """Every recommendation's evidence for `year`, for one organisation or the whole system."""
    return summarise_results(plan, year, evidence_results(store, plan, year, org=org))


def summarise_results(
    plan: Plan, year: int, results: Sequence[Result]
) -> list[RecommendationEvidence]:
    """Every recommendation's evidence from results already measured (and, for a report,
    already through the disclosure gate, so a status never rests on a figure not shown)."""
    by_measure: dict[str, list[Result]] = {}
    for r in results:
        if r.period == year:
            by_measure.setdefault(r.measure, []).append(r)
    units = sorted({r.org for r in results})
    unit = units[0] if len(units) == 1 else None
    out = []
    for rec in plan.recommendations:
        evidence = []
        for m in rec.evidence:
            mine = tuple(by_measure.get(m, ()))
            status, figure = measure_status(mine)
            evidence.append(MeasureEvidence(m, MEASURES[m].title, status, figure, mine))
        overall, key = most_telling([(e.status, e if e.key_figure else None) for e in evidence])
        out.append(
            RecommendationEvidence(
                rec,
                year,
                unit,
                overall,
                f"{key.title}: {key.key_figure}" if key else None,
                tuple(evidence),
            )
        )
    return out
