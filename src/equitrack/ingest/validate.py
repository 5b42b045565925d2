"""Checking a source against the model, and shaping it for the store.

Every problem is kept with the row it belongs to, so it can be reported with its line and
column, and so that `--skip-invalid` can load exactly the rows that passed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.ingest.coerce import coerce, text
from equitrack.ingest.pseudonymise import PERSON_NAMESPACE, Pseudonymiser, decode
from equitrack.ingest.readers import RawData, contiguous, quoted
from equitrack.model import codes
from equitrack.model.organisations import NO_ORG_COLUMN, how_to_name
from equitrack.model.tables import TABLES, Column, Identifier, Rule, Table, table
from equitrack.store import Store, pseudonyms
from equitrack.store.types import ARROW_TYPES

#: The columns other tables refer to ("people.person_id", …).
REFERENCED = frozenset(c.references for t in TABLES for c in t.columns if c.references)


def namespace(tbl: Table, col: Column) -> str:
    """People share one namespace; a record key is hashed as the table it belongs to."""
    if col.identifier is Identifier.PERSON:
        return PERSON_NAMESPACE
    return col.references or f"{tbl.name}.{col.name}"


#: The namespaces of identifiers other tables refer to (people, vacancies): the pseudonymiser
#: remembers their ids through an import, so that each is hashed once, not once a table.
RECURRING = frozenset(
    namespace(t, c) for t in TABLES for c in t.columns if c.identifier and c.references
)


@dataclass
class Problems:
    """Row problems as parallel lists; `rows` index the data, or are -1 for unreadable lines."""

    rows: list[np.ndarray] = field(default_factory=list)
    lines: list[np.ndarray] = field(default_factory=list)
    columns: list[list[str]] = field(default_factory=list)
    reasons: list[list[str]] = field(default_factory=list)

    def add(
        self, raw: RawData, rows: np.ndarray, column: str | None, reasons: Iterable[str]
    ) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self.add_located(rows, raw.lines[rows], raw.where(column), list(reasons))

    def add_located(
        self, rows: np.ndarray, lines: np.ndarray, where: str, reasons: list[str]
    ) -> None:
        """Problems whose lines and column are known already (found by a source profile)."""
        if len(rows):
            self.rows.append(np.asarray(rows, np.int64))
            self.lines.append(np.asarray(lines, np.int64))
            self.columns.append([where] * len(rows))
            self.reasons.append(list(reasons))

    def add_unreadable(self, lines: list[int], reasons: list[str]) -> None:
        self.add_located(
            np.full(len(lines), -1, np.int64), np.asarray(lines, np.int64), "", reasons
        )

    def table(self) -> pa.Table:
        if not self.rows:
            return pa.table(
                {
                    "row": pa.array([], pa.int64()),
                    "line": pa.array([], pa.int64()),
                    "column": pa.array([], pa.string()),
                    "reason": pa.array([], pa.string()),
                }
            )
        t = pa.table(
            {
                "row": np.concatenate(self.rows),
                "line": np.concatenate(self.lines),
                "column": pa.array([c for cs in self.columns for c in cs], pa.string()),
                "reason": pa.array([r for rs in self.reasons for r in rs], pa.string()),
            }
        )
        return t.sort_by([("line", "ascending"), ("column", "ascending")])


@dataclass
class Checked:
    """A validated source: store-shaped data for every row, and what is wrong with which rows."""

    raw: RawData
    table: Table
    data: pa.Table | None  # None when the file as a whole cannot be used
    problems: pa.Table
    file_problems: list[str]
    warnings: list[str]
    extra_columns: list[str]

    @property
    def bad_rows(self) -> np.ndarray:
        rows = self.problems.column("row").to_numpy()
        return np.unique(rows[rows >= 0])

    @property
    def unreadable(self) -> int:
        return len(self.raw.unreadable_rows)

    @property
    def rows_read(self) -> int:
        return self.raw.data.num_rows + self.unreadable

    @property
    def ok(self) -> bool:
        return not self.file_problems and self.problems.num_rows == 0


@dataclass
class Context:
    """What a file is checked against: the store, and the files accepted before it in this run.

    The keys other tables refer to are remembered from every file accepted (16 bytes a
    pseudonym), so that a reference to an earlier file of the import is found in memory, and
    only the rest are looked for in the store."""

    store: Store
    pseudonymiser: Pseudonymiser
    accepted: dict[str, list[pa.Array]] = field(default_factory=dict)  # "table.col" → values
    #: The tables that held rows when the import began (looked up once, when first needed).
    filled: set[str] | None = None

    def accept(self, checked: Checked, keep: np.ndarray) -> None:
        """Remember the keys later files refer to, of a file accepted (inserted or not)."""
        if checked.data is None:
            return
        for col in checked.table.columns:
            if f"{checked.table.name}.{col.name}" in REFERENCED:
                values = contiguous(checked.data.column(col.name))
                values = values if keep.all() else values.filter(pa.array(keep))
                self.accepted.setdefault(f"{checked.table.name}.{col.name}", []).append(values)

    def accepted_values(self, ref: str) -> pa.Array:
        parts = self.accepted.get(ref, [])
        if len(parts) > 1:  # joined once, not again for every file that refers to them
            parts[:] = [pa.concat_arrays(parts)]
        return parts[0] if parts else pa.array([], pa.string())

    def may_hold_rows(self, name: str) -> bool:
        """Whether the table can hold a row: it held one when the import began (one query
        asks about every table), or the import has written to it since."""
        if name in self.store.written:
            return True
        if self.filled is None:
            self.filled = _filled_tables(self.store)
        return name in self.filled


@dataclass
class Examined:
    """A source checked for everything that does not depend on the store; `complete` finishes.

    The split lets the importer read, check and hash one file while the store is still writing
    the one before it, and check against the store only once that has finished.
    """

    raw: RawData
    table: Table
    data: pa.Table | None  # None when the file as a whole cannot be used
    problems: Problems
    file_problems: list[str]
    warnings: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    raw_ids: dict[str, pa.Array] = field(default_factory=dict)  # identifiers before hashing
    hashed: dict[str, pa.DictionaryArray] = field(default_factory=dict)  # each distinct once


def check(raw: RawData, ctx: Context) -> Checked:
    return complete(examine(raw, ctx.pseudonymiser), ctx)


def complete(examined: Examined, ctx: Context, *, loaded: bool = True) -> Checked:
    """The checks against the store (keys already loaded, unless `loaded` is False: an ESR
    snapshot names people and assignments loaded before), references, and the result."""
    e = examined
    if e.data is not None:
        if loaded:
            _check_loaded(e.raw, e.table, e.data, e.raw_ids, ctx, e.problems)
        _check_references(e.raw, e.table, e.data, e.raw_ids, e.hashed, ctx, e.problems)
    return Checked(
        e.raw, e.table, e.data, e.problems.table(), e.file_problems, e.warnings, e.extra_columns
    )


def examine(raw: RawData, pseudonymiser: Pseudonymiser) -> Examined:
    """Types, blanks, codes, pseudonyms, row rules and duplicates: all but the store's part."""
    tbl = table(raw.source.table)
    present = set(raw.data.column_names)
    problems = Problems()
    problems.add_unreadable(
        [u.line for u in raw.unreadable_rows], [u.reason for u in raw.unreadable_rows]
    )
    prior_rows: dict[str, np.ndarray] = {}  # column → rows a profile found a problem in
    for prior in raw.prior:
        problems.add_located(prior.rows, prior.lines, prior.where, prior.reasons)
        prior_rows[prior.column] = np.union1d(prior_rows.get(prior.column, []), prior.rows)
    empty = _no_rows(raw)
    missing = [c for c in tbl.required if c not in present]
    if missing:
        needed = ", ".join(tbl.required)
        named = [raw.labels.get(c, c) for c in missing]
        return Examined(
            raw,
            tbl,
            None,
            problems,
            [
                *raw.file_problems,
                *empty,
                f"the column{'s' if len(missing) > 1 else ''} {', '.join(named)} "
                f"{'are' if len(missing) > 1 else 'is'} missing from the header "
                f"({tbl.name} needs {needed})"
                + (f"; {NO_ORG_COLUMN}" if "org_code" in missing else ""),
            ],
            list(raw.warnings),
        )
    n = raw.data.num_rows
    warnings: list[str] = list(raw.warnings)
    columns: dict[str, pa.Array] = {}
    for col in tbl.columns:
        if col.name not in present:
            columns[col.name] = pa.nulls(n, ARROW_TYPES[col.kind])
            continue
        source = contiguous(raw.data.column(col.name))
        result = coerce(source, col)
        if result.bad.any():
            rows = np.flatnonzero(result.bad)
            shown = text(source).take(pa.array(rows)).to_pylist()
            problems.add(raw, rows, col.name, (result.reason(quoted(v)) for v in shown))
        values = result.values
        if col.bounds is not None:
            _check_bounds(raw, col, values, problems)
        if col.required and not col.blank_allowed:
            blank = pc.is_null(values).to_numpy(zero_copy_only=False) & ~result.bad
            if col.name in prior_rows:  # a value the profile could not read is not blank
                blank[prior_rows[col.name].astype(np.int64)] = False
            rows = np.flatnonzero(blank)
            problems.add(
                raw,
                rows,
                col.name,
                [f"is blank, but every {tbl.name} row needs a {col.name}"] * len(rows),
            )
        columns[col.name] = values
    _normalise_codes(tbl, columns, warnings)
    _derive(tbl, columns)
    raw_ids = {c.name: columns[c.name] for c in tbl.columns if c.identifier}
    hashed: dict[str, pa.DictionaryArray] = {}  # identifier → pseudonyms, each distinct once
    for col in tbl.columns:
        if col.identifier:
            pseudonyms = pseudonymiser.hash_dictionary(
                namespace(tbl, col), columns[col.name], expect_distinct=tbl.key == (col.name,)
            )
            hashed[col.name] = pseudonyms
            columns[col.name] = decode(pseudonyms)
    data = pa.table(columns)
    for rule in tbl.rules:
        _check_rule(raw, data, rule, problems)
    _check_duplicates(raw, tbl, data, raw_ids, hashed, problems)
    # columns a profile keeps by name, checked for identifying data (mapping.set_aside)
    extra = [c for c in raw.data.column_names if c not in tbl.column_names]
    kept = [c for c in extra if _has_values(raw.data.column(c))]
    if kept:
        warnings.append(
            f"extra columns kept aside (not part of the {tbl.name} table): {', '.join(kept)}"
        )
    file_problems = [*raw.file_problems, *empty]
    return Examined(raw, tbl, data, problems, file_problems, warnings, kept, raw_ids, hashed)


