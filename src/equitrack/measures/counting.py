"""Counting members by group in the engine: the one place groups are made from attributes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import ibis
import ibis.expr.types as ir

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


def group_of(key: str, attribute: Attribute, dimension: str, grouping: EthnicGrouping) -> str:
    if attribute is Attribute.ETHNICITY:
        if dimension == "wres":
            return grouping.wres_group(key)
        return grouping.broad_group(key) if dimension == "broad" else grouping.detailed_group(key)
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


def ordered(groups: Iterable[str]) -> list[str]:
    def key(g: str) -> tuple[int, str]:
        if g == codes.UNKNOWN:
            return (len(ORDER) + 1, g)
        if g in ORDER:
            return (ORDER.index(g), g)
        return (len(ORDER), g)  # detailed codes, in code order

    return sorted(groups, key=key)


def group_type(attribute: Attribute, dimension: str) -> str:
    return dimension if attribute is Attribute.ETHNICITY else attribute.value


def is_focus(attribute: Attribute, dimension: str, group: str) -> bool:
    """The groups compared with the reference: everyone known who is not in it."""
    if group in (codes.UNKNOWN, REFERENCE.get(attribute)):
        return False
    if attribute is Attribute.ETHNICITY and dimension == "detailed":
        return DEFAULT_GROUPING.wres_group(group[:1]) == codes.BME
    return attribute is not Attribute.SEX


Key = tuple[int, str, str]  # period, unit, breakdown


def count(
    frame: Frame,
    query: ir.Table,
    attribute: Attribute,
    dimension: str,
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None,
) -> dict[Key, dict[str, int]]:
    """Members per period, unit, breakdown and group, counted in the engine."""
    cell = breakdown(query) if breakdown else ibis.literal(ALL)
    shaped = query.mutate(_key=group_key(query, attribute), _breakdown=cell.cast("string"))
    counted = (
        shaped.group_by(["period", "unit", "_breakdown", "_key"])
        .aggregate(n=shaped.count())
        .to_pyarrow()
    )
    out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in counted.to_pylist():
        group = group_of(row["_key"], attribute, dimension, frame.grouping)
        out[(int(row["period"]), row["unit"], row["_breakdown"])][group] += int(row["n"])
    return out
