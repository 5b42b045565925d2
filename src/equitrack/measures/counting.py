"""Counting members by group in the engine: the one place groups are made from attributes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from equitrack.measures.declare import Attribute, Frame, Measure
from equitrack.model import codes
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping
from equitrack.store.ethnicity import group as ethnic_group

ALL = "All"
DIMENSIONS = ("wres", "broad", "detailed")
REFERENCE = {Attribute.ETHNICITY: codes.WHITE, Attribute.DISABILITY: "Not disabled"}
DISABILITY_GROUPS = {"Y": "Disabled", "N": "Not disabled"}


def group_column(
    table: ir.Table, attribute: Attribute, dimension: str, grouping: EthnicGrouping
) -> ir.StringValue:
    if attribute is Attribute.ETHNICITY:
        return ethnic_group(table.ethnic_code, dimension, grouping)
    if attribute is Attribute.DISABILITY:
        return table.disability.substitute(DISABILITY_GROUPS, else_=ibis.literal(codes.UNKNOWN))
    return table.sex.substitute(
        {k: v for k, v in codes.SEX_CODES.items() if k != "U"}, else_=ibis.literal(codes.UNKNOWN)
    )


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
    frame: Frame, query: ir.Table, measure: Measure, dimension: str
) -> dict[Key, dict[str, int]]:
    """Members per period, unit, breakdown and group, counted in the engine."""
    breakdown = measure.breakdown(query) if measure.breakdown else ibis.literal(ALL)
    shaped = query.mutate(
        _group=group_column(query, measure.attribute, dimension, frame.grouping),
        _breakdown=breakdown.cast("string"),
    )
    counted = (
        shaped.group_by(["period", "unit", "_breakdown", "_group"])
        .aggregate(n=shaped.count())
        .to_pyarrow()
    )
    out: dict[Key, dict[str, int]] = defaultdict(dict)
    for row in counted.to_pylist():
        out[(int(row["period"]), row["unit"], row["_breakdown"])][row["_group"]] = int(row["n"])
    return out