def _no_rows(raw: RawData) -> list[str]:
    """A file with a header and nothing below it is reported, not loaded as a quiet success."""
    as_read = raw.origin[0] if raw.origin is not None else raw.data
    if as_read.num_rows or raw.unreadable_rows:
        return []
    return ["there are no data rows below the header, so there is nothing to load"]


def _check_bounds(raw: RawData, col: Column, values: pa.Array, problems: Problems) -> None:
    """Values beyond what is possible (`Column.bounds`): 1e26 days of leave, an FTE of 40."""
    assert col.bounds is not None
    low, high = col.bounds
    outside = pc.or_(pc.less(values, low), pc.greater(values, high))
    rows = np.flatnonzero(pc.fill_null(outside, False).to_numpy(zero_copy_only=False))
    if not len(rows):
        return
    reasons = []
    for v in values.take(pa.array(rows)).to_pylist():
        if v > high:
            why = f"more than {_fmt(high)}"
        else:
            why = "negative" if low == 0 else f"less than {_fmt(low)}"
        reasons.append(f"{col.name} {_fmt(v)} is not possible: it is {why}")
    problems.add(raw, rows, col.name, reasons)


def _has_values(values: pa.ChunkedArray) -> bool:
    return bool(pc.any(pc.is_valid(text(contiguous(values)))).as_py())


