"""The dates each organisation's data covers, table by table, read from the store's own dates.

Why: an open-ended assignment counts at every later 31 March, so a year after the data's last
date would otherwise repeat the last year's figures. A table's coverage for an organisation
runs from the earliest to the latest date it records there (any of its date columns: for
assignments, the latest start or end date); the staff survey's, from its first survey year to
its last. One grouped query per table, all in one statement for the tables asked for, computed
again only when the store's batches change.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from equitrack.measures import calendar
from equitrack.model.tables import TABLES, Kind
from equitrack.store.connection import Store

#: How a table's rows are spoken of: "no leave records are loaded".
TABLE_NOUNS = {
    "organisations": "organisations",
    "people": "people",
    "assignments": "assignments",
    "vacancies": "vacancies",
    "applications": "applications",
    "disciplinary": "disciplinary cases",
    "training": "training records",
    "development": "development records",
    "appraisals": "appraisals",
    "leave": "leave records",
    "incidents": "incidents",
    "pay": "pay records",
    "survey": "staff survey results",
}
#: The survey is dated by the autumn it ran; reporting year Y uses the survey of Y-1.
SURVEY = "survey"
SURVEY_YEAR = "survey_year"
#: Tables whose rows belong to an organisation only through another table's key.
PLACED_BY = {"applications": ("vacancies", "vacancy_id")}


@dataclass(frozen=True)
class Span:
    """One table's rows for one organisation and the dates they cover (for the survey, the
    survey years, with `first` and `last` None)."""

    table: str
    org: str
    rows: int
    first: dt.date | None
    last: dt.date | None
    first_year: int  # reporting years: the first and last the dates fall in
    last_year: int

    def covers(self, period: int) -> bool:
        """Whether the data reaches into `period` (a reporting year or a month): a 31 March
        snapshot records no date on 31 March itself, so reaching into the year is enough."""
        if self.first is None or self.last is None:
            year = period // 100 + (period % 100 >= 4) if calendar.is_month(period) else period
            return self.first_year <= year <= self.last_year
        return self.first <= calendar.end(period) and calendar.start(period) <= self.last

    def describe(self) -> str:
        """ "run from 1 April 2019 to 31 March 2025" (survey: "are for the surveys of 2023 to
        2024")."""
        noun = TABLE_NOUNS.get(self.table, self.table)
        if self.first is None or self.last is None:
            return (
                f"the {noun} loaded for {self.org} are for the surveys of "
                f"{self.first_year - 1} to {self.last_year - 1}"
            )
        return f"the {noun} loaded for {self.org} run from {_day(self.first)} to {_day(self.last)}"

    def record(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "table": self.table,
            "rows": self.rows,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "first_year": calendar.label(self.first_year),
            "last_year": calendar.label(self.last_year),
        }


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def dated_tables() -> tuple[str, ...]:
    """The tables coverage is known for: those with an organisation and a date (or the
    survey's year)."""
    return tuple(
        t.name
        for t in TABLES
        if ("org_code" in t.column_names or t.name in PLACED_BY)
        and (t.name == SURVEY or any(c.kind is Kind.DATE for c in t.columns))
    )


def _spans_query(store: Store, name: str) -> ir.Table:
    """One table's rows and date range per organisation, in the shape every table shares:
    `first`/`last` days (the earliest and latest of any of its date columns), or for the
    survey `first_year`/`last_year` (its survey years) with no days."""
    declared = next(t for t in TABLES if t.name == name)
    t: ir.Table = store.table(name)
    if name in PLACED_BY:
        other, key = PLACED_BY[name]
        t = t.join(store.table(other).select(key, "org_code"), key)
    no_day, no_year = ibis.null().cast("date"), ibis.null().cast("int64")
    if name == SURVEY:
        year = t[SURVEY_YEAR].cast("int64")
        ends = {"first": no_day, "last": no_day, "first_year": year.min(), "last_year": year.max()}
    else:
        days = [t[c.name] for c in declared.columns if c.kind is Kind.DATE]
        ends = {
            "first": _across(ibis.least, [d.min() for d in days]),
            "last": _across(ibis.greatest, [d.max() for d in days]),
            "first_year": no_year,
            "last_year": no_year,
        }
    return t.group_by("org_code").aggregate(
        table=ibis.literal(name), rows=t.count().cast("int64"), **ends
    )


def _across(pick: Callable[..., ir.Value], values: list[ir.Value]) -> ir.Value:
    """`pick` (least or greatest, which skip nulls on every engine) of the columns' values;
    a single column's as it is, since Spark refuses either with one argument."""
    return values[0] if len(values) == 1 else pick(*values)


def _spans(store: Store, tables: Sequence[str]) -> list[Span]:
    """The spans of `tables`, in one query: on Spark each query has a fixed cost (a plan,
    jobs, a round trip) larger than these small aggregates, and there are a dozen tables."""
    query = ibis.union(*(_spans_query(store, name) for name in tables), distinct=False)
    out = []
    for row in query.to_pyarrow().to_pylist():
        if row["org_code"] is None:
            continue
        if row["table"] == SURVEY:
            if row["first_year"] is None:
                continue
            first, last = None, None
            first_year, last_year = row["first_year"] + 1, row["last_year"] + 1
        else:
            if row["first"] is None:
                continue
            first, last = row["first"], row["last"]
            first_year, last_year = year_of(first), year_of(last)
        out.append(
            Span(row["table"], row["org_code"], row["rows"], first, last, first_year, last_year)
        )
    return out


def year_of(day: dt.date) -> int:
    """The reporting year (to 31 March) a day falls in."""
    return day.year + (day.month >= 4)


def version(store: Store) -> tuple[Any, ...]:
    """What changes whenever data is loaded or removed: the batches a reader sees (and those
    this connection has journalled but not finished, which it reads)."""
    b = store.table("batches")
    row = b.aggregate(n=b.count(), top=b.batch_id.max(), total=b.batch_id.sum())
    return (*row.to_pyarrow().to_pylist()[0].values(), frozenset(store.own))


def versions(store: Store) -> dict[str, tuple[Any, ...]]:
    """`version` for each table the batches a reader sees loaded: what changed, when data
    changed, so that only what reads it need be counted again."""
    b = store.table("batches")
    rows = b.group_by("table_name").aggregate(
        n=b.count(), top=b.batch_id.max(), total=b.batch_id.sum()
    )
    return {r.pop("table_name"): tuple(r.values()) for r in rows.to_pyarrow().to_pylist()}


#: Per database: the version read, and the spans of each table read at it (a table with no
#: spans is there, empty).
_CACHE: weakref.WeakKeyDictionary[
    Any, tuple[tuple[Any, ...], dict[str, dict[tuple[str, str], Span]]]
] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def spans(store: Store, tables: Iterable[str] | None = None) -> dict[tuple[str, str], Span]:
    """Every (table, organisation) with rows, and the dates they cover: of `tables` (the
    dated ones among them), else of every dated table. Kept per database until the store's
    batches change; a table not kept yet is read, in one query with the others missing (a
    command measuring WRES need not scan the pay, leave or incident tables)."""
    wanted = dated_tables() if tables is None else tuple(t for t in dated_tables() if t in tables)
    now = version(store)
    with _LOCK:
        cached = _CACHE.get(store.database)
        kept = dict(cached[1]) if cached is not None and cached[0] == now else {}
    if missing := [t for t in wanted if t not in kept]:
        kept.update({t: {} for t in missing})
        for s in _spans(store, missing):
            kept[s.table][(s.table, s.org)] = s
        with _LOCK:
            _CACHE[store.database] = (now, kept)
    return {key: s for t in wanted for key, s in kept[t].items()}


def by_org(store: Store) -> list[dict[str, Any]]:
    """Coverage per organisation and table, for `equitrack status`."""
    return [s.record() for _, s in sorted(spans(store).items(), key=lambda kv: kv[0][::-1])]


__all__ = [
    "TABLE_NOUNS",
    "Span",
    "by_org",
    "dated_tables",
    "spans",
    "version",
    "versions",
    "year_of",
]
