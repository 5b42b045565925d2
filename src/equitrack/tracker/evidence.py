"""Each recommendation's latest evidence, and a status in words that never overstates it.

A recommendation declares its headline (the comparison that answers it, about the population
it concerns) and its level (how far what was asked is happening); its status is its headline's
verdict: a significant adverse comparison is evidence of a gap; a comparison that is adverse but
not significant is not called a gap; groups too small to tell are said to be so; no results at
all means no data is loaded. Both are followed over every loaded year from the baseline. A
recommendation that declares no headline takes the most telling of its measures' comparisons,
for every minority group (by broad group, so that Black staff are seen, not hidden in BME).

Figures made here from several results (a cell's total, two cells compared) are made from the
counts the results carry, so for a protected audience from the counts it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from equitrack import api
from equitrack.measures.counting import ALL
from equitrack.measures.covered import is_no_data
from equitrack.measures.populations import SYSTEM_PREFIX, Scope
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result, compared, rated
from equitrack.measures.shares import GROUP_TYPE as ALL_GROUPS
from equitrack.stats import Orientation, Verdict, compare, format_interval, format_ratio
from equitrack.store import Store
from equitrack.tracker.plan import Claim, Headline, Level, Plan, Recommendation


class Status(StrEnum):
    ADVERSE = "evidence of a significant adverse gap"
    POSSIBLE = "a possible gap, not confirmed"  # significant alone, not among many comparisons
    NO_GAP = "no significant gap"
    TOO_FEW = "too few to tell"
    DESCRIBED = "figures available, no comparison"
    NO_DATA = "no data loaded"


#: Most telling first: a recommendation takes the first of these any of its measures shows.
PRECEDENCE = (
    Status.ADVERSE,
    Status.POSSIBLE,
    Status.NO_GAP,
    Status.TOO_FEW,
    Status.DESCRIBED,
    Status.NO_DATA,
)

K = TypeVar("K")


@dataclass(frozen=True)
class MeasureEvidence:
    measure: str
    title: str
    status: Status
    key_figure: str | None
    results: tuple[Result, ...]


@dataclass(frozen=True)
class Compared:
    """A headline in one year: the focus group's result, with its ratio, and the reference
    group's (None where not shown)."""

    focus: Result
    reference: Result | None


@dataclass(frozen=True)
class RecommendationEvidence:
    recommendation: Recommendation
    year: int
    unit: str | None
    status: Status
    key_figure: str | None
    measures: tuple[MeasureEvidence, ...]
    #: The headline and the level in every loaded year from the baseline, oldest first.
    headline: tuple[Compared, ...] = ()
    level: tuple[Result, ...] = ()
    baseline: int | None = None
    claims: tuple[tuple[Claim, Result | None], ...] = ()

    @property
    def now(self) -> Compared | None:
        """This year's headline."""
        return next((c for c in self.headline if c.focus.period == self.year), None)

    @property
    def level_now(self) -> Result | None:
        return next((r for r in self.level if r.period == self.year), None)


def _verdict(r: Result) -> str | None:
    """The verdict after the false-discovery-rate adjustment where there is one: a measure with
    many cells (leave by type, cases by contract) would otherwise find gaps by chance."""
    return r.verdict_adjusted or r.verdict


def _comparisons(results: Sequence[Result]) -> list[Result]:
    """The comparisons that can show a gap: a neutral measure's (how people joined) describe."""
    return [
        r
        for r in results
        if r.reference_group and _verdict(r) and r.orientation != Orientation.NEUTRAL
    ]


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
    possible = [r for r in compared if r.verdict == Verdict.ADVERSE_SIGNIFICANT]
    if possible:  # significant on its own, not after the false-discovery adjustment
        black = [r for r in possible if r.group == "Black"]
        return Status.POSSIBLE, max(black or possible, key=lambda r: r.ratio or 0)
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


# --- a recommendation's headline and level ----------------------------------------------------


def total_of(results: Sequence[Result], cell: str | None) -> Result:
    """Everyone in one measure's cell `cell` for one unit and period, as one result (group
    "All" of group type "all"): events over members, summed over the groups, which partition
    them. Made from exact counts, before the disclosure gate, which protects it as the total
    its groups add up to."""
    first = results[0]
    return rated(
        sum(r.numerator or 0 for r in results),
        sum(r.denominator or 0 for r in results),
        measure=first.measure,
        org=first.org,
        period=first.period,
        group_type=ALL_GROUPS,
        group=ALL,
        breakdown=cell,
        excluded=None,
        options=dict(first.options),
    )


