"""Model column kinds as Ibis and Arrow types: one mapping for the schema and the loader."""

from __future__ import annotations

import ibis.expr.datatypes as dt
import pyarrow as pa

from equitrack.model.tables import Kind

IBIS_TYPES: dict[Kind, dt.DataType] = {
    Kind.STR: dt.string,
    Kind.ENUM: dt.string,
    Kind.INT: dt.int64,
    Kind.FLOAT: dt.float64,
    Kind.DATE: dt.date,
    Kind.BOOL: dt.boolean,
}

ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.STR: pa.string(),
    Kind.ENUM: pa.string(),
    Kind.INT: pa.int64(),
    Kind.FLOAT: pa.float64(),
    Kind.DATE: pa.date32(),
    Kind.BOOL: pa.bool_(),
}
