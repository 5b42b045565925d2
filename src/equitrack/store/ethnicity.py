"""Ethnicity as Ibis expressions, from the code lists in the model."""

from __future__ import annotations

import ibis.expr.types as ir

from equitrack.model import codes


def is_known(raw: ir.StringValue) -> ir.BooleanValue:
    """Whether a code names a national ethnic category (blank, Z, 99 and others do not)."""
    return raw.strip().upper().substr(0, 1).isin(list(codes.CATEGORY_BY_CODE)).fill_null(False)
