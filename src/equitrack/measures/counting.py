"""Counting members by group in the engine: the one place groups are made from attributes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from ibis.common.exceptions import IbisError

from equitrack.measures import cube
from equitrack.measures.cube import row_inputs
from equitrack.measures.declare import Among, Attribute, Frame, Query, Subset
from equitrack.model import codes
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping

ALL = "All"
DIMENSIONS = ("wres", "broad", "detailed")
REFERENCE = {Attribute.ETHNICITY: codes.WHITE, Attribute.DISABILITY: "Not disabled"}
DISABILITY_GROUPS = {"Y": "Disabled", "N": "Not disabled"}


def group_key(table: ir.Table, attribute: Attribute) -> ir.StringValue:
    """What the engine groups by: the raw attribute, as little transformed as possible.

    Mapping keys to groups happens in Python on the few keys that come back; done in the engine
    as nested CASE expressions it cost more than the whole population query.
    """
    if attribute is Attribute.ETHNICITY:
        return table.ethnic_code.strip().upper().substr(0, 1).fill_null("")
    column = table.disability if attribute is Attribute.DISABILITY else table.sex
    return column.fill_null("")


def group_of(key: str, attribute: Attribute, by: str, grouping: EthnicGrouping) -> str:
    if attribute is Attribute.ETHNICITY:
        if by == "wres":
            return grouping.wres_group(key)
        return grouping.broad_group(key) if by == "broad" else grouping.detailed_group(key)
    if attribute is Attribute.DISABILITY:
        return DISABILITY_GROUPS.get(key, codes.UNKNOWN)
    return codes.SEX_CODES.get(key, codes.UNKNOWN) if key != "U" else codes.UNKNOWN


#: Display order: the reference first, Black staff (the review's focus) next, Unknown last.
ORDER = (
    "White",
    "Not disabled",
    "BME",
    "Black",
    "Asian",
    "Mixed",
    "Other",
    "Disabled",
    "Female",
    "Male",
)


_PLACE = {g: i for i, g in enumerate(ORDER)}


def _place(g: str) -> tuple[int, str]:
    if g == codes.UNKNOWN:
        return (len(ORDER) + 1, g)
    return (_PLACE.get(g, len(ORDER)), g)  # detailed codes after the named groups, in order


def ordered(groups: Iterable[str]) -> list[str]:
    return sorted(groups, key=_place)


def group_type(attribute: Attribute, by: str) -> str:
    return by if attribute is Attribute.ETHNICITY else attribute.value


def is_focus(attribute: Attribute, by: str, group: str) -> bool:
    """The groups compared with the reference: everyone known who is not in it."""
    if group in (codes.UNKNOWN, REFERENCE.get(attribute)):
        return False
    if attribute is Attribute.ETHNICITY and by == "detailed":
        return DEFAULT_GROUPING.wres_group(group[:1]) == codes.BME
    return attribute is not Attribute.SEX


Key = tuple[int, str, str]  # period, unit, breakdown


Shape = Callable[[ir.Table], ir.Value]


def _counted_by_inputs(
    query: ir.Table,
    shapes: dict[str, Shape],
    with_events: bool = False,
    weights: tuple[str, str | None] | None = None,
) -> ir.Table:
    """`query` counted (`_n`, and `_e` rows whose `_event` holds) per period, unit and the
    columns each shape is made from, with the shapes then made on those counts. A shape that is
    not a row function (a window, say) is made on every row instead, and counted by.

    With `weights`, each row of `query` stands for that many members (its first column) and
    events (its second): a count cube's rows, summed rather than counted."""
    later: dict[str, Shape] = {}
    inputs: set[str] = set()
    for name, shape in shapes.items():
        columns = row_inputs(shape(query), query)
        if columns is None:
            query = query.mutate(**{f"_{name}": shape(query)})
            columns, shape = [f"_{name}"], lambda t, c=f"_{name}": t[c]
        inputs.update(columns)
        later[name] = shape
    keys = ["period", "unit", *sorted(inputs - {"period", "unit"})]
    if weights is not None:
        members, happened = weights
        events = {"_e": query[happened].sum()} if happened else {}
        counted = query.group_by(keys).aggregate(_n=query[members].sum(), **events)
        return counted.mutate(**{name: shape(counted) for name, shape in later.items()})
    events = {"_e": query.count(where=query._event)} if with_events else {}
    counted = query.group_by(keys).aggregate(_n=query.count(), **events)
    return counted.mutate(**{name: shape(counted) for name, shape in later.items()})


