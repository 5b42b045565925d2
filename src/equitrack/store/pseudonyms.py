"""Pseudonyms as stored: 16 bytes, not 32 hex characters, and shown as the hex they always were.

A pseudonym is the first 16 bytes of a keyed HMAC (`ingest.pseudonymise`). In memory it is an
Arrow `fixed_size_binary(16)` (Arrow computes on it: equality, membership, sorting, grouping).
Each engine stores it in its own 16-byte type: DuckDB and PostgreSQL `UUID` (a 128-bit value
that holds any 16 bytes and compares them as unsigned bytes, as the hex did), Spark `BINARY`
(its Parquet layout, `store.export`). What a person sees is always 32 lower-case hex digits, no
hyphens: the text stores held before (`to_hex`).

This module is the one place that converts between them: to the engine (`for_engine`), back from
it (`read`, `from_engine`), and for people (`to_hex`).
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model.tables import TABLES

#: The in-memory type of a pseudonym.
PSEUDONYM = pa.binary(16)
#: Its type in a store's schema (PostgreSQL and DuckDB both call it uuid).
IBIS_PSEUDONYM = dt.uuid
#: The two hex digits of each byte value, as one 16-bit number whose bytes are those digits.
HEX_PAIRS = np.frombuffer(b"".join(b"%02x" % i for i in range(256)), np.uint16)
#: The value of each ASCII hex digit (either case); 255 for any other byte.
_NIBBLE = np.full(256, 255, np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _NIBBLE[_c] = _i
    _NIBBLE[ord(chr(_c).upper())] = _i

#: The pseudonymised columns of each stored table (snapshot rows hold people's and assignments').
COLUMNS: dict[str, tuple[str, ...]] = {
    t.name: tuple(c.name for c in t.columns if c.identifier) for t in TABLES
}
COLUMNS = {name: cols for name, cols in COLUMNS.items() if cols}
COLUMNS["snapshot_rows"] = ("assignment_id", "person_id")


def digests(raw: np.ndarray) -> pa.FixedSizeBinaryArray:
    """Rows of 16 bytes (a numpy uint8 array) as pseudonyms, without copying them again."""
    rows = np.ascontiguousarray(raw, np.uint8).reshape(-1, 16)
    return pa.FixedSizeBinaryArray.from_buffers(PSEUDONYM, len(rows), [None, pa.py_buffer(rows)])


def to_hex(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Pseudonyms as people see them: 32 lower-case hex digits each (nulls stay null)."""
    values = from_engine_column(values)
    filled = values.fill_null(b"\0" * 16) if values.null_count else values
    raw = np.frombuffer(filled.buffers()[1], np.uint8)[
        filled.offset * 16 : (filled.offset + len(filled)) * 16
    ]
    text = hex_strings(raw.reshape(-1, 16))
    if values.null_count:
        text = pc.if_else(values.is_valid(), text, pa.scalar(None, pa.string()))
    return text


def hex_strings(raw: np.ndarray) -> pa.Array:
    """Each row of bytes as lower-case hex, built in one buffer rather than a Python str a row."""
    rows, width = raw.shape
    chars = HEX_PAIRS[raw].view(np.uint8)  # row-major: each row's digits, in order
    large = chars.size >= 2**31  # beyond 32-bit offsets: the cast raises Arrow's own error
    offsets = np.arange(rows + 1, dtype=np.int64 if large else np.int32) * (2 * width)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    text = pa.Array.from_buffers(pa.large_string() if large else pa.string(), rows, buffers)
    return text.cast(pa.string())


def from_hex(values: pa.Array) -> pa.FixedSizeBinaryArray:
    """Pseudonyms written as hex (32 digits, or a UUID's 36 characters with hyphens) as bytes.

    Raises ValueError on anything else: a stored text pseudonym that is not one is a damaged
    store, not something to guess at."""
    text = pc.replace_substring(values.cast(pa.string()), "-", "")
    valid = text.is_valid()
    filled = text.fill_null("0" * 32) if text.null_count else text
    lengths = pc.utf8_length(filled)
    if len(filled) and not pc.all(pc.equal(lengths, 32)).as_py():
        raise ValueError("a pseudonym is not 32 hex digits")
    data = np.frombuffer(filled.buffers()[2], np.uint8)
    start = np.frombuffer(filled.buffers()[1], np.int32)[filled.offset]
    digits = _NIBBLE[data[start : start + 32 * len(filled)]].reshape(-1, 32)
    if (digits == 255).any():
        raise ValueError("a pseudonym is not 32 hex digits")
    raw = (digits[:, 0::2] << 4) | digits[:, 1::2]
    out = digests(raw)
    if text.null_count:
        out = pc.if_else(valid, out, pa.scalar(None, PSEUDONYM))
    return out


def from_engine_column(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column of pseudonyms as an engine returned it (UUID text, a uuid extension, Spark's
    binary, or already 16 bytes) as `PSEUDONYM`."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], PSEUDONYM)
    kind = values.type
    if isinstance(kind, pa.ExtensionType):
        values, kind = values.storage, values.storage.type
    if kind == PSEUDONYM:
        return values
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return from_hex(values)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return values.cast(PSEUDONYM)
    raise TypeError(f"not a column of pseudonyms: {kind}")


def is_pseudonym_type(dtype: dt.DataType) -> bool:
    """The Ibis types an engine gives a stored pseudonym."""
    return dtype.is_uuid() or dtype.is_binary()


def from_engine(table: pa.Table, names: list[str] | tuple[str, ...]) -> pa.Table:
    """`table` with its columns `names` as `PSEUDONYM`."""
    for name in names:
        at = table.schema.get_field_index(name)
        table = table.set_column(at, name, from_engine_column(table.column(name)))
    return table


def read(expr: ibis.Table) -> pa.Table:
    """`expr` run, with its pseudonyms as `PSEUDONYM`. A UUID reaches Arrow as text (Ibis's
    PostgreSQL backend cannot fetch it otherwise), and is parsed back to its bytes."""
    schema = expr.schema()
    names = [n for n, t in schema.items() if is_pseudonym_type(t)]
    uuids = {n: expr[n].cast("string") for n in names if schema[n].is_uuid()}
    return from_engine((expr.mutate(**uuids) if uuids else expr).to_pyarrow(), names)


def arrow_schema(schema: ibis.Schema) -> pa.Schema:
    """A stored table's schema as Arrow, with its pseudonyms as `PSEUDONYM`."""
    return pa.schema(
        [(n, PSEUDONYM if is_pseudonym_type(t) else t.to_pyarrow()) for n, t in schema.items()]
    )


def for_engine(table: pa.Table, backend: str) -> pa.Table:
    """`table` as `backend` takes it: pseudonyms as UUIDs (16 bytes, no copy) for DuckDB and
    PostgreSQL, as binary for Spark."""
    for at, field in enumerate(table.schema):
        if field.type != PSEUDONYM:
            continue
        column = table.column(at)
        if backend == "pyspark":
            column = column.cast(pa.binary())
        else:
            chunks = [pa.ExtensionArray.from_storage(pa.uuid(), c) for c in column.chunks]
            column = pa.chunked_array(chunks, pa.uuid())
        table = table.set_column(at, field.name, column)
    return table