def _totals_wanted(plan: Plan) -> set[tuple[str, str | None]]:
    """The (measure, cell) whose everyone a recommendation's level or headline needs."""
    wanted: set[tuple[str, str | None]] = set()
    for rec in plan.recommendations:
        if rec.level is not None and rec.level.group is None:
            wanted.add((rec.level.measure, rec.level.cell))
        if rec.headline is not None and rec.headline.against:
            wanted |= {(rec.headline.measure, rec.headline.cell)}
            wanted |= {(rec.headline.measure, rec.headline.against)}
    return wanted


def cell_totals(plan: Plan, results: Sequence[Result]) -> list[Result]:
    """The totals the plan's levels and headlines need, for each unit and period measured."""
    wanted = _totals_wanted(plan)
    cells: dict[tuple[str, str, int, str | None], list[Result]] = {}
    for r in results:
        counted = r.numerator is not None and r.denominator is not None and not is_no_data(r)
        if (r.measure, r.breakdown) in wanted and r.group_type != ALL_GROUPS and counted:
            cells.setdefault((r.measure, r.org, r.period, r.breakdown), []).append(r)
    return [total_of(rows, key[3]) for key, rows in sorted(cells.items(), key=str)]


def _total(results: Sequence[Result], measure: str, cell: str | None) -> Result | None:
    return next(
        (
            r
            for r in results
            if r.measure == measure and r.breakdown == cell and r.group_type == ALL_GROUPS
        ),
        None,
    )


def headline_of(h: Headline, results: Sequence[Result]) -> Compared | None:
    """The headline in one unit and period, from its measure's results there (after the
    gate, for a protected audience): the declared group's comparison and its reference
    group's figures; or two cells' totals compared, from the counts shown."""
    mine = [r for r in results if r.measure == h.measure and not is_no_data(r)]
    if h.against:
        focus, reference = _total(mine, h.measure, h.cell), _total(mine, h.measure, h.against)
        if focus is None or reference is None:
            return None
        focus = replace(focus, group_type="cell", group=h.names[0])
        reference = replace(reference, group_type="cell", group=h.names[1])
        counts = (focus.numerator, focus.denominator, reference.numerator, reference.denominator)
        if any(n is None for n in counts):  # a count not shown: no comparison from it
            return Compared(replace(focus, reference_group=reference.group), reference)
        c = compare(
            focus.numerator,  # type: ignore[arg-type]  # all shown, above
            focus.denominator,  # type: ignore[arg-type]
            reference.numerator,  # type: ignore[arg-type]
            reference.denominator,  # type: ignore[arg-type]
            orientation=MEASURES[h.measure].orientation,
        )
        return Compared(replace(focus, reference_group=reference.group, **compared(c)), reference)
    focus = next(
        (r for r in mine if r.breakdown == h.cell and r.group == h.group and r.reference_group),
        None,
    )
    if focus is None:
        return None
    reference = next(
        (r for r in mine if r.breakdown == h.cell and r.group == focus.reference_group), None
    )
    return Compared(focus, reference)


def level_of(level: Level, results: Sequence[Result]) -> Result | None:
    """The level in one unit and period: everyone in its cell, or its one group's figure."""
    mine = [r for r in results if r.measure == level.measure and not is_no_data(r)]
    if level.group is None:
        return _total(mine, level.measure, level.cell)
    return next((r for r in mine if r.breakdown == level.cell and r.group == level.group), None)


def headline_status(now: Compared | None, measured: bool) -> Status:
    """A recommendation's status from its headline this year: hidden counts are too few to
    tell; `measured` says whether its measure has any figures at all this year."""
    if now is None:
        return Status.DESCRIBED if measured else Status.NO_DATA
    if now.focus.suppressed:
        return Status.TOO_FEW
    return key_result([now.focus])[0]


def _by_period(results: Sequence[Result]) -> dict[int, list[Result]]:
    out: dict[int, list[Result]] = {}
    for r in results:
        out.setdefault(r.period, []).append(r)
    return out


def claim_check(claim: Claim, results: Sequence[Result]) -> Result | None:
    """The figure in the data that a claim of the source states (None when the data hold
    nothing for it): a share measure's whole, or its cell's everyone."""
    mine = [
        r
        for r in results
        if r.measure == claim.measure and r.org == claim.org and r.period == claim.year
    ]
    return next((r for r in mine if r.breakdown == claim.cell and r.group in (ALL, "All")), None)


def scope_of(org: str | None) -> Scope:
    """The tracker's scope: one organisation, or the whole system when `org` is None."""
    return Scope((org,), False) if org else Scope((), True)


