"""What a measure is: a declaration the engine evaluates, never a script of its own.

A measure names its population and its event (both Ibis queries over the store), the attribute
its groups come from, the reference group, which way is worse, and the window of years. The
engine turns any declaration into small count tables, then statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from equitrack.measures.calendar import Interval, period_of
from equitrack.measures.populations import Scope
from equitrack.measures.result import OUTNUMBERED
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping
from equitrack.stats import Orientation
from equitrack.store import Store


class Kind(StrEnum):
    COMPARISON = "comparison"  # a rate per group, and each group's relative likelihood
    REPRESENTATION = "representation"  # headcount by group within each breakdown cell
    SURVEY = "survey"  # survey results already counted by the survey provider
    GAP = "gap"  # a group's share of members minus its share of the workforce, in points
    PARITY_GAP = "parity_gap"  # a GAP, plus the headcount that would close it (Model Employer)
    SHARE = "share"  # a share of records that are not people (panels): one group, "All"
    CATEGORIES = "categories"  # each group's share in categories derived in Python from a key
    PAY_GAP = "pay_gap"  # pay of each group against references, from per-person pay rows


class Attribute(StrEnum):
    ETHNICITY = "ethnicity"
    DISABILITY = "disability"
    SEX = "sex"


class Shared:
    """Populations computed once in a run and reused by every measure that needs them.

    The staff in post at each 31 March feed WRES 1, 3, 4 and 9; materialised once (a temporary
    table in the engine) for every year any measure of the run needs, each measure then reads
    its own years. `years` names those up front (WRES 3 also needs the year before each);
    `release` drops the tables.
    """

    def __init__(self, years: Iterable[int] = ()) -> None:
        self.years = tuple(sorted(set(years)))
        self._tables: dict[Hashable, tuple[tuple[int, ...], ir.Table]] = {}
        self._kept: list[ir.Table] = []
        self._narrowed: dict[ops.Node, tuple[ir.Table, tuple[int, ...]]] = {}
        self._fetched: dict[ops.Node, pa.Table] = {}

    def get(
        self,
        store: Store,
        key: Hashable,
        years: tuple[int, ...],
        build: Callable[[tuple[int, ...]], ir.Table],
    ) -> ir.Table:
        covered, table = self._tables.get(key, ((), None))
        if table is None or not set(years) <= set(covered):
            if table is not None:
                table.release()
            covered = tuple(sorted(set(years) | set(covered) | set(self.years)))
            table = store.cache(build(covered))
            self._tables[key] = (covered, table)
        if set(years) == set(covered):
            return table
        narrowed = table.filter(table.period.isin(list(years)))
        self._narrowed[narrowed.op()] = (table, tuple(sorted(years)))
        return narrowed

    def widest(self, query: ir.Table) -> tuple[ir.Table, tuple[int, ...] | None]:
        """A shared population `get` narrowed to some years, as its whole table and those
        years; any other query as itself and None. Measures reading different years of one
        population can then share one count of all of them."""
        return self._narrowed.get(query.op(), (query, None))

    def fetched(self, expr: ir.Table) -> pa.Table:
        """`expr`'s rows, run once in the run however many measures ask for the same query
        (WRES 4 and WRES 9 both count the staff in post by ethnicity, for instance)."""
        key = expr.op()
        if key not in self._fetched:
            self._fetched[key] = expr.to_pyarrow()
        return self._fetched[key]

    def keep(self, store: Store, expr: ir.Table) -> ir.Table:
        """`expr` materialised until `release`: for a part a population reads more than once,
        which an engine would otherwise compute again for each read."""
        table = store.cache(expr)
        self._kept.append(table)
        return table

    def release(self) -> None:
        for _, table in self._tables.values():
            table.release()
        self._tables.clear()
        for table in self._kept:
            table.release()
        self._kept.clear()
        self._narrowed.clear()
        self._fetched.clear()

    def __enter__(self) -> Shared:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass(frozen=True)
class Frame:
    """Everything a population query needs: the store, the scope, the years, the options."""

    store: Store
    scope: Scope
    years: tuple[int, ...]
    options: Mapping[str, Any]
    grouping: EthnicGrouping = DEFAULT_GROUPING
    shared: Shared = field(default_factory=Shared, compare=False, repr=False)
    interval: Interval = Interval.YEAR

    def period_of(self, day: ir.DateValue) -> ir.IntegerValue:
        """The period (reporting year or month) a record's date puts it in."""
        return period_of(day, self.interval)

    def population(self, name: str, build: Callable[[tuple[int, ...]], ir.Table]) -> ir.Table:
        """A population shared across measures, for this frame's years."""
        return self.shared.get(self.store, (name, self.scope), self.years, build)

    def keep(self, expr: ir.Table) -> ir.Table:
        """`expr` materialised for the rest of the run (see `Shared.keep`)."""
        return self.shared.keep(self.store, expr)


Query = Callable[[Frame], ir.Table]


@dataclass(frozen=True)
class Measure:
    """A declared measure.

    `population` returns one row per member with `period`, `unit` and the group attribute
    columns (`ethnic_code`, `disability`, `sex`); `event` returns the members who had the event,
    with the same columns (often `subset(population, …)`). `window` years are pooled by
    default (WRES 3 pools two). `options` holds the defaults of every choice the spec leaves
    open; each result records the options it used.
    """

    id: str
    family: str
    title: str
    kind: Kind
    population: Query
    event: Query | None = None
    attribute: Attribute = Attribute.ETHNICITY
    orientation: Orientation = Orientation.BENEFIT
    window: int = 1
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)  # allowed option values
    description: str = ""
    #: Why events can outnumber the population, where they can (entrants include leavers).
    outnumbered: str = OUTNUMBERED

    def resolve(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The options in force: defaults, overridden by those given that this measure has."""
        resolved = dict(self.options)
        for name, value in (given or {}).items():
            if name not in self.options:
                continue
            allowed = self.choices.get(name)
            if allowed is not None and value not in allowed:
                raise ValueError(
                    f"{self.id}: option {name} must be one of {', '.join(map(str, allowed))}, "
                    f"not {value!r}"
                )
            resolved[name] = value
        return resolved


def with_earlier_years(years: Iterable[int], window: int) -> tuple[int, ...]:
    """The years a windowed measure reads: each reporting year and the `window - 1` before it."""
    return tuple(sorted({y - back for y in years for back in range(window)}))


Predicate = Callable[[ir.Table, Frame], ir.BooleanValue]


@dataclass(frozen=True)
class Subset:
    """An event query that is the members of `population` for whom `predicate` holds.

    Declared rather than a closure, so that a measure whose event is a subset of its own
    population can count both in one pass over the population.
    """

    population: Query
    predicate: Predicate

    def __call__(self, frame: Frame) -> ir.Table:
        members = self.population(frame)
        return members.filter(self.predicate(members, frame))


def subset(population: Query, predicate: Predicate) -> Subset:
    """The event as the members of the population for whom `predicate` holds."""
    return Subset(population, predicate)