def grouped(
    query: ir.Table,
    attribute: Attribute,
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None,
    event: ir.BooleanValue | None = None,
    weights: tuple[str, str | None] | None = None,
) -> ir.Table:
    """Members per period, unit, `_breakdown` and `_key` (`n`), as an engine query; with
    `event` (a condition on `query`), or a second weight, also how many of them had it (`e`).

    Counted first by the raw columns the group key and the breakdown are made from, which take
    few values, and only then shaped: the string functions run on a few rows per unit rather
    than on every member, where they cost more than the counting itself.
    """
    cell = breakdown or (lambda t: ibis.literal(ALL))
    if event is not None:
        query = query.mutate(_event=event)
    shaped = _counted_by_inputs(
        query,
        {
            "_key": lambda t: group_key(t, attribute),
            "_breakdown": lambda t: cell(t).cast("string"),
        },
        with_events=event is not None,
        weights=weights,
    )
    events = event is not None or (weights is not None and weights[1] is not None)
    sums = {"n": shaped._n.sum(), **({"e": shaped._e.sum()} if events else {})}
    return shaped.group_by(["period", "unit", "_breakdown", "_key"]).aggregate(**sums)


Counts = dict[Key, dict[str, int]]
T = TypeVar("T")


def _fetched(
    frame: Frame, query: ir.Table, counting: Callable[[ir.Table], ir.Table], *shapes: Shape
) -> pa.Table:
    """The counts `counting` makes of `query`, from the run's shared results: a shared
    population narrowed to some years is counted whole, once, and the years picked here.

    Not when a shape (the breakdown, the event) reads other rows than its own, a window say:
    made over every year, it could come out differently for these ones.
    """
    whole, years = frame.shared.widest(query)
    if years is not None and any(row_inputs(shape(query), query) is None for shape in shapes):
        whole, years = query, None
    return _in_years(frame.shared.fetched(counting(whole)), years)


def by_group(frame: Frame, counted: pa.Table, column: str, attribute: Attribute, by: str) -> Counts:
    """The engine's counts in `column`, per (period, unit, breakdown) and group; cells with no
    members are left out, as counting only the members would leave them out.

    Keys are mapped to groups once each (there are few), and the counts summed per group in
    Arrow, so that Python loops over groups rather than over every key the engine returned.
    """
    keys = counted["_key"].combine_chunks()
    distinct = pc.unique(keys)
    mapped = [group_of(k, attribute, by, frame.grouping) for k in distinct.to_pylist()]
    group = pc.take(pa.array(mapped, pa.string()), pc.index_in(keys, value_set=distinct))
    summed = (
        pa.table(
            {
                "period": counted["period"],
                "unit": counted["unit"],
                "cell": counted["_breakdown"],
                "group": group,
                "n": counted[column],
            }
        )
        .group_by(["period", "unit", "cell", "group"])
        .aggregate([("n", "sum")])
    )
    summed = summed.filter(pc.greater(summed["n_sum"], 0))
    columns = (summed[name].to_pylist() for name in ("period", "unit", "cell", "group", "n_sum"))
    out: Counts = defaultdict(lambda: defaultdict(int))
    for period, unit, cell, g, n in zip(*columns, strict=True):
        out[(int(period), unit, cell)][g] = int(n)
    return out


def _inputs(
    table: ir.Table, attribute: Attribute, breakdown: Callable[[ir.Table], ir.StringValue] | None
) -> set[str] | None:
    """The raw columns of `table` the group key and the breakdown are made from; None when one
    is not made row by row, or `table` lacks what it reads."""
    cell = breakdown or (lambda t: ibis.literal(ALL))
    found: set[str] = set()
    for shape in (lambda t: group_key(t, attribute), cell):
        try:
            columns = row_inputs(shape(table), table)
        except (AttributeError, IbisError):
            return None
        if columns is None:
            return None
        found.update(columns)
    return found


def _in_years(counted: pa.Table, years: tuple[int, ...] | None) -> pa.Table:
    if years is None:
        return counted
    return counted.filter(pc.is_in(counted["period"], value_set=pa.array(years, pa.int64())))