def evidence_results(
    store: Store,
    plan: Plan,
    year: int,
    *,
    org: str | None = None,
    years: int = 1,
    run: Callable[..., list[Result]] = api.run,
) -> list[Result]:
    """The results of every measure the plan cites, by broad group, for one organisation or
    the whole system: for `year` and the year before (each measure's sentences compare with
    it), and, for the measures of headlines and levels, the `years - 1` before `year` (their
    trend since the baseline); with the figures of claims and the totals levels need. Each
    asked with `run` (as `api.run`; the dashboard reads the release's answers where it can)."""
    scope = scope_of(org)
    wanted = sorted({m for r in plan.recommendations for m in r.evidence})
    if not wanted:
        return []
    span = tuple(range(year - years + 1, year + 1))
    followed = sorted(
        {f.measure for r in plan.recommendations for f in (r.headline, r.level) if f is not None}
    )
    results: list[Result] = []
    for measures, periods in ((wanted, span[-2:]), (followed, span[:-2])):
        if measures and periods:
            results += run(
                sorted({MEASURES[m].family for m in measures}),
                periods,
                store=store,
                orgs=scope.orgs,
                system=scope.system,
                by="broad",
                measures=measures,
            )
    for claim in (c for r in plan.recommendations for c in r.claims):
        covered = org == claim.org and year - years < claim.year
        if org in (None, claim.org) and claim.year <= year and not covered:
            results += run(
                MEASURES[claim.measure].family,
                (claim.year,),
                store=store,
                orgs=(claim.org,),
                by="broad",
                measures=[claim.measure],
            )
    return results + cell_totals(plan, results)


def summarise(
    store: Store,
    plan: Plan,
    year: int,
    *,
    org: str | None = None,
    baseline: int | None = None,
) -> list[RecommendationEvidence]:
    """Every recommendation's evidence for `year`, and since the baseline, for one
    organisation or the whole system."""
    years = plan.years(year, baseline)
    results = evidence_results(store, plan, year, org=org, years=years)
    return summarise_results(plan, year, results, baseline=baseline)


def summarise_results(
    plan: Plan, year: int, results: Sequence[Result], *, baseline: int | None = None
) -> list[RecommendationEvidence]:
    """Every recommendation's evidence from results already measured (and, for a report,
    already through the disclosure gate, so a status never rests on a figure not shown).
    Headlines and levels are followed over every year of `results` from the baseline (the
    plan's unless given)."""
    from equitrack.reports.narrative import key_figure  # words live with the narrative

    since = baseline or plan.baseline
    systems = {r.org for r in results if r.org.startswith(SYSTEM_PREFIX)}
    # a system's evidence is its own figures; an organisation's figures are there for claims
    own = [r for r in results if r.org in systems] if systems else list(results)
    by_measure: dict[str, list[Result]] = {}
    for r in own:
        if r.period == year:
            by_measure.setdefault(r.measure, []).append(r)
    units = sorted({r.org for r in own})
    unit = units[0] if len(units) == 1 else None
    years = _by_period([r for r in own if since <= r.period <= year])
    out = []
    for rec in plan.recommendations:
        evidence = []
        for m in rec.evidence:
            mine = tuple(by_measure.get(m, ()))
            status, figure = measure_status(mine)
            evidence.append(MeasureEvidence(m, MEASURES[m].title, status, figure, mine))
        headline: list[Compared] = []
        level: list[Result] = []
        for period in sorted(years):
            h = rec.headline and headline_of(rec.headline, years[period])
            if h:
                headline.append(h)
            lv = rec.level and level_of(rec.level, years[period])
            if lv:
                level.append(lv)
        claims = tuple((c, claim_check(c, results)) for c in rec.claims)
        if rec.headline is not None:
            now = next((c for c in headline if c.focus.period == year), None)
            measured = any(not is_no_data(r) for r in by_measure.get(rec.headline.measure, ()))
            status = headline_status(now, measured)
            before = next((c.focus for c in headline if c.focus.period == year - 1), None)
            within = by_measure.get(rec.headline.within or "", ())  # every group: both sides
            words = (
                key_figure(rec.headline, now.focus, now.reference, before, within) if now else None
            )
        else:
            status, key = most_telling([(e.status, e if e.key_figure else None) for e in evidence])
            words = f"{key.title}: {key.key_figure}" if key else None
        out.append(
            RecommendationEvidence(
                rec,
                year,
                unit,
                status,
                words,
                tuple(evidence),
                tuple(headline),
                tuple(level),
                since,
                claims,
            )
        )
    return out
