"""Counting members by group in the engine: the one place groups are made from attributes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.measures.declare import Attribute, Frame
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


Shape = Callable[[ir.Table], ir.Value]


def _counted_by_inputs(
    query: ir.Table, shapes: dict[str, Shape], with_events: bool = False
) -> ir.Table:
    """`query` counted (`_n`, and `_e` rows whose `_event` holds) per period, unit and the
    columns each shape is made from, with the shapes then made on those counts. A shape that is
    not a row function (a window, say) is made on every row instead, and counted by."""
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
    events = {"_e": query.count(where=query._event)} if with_events else {}
    counted = query.group_by(keys).aggregate(_n=query.count(), **events)
    return counted.mutate(**{name: shape(counted) for name, shape in later.items()})


def grouped(
    query: ir.Table,
    attribute: Attribute,
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None,
    event: ir.BooleanValue | None = None,
) -> ir.Table:
    """Members per period, unit, `_breakdown` and `_key` (`n`), as an engine query; with
    `event` (a condition on `query`), also how many of them had it (`e`).

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
    )
    sums = {"n": shaped._n.sum(), **({"e": shaped._e.sum()} if event is not None else {})}
    return shaped.group_by(["period", "unit", "_breakdown", "_key"]).aggregate(**sums)


Counts = dict[Key, dict[str, int]]


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
    counted = frame.shared.fetched(counting(whole))
    if years is None:
        return counted
    return counted.filter(pc.is_in(counted["period"], value_set=pa.array(years, pa.int64())))


def _by_group(
    frame: Frame, counted: pa.Table, column: str, attribute: Attribute, by: str
) -> Counts:
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


def count(
    frame: Frame,
    query: ir.Table,
    attribute: Attribute,
    by: str,
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None,
) -> Counts:
    """Members per period, unit, breakdown and group, counted in the engine."""
    shapes = (breakdown,) if breakdown else ()
    counted = _fetched(frame, query, lambda t: grouped(t, attribute, breakdown), *shapes)
    return _by_group(frame, counted, "n", attribute, by)


def count_with_events(
    frame: Frame,
    query: ir.Table,
    event: Callable[[ir.Table], ir.BooleanValue],
    attribute: Attribute,
    by: str,
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None,
) -> tuple[Counts, Counts]:
    """`count` of the members, and of those among them for whom `event` holds, in one query:
    the same as counting `query` and `query.filter(event(query))` apart, reading it once."""
    shapes = (event, breakdown) if breakdown else (event,)
    counted = _fetched(frame, query, lambda t: grouped(t, attribute, breakdown, event(t)), *shapes)
    return (
        _by_group(frame, counted, "n", attribute, by),
        _by_group(frame, counted, "e", attribute, by),
    )