def _counts(values: pa.Array, limit: int = 8) -> str:
    counted = pc.value_counts(values.drop_null()).to_pylist()
    counted.sort(key=lambda d: (-d["counts"], str(d["values"])))
    shown = ", ".join(f"'{quoted(d['values'])}' ({d['counts']})" for d in counted[:limit])
    return shown + (f" and {len(counted) - limit} more" if len(counted) > limit else "")


def _normalise_codes(tbl: Table, columns: dict[str, pa.Array], warnings: list[str]) -> None:
    """Ethnic codes upper-cased; staff groups in the model's spelling; odd values reported."""
    if "ethnic_code" in columns:
        code = pc.utf8_upper(columns["ethnic_code"])
        columns["ethnic_code"] = code
        first = pc.utf8_slice_codeunits(code, 0, 1)
        known = pc.or_(
            pc.is_in(first, pa.array(list(codes.CATEGORY_BY_CODE))),
            pc.is_in(code, pa.array([codes.NOT_STATED, codes.NOT_KNOWN])),
        )
        odd = pc.filter(code, pc.and_(pc.is_valid(code), pc.invert(known)))
        if len(odd):
            warnings.append(
                f"{len(odd)} ethnic_code values are not NHS ethnic categories and count as not "
                f"known: {_counts(odd)}"
            )
    if "staff_group" in columns:
        groups = list(codes.STAFF_GROUPS)
        values = columns["staff_group"]
        index = pc.index_in(pc.utf8_lower(values), pa.array([g.lower() for g in groups]))
        columns["staff_group"] = pc.coalesce(pc.take(pa.array(groups), index), values)
        odd = pc.filter(values, pc.and_(pc.is_valid(values), pc.is_null(index)))
        if len(odd):
            warnings.append(
                f"{len(odd)} staff_group values are not NWD staff groups (they count as clinical "
                f"unless the clinical column says otherwise): {_counts(odd)}"
            )


