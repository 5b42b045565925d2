"""From index arrays to Arrow tables shaped exactly as the model declares them.

Strings are built with Arrow's own kernels (take, join, cast) rather than Python loops, which
is what keeps the national preset to minutes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model.tables import Kind, table
from equitrack.store.types import ARROW_TYPES

from .timeline import day

_FIRST_DAY, _LAST_DAY = day(1900, 1, 1), day(2200, 1, 1)

Values = pa.Array | pa.ChunkedArray | np.ndarray | Sequence[object]


def weights(values: Sequence[str], by_name: Mapping[str, float]) -> np.ndarray:
    """Weights in the order of `values`, from a mapping by name (unnamed values get 0)."""
    unknown = set(by_name) - set(values)
    if unknown:
        raise KeyError(f"not allowed by the model: {sorted(unknown)}")
    return np.array([by_name.get(v, 0.0) for v in values], dtype=np.float64)


def schema(name: str) -> pa.Schema:
    """The Arrow schema of a canonical table."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind]) for c in table(name).columns])


def to_arrow(values: Values, kind: Kind) -> pa.Array:
    """One column. Sentinels become nulls: out-of-range day numbers, NaN, and -1 for booleans."""
    typ = ARROW_TYPES[kind]
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == typ else values.cast(typ)
    arr = np.asarray(values)
    if kind is Kind.DATE:
        mask = (arr < _FIRST_DAY) | (arr > _LAST_DAY)
        return pa.array(np.where(mask, 0, arr).astype(np.int32), type=typ, mask=mask)
    if kind is Kind.BOOL:
        if arr.dtype == bool:
            return pa.array(arr, type=typ)
        return pa.array(arr > 0, type=typ, mask=arr < 0)
    if kind is Kind.FLOAT:
        arr = arr.astype(np.float64)
        return pa.array(arr, type=typ, mask=np.isnan(arr))
    if kind is Kind.INT:
        return pa.array(arr.astype(np.int64), type=typ)
    return pa.array(arr, type=typ)


def build(name: str, columns: Mapping[str, Values], n: int) -> pa.Table:
    """A canonical table: the model's columns in its order; absent columns are all null."""
    spec = table(name)
    unknown = set(columns) - set(spec.column_names)
    if unknown:
        raise KeyError(f"{name} has no columns {sorted(unknown)}")
    arrays = []
    for col in spec.columns:
        arr = (
            to_arrow(columns[col.name], col.kind)
            if col.name in columns
            else pa.nulls(n, ARROW_TYPES[col.kind])
        )
        if len(arr) != n:
            raise ValueError(f"{name}.{col.name}: {len(arr)} values for {n} rows")
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=schema(name))


def labels(values: Sequence[str], idx: np.ndarray) -> pa.Array:
    """Strings looked up by index; a negative index is null."""
    idx = np.asarray(idx)
    return pa.array(list(values), type=pa.string()).take(
        pa.array(idx.astype(np.int64), mask=idx < 0)
    )


def numbered(prefix: str, n: int, width: int, first: int = 1) -> pa.Array:
    """Unique ids: prefix + zero-padded running number."""
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.arange(first, first + n, dtype=np.int64)), pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def joined(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays (and scalar strings)."""
    return pc.binary_join_element_wise(*parts, sep)


def text(values: np.ndarray) -> pa.Array:
    """Integers as strings."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
