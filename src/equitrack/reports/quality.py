"""How far the figures in a report can be trusted: what is loaded, and how well it is recorded.

Why a report needs it: a ratio is only as good as the data under it. If a tenth of staff have no
recorded ethnicity, or a year of leave records is missing, every figure built on them is weaker
(or absent), and a scrutiny committee should be told so beside the figures, not in a footnote
nobody reads. This module gathers, for a store and scope:

- the ethnicity declaration rate: the share of staff in post with a known ethnic code at
  31 March of the report year, per organisation (and for the system), taken from WRES 1's
  Unknown group, so it is the same staff in post every WRES figure counts;
- which canonical tables are loaded, how many rows, and for which dates and reporting years;
- the import batches and the rows they rejected (from `equitrack.store.status`);
- which recommendations an empty table stops being evidenced, found from the tables each
  measure's declaration reads, so it stays right when measures change.

It returns rows (dataclasses), and sentences for the report; it renders nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import ibis
import ibis.expr.types as ir

from equitrack import api
from equitrack.charts.words import join
from equitrack.measures import calendar
from equitrack.measures.counting import ALL
from equitrack.measures.covered import is_no_data
from equitrack.measures.populations import SYSTEM_PREFIX, Scope
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result
from equitrack.measures.sources import tables_read
from equitrack.model import codes
from equitrack.model.tables import TABLES
from equitrack.model.tables import Kind as ColumnKind
from equitrack.stats import format_share
from equitrack.store import Store
from equitrack.store import status as store_status
from equitrack.store.coverage import TABLE_NOUNS
from equitrack.tracker.plan import Plan, load_plan

#: The measure whose Unknown group gives the declaration rate.
DECLARATION_MEASURE = "wres1"
#: The default scope: every organisation in the store, one by one.
EVERY_ORGANISATION = Scope()
#: The survey table is dated by survey year; WRES year Y uses the survey run in the autumn of
#: Y-1 (`equitrack.measures.survey`).
SURVEY_YEAR_COLUMN = "survey_year"


@dataclass(frozen=True)
class Declaration:
    """Staff in post at 31 March of `period` in `unit`, and how many have a known ethnic code.

    Counts are None when the disclosure gate has suppressed them."""

    unit: str
    period: int
    staff: int | None
    known: int | None

    @property
    def rate(self) -> float | None:
        if self.staff is None or self.known is None or self.staff == 0:
            return None
        return self.known / self.staff


@dataclass(frozen=True)
class Coverage:
    """One canonical table in the scope: rows, the range of its main date, the reporting years
    it has rows in. `date_column` is None for tables without a date (organisations, people)."""

    table: str
    description: str
    rows: int
    date_column: str | None
    first: dt.date | None
    last: dt.date | None
    periods: tuple[int, ...]

    @property
    def loaded(self) -> bool:
        return self.rows > 0


@dataclass(frozen=True)
class Batch:
    """One imported file (or sheet), as the store recorded it, or as much of it as belongs to
    the organisations in scope. A count is None where it cannot be told for them alone (the
    rows a shared file had rejected) or is not shown to the reader."""

    batch_id: int
    source: str  # the file's name, without its folder
    table: str
    rows_read: int | None
    rows_loaded: int | None
    rows_rejected: int | None
    loaded_at: str


@dataclass(frozen=True)
class Unevidenced:
    """A recommendation some of whose measures cannot be calculated, because tables they read
    are not loaded: `blocked` pairs each such measure with those tables. `whole` when none of
    its measures can be calculated."""

    recommendation: int
    title: str
    evidence: tuple[str, ...]
    blocked: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.blocked)

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(sorted({t for _, tables in self.blocked for t in tables}))

    @property
    def whole(self) -> bool:
        return set(self.measures) >= set(self.evidence)

    def blocked_by(self, table: str) -> tuple[str, ...]:
        """The measures that cannot be calculated because `table` is not loaded."""
        return tuple(m for m, tables in self.blocked if table in tables)


@dataclass(frozen=True)
class Quality:
    """The data-quality summary for one store, scope and reporting year."""

    year: int | None  # None when no staff in post are loaded to give a year
    declaration: tuple[Declaration, ...]
    tables: tuple[Coverage, ...]
    batches: tuple[Batch, ...]
    unevidenced: tuple[Unevidenced, ...]

    @property
    def rows_rejected(self) -> int:
        return sum(b.rows_rejected or 0 for b in self.batches)

    @property
    def not_loaded(self) -> tuple[str, ...]:
        return tuple(c.table for c in self.tables if not c.loaded)

    def sentences(self) -> list[str]:
        """What the report says about the data, most important first."""
        out = [declaration_sentence(d) for d in self.declaration]
        for c in self.tables:
            if not c.loaded:
                out.append(_missing_sentence(c.table, self.unevidenced))
            elif self.year and c.periods and self.year not in c.periods:
                out.append(
                    f"{_cap(TABLE_NOUNS.get(c.table, c.table))} are loaded for "
                    f"{calendar.label(c.periods[0])} to {calendar.label(c.periods[-1])}, "
                    f"not for {calendar.label(self.year)}."
                )
        out.append(batches_sentence(self.batches))
        return out


# --- sentences --------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def unit_name(unit: str) -> str:
    """ "RWE", or "the QK1 system" for a system unit."""
    if unit.startswith(SYSTEM_PREFIX):
        return f"the {unit.removeprefix(SYSTEM_PREFIX)} system"
    return unit


def declaration_sentence(d: Declaration) -> str:
    """ "Ethnicity is recorded for 94.1% of staff in post at RWE on 31 March 2026."."""
    place = "across" if d.unit.startswith(SYSTEM_PREFIX) else "at"
    where = f"{place} {unit_name(d.unit)} on {_day(calendar.end(d.period))}"
    if d.staff is None or d.known is None:
        return f"The figures for ethnicity recording {where} are too small to show."
    if d.staff == 0:
        return f"No staff in post are counted {where}, so ethnicity recording cannot be given."
    return f"Ethnicity is recorded for {format_share(d.rate)} of staff in post {where}."


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _missing_sentence(table: str, unevidenced: Sequence[Unevidenced]) -> str:
    noun = TABLE_NOUNS.get(table, f"{table} records")
    touched = [u for u in unevidenced if table in u.tables]
    whole = [u for u in touched if u.whole]
    part = [u for u in touched if not u.whole]
    clauses = []
    if whole:
        numbers = join([str(u.recommendation) for u in whole])
        clauses.append(
            f"recommendation {numbers} cannot be evidenced"
            if len(whole) == 1
            else f"recommendations {numbers} cannot be evidenced"
        )
    for u in part:
        blocked = len(u.blocked_by(table))
        clauses.append(
            f"{blocked} of the {len(u.evidence)} measures behind recommendation "
            f"{u.recommendation} cannot be calculated"
        )
    text = f"No {noun} are loaded"
    return f"{text}, so {join(clauses)}." if clauses else f"{text}."


def batches_sentence(batches: Sequence[Batch]) -> str:
    """How much was imported, and what was rejected, from which files."""
    if not batches:
        return "No data has been loaded."
    files = "1 file has" if len(batches) == 1 else f"{len(batches):,} files have"
    counts = [b.rows_loaded for b in batches]
    text = f"{files} been loaded" + (
        "" if None in counts else f" ({sum(n or 0 for n in counts):,} rows)"
    )
    rejected = [b for b in batches if b.rows_rejected]
    if not rejected:
        return f"{text}; no rows were rejected." if None not in counts else f"{text}."
    total = sum(b.rows_rejected or 0 for b in rejected)
    where = join([f"{b.source} ({b.rows_rejected:,})" for b in rejected])
    rows = "row was" if total == 1 else "rows were"
    return f"{text}; {total:,} {rows} rejected, from {where}."


# --- the ethnicity declaration rate -----------------------------------------------------------


def declaration_rates(results: Iterable[Result]) -> list[Declaration]:
    """Declaration from WRES 1 results grouped as WRES does (White, BME, Unknown): in each
    unit's whole-workforce cell, staff in post are the cell's total and those with a known
    code are the total less the Unknown group. Pass results through the disclosure gate first
    where the figures leave the system; a suppressed count gives None."""
    cells: dict[tuple[str, int], list[Result]] = {}
    for r in results:
        if is_no_data(r):
            continue  # a year the data does not reach: no staff in post to count
        if r.measure == DECLARATION_MEASURE and r.breakdown in (None, ALL):
            cells.setdefault((r.org, r.period), []).append(r)
    out = []
    for (unit, period), rows in sorted(cells.items()):
        totals = {r.denominator for r in rows}
        staff = totals.pop() if len(totals) == 1 else None
        unknown = [r for r in rows if r.group == codes.UNKNOWN]
        hidden = any(r.suppressed or r.numerator is None for r in unknown)
        known = None if staff is None or hidden else staff - sum(r.numerator or 0 for r in unknown)
        out.append(Declaration(unit, period, staff, known))
    return out


#: What a reader may see of results: the disclosure gate for the report's audience.
Shown = Callable[[list[Result]], list[Result]]
#: What answers a question of the measures: `api.run`, or what reads it from the release.
Run = Callable[..., list[Result]]


def exact(results: list[Result]) -> list[Result]:
    """The results as they are, for readers who see exact figures (the CLI's analysts)."""
    return results


def declaration(
    store: Store, scope: Scope, year: int, shown: Shown = exact, run: Run = api.run
) -> list[Declaration]:
    """Declaration per organisation in scope (and for the system, when it is asked for), from
    the counts the reader may see: a rate worked out from a hidden count would give it away.
    `run` answers as `api.run` does (the dashboard's reads the release's answers)."""
    results = run(
        "wres", (year,), store=store, orgs=scope.orgs, by="wres", measures=[DECLARATION_MEASURE]
    )
    if scope.system:
        results += run(
            "wres",
            (year,),
            store=store,
            orgs=scope.orgs,
            system=True,
            by="wres",
            measures=[DECLARATION_MEASURE],
        )
    return declaration_rates(shown(results))


# --- tables -----------------------------------------------------------------------------------


def date_column(table: str) -> str | None:
    """A table's main date: its first required date column (opened, started, requested…)."""
    declared = next(t for t in TABLES if t.name == table)
    return next(
        (c.name for c in declared.columns if c.kind is ColumnKind.DATE and c.required), None
    )


def coverage(store: Store, scope: Scope = EVERY_ORGANISATION) -> list[Coverage]:
    """Every canonical table: rows in scope, its date range and reporting years."""
    out = []
    for t in TABLES:
        expr = store.table(t.name)
        if scope.orgs and "org_code" in t.column_names:
            expr = expr.filter(expr.org_code.isin(list(scope.orgs)))
        out.append(_covered(t.name, t.description, expr))
    return out


def _covered(table: str, description: str, expr: ir.Table) -> Coverage:
    """One table's rows counted by reporting year, with its main date's range where it has one
    (the survey has none: its reporting year is the survey year's next)."""
    column = date_column(table)
    if table == "survey":
        period = expr[SURVEY_YEAR_COLUMN].cast("int64") + 1
    elif column is not None:
        period = calendar.period_of(expr[column], calendar.Interval.YEAR)
    else:
        rows = int(expr.count().to_pyarrow().as_py())
        return Coverage(table, description, rows, None, None, None, ())
    dated = expr.mutate(_period=period)
    span = {"first": dated[column].min(), "last": dated[column].max()} if column else {}
    grouped = dated.group_by("_period").aggregate(n=dated.count(), **span).to_pyarrow().to_pylist()
    known = [g for g in grouped if g["_period"] is not None]
    return Coverage(
        table,
        description,
        sum(int(g["n"]) for g in grouped),
        column,
        min((g["first"] for g in known), default=None) if column else None,
        max((g["last"] for g in known), default=None) if column else None,
        tuple(sorted(int(g["_period"]) for g in known)),
    )


def batches(store: Store, scope: Scope = EVERY_ORGANISATION) -> list[Batch]:
    """The import batches, from `equitrack.store.status`. For a scope of some organisations,
    only the batches that loaded rows of theirs, with those rows counted: another
    organisation's files, and how many rows they held, are not theirs to see. Rows read and
    rejected are given only for a file every loaded row of which is theirs."""
    found = [
        Batch(
            batch_id=int(b["batch_id"]),
            source=Path(str(b["source_file"])).name
            + (f" ({b['sheet']})" if b.get("sheet") else ""),
            table=str(b["table_name"]),
            rows_read=int(b["rows_read"] or 0),
            rows_loaded=int(b["rows_loaded"] or 0),
            rows_rejected=int(b["rows_rejected"] or 0),
            loaded_at=str(b["loaded_at"]),
        )
        for b in store_status.batches(store)
    ]
    if not scope.orgs:
        return found
    theirs: dict[int, tuple[int, int]] = {}
    for table in sorted({b.table for b in found}):
        theirs.update(_rows_in_scope(store, table, scope.orgs))
    out = []
    for b in found:
        mine, every = theirs.get(b.batch_id, (0, 0))
        if mine:
            whole = mine == every
            out.append(
                replace(
                    b,
                    rows_loaded=mine,
                    rows_read=b.rows_read if whole else None,
                    rows_rejected=b.rows_rejected if whole else None,
                )
            )
    return out


#: Tables without an organisation column, and the table and key that place each row in one.
PLACED_BY = {"people": ("assignments", "person_id"), "applications": ("vacancies", "vacancy_id")}


def _rows_in_scope(store: Store, table: str, orgs: Sequence[str]) -> dict[int, tuple[int, int]]:
    """Per batch of `table`: its rows of `orgs`, and all its rows."""
    t = store.table(table)
    if "org_code" in t.columns:
        mine = t.org_code.isin(list(orgs))
    elif table in PLACED_BY:
        other, key = PLACED_BY[table]
        o = store.table(other)
        mine = t[key].isin(o.filter(o.org_code.isin(list(orgs)))[key])
    else:
        return {}  # rows no organisation can be told from: not shown to a scoped reader
    # counted as 1 or 0: PostgreSQL casts no boolean to a bigint
    counted = t.group_by("batch_id").aggregate(mine=ibis.ifelse(mine, 1, 0).sum(), every=t.count())
    return {
        int(r["batch_id"]): (int(r["mine"] or 0), int(r["every"]))
        for r in counted.to_pyarrow().to_pylist()
    }


# --- what an empty table stops being evidenced ------------------------------------------------


def unevidenced(store: Store, plan: Plan, absent: Iterable[str]) -> list[Unevidenced]:
    """Recommendations with measures that read a table in `absent`."""
    missing = set(absent)
    if not missing:
        return []
    out = []
    for rec in plan.recommendations:
        reads = [(m, tables_read(MEASURES[m]) & missing) for m in rec.evidence]
        blocked = tuple((m, tuple(sorted(tables))) for m, tables in reads if tables)
        if blocked:
            out.append(Unevidenced(rec.number, rec.title, rec.evidence, blocked))
    return out


# --- the whole summary ------------------------------------------------------------------------


def latest_year(tables: Sequence[Coverage]) -> int | None:
    """The latest reporting year any dated table has rows in (None when none has)."""
    return max((c.periods[-1] for c in tables if c.periods), default=None)


def summarise(
    store: Store,
    scope: Scope = EVERY_ORGANISATION,
    year: int | None = None,
    plan: Plan | None = None,
    shown: Shown = exact,
    run: Run = api.run,
) -> Quality:
    """The data-quality summary for `scope` in reporting `year` (by default the latest year
    any dated table reaches), with the recommendations of `plan` (by default the shipped or
    configured one) that empty tables leave without evidence. `shown` is the reader's
    disclosure gate, applied to the figures ethnicity recording is worked out from; `run`
    answers them (`api.run`, or `release.run` where the release's answers are read)."""
    tables = coverage(store, scope)
    chosen = year or latest_year(tables)
    if chosen is None:
        return Quality(None, (), tuple(tables), tuple(batches(store, scope)), ())
    absent = [c.table for c in tables if not c.loaded]
    return Quality(
        chosen,
        tuple(declaration(store, scope, chosen, shown, run)),
        tuple(tables),
        tuple(batches(store, scope)),
        tuple(unevidenced(store, plan or load_plan(), absent)),
    )