def _derive(tbl: Table, columns: dict[str, pa.Array]) -> None:
    if tbl.name == "assignments":
        non_clinical = pa.array([g.lower() for g in codes.NON_CLINICAL_GROUPS])
        derived = pc.invert(pc.is_in(pc.utf8_lower(columns["staff_group"]), non_clinical))
        columns["clinical"] = pc.coalesce(columns["clinical"], derived)


def _operand(data: pa.Table, name: str) -> pa.Array | pa.Scalar:
    if name in data.column_names:
        return contiguous(data.column(name))
    return pa.scalar(float(name))


def _check_rule(raw: RawData, data: pa.Table, rule: Rule, problems: Problems) -> None:
    left, right = _operand(data, rule.left), _operand(data, rule.right)
    if rule.op == "<=":
        broken = pc.greater(left, right)
    elif rule.op == "implies":
        broken = pc.and_(left, pc.invert(right))
    else:
        raise ValueError(f"unknown rule operator {rule.op!r}")
    rows = np.flatnonzero(pc.fill_null(broken, False).to_numpy(zero_copy_only=False))
    if not len(rows):
        return
    cols = [c for c in (rule.left, rule.right) if c in data.column_names]
    shown = {c: data.column(c).take(pa.array(rows)).to_pylist() for c in cols}
    reasons = [
        f"{rule.reason} ({', '.join(f'{c} {_fmt(shown[c][i])}' for c in cols)})"
        for i in range(len(rows))
    ]
    problems.add(raw, rows, cols[-1], reasons)


