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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.ingest import profile as profiles
from equitrack.ingest.coerce import FALSE_WORDS, text
from equitrack.ingest.dates import read_dates
from equitrack.ingest.profile import (
    PERCENT_DECIMALS,
    ColumnRule,
    Profile,
    ValueMap,
    header_key,
    value_key,
)
from equitrack.ingest.pseudonymise import normalise_ids
from equitrack.ingest.readers import (
    FORMATS,
    Prior,
    RawData,
    ReadError,
    Source,
    _column_letter,
    _sheet_names,
    _sources_in,
    contiguous,
    header_of,
    table_for,
)
from equitrack.model.tables import TABLE_BY_NAME, Kind, table

SHOWN_VALUES = 12


# --- choosing a profile -------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    profile: Profile
    reason: str


def detect(header: Sequence[str], candidates: Iterable[Profile] | None = None) -> Choice | None:
    """The profile whose detection headers are all in the header; None when none is."""
    keys = {header_key(h) for h in header}
    found = [
        p
        for p in (candidates if candidates is not None else profiles.available())
        if p.detect and all(header_key(h) in keys for h in p.detect)
    ]
    if not found:
        return None
    most = max(len(p.detect) for p in found)
    best = [p for p in found if len(p.detect) == most]
    if len(best) > 1:
        raise ReadError(
            f"the header matches the profiles {', '.join(p.name for p in best)} equally well; "
            "choose one with --profile"
        )
    chosen = best[0]
    return Choice(chosen, f"its header has {_and(chosen.detect)}")


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def discover(
    paths: Sequence[Path], table_name: str | None = None, profile: Profile | None = None
) -> tuple[list[Source], list[str]]:
    """The sources in files and folders, each with the profile that reads it, and notes
    saying which profile was chosen for which file and why (or why a file was passed over)."""
    sources: list[Source] = []
    notes: list[str] = []
    canonical: list[str] = []
    # loaded once, outside detection: a broken local profile is an error, not a non-match
    candidates = profiles.available() if profile is None and table_name is None else []
    for path in paths:
        if not path.exists():
            raise ReadError(f"{path}: no such file or folder")
        explicit = not path.is_dir()
        if explicit:
            if path.suffix.lower() not in FORMATS:
                raise ReadError(
                    f"{path}: equitrack reads .csv, .xlsx and .parquet files, not "
                    f"{path.suffix or 'this'}"
                )
            files = [path]
        else:
            files = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in FORMATS
            )
        for file in files:
            found, chosen = _sources_for(file, table_name, profile, candidates)
            notes += chosen
            plain = [s for s in found if not s.mapped]
            if plain:  # a workbook that is partly an export names its canonical sheets
                mixed = len(plain) < len(found)
                canonical += [s.label for s in plain] if mixed else [file.name]
            elif not found and explicit:
                raise ReadError(
                    f"{file}: cannot tell what this file holds: its header matches no profile "
                    f"and its name is not a table name. Name the file after a table "
                    f"({', '.join(TABLE_BY_NAME)}), use --table, or give --profile "
                    "(equitrack profiles lists them)"
                )
            elif not found:
                notes.append(
                    f"{file}: passed over (its name is not a table name and its header "
                    "matches no profile)"
                )
            sources += found
    if canonical:
        why = "chosen with --profile" if profile is not None else "named after their tables"
        if table_name:
            why = f"holding the {table_name} table (--table)"
        notes.insert(0, f"Canonical files ({why}): {', '.join(canonical)}")
    return sources, notes


