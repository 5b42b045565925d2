"""Applying a source profile: a file as read becomes one `RawData` per canonical table.

This sits between reading and validation. Each table's rows carry the file's lines, and each
column the position and name of the *source* column it came from, so every problem found here
or by the validator afterwards names the file, the line and the column as the export has them.
What a profile cannot read (a value not in its lists, a date in a form it does not declare) is
a row problem like any other: it stops the import, or with --skip-invalid rejects the row.

Tables a profile `merge`s (people, from an export with a row per assignment) get one row per
value of the merge column, compared as pseudonymisation compares identifiers (so `0123` and
`123` are one person). Each column takes the person's first non-blank value; rows that give a
different value are problems, at their own line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.ingest import vocabulary, wide
from equitrack.ingest.coerce import FALSE_WORDS, text
from equitrack.ingest.dates import read_dates
from equitrack.ingest.identifying import identifying_header, identifying_values
from equitrack.ingest.percent import Counted, count_of
from equitrack.ingest.profile import (
    ColumnRule,
    Profile,
    ValueMap,
    header_key,
    value_key,
)
from equitrack.ingest.pseudonymise import normalise_ids
from equitrack.ingest.readers import (
    Prior,
    RawData,
    Source,
    _column_letter,
    contiguous,
)
from equitrack.model import codes
from equitrack.model.tables import TABLE_BY_NAME, Kind, table

SHOWN_VALUES = 12


# --- applying a profile -------------------------------------------------------------------


@dataclass
class _Column:
    """One canonical column made from the file (all of its records), before merging."""

    values: pa.Array  # canonical text; null where blank or unreadable
    shown: pa.Array  # the source text, for messages
    label: str  # the source column's name, for messages
    position: int | None
    bad: np.ndarray = field(default_factory=lambda: np.array([], np.int64))
    reasons: list[str] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Mapper:
    """Applies one profile to one file as read."""

    def __init__(self, raw: RawData, profile: Profile) -> None:
        self.raw, self.profile = raw, profile
        self.used: set[str] = set()  # source columns a rule reads
        #: What the import reports about the profile's own work, by table (rows skipped, counts worked out from percentages): shown with the warnings, not problems.
        self.notes: dict[str, list[str]] = {}
        self.file = raw  # the file as read: the records come from its rows
        self.record = np.arange(raw.data.num_rows, dtype=np.int64)  # the row of each record
        self.flagged: dict[str, list[str | None]] = {}  # column → each record's problem
        self.wide_problems: list[str] = []
        if profile.wide is not None:  # a published sheet: a record per row and question
            long = wide.reshape(raw, profile, profile.wide)
            raw, self.record, self.flagged = long.raw, long.record, long.bad
            self.used |= long.used
            self.notes.setdefault(profile.row_table, []).extend(long.notes)
            self.wide_problems = long.problems
        self.by_key: dict[str, str] = {}
        #: header key → the file's columns that share it (`EmployeeNumber`, `Employee Number`)
        self.twins: dict[str, list[str]] = {}
        for c in raw.data.column_names:
            key = header_key(raw.headers.get(c, c))
            self.by_key.setdefault(key, c)
            self.twins.setdefault(key, []).append(c)
        self.missing: dict[str, list[str]] = {}  # table → columns whose headers are absent
        self.missing_required: dict[str, list[str]] = {}  # of which the table needs
        self._cache: dict[str, _Column | None] = {}
        self.aside = Aside()  # what becomes of the columns no rule reads (row table only)
        self.raw = self._drop_skipped(raw)
        self.n = self.raw.data.num_rows

    def found(self, rule: ColumnRule) -> list[str]:
        return [self.by_key[k] for k in (header_key(h) for h in rule.headers) if k in self.by_key]

    def _drop_skipped(self, raw: RawData) -> RawData:
        """The file without the records holding a value the profile lists under `skip`.

        A publisher withholds a figure (too few respondents) by writing `*`, `[c]`, …; a learning
        report lists cancelled bookings: there is nothing to load, so such a record is neither
        loaded nor rejected. A note counts them by value and column, so none vanish silently.
        """
        drop = np.zeros(raw.data.num_rows, bool)
        counted: dict[tuple[str, str], list] = {}  # (column, mark) → [as written, rows]
        for rule in {r.key: r for r in self.profile.columns if r.skip}.values():
            names = self.found(rule)
            if not names:
                continue
            values = text(contiguous(raw.data.column(names[0])))
            for other in names[1:]:  # as `_column` reads aliases: the first non-blank
                values = pc.coalesce(values, text(contiguous(raw.data.column(other))))
            marks = {value_key(m) for m in rule.skip}
            distinct = pc.unique(values.drop_null())
            hit = pa.array([value_key(v) in marks for v in distinct.to_pylist()], pa.bool_())
            rows = pc.fill_null(pc.take(hit, pc.index_in(values, distinct)), False)
            new = rows.to_numpy(zero_copy_only=False) & ~drop
            label = raw.headers.get(names[0], names[0])
            for v in values.filter(pa.array(new)).to_pylist():
                counted.setdefault((label, value_key(v)), [v, 0])[1] += 1
            drop |= new
        if not drop.any():
            return raw
        marks = ", ".join(
            f"'{v}' in {label} on {n:,}" for (label, _), (v, n) in sorted(counted.items())
        )
        lines = np.unique(raw.lines[drop])  # a sheet's row may give several records
        shown = ", ".join(str(x) for x in lines[:6]) + (", …" if len(lines) > 6 else "")
        self.notes.setdefault(self.profile.row_table, []).append(
            f"{int(drop.sum()):,} row(s) skipped, not loaded ({marks}; "
            f"{raw.line_word}{'s' if len(lines) > 1 else ''} {shown}): the {self.profile.name} "
            "profile skips rows with these values (under skip), so they are neither loaded "
            "nor rejected"
        )
        keep = ~drop
        self.record = self.record[keep]
        self.flagged = {
            c: [f for f, k in zip(v, keep, strict=True) if k] for c, v in self.flagged.items()
        }
        return replace(raw, data=raw.data.filter(pa.array(keep)), lines=raw.lines[keep])

    def where(self, name: str | None, label: str) -> str:
        return where(self.raw, name, label)

    def column(self, rule: ColumnRule, table_name: str) -> _Column | None:
        """The rule's values for every record; None when its source column is absent."""
        if rule.key in self._cache:
            return self._cache[rule.key]
        out = self._column(rule, table_name)
        self._cache[rule.key] = out
        return out

    def _column(self, rule: ColumnRule, table_name: str) -> _Column | None:
        kind = table(table_name).column(rule.target).kind
        if rule.constant is not None:
            value = rule.constant or None
            values = pa.array([value] * self.n, pa.string())
            label = f"{rule.target} (set to '{rule.constant}' by the {self.profile.name} profile)"
            return _Column(values, values, label, None)
        names = self.found(rule)
        if not names:
            return None
        self.used.update(names)
        first = names[0]
        source = text(contiguous(self.raw.data.column(first)))
        for other in names[1:]:  # aliases found together: the first non-blank, in the listed order
            source = pc.coalesce(source, text(contiguous(self.raw.data.column(other))))
        label = self.raw.headers.get(first, first)
        col = _Column(source, source, label, self.raw.positions.get(first))
        if flagged := self.flagged.get(first):  # found while making the records (`wide.py`)
            col.bad = np.array([i for i, f in enumerate(flagged) if f], np.int64)
            col.reasons = [f for f in flagged if f]
        where = self.where(first, label)
        for key in {header_key(h) for h in rule.headers}:
            if len(same := self.twins.get(key, [])) > 1:
                shown = " and ".join(self.where(n, self.raw.headers.get(n, n)) for n in same)
                col.file_problems.append(
                    f"{shown} are one header to equitrack (case, spaces, punctuation and "
                    f"CamelCase are ignored), so which holds {rule.target} cannot be told: "
                    "rename or remove one"
                )
        if rule.transform == "present":
            said_no = pc.is_in(pc.utf8_lower(source), pa.array(FALSE_WORDS, pa.string()))
            col.values = pc.if_else(
                pc.and_(pc.is_valid(source), pc.invert(pc.fill_null(said_no, False))),
                "true",
                "false",
            )
        elif rule.values is not None:
            self._map_values(col, rule.values, rule, table_name, where)
        elif kind is Kind.DATE or rule.transform == "year":
            dates = read_dates(source, self.profile.dates)
            col.values = dates.iso
            col.bad, col.reasons = np.flatnonzero(dates.bad), dates.reasons
            if len(dates.month_first):
                row = int(dates.month_first[0])
                line = self.raw.lines[row]
                col.file_problems.append(
                    f"{where} holds month-first (US) dates: {self.raw.line_word} {line} has "
                    f"'{col.shown[row].as_py()}', which cannot be day/month/year "
                    f"({len(dates.month_first)} such value(s)). The {self.profile.name} profile "
                    "reads day-first dates, so no date in this column can be trusted; equitrack "
                    "does not guess. Export the dates day-first or as YYYY-MM-DD."
                )
        if rule.transform == "year":
            col.values = pc.utf8_slice_codeunits(col.values, 0, 4)
        return col

    def _map_values(
        self, col: _Column, vm: ValueMap, rule: ColumnRule, table_name: str, where: str
    ) -> None:
        distinct = pc.unique(col.values.drop_null())
        looked = [vm.lookup(v) for v in distinct.to_pylist()]
        index = pc.index_in(col.values, distinct)
        mapped = pa.array([None if v in (None, "") else v for v in looked], pa.string())
        known = pa.array([v is not None for v in looked], pa.bool_())  # typed when empty
        values = pc.take(mapped, index)
        unmapped = pc.invert(pc.fill_null(pc.take(known, index), True))
        unmapped_np = unmapped.to_numpy(zero_copy_only=False)
        if vm.unmapped == "keep":
            col.values = pc.if_else(unmapped, col.values, values)
            return
        col.values = values
        rows = np.flatnonzero(unmapped_np)
        if not len(rows):
            return
        shown = col.shown.take(pa.array(rows)).to_pylist()
        place = f"{vm.section} in {self.profile.file_name}"
        col.bad = rows
        col.reasons = [
            f"'{v}' is not in the {self.profile.name} profile's list of {col.label} values "
            f"(add it under {place})"
            for v in shown
        ]
        counted: dict[str, list] = {}  # one value however its case and spaces vary
        for v in shown:
            counted.setdefault(value_key(v), [v, 0])[1] += 1
        counts = sorted(counted.values(), key=lambda c: (-c[1], c[0]))
        listed = ", ".join(f"'{v}' ({n})" for v, n in counts[:SHOWN_VALUES])
        if len(counts) > SHOWN_VALUES:
            listed += f" and {len(counts) - SHOWN_VALUES} more"
        example = counts[0][0].replace('"', '\\"')
        line = f" (line {vm.line})" if vm.line else ""
        beside = f" (beside the shared vocabulary '{vm.vocabulary}')" if vm.vocabulary else ""
        path = self.profile.path or self.profile.name
        col.warnings.append(
            f"{where}: {len(counts)} value(s) on {len(rows)} row(s) are not in the "
            f"{self.profile.name} profile, and equitrack does not guess what they mean: "
            f"{listed}. Add a line for each to the list {vm.section}{beside} in {path}{line}, "
            "such as "
            f'"{example}" = "{hint(table_name, rule.target, example)}" (copy a shipped profile and '
            "give --profile PATH to use your copy)."
        )

    def derived(self, rule: ColumnRule, table_name: str, made: dict[str, _Column]) -> _Column:
        base = made[rule.derive_from or ""]
        distinct = pc.unique(base.values.drop_null())
        looked = [(rule.values.lookup(v) if rule.values else None) for v in distinct.to_pylist()]
        looked = [rule.otherwise if v is None else v for v in looked]
        table_of = pa.array([v or None for v in looked], pa.string())
        values = pc.take(table_of, pc.index_in(base.values, distinct))
        label = f"{base.label}, from which {rule.target} is derived"
        return _Column(values, base.shown, label, base.position)

    def counted(self, rule: ColumnRule, table_name: str, made: dict[str, _Column]) -> _Column:
        """The count behind each published percentage of another column (`percent_of`).

        A percentage that fits no count of its base is a row problem; one that fits several
        (a large base, few decimals) takes the nearest, and the note says on how many rows and
        how far apart the fits were, so that the rounding is on record.
        """
        col = made[rule.target]
        out = _Column(col.values, col.shown, col.label, col.position)
        base = made.get(rule.percent_of or "")
        if base is None:  # the base's header is absent: that is reported for the base
            out.values = pa.nulls(self.n, pa.string())
            return out
        counts: list[str | None] = [None] * self.n
        bad: list[int] = []
        found: dict[tuple[str, str | None], Counted | str] = {}
        converted = several = widest = 0
        pairs = zip(col.values.to_pylist(), base.values.to_pylist(), strict=True)
        for i, (p, n) in enumerate(pairs):
            if p is None:
                continue  # blank: the validator says every row needs one
            if (p, n) not in found:
                found[(p, n)] = count_of(p, n, base.label)
            fit = found[(p, n)]
            if isinstance(fit, str):
                bad.append(i)
                out.reasons.append(fit)
                continue
            counts[i] = str(fit.count)
            converted += 1
            if fit.high > fit.low:
                several += 1
                widest = max(widest, fit.high - fit.count, fit.count - fit.low)
        out.values = pa.array(counts, pa.string())
        out.bad = np.asarray(bad, np.int64)
        if converted:
            rounding = (
                f"; on {several:,} row(s) the published percentage fits more than one count "
                f"(at most ±{widest}), the nearest was taken"
                if several
                else "; each published percentage fits exactly one count"
            )
            self.notes.setdefault(table_name, []).append(
                f"{table_name}: {rule.target} worked out from {col.label} × {base.label} on "
                f"{converted:,} row(s){rounding}. The percentages as published are kept aside "
                f"as {rule.target}_percent (table extra_values)."
            )
        return out

    def apply(self) -> dict[str, RawData]:
        made: dict[str, dict[str, _Column]] = {}
        for t in self.profile.tables:
            cols: dict[str, _Column] = {}
            missing: list[str] = []
            for rule in self.profile.rules(t):
                if rule.derive_from is not None:
                    continue
                col = self.column(rule, t)
                if col is None:
                    canonical_required = table(t).column(rule.target).required
                    if rule.required or (rule.required is None and canonical_required):
                        missing.append(rule.target)
                    self.missing.setdefault(t, []).append(rule.target)
                    continue
                cols[rule.target] = col
            for rule in self.profile.rules(t):
                if rule.derive_from is not None and rule.derive_from in cols:
                    cols[rule.target] = self.derived(rule, t, cols)
            for rule in self.profile.rules(t):
                if rule.percent_of is not None and rule.target in cols:
                    cols[rule.target] = self.counted(rule, t, cols)
            made[t] = cols
            self.missing_required[t] = missing
        return {t: self._table(t, made[t]) for t in self.profile.tables}

    def describe(self, table_name: str, target: str) -> str:
        rule = next(r for r in self.profile.rules(table_name) if r.target == target)
        if not rule.headers:
            return target
        names = [f"'{h}'" for h in rule.headers]
        more = f" (or {', '.join(names[1:4])}{', …' if len(names) > 4 else ''})"
        return f"{names[0]}{more if len(names) > 1 else ''} for {target}"

    def _table(self, t: str, cols: dict[str, _Column]) -> RawData:
        raw, profile = self.raw, self.profile
        source = Source(raw.source.path, raw.source.format, t, raw.source.sheet, profile)
        tbl = TABLE_BY_NAME[t]
        file_problems = [p for c in cols.values() for p in c.file_problems]
        warnings = [w for c in cols.values() for w in c.warnings] + self.notes.get(t, [])
        if t == profile.row_table:  # what the reader said of the file (a title above the header)
            warnings = list(raw.warnings) + warnings
            file_problems += self.wide_problems
        labels = {name: c.label for name, c in cols.items()}
        for target in self.missing_required[t]:
            labels[target] = self.describe(t, target)
            if not tbl.column(target).required:
                file_problems.append(
                    f"the column {self.describe(t, target)} is missing from the header "
                    f"(the {profile.name} profile needs it)"
                )
        positions = {name: c.position for name, c in cols.items() if c.position is not None}
        rows = np.arange(self.n, dtype=np.int64)  # the record each row comes from
        group = rows
        if t in profile.merge and profile.merge[t] in cols:
            rows, group = self._groups(cols[profile.merge[t]].values)
        priors: list[Prior] = []
        for name, c in cols.items():
            if len(c.bad):
                priors.append(
                    Prior(
                        group[c.bad],
                        raw.lines[c.bad],
                        self.where(_source_name(raw, c), c.label),
                        name,
                        c.reasons,
                    )
                )
        arrays: dict[str, pa.Array] = {}
        if len(rows) == self.n:
            arrays = {name: c.values for name, c in cols.items()}
        else:
            key = profile.merge[t]
            for name, c in cols.items():
                values, conflicts = _merge(c.values, group, len(rows))
                arrays[name] = values
                if name != key and len(conflicts):
                    priors.append(self._conflicts(c, cols[key], conflicts, group, rows, name))
        data = pa.table(arrays) if arrays else pa.table({"__empty": pa.nulls(len(rows))})
        for rule in profile.rules(t):
            if rule.percent_of is not None and rule.target in cols:
                data = self._published(rule, cols[rule.target], data, rows, positions, labels)
        unreadable = []
        if t == profile.row_table:
            data, positions, labels = self._extras(tbl.column_names, data, positions, labels)
            unreadable = raw.unreadable_rows
            warnings += self.aside.warnings
            file_problems += self.aside.problems
        if "__empty" in data.column_names:
            data = data.drop(["__empty"])
        return RawData(
            source,
            data,
            positions,
            raw.lines[rows],
            raw.encoding,
            unreadable,
            headers=dict(raw.headers),
            labels=labels,
            prior=priors,
            file_problems=file_problems,
            warnings=warnings,
            origin=(self.file.data, self.record[rows]) if profile.wide else (raw.data, rows),
        )

    def _published(
        self,
        rule: ColumnRule,
        col: _Column,
        data: pa.Table,
        rows: np.ndarray,
        positions: dict[str, int],
        labels: dict[str, str],
    ) -> pa.Table:
        """The percentage a count was worked out from, kept aside as the file wrote it (table
        extra_values, column `<target>_percent`): where several counts fit, it is the evidence."""
        name = f"{rule.target}_percent"
        shown = col.shown if len(rows) == self.n else col.shown.take(pa.array(rows))
        labels[name] = f"{col.label} (as published)"
        if col.position is not None:
            positions[name] = col.position
        return data.append_column(name, shown)

    def _groups(self, key: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """The first record of each key value (in file order), and each record's group."""
        encoded = pc.dictionary_encode(normalise_ids(key))
        index = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        blank = index < 0
        index[blank] = len(encoded.dictionary) + np.arange(int(blank.sum()))  # each its own row
        _, first = np.unique(index, return_index=True)
        order = np.argsort(first, kind="stable")
        renumber = np.empty(len(order), np.int64)
        renumber[order] = np.arange(len(order))
        _, inverse = np.unique(index, return_inverse=True)
        return np.sort(first), renumber[inverse]

    def _conflicts(
        self,
        col: _Column,
        key: _Column,
        conflicts: np.ndarray,
        group: np.ndarray,
        rows: np.ndarray,
        name: str,
    ) -> Prior:
        raw = self.raw
        first_valid = _first_valid(col.values, group, len(rows))
        reasons = []
        for record in conflicts:
            other = int(first_valid[group[record]])
            reasons.append(
                f"{key.label} '{key.shown[record].as_py()}' has {col.label} "
                f"'{col.shown[record].as_py()}' here but '{col.shown[other].as_py()}' on "
                f"{raw.line_word} {raw.lines[other]}; a person has one {name}"
            )
        return Prior(
            group[conflicts],
            raw.lines[conflicts],
            self.where(_source_name(raw, col), col.label),
            name,
            reasons,
        )

    def _extras(
        self,
        canonical: tuple[str, ...],
        data: pa.Table,
        positions: dict[str, int],
        labels: dict[str, str],
    ) -> tuple[pa.Table, dict[str, int], dict[str, str]]:
        """Source columns no rule reads: those the profile keeps by name are kept aside (see
        `set_aside`), and the rest are not stored."""
        unread = [n for n in self.raw.data.column_names if n not in self.used]
        self.aside = set_aside(self.raw, unread, self.profile)
        for name in self.aside.kept:
            kept = f"source_{name}" if name in canonical or name in data.column_names else name
            data = data.append_column(kept, contiguous(self.raw.data.column(name)))
            positions[kept] = self.raw.positions[name]
            labels[kept] = self.raw.headers.get(name, name)
        return data, positions, labels


def where(raw: RawData, name: str | None, label: str) -> str:
    """A location as the validator writes it, from a source column's name."""
    pos = raw.positions.get(name) if name is not None else None
    if pos is None:
        return f"column {label}"
    if raw.source.format == "xlsx":
        return f"column {_column_letter(pos)} ({label})"
    return f"column {pos} ({label})"


def _source_name(raw: RawData, col: _Column) -> str | None:
    if col.position is None:
        return None
    return next((n for n, p in raw.positions.items() if p == col.position), None)


def _first_valid(values: pa.Array, group: np.ndarray, groups: int) -> np.ndarray:
    """The first record with a value in each group (-1 when none has one)."""
    valid = np.flatnonzero(pc.is_valid(values).to_numpy(zero_copy_only=False))
    first = np.full(groups, -1, np.int64)
    g, at = np.unique(group[valid], return_index=True)
    first[g] = valid[at]
    return first


def _merge(values: pa.Array, group: np.ndarray, groups: int) -> tuple[pa.Array, np.ndarray]:
    """Each group's first non-blank value, and the records whose value differs from it."""
    first = _first_valid(values, group, groups)
    merged = values.take(pa.array(first, mask=first < 0))
    spread = merged.take(pa.array(group))
    differs = pc.fill_null(pc.not_equal(values, spread), False).to_numpy(zero_copy_only=False)
    return merged, np.flatnonzero(differs)


@dataclass
class Aside:
    """What becomes of a file's columns that no rule reads."""

    kept: list[str] = field(default_factory=list)  # kept aside, by their names in the data
    warnings: list[str] = field(default_factory=list)  # which were not stored
    problems: list[str] = field(default_factory=list)  # kept columns that identify people


def set_aside(raw: RawData, unread: list[str], profile: Profile | None) -> Aside:
    """Of columns no rule reads, those the profile keeps by name (`keep`); the rest are not
    stored, and a warning names them (except those the profile `ignore`s, which it expects).

    A kept column is refused, and with it the file, when its header or its values look like
    they identify a person (`identifying.py`): the message names the column and the line of
    such a value, never the value itself.
    """
    keep = {header_key(h) for h in (profile.keep if profile else ())}
    ignore = {header_key(h) for h in (profile.ignore if profile else ())}
    aside = Aside()
    dropped = []
    for name in unread:
        header = raw.headers.get(name, name)
        if header_key(header) in ignore:
            continue
        if header_key(header) not in keep:
            dropped.append(str(header))
            continue
        aside.kept.append(name)
        if word := identifying_header(header):
            why = f"its header reads like a personal identifier ('{word}')"
        elif found := identifying_values(contiguous(raw.data.column(name))):
            kind, row = found
            why = (
                f"its values look like {kind} ({raw.line_word} {raw.lines[row]}, and maybe others)"
            )
        else:
            continue
        whose = f"the {profile.name} profile" if profile else "the profile"
        aside.problems.append(
            f"{where(raw, name, str(header))} is kept by {whose} (keep), but {why}. equitrack never stores "
            "identifying data, so the file is refused: take the column out of keep, or out of "
            "the file"
        )
    if dropped:
        aside.warnings.append(
            f"not stored, as no profile reads or keeps them: {', '.join(dropped)}"
        )
    return aside


def canonical(raw: RawData, profile: Profile | None) -> RawData:
    """A canonical file without the columns outside its table that are not kept (`set_aside`).

    Its headers are matched as a profile's are (`PersonID`, `Person-Id` are `person_id`).
    """
    columns = TABLE_BY_NAME[raw.source.table].column_names
    raw = _as_columns(raw, columns)
    unread = [n for n in raw.data.column_names if n not in columns]
    if not unread:
        return raw
    aside = set_aside(raw, unread, profile)
    dropped = [n for n in unread if n not in aside.kept]
    return replace(
        raw,
        data=raw.data.drop_columns(dropped),
        warnings=[*raw.warnings, *aside.warnings],
        file_problems=[*raw.file_problems, *aside.problems],
    )


def _as_columns(raw: RawData, columns: tuple[str, ...]) -> RawData:
    """The file's columns renamed to the table's columns they are written as, when the file
    has no column of that name already; messages keep the header as the file writes it."""
    keys = {header_key(c): c for c in columns}
    names = raw.data.column_names
    renamed: dict[str, str] = {}
    for n in names:
        target = keys.get(header_key(raw.headers.get(n, n)))
        if n not in columns and target and target not in names and target not in renamed.values():
            renamed[n] = target
    if not renamed:
        return raw
    return replace(
        raw,
        data=raw.data.rename_columns([renamed.get(n, n) for n in names]),
        positions={renamed.get(n, n): pos for n, pos in raw.positions.items()},
        headers={renamed.get(n, n): h for n, h in raw.headers.items()},
        labels={**raw.labels, **{t: raw.headers.get(n, n) for n, t in renamed.items()}},
    )


def hint(table_name: str, column: str, example: str = "") -> str:
    """What the analyst writes on the right of a value-list line. For an ethnic code, the
    code the value starts with when it starts with one ("D Mixed - White & Black Caribbean"
    is D), else the codes' meaning in short."""
    col = table(table_name).column(column)
    if column == "ethnic_code":
        first = example.split()[0] if example.split() else ""
        known = {*codes.CATEGORY_BY_CODE, *vocabulary.lists().get("ethnic_code", {}).values()}
        if first in known | {codes.NOT_STATED, codes.NOT_KNOWN}:
            return first
        return "<NHS ethnic code: A to S as in the NHS Data Dictionary; Z not stated; 99 not known>"
    if col.allowed:
        return f"<one of {', '.join(col.allowed)}>"
    if col.kind is Kind.BOOL:
        return "<true or false>"
    return f"<{column}>"


def apply(raw: RawData, profile: Profile) -> dict[str, RawData]:
    """The file's rows as each of the profile's tables, ready for validation."""
    return Mapper(raw, profile).apply()