def _fmt(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return str(int(value))
    return str(value)


def _key_table(data: pa.Table, key: tuple[str, ...]) -> pa.Table:
    t = data.select(list(key)).append_column("__row", pa.array(np.arange(data.num_rows)))
    for k in key:
        t = t.filter(pc.is_valid(t.column(k)))
    return t


def _raw_key(
    raw_ids: dict[str, pa.Array], data: pa.Table, key: tuple[str, ...], rows: np.ndarray
) -> list[str]:
    """The key of each row as the file wrote it, for messages (ids unhashed)."""
    parts = [
        (raw_ids.get(k) if k in raw_ids else data.column(k)).take(pa.array(rows)).to_pylist()
        for k in key
    ]
    return [" / ".join(_fmt(p[i]) for p in parts) for i in range(len(rows))]


def _check_duplicates(
    raw: RawData,
    tbl: Table,
    data: pa.Table,
    raw_ids: dict[str, pa.Array],
    hashed: dict[str, pa.DictionaryArray],
    problems: Problems,
) -> None:
    if not tbl.key or _all_distinct(data, tbl.key, hashed):
        return
    keys = _key_table(data, tbl.key)
    grouped = keys.group_by(list(tbl.key), use_threads=False).aggregate([("__row", "list")])
    lists = grouped.column("__row_list")
    dup = pc.greater(pc.list_value_length(lists), 1)
    if not pc.any(dup).as_py():
        return
    for rows in lists.filter(dup).to_pylist():
        rows = np.asarray(rows, np.int64)
        lines = ", ".join(str(x) for x in raw.lines[rows][:6])
        label = _raw_key(raw_ids, data, tbl.key, rows[:1])[0]
        problems.add(
            raw,
            rows,
            tbl.key[-1],
            [
                f"{'/'.join(tbl.key)} '{label}' appears more than once in this file ({raw.line_word}s {lines})"
            ]
            * len(rows),
        )


def _all_distinct(
    data: pa.Table, key: tuple[str, ...], hashed: dict[str, pa.DictionaryArray]
) -> bool:
    """No complete key twice, found cheaply so that the grouping naming the rows runs only then.

    A pseudonymised key column is compared by its dictionary numbers (equal numbers, equal
    pseudonyms) rather than by hashing 32-character strings; a key that is one such column is
    distinct when its dictionary has an entry for every non-blank row.
    """
    if len(key) == 1 and key[0] in hashed:
        pseudonyms = hashed[key[0]]
        return len(pseudonyms.dictionary) == len(pseudonyms) - pseudonyms.null_count
    columns = [hashed[k].indices if k in hashed else contiguous(data.column(k)) for k in key]
    complete = functools.reduce(pc.and_, [pc.is_valid(c) for c in columns])
    codes, count = _distinct_numbers(pc.filter(columns[0], complete))
    for column in columns[1:]:  # the pair (key so far, next column) as one number below n²
        numbers, width = _distinct_numbers(pc.filter(column, complete))
        codes, count = _distinct_numbers(pc.add(pc.multiply(codes, width), numbers))
    return count == len(codes)


def _distinct_numbers(values: pa.Array) -> tuple[pa.Array, int]:
    """Each value's number among the distinct values (0, 1, …), and how many there are."""
    encoded = pc.dictionary_encode(values)
    return encoded.indices.cast(pa.int64()), len(encoded.dictionary)


def _filled_tables(store: Store) -> set[str]:
    """The canonical tables that hold any row, stored or written by an unfinished import (which
    only makes the answer cautious), in one query."""
    parts = [store.raw_table(t.name).select(name=ibis.literal(t.name)).limit(1) for t in TABLES]
    return set(ibis.union(*parts).to_pyarrow().column("name").to_pylist())


def _in_store(store: Store, name: str, probe: pa.Table) -> pa.Table:
    """The rows of `probe` whose columns match a row already in the store table (in the engine).

    A semi-join needs no DISTINCT on the stored side: dropping it saves grouping the whole table.
    """
    if probe.num_rows == 0:
        return probe
    stored = store.table(name).select(list(probe.column_names))
    with store.temporary(probe) as incoming:
        return pseudonyms.read(incoming.semi_join(stored, list(probe.column_names)))


def _rows_matching(data: pa.Table, cols: list[str], found: pa.Table) -> np.ndarray:
    if found.num_rows == 0:
        return np.array([], np.int64)
    keys = _key_table(data, tuple(cols))
    joined = keys.join(found, cols, join_type="inner")
    return np.sort(joined.column("__row").to_numpy())


def _check_loaded(
    raw: RawData,
    tbl: Table,
    data: pa.Table,
    raw_ids: dict[str, pa.Array],
    ctx: Context,
    problems: Problems,
) -> None:
    if not tbl.key or not ctx.may_hold_rows(tbl.name):  # nothing loaded that could match
        return
    probe = _key_table(data, tbl.key).drop(["__row"])
    probe = probe.group_by(list(tbl.key), use_threads=False).aggregate([])
    # earlier files of this import are in the store already (each commits as it passes)
    rows = _rows_matching(data, list(tbl.key), _in_store(ctx.store, tbl.name, probe))
    labels = _raw_key(raw_ids, data, tbl.key, rows)
    problems.add(
        raw,
        rows,
        tbl.key[-1],
        [
            f"{'/'.join(tbl.key)} '{label}' is already loaded (from an earlier file)"
            for label in labels
        ],
    )


def _check_references(
    raw: RawData,
    tbl: Table,
    data: pa.Table,
    raw_ids: dict[str, pa.Array],
    hashed: dict[str, pa.DictionaryArray],
    ctx: Context,
    problems: Problems,
) -> None:
    for col in tbl.columns:
        if not col.references:
            continue
        ref_table, ref_col = col.references.split(".")
        if ref_table == tbl.name:
            continue
        values = contiguous(data.column(col.name))
        distinct = (
            hashed[col.name].dictionary if col.name in hashed else pc.unique(values).drop_null()
        )
        earlier = ctx.accepted_values(col.references)
        outstanding = (
            distinct.filter(pc.invert(pc.is_in(distinct, earlier))) if len(earlier) else distinct
        )
        probe = pa.table({ref_col: outstanding})
        found = (
            contiguous(_in_store(ctx.store, ref_table, probe).column(ref_col))
            if len(outstanding)
            else pa.array([], pa.string())
        )
        if len(found) == len(outstanding):  # distinct values, so every one was found
            continue
        missing = (
            outstanding.filter(pc.invert(pc.is_in(outstanding, found)))
            if len(found)
            else outstanding
        )
        if not len(missing):
            continue
        bad = pc.fill_null(pc.is_in(values, missing), False).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(bad)
        shown = (raw_ids.get(col.name, values)).take(pa.array(rows)).to_pylist()
        problems.add(
            raw,
            rows,
            col.name,
            [
                f"{col.name} '{quoted(v)}' is not in {ref_table} (neither already loaded nor in this import)"
                + (f": {how_to_name(quoted(v))}" if col.name == "org_code" else "")
                for v in shown
            ],
        )