def _from_cube(
    frame: Frame,
    query: ir.Table,
    attribute: Attribute,
    breakdown: Callable[[ir.Table], ir.StringValue] | None,
    population: Query | None,
    event: Query | None = None,
) -> pa.Table | None:
    """`grouped`'s counts of `query` (and of `event` among its members), rolled up from the
    count cube of the shared population it reads (`cube`); None when it reads none, more than
    the raw columns of one row, an event the cube cannot carry as a flag, or when no other
    measure of the run counts the population (a cube would only add a step)."""
    if population is None or sum(m.population is population for m in frame.shared.measures) < 2:
        return None
    found = frame.shared.whole(query)
    if found is None:
        return None
    whole, covered, years = found
    dims = _inputs(whole, attribute, breakdown)
    if dims is None:
        return None
    wide = replace(frame, periods=covered)
    flag = None
    if event is not None:
        flag = cube.flag_of(event, population, wide, whole)
        if flag is None:
            return None

    def make(old: cube.Cube | None) -> cube.Cube:
        planned, flags = cube.plan(wide, population, whole, _inputs)
        kept = [f for _, f in old.flags.values()] if old else []
        every = {f.key: f for f in (*kept, *flags, *((flag,) if flag else ()))}
        wanted = dims | planned | (old.dims if old else set())
        return cube.build(frame.store.cache, whole, wanted, every.values())

    made = frame.shared.cube(
        whole.op(), make, lambda c: c.covers(dims, (flag.key,) if flag else ())
    )
    weights = ("_n", made.column(flag) if flag else None)
    counted = frame.shared.fetched(grouped(made.table, attribute, breakdown, weights=weights))
    return _in_years(counted, years)


def counted(
    frame: Frame,
    query: ir.Table,
    attribute: Attribute,
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None,
    population: Query | None = None,
) -> pa.Table:
    """Members per period, unit, breakdown and raw key (`n`), counted in the engine; rolled up
    from the count cube when `query` is what `population` (a declared query) reads and other
    measures of the run count it too. The same for every grouping (`count_once` groups it)."""
    found = _from_cube(frame, query, attribute, breakdown, population)
    if found is None:
        shapes = (breakdown,) if breakdown else ()
        found = _fetched(frame, query, lambda t: grouped(t, attribute, breakdown), *shapes)
    return found


@dataclass(frozen=True)
class Tallies:
    """Members and events as the engine counted them, by raw key: the same whichever grouping
    they are then put in, so a run asking by several groupings counts them once
    (`once_for_every_grouping`)."""

    members: pa.Table
    events: pa.Table
    #: The events' column: "e" where they were counted with the members in one table, else "n".
    events_column: str = "n"

    def by_group(self, frame: Frame, attribute: Attribute, by: str) -> tuple[Counts, Counts]:
        return (
            by_group(frame, self.members, "n", attribute, by),
            by_group(frame, self.events, self.events_column, attribute, by),
        )


def tallies(
    frame: Frame,
    query: ir.Table,
    population: Query,
    event: Query,
    attribute: Attribute,
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None,
) -> Tallies:
    """The members (`query`, what `population` reads) and those who had `event`. When the event
    is among the population's members they are read once: from the count cube, or in one query
    when the event is a condition on each member; the same as counting the two apart."""
    among = isinstance(event, Subset | Among) and event.population is population
    found = _from_cube(frame, query, attribute, breakdown, population, event) if among else None
    if found is None and among and isinstance(event, Subset):
        happened = lambda t: event.predicate(t, frame)  # noqa: E731
        shapes = (happened, breakdown) if breakdown else (happened,)
        found = _fetched(
            frame, query, lambda t: grouped(t, attribute, breakdown, happened(t)), *shapes
        )
    if found is None:
        members = counted(frame, query, attribute, breakdown, population)
        return Tallies(members, counted(frame, event(frame), attribute, breakdown))
    return Tallies(found, found, "e")


def count_once(
    frame: Frame, key: Hashable, attribute: Attribute, by: str, make: Callable[[], pa.Table]
) -> Counts:
    """`make()`'s engine counts (`counted`), made once for every grouping of the run under
    `key` (`once_for_every_grouping`), in groups `by`."""
    return by_group(frame, once_for_every_grouping(frame, key, make), "n", attribute, by)


def once_for_every_grouping(frame: Frame, key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, made once in a run for `key` and the frame's scope, periods, interval and
    options: what the engine counts by raw key, which every grouping asked with the same
    `Shared` (the release's three, `release._by_grouping`) then groups its own way. The counts
    were fetched once already; this spares building a measure's queries again for the second
    and third grouping (for the comparisons, a tenth of the release's answers on a small store)."""
    options = repr(sorted(frame.options.items()))
    return frame.shared.once(
        ("counted", key, frame.scope, frame.periods, frame.interval, options), make
    )
