"""Ethnic grouping as Ibis expressions, built from the one mapping in the model's code lists."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from equitrack.model import codes


def national_code(raw: ir.StringValue) -> ir.StringValue:
    """First character of the code when it is a national category, else Unknown."""
    first = raw.strip().upper().substr(0, 1)
    return ibis.cases(
        (first.isin(list(codes.CATEGORY_BY_CODE)), first), else_=ibis.literal(codes.UNKNOWN)
    )


def is_known(raw: ir.StringValue) -> ir.BooleanValue:
    return raw.strip().upper().substr(0, 1).isin(list(codes.CATEGORY_BY_CODE)).fill_null(False)


def group(
    raw: ir.StringValue, dimension: str, grouping: codes.EthnicGrouping = codes.DEFAULT_GROUPING
) -> ir.StringValue:
    """The group of each code for a dimension: `wres`, `broad` or `detailed`."""
    mapping = grouping.mapping()[dimension]
    return national_code(raw).substitute(mapping, else_=ibis.literal(codes.UNKNOWN))
