"""The count cube: a shared population counted once per run, for every measure that counts it.

A run's measures count the same population (the staff in post) by different columns (WRES 1 by
band, WRES 3 and 4 by ethnic code alone) and with different events among its members (WRES 4's
training). Each asking the engine apart reads the population once per measure. The cube reads
it once: grouped by every raw column those measures count or break it down by (never a
person), with one count per event as a flag, it is a small table kept in the engine, and each
measure's counts are rolled up from it. Every engine runs the same Ibis.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from equitrack.measures.declare import Among, Attribute, Frame, OptionError, Query, Subset

#: The raw columns a measure counts a table by (its group key's and breakdown's), or None.
Inputs = Callable[
    [ir.Table, Attribute, Callable[[ir.Table], ir.StringValue] | None], set[str] | None
]

#: Adds one boolean column (named by its second argument) to a table of the population.
Mark = Callable[[ir.Table, str], ir.Table]


@dataclass(frozen=True)
class Flag:
    """An event among the population's members: `key` tells two declarations of the same
    event apart from different ones; `mark` adds it to the population's rows."""

    key: Hashable
    mark: Mark


@dataclass(frozen=True)
class Cube:
    """A population counted by period, unit and `dims` (`_n`), and by each flag (its column)."""

    table: ir.Table
    dims: frozenset[str]
    flags: Mapping[Hashable, tuple[str, Flag]]

    def covers(self, dims: Iterable[str], flags: Iterable[Hashable]) -> bool:
        return set(dims) <= self.dims and set(flags) <= set(self.flags)

    def column(self, flag: Flag) -> str:
        return self.flags[flag.key][0]


def row_inputs(value: ir.Value, table: ir.Table) -> list[str] | None:
    """The columns of `table` that `value` is computed from row by row, or None when it is not
    a function of one row's columns (a window, an aggregate, another table's columns)."""
    node = value.op()
    if node.find((ops.WindowFunction, ops.Reduction), filter=ops.Value):
        return None
    fields = node.find(ops.Field, filter=ops.Value)
    if any(f.rel != table.op() for f in fields):
        return None
    return sorted({f.name for f in fields})


def flag_of(event: Query | None, population: Query, frame: Frame, whole: ir.Table) -> Flag | None:
    """`event` as a flag on the shared population `whole` (what `population` reads for
    `frame`): a predicate on each member (`Subset`), or a match in another table (`Among`).
    None for any other event, or a predicate that reads other rows than its own."""
    if isinstance(event, Subset) and event.population is population:
        predicate = event.predicate
        if row_inputs(predicate(whole, frame), whole) is None:
            return None
        key = ("subset", predicate(whole, frame).op())
        return Flag(key, lambda t, name: t.mutate(**{name: predicate(t, frame)}))
    if isinstance(event, Among) and event.population is population:
        keys = event.keys(frame)
        return Flag(("among", keys.op(), event.on), _matching(keys, event.on))
    return None


def _matching(keys: ir.Table, on: tuple[str, ...]) -> Mark:
    """Whether each row has a row of `keys` on the columns `on` (a left join to the distinct
    keys, which keeps one row per member)."""

    def mark(t: ir.Table, name: str) -> ir.Table:
        hits = keys.select(**{f"_on_{c}": keys[c] for c in on}).distinct()
        hits = hits.mutate(**{name: ibis.literal(True)})
        joined = t.left_join(hits, [t[c] == hits[f"_on_{c}"] for c in on])
        return joined.select(*t.columns, **{name: joined[name].notnull()})

    return mark


def build(store_cache: Callable[[ir.Table], ir.Table], whole: ir.Table, dims: Iterable[str],
          flags: Iterable[Flag]) -> Cube:  # fmt: skip
    """`whole` counted once by period, unit and `dims`, and by each flag, kept in the engine."""
    named = {f.key: (f"_f{i}", f) for i, f in enumerate(flags)}
    rows = whole
    for name, flag in named.values():
        rows = flag.mark(rows, name)
    keys = ["period", "unit", *sorted(set(dims) - {"period", "unit"})]
    counted = rows.group_by(keys).aggregate(
        _n=rows.count(), **{name: rows.count(where=rows[name]) for name, _ in named.values()}
    )
    return Cube(store_cache(counted), frozenset(keys), named)


def plan(
    frame: Frame, population: Query, whole: ir.Table, inputs: Inputs
) -> tuple[set[str], list[Flag]]:
    """What the run's measures reading `population` count `whole` by, and their events on it
    as flags, each with its own options (those of `frame` it takes, else its defaults). A
    measure planned wrongly costs only a column or a flag no one reads."""
    dims: set[str] = set()
    flags: list[Flag] = []
    for m in frame.shared.measures:
        if m.population is not population:
            continue
        try:
            mframe = replace(frame, options=m.resolve(frame.options))
        except OptionError:
            continue
        dims |= inputs(whole, m.attribute, m.breakdown) or set()
        flag = flag_of(m.event, population, mframe, whole)
        if flag is not None:
            flags.append(flag)
    return dims, flags