def _sources_for(
    file: Path, table_name: str | None, profile: Profile | None, candidates: list[Profile]
) -> tuple[list[Source], list[str]]:
    """A file's sources, and a note for each part of it a profile reads (and why).

    Each sheet of a workbook is taken on its own: a tracker's "Cases" sheet is read by its
    profile, a sheet named after a table is canonical, and a sheet of drop-down lists is passed
    over with a note.
    """
    fmt = FORMATS[file.suffix.lower()]
    if (profile is not None and profile.canonical) or (profile is None and table_name):
        return _sources_in(file, table_name), []
    sheets: list[str | None] = list(_sheet_names(file)) if fmt == "xlsx" else [None]
    if profile is not None:
        matching = [s for s in sheets if _matches(Source(file, fmt, "", s), profile)]
        sheet = (matching or sheets)[0]
        probe = Source(file, fmt, "", sheet)
        sources = [Source(file, fmt, t, sheet, profile) for t in profile.tables]
        return sources, [_chosen(probe, profile, "chosen with --profile")]
    sources, notes, passed = [], [], []
    for sheet in sheets:
        probe = Source(file, fmt, "", sheet)
        try:
            choice = detect(header_of(probe), candidates)
        except ReadError:
            if table_for(file.stem) is None and table_for(sheet or "") is None:
                raise
            choice = None  # named after its table: the reader says what is wrong with it
        if choice is None:
            passed.append(sheet)
            continue
        sources += [Source(file, fmt, t, sheet, choice.profile) for t in choice.profile.tables]
        notes.append(_chosen(probe, choice.profile, choice.reason))
    if not sources:
        return _sources_in(file, None), []
    canonical = [s for s in _sources_in(file, None) if s.sheet in passed]
    if fmt == "xlsx" and len(canonical) < len(passed):
        names = ", ".join(f"'{s}'" for s in passed if s not in {c.sheet for c in canonical})
        notes.append(
            f"{file.name}: sheet(s) {names} passed over (not named after a table, and their "
            "header matches no profile)"
        )
    return canonical + sources, notes


def _matches(probe: Source, profile: Profile) -> bool:
    if not profile.detect:
        return False
    keys = {header_key(h) for h in header_of(probe)}
    return all(header_key(h) in keys for h in profile.detect)


def _chosen(source: Source, profile: Profile, reason: str) -> str:
    return (
        f"{source.label}: read with the {profile.name} profile ({reason}), "
        f"giving {_and(profile.tables)}"
    )


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
        self.by_key = {header_key(raw.headers.get(c, c)): c for c in raw.data.column_names}
        self.used: set[str] = set()  # source columns a rule reads
        self.missing: dict[str, list[str]] = {}  # table → columns whose headers are absent
        self.missing_required: dict[str, list[str]] = {}  # of which the table needs
        self._cache: dict[str, _Column | None] = {}
        #: What the import reports about the profile's own work, by table (rows skipped, counts worked out from percentages): shown with the warnings, not problems.
        self.notes: dict[str, list[str]] = {}
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
        lines = raw.lines[drop]
        shown = ", ".join(str(x) for x in lines[:6]) + (", …" if len(lines) > 6 else "")
        self.notes.setdefault(self.profile.row_table, []).append(
            f"{int(drop.sum()):,} row(s) skipped, not loaded ({marks}; "
            f"{raw.line_word}{'s' if len(lines) > 1 else ''} {shown}): the {self.profile.name} "
            "profile skips rows with these values (under skip), so they are neither loaded "
            "nor rejected"
        )
        keep = ~drop
        return replace(raw, data=raw.data.filter(pa.array(keep)), lines=raw.lines[keep])

    def where(self, name: str | None, label: str) -> str:
        """A location as the validator writes it, from a source column's name."""
        pos = self.raw.positions.get(name) if name is not None else None
        if pos is None:
            return f"column {label}"
        if self.raw.source.format == "xlsx":
            return f"column {_column_letter(pos)} ({label})"
        return f"column {pos} ({label})"

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
        where = self.where(first, label)
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
        path = self.profile.path or self.profile.name
        col.warnings.append(
            f"{where}: {len(counts)} value(s) on {len(rows)} row(s) are not in the "
            f"{self.profile.name} profile, and equitrack does not guess what they mean: "
            f"{listed}. Add a line for each to the list {vm.section} in {path}{line}, such as "
            f'"{example}" = "{hint(table_name, rule.target)}" (copy a shipped profile and '
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
                found[(p, n)] = _count(p, n, base.label)
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
            origin=(raw.data, rows),
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
        """Source columns no rule reads are kept aside, as for canonical files."""
        ignored = {header_key(h) for h in self.profile.ignore}
        for name in self.raw.data.column_names:
            if name in self.used or header_key(self.raw.headers.get(name, name)) in ignored:
                continue
            kept = f"source_{name}" if name in canonical or name in data.column_names else name
            data = data.append_column(kept, contiguous(self.raw.data.column(name)))
            positions[kept] = self.raw.positions[name]
            labels[kept] = self.raw.headers.get(name, name)
        return data, positions, labels


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


_PERCENT = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)\s*%?")
_WHOLE = re.compile(r"[+-]?\d+(?:\.0*)?")


