"""Figures only where the data is: "no data loaded" or "no data for 2025/26", never a fill.

Why: an open-ended assignment counts at every later 31 March, so a year after the data's last
date repeats the last year's staff in post; and a table that holds nothing (no disciplinary
cases loaded) gives every group a measured zero. Both would be read as facts. The engine
passes each measure's results through `gate`: for each organisation (or system) and period,
every dated table the measure reads must hold rows there that reach into the period, else the
results are replaced by one result with no counts and the reason in words. Keeping the one
result shape means every output (tables, JSON, CSV, reports, the dashboard API) carries the
mark without a second channel, and a reader of a file sees why a row has no figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from equitrack.measures import calendar
from equitrack.measures import populations as pop
from equitrack.measures.counting import ALL
from equitrack.measures.declare import Kind, Measure, Shared
from equitrack.measures.result import Result, because, readjusted
from equitrack.measures.sources import tables_read
from equitrack.stats.reasons import Code, Reason
from equitrack.store import Store, coverage

#: The first words of a result's reason when nothing is loaded for it (a code to come).
NO_DATA_LOADED = "no data loaded"
NO_DATA_FOR = "no data for"


#: Tables a measure reads for an earlier year than the one it reports: progression after
#: development follows a cohort that started development two years before
#: (`opportunities.py`, `years_later(..., 2, ...)`); its development records need reach only
#: that year. (To move into the measure's declaration when another measure needs it.)
LAGGED: dict[str, dict[str, int]] = {"progression_after_development": {"development": 2}}


def no_data_for(period: int) -> str:
    """ "no data for 2025/26"."""
    return f"{NO_DATA_FOR} {calendar.label(period)}"


def is_no_data(result: Result) -> bool:
    """A result that stands for figures the store cannot give (see `gate`): known by its reason
    code, which the disclosure gate keeps, never by its words."""
    return (
        result.numerator is None
        and result.denominator is None
        and result.reason_code == Code.NO_DATA
    )


def _earlier(period: int, years: int) -> int:
    """The same period `years` reporting years before."""
    return period - years * (100 if calendar.is_month(period) else 1)


def _members(store: Store, scope: pop.Scope, shared: Shared) -> dict[str, list[str]]:
    """Each unit of the scope (an organisation, or `system:<code>`) and its organisations."""
    rows = shared.fetched(pop.units(store, scope)).to_pylist()
    out: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        out[r["unit"]].append(r["org_code"])
    return out


def _why_not(
    tables: Sequence[str],
    orgs: Sequence[str],
    period: int,
    spans: dict[tuple[str, str], coverage.Span],
    lags: dict[str, int],
) -> str | None:
    """Why a unit has no figures for `period`, or None when every table reaches into it: a
    table with nothing loaded is named before one whose dates stop short."""
    held = {t: [spans[(t, o)] for o in orgs if (t, o) in spans] for t in tables}
    for table, found in held.items():
        if not found:
            noun = coverage.TABLE_NOUNS.get(table, table)
            return f"{NO_DATA_LOADED}: no {noun} are loaded for {', '.join(orgs)}"
    # a table read only to place another's rows (vacancies, for applications) is dated by them
    places = {coverage.PLACED_BY[t][0] for t in tables if t in coverage.PLACED_BY}
    for table, found in held.items():
        wanted = _earlier(period, lags.get(table, 0))
        if table not in places and not any(s.covers(wanted) for s in found):
            return f"{no_data_for(wanted)}: {'; '.join(s.describe() for s in found)}"
    return None


def _read(measure: Measure) -> frozenset[str]:
    """The tables whose coverage decides whether `measure` has figures: a survey figure is
    the provider's counts alone (its declared population is not read)."""
    return frozenset({coverage.SURVEY}) if measure.kind is Kind.SURVEY else tables_read(measure)


#: `Shared.once` keys: the tables of the run's measures (`expect`), and what the store covers
#: for each table read so far in the run.
_EXPECTED, _COVERED = "covered: tables expected", "covered: spans by table"


def expect(shared: Shared, measures: Sequence[Measure]) -> None:
    """Say which measures a run will gate, before the first: what the store covers is then read
    once, in one query, for all their tables (and for no table none of them reads)."""
    names = frozenset().union(*(_read(m) for m in measures))
    shared.once(_EXPECTED, set).update(names)


def _spans(
    store: Store, shared: Shared, tables: Sequence[str]
) -> dict[tuple[str, str], coverage.Span]:
    """What the store covers for `tables`, read once in the run: the first read takes every
    table `expect` named with them, so a run reads the store's coverage once."""
    known: dict[str, dict[tuple[str, str], coverage.Span]] = shared.once(_COVERED, dict)
    if missing := [t for t in tables if t not in known]:
        wanted = set(missing) | (shared.once(_EXPECTED, set) - set(known))
        found = coverage.spans(store, wanted)
        for table in wanted & set(coverage.dated_tables()):
            known[table] = {k: s for k, s in found.items() if k[0] == table}
    return {k: s for t in tables for k, s in known[t].items()}


def gate(
    store: Store,
    measure: Measure,
    scope: pop.Scope,
    by: str,
    periods: Sequence[int],
    results: list[Result],
    options: dict,
    shared: Shared,
) -> list[Result]:
    """`results` with each unit and period the store does not cover replaced by one result
    that says why (what the store covers read once in the run, with `shared`, for the tables
    of the measures `expect` named). A unit with nothing loaded in any table gets nothing; a
    table that reaches into a period but holds no event in it (no formal case this year) gives
    a true zero, and keeps it."""
    tables = sorted(_read(measure) & set(coverage.dated_tables()))
    spans = _spans(store, shared, tables)
    members = _members(store, scope, shared)
    with_data = {org for _, org in spans}
    if any(not with_data & set(orgs) for orgs in members.values()):
        # nothing in the tables read: whether it has anything loaded at all decides
        with_data = {org for _, org in _spans(store, shared, coverage.dated_tables())}
    refused: dict[tuple[str, int], str] = {}
    for unit, orgs in members.items():
        if not with_data & set(orgs):
            continue
        for period in periods:
            why = _why_not(tables, orgs, period, spans, LAGGED.get(measure.id, {}))
            if why is not None:
                refused[(unit, period)] = why
    if not refused:
        return results
    kept = [r for r in results if (r.org, r.period) not in refused]
    # the comparisons reported are those kept: the verdicts allowing for many are theirs
    kept = [
        replace(r, verdict_adjusted=v) if v != r.verdict_adjusted else r
        for r, v in zip(kept, readjusted(kept), strict=True)
    ]
    marks = [
        Result(
            measure=measure.id,
            org=unit,
            period=period,
            group_type=by,
            group=ALL,
            numerator=None,
            denominator=None,
            options=options,
            **because(Reason(Code.NO_DATA, {"text": why})),  # words with no count in them
        )
        for (unit, period), why in sorted(refused.items())
    ]
    return kept + marks


__all__ = ["NO_DATA_FOR", "NO_DATA_LOADED", "expect", "gate", "is_no_data", "no_data_for"]