@dataclass(frozen=True)
class Counted:
    """The counts of a base whose share, rounded as it was published, is the published value."""

    count: int  # the one nearest percentage × base / 100: the one loaded
    low: int
    high: int


def read_percent(value: str) -> tuple[int, int]:
    """`'27.3%'` → `(273, 1)`: the percentage in units of its last written decimal place, and
    the number of decimals written (which say how it was rounded). ValueError says why not."""
    match = _PERCENT.fullmatch(value.strip())
    if not match:
        raise ValueError(f"'{value}' is not a percentage (a number such as 27.3 or 27.3%)")
    whole, _, decimals = match.group(2).partition(".")
    if len(decimals) > PERCENT_DECIMALS:
        raise ValueError(
            f"'{value}' has more than {PERCENT_DECIMALS} decimal places, more than a published "
            "percentage has"
        )
    units = int((whole or "0") + decimals)
    if (match.group(1) == "-" and units) or units > 100 * 10 ** len(decimals):
        raise ValueError(f"'{value}' is not a percentage: it is outside 0–100")
    return units, len(decimals)


def counts_for(units: int, decimals: int, base: int) -> Counted | None:
    """The whole numbers k of `base` whose k / base × 100, rounded to `decimals` places, is the
    percentage (`units` / 10^decimals); None when there is none. A half may have been rounded
    either way, so a percentage exactly half a unit from k fits it. Exact integer arithmetic:

        |k × 100 / base − units / 10^d| ≤ ½ / 10^d  ⇔  |200·10^d·k − 2·units·base| ≤ base
    """
    if base == 0:
        return Counted(0, 0, 0) if units == 0 else None
    scale = 200 * 10**decimals
    twice = 2 * units * base
    low = max(0, -((base - twice) // scale))  # ceil((twice - base) / scale)
    high = min(base, (twice + base) // scale)
    if low > high:
        return None
    nearest = (twice + scale // 2) // scale  # percentage × base / 100, a half rounded up
    return Counted(min(max(nearest, low), high), low, high)


def _count(percent: str, base: str | None, base_label: str) -> Counted | str:
    """The counts a published percentage of a base can stand for, or why it stands for none."""
    try:
        units, decimals = read_percent(percent)
    except ValueError as exc:
        return str(exc)
    if base is None:
        return f"'{percent}' cannot be turned into a count: {base_label} is blank"
    if not _WHOLE.fullmatch(base) or base.lstrip().startswith("-"):
        return f"'{percent}' cannot be turned into a count: {base_label} '{base}' is not a count"
    n = int(base.split(".")[0])
    fit = counts_for(units, decimals, n)
    if fit is not None:
        return fit
    if n == 0:
        return f"'{percent}' cannot be a percentage of 0 ({base_label}): only 0 can"
    below = units * n // (100 * 10**decimals)
    shown = [f"{k} of {n} is {_percent_text(k, n, decimals)}" for k in (below, below + 1) if k <= n]
    places = "whole numbers" if not decimals else f"{decimals} decimal place(s)"
    return (
        f"'{percent}' cannot be a percentage of {n} ({base_label}): no whole number of them "
        f"gives it, rounded to {places} ({' and '.join(shown)})"
    )


def _percent_text(k: int, n: int, decimals: int) -> str:
    """k of n as a percentage to `decimals` places, a half rounded up."""
    units = (200 * 10**decimals * k + n) // (2 * n)
    text_ = str(units).rjust(decimals + 1, "0")
    return f"{text_[:-decimals]}.{text_[-decimals:]}%" if decimals else f"{text_}%"


def hint(table_name: str, column: str) -> str:
    """What the analyst writes on the right of a value-list line."""
    col = table(table_name).column(column)
    if column == "ethnic_code":
        return "<NHS ethnic code, e.g. G; Z not stated; 99 not known>"
    if col.allowed:
        return f"<one of {', '.join(col.allowed)}>"
    if col.kind is Kind.BOOL:
        return "<true or false>"
    return f"<{column}>"


def apply(raw: RawData, profile: Profile) -> dict[str, RawData]:
    """The file's rows as each of the profile's tables, ready for validation."""
    return Mapper(raw, profile).apply()


# --- checking a file against a profile, without loading -----------------------------------


@dataclass
class Check:
    """What `equitrack profile check` reports."""

    source: Source
    profile: Profile
    reason: str
    rows: int
    found: list[tuple[str, str]]  # (table.column, where it comes from)
    missing: list[tuple[str, str, bool]]  # (table.column, headers looked for, required)
    unused: list[str]  # source columns no rule reads, kept aside on import
    problems: list[str]  # file problems and value summaries
    row_problems: dict[str, int]  # location → rows with a problem there
    ignored: list[str] = field(default_factory=list)  # columns the profile says to drop

    @property
    def ok(self) -> bool:
        required_missing = any(req for _, _, req in self.missing)
        return not self.problems and not self.row_problems and not required_missing


def check_file(path: Path, profile: Profile | None = None) -> Check:
    from equitrack.ingest.readers import read

    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() not in FORMATS:
        raise ReadError(f"{path}: equitrack reads .csv, .xlsx and .parquet files")
    fmt = FORMATS[path.suffix.lower()]
    sheet = _sheet_names(path)[0] if fmt == "xlsx" else None
    if fmt == "xlsx":  # the first sheet a profile reads, as an import would find it
        candidates = profiles.available() if profile is None else []
        found, _ = _sources_for(path, None, profile, candidates)
        sheet = next((s.sheet for s in found if s.mapped), sheet)
    probe = Source(path, fmt, "", sheet)
    if profile is None:
        choice = detect(header_of(probe))
        if choice is None:
            named = table_for(path.stem)
            if named is None:
                raise ReadError(
                    f"{path.name}: its header matches no profile and its name is not a table "
                    "name; give --profile"
                )
            choice = Choice(profiles.load(profiles.CANONICAL), f"named after the {named} table")
    else:
        choice = Choice(profile, "chosen with --profile")
    chosen = choice.profile
    if chosen.canonical:
        return _check_canonical(path, fmt, sheet, choice)
    raw = read(Source(path, fmt, chosen.tables[0], sheet, chosen))
    mapper = Mapper(raw, chosen)
    mapped = mapper.apply()
    found, missing, problems = [], [], []
    row_problems: dict[str, int] = {}
    for t, data in mapped.items():
        for rule in chosen.rules(t):
            target = f"{t}.{rule.target}"
            if rule.constant is not None:
                found.append((target, f"set to '{rule.constant}' by the profile"))
            elif rule.derive_from is not None:
                found.append((target, f"derived from {rule.derive_from}"))
            elif rule.target in mapper.missing.get(t, []):
                req = rule.required or (
                    rule.required is None and table(t).column(rule.target).required
                )
                missing.append((target, ", ".join(rule.headers), bool(req)))
            else:
                found.append((target, data.where(rule.target)))
        notes = mapper.notes.get(t, [])  # the profile's own work reported, not problems
        problems += data.file_problems + [w for w in data.warnings if w not in notes]
        for prior in data.prior:  # counted as records of the file
            where = f"{t}: {prior.where}"
            row_problems[where] = row_problems.get(where, 0) + len(np.unique(prior.lines))
    dropped = {header_key(h) for h in chosen.ignore}
    unread = [raw.headers.get(c, c) for c in raw.data.column_names if c not in mapper.used]
    unused = [h for h in unread if header_key(h) not in dropped]
    ignored = [h for h in unread if header_key(h) in dropped]
    return Check(
        probe, chosen, choice.reason, raw.data.num_rows, found, missing, unused, problems,
        row_problems, ignored,
    )  # fmt: skip


def _check_canonical(path: Path, fmt: str, sheet: str | None, choice: Choice) -> Check:
    named = table_for(path.stem)
    probe = Source(path, fmt, named or "", sheet)
    header = header_of(probe)
    keys = {header_key(h): h for h in header}
    found, missing = [], []
    if named:
        for col in TABLE_BY_NAME[named].columns:
            if header_key(col.name) in keys:
                found.append((f"{named}.{col.name}", keys[header_key(col.name)]))
            else:
                missing.append((f"{named}.{col.name}", col.name, col.required))
    columns = {header_key(c) for c in (TABLE_BY_NAME[named].column_names if named else ())}
    unused = [h for h in header if header_key(h) not in columns]
    return Check(probe, choice.profile, choice.reason, 0, found, missing, unused, [], {})
