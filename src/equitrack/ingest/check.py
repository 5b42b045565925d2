"""`equitrack profile check`: what a profile makes of a file, without loading anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from equitrack.ingest import profile as profiles
from equitrack.ingest import snapshot
from equitrack.ingest.detect import Choice, detect, sources_for, unmatched
from equitrack.ingest.mapping import Mapper
from equitrack.ingest.naming import fill, needs_org
from equitrack.ingest.profile import Profile, header_key
from equitrack.ingest.readers import (
    FORMATS,
    RawData,
    ReadError,
    Source,
    _sheet_names,
    header_of,
    table_for,
)
from equitrack.model.organisations import NO_ORG_COLUMN
from equitrack.model.tables import TABLE_BY_NAME, table


@dataclass
class Check:
    """What `equitrack profile check` reports."""

    source: Source
    profile: Profile
    reason: str
    rows: int
    found: list[tuple[str, str]]  # (table.column, where it comes from)
    missing: list[tuple[str, str, bool]]  # (table.column, headers looked for, required)
    unused: list[str]  # source columns no rule reads or keeps: not stored
    problems: list[str]  # file problems and value summaries
    row_problems: dict[str, int]  # location → rows with a problem there
    ignored: list[str] = field(default_factory=list)  # columns the profile says to drop
    kept: list[str] = field(default_factory=list)  # columns the profile keeps aside (keep)
    #: For an ESR staff-in-post export: how it would load (a snapshot as at a date, a leavers
    #: report, or rows of its tables), in words.
    loads_as: str | None = None

    @property
    def ok(self) -> bool:
        return not self.stops

    @property
    def stops(self) -> list[str]:
        """Why an import of the file would stop, a sentence each; none when it would not."""
        reasons = []
        for target, looked, required in self.missing:
            if required:
                hint = f": {NO_ORG_COLUMN}" if target.endswith(".org_code") else ""
                reasons.append(
                    f"{target} is needed, and the file has no column for it (looked for "
                    f"{looked}){hint}"
                )
        if self.problems:
            reasons.append(f"{len(self.problems):,} problem(s) with the file (under Problems)")
        for where, rows in self.row_problems.items():
            reasons.append(f"{where}: {rows:,} row(s) cannot be read (under Problems)")
        return reasons


def check_file(path: Path, profile: Profile | None = None, org: str | None = None) -> Check:
    """What `profile` (or the one the header chooses) makes of the file; `org` is --org's
    code, given to the rows that have none (see naming.py)."""
    from equitrack.ingest.readers import read

    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() not in FORMATS:
        raise ReadError(f"{path}: equitrack reads .csv, .xlsx and .parquet files")
    fmt = FORMATS[path.suffix.lower()]
    sheet = _sheet_names(path)[0] if fmt == "xlsx" else None
    if fmt == "xlsx":  # the first sheet a profile reads, as an import would find it
        candidates = profiles.available() if profile is None else []
        found, _ = sources_for(path, None, profile, candidates)
        sheet = next((s.sheet for s in found if s.mapped), sheet)
    probe = Source(path, fmt, "", sheet)
    if profile is None:
        header = header_of(probe)
        choice = detect(header)
        if choice is None:
            named = table_for(path.stem)
            if named is None:
                raise ReadError(
                    f"{path.name}: {unmatched(header)}, and its name is not a table name; "
                    "give --profile"
                )
            choice = Choice(profiles.load(profiles.CANONICAL), f"named after the {named} table")
    else:
        choice = Choice(profile, "chosen with --profile")
    chosen = choice.profile
    if chosen.canonical:
        return _check_canonical(path, fmt, sheet, choice, org)
    raw = read(Source(path, fmt, chosen.tables[0], sheet, chosen))
    mapper = Mapper(raw, chosen)
    mapped = mapper.apply()
    found, missing, problems = [], [], []
    row_problems: dict[str, int] = {}
    for t, data in mapped.items():
        if org is not None:
            data = fill(data, org)
        for rule in chosen.rules(t):
            target = f"{t}.{rule.target}"
            if org is not None and rule.target == "org_code" and needs_org(t):
                has = rule.target not in mapper.missing.get(t, []) and rule.constant is None
                set_by = f"set to '{org}' by --org"
                found.append(
                    (target, f"{data.where(rule.target)}; blanks {set_by}" if has else set_by)
                )
            elif rule.constant is not None:
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
        # reported, not problems: the profile's notes, and the reader's (a title above the header)
        notes = mapper.notes.get(t, []) + mapper.aside.warnings + raw.warnings
        problems += data.file_problems + [w for w in data.warnings if w not in notes]
        for prior in data.prior:  # counted as records of the file
            where = f"{t}: {prior.where}"
            row_problems[where] = row_problems.get(where, 0) + len(np.unique(prior.lines))
    loads_as = _loads_as(Source(path, fmt, "assignments", sheet, chosen), mapped, problems)
    dropped = {header_key(h) for h in chosen.ignore}
    unread = [raw.headers.get(c, c) for c in raw.data.column_names if c not in mapper.used]
    kept = [raw.headers.get(c, c) for c in mapper.aside.kept]
    unused = [h for h in unread if header_key(h) not in dropped and h not in kept]
    ignored = [h for h in unread if header_key(h) in dropped]
    return Check(
        probe, chosen, choice.reason, raw.data.num_rows, found, missing, unused, problems,
        row_problems, ignored, kept, loads_as,
    )  # fmt: skip


def _loads_as(source: Source, mapped: dict[str, RawData], problems: list[str]) -> str | None:
    """How an export of staff in post would load (see snapshot.py); a title block whose as-at
    date cannot be told is a problem."""
    if not snapshot.can_hold(source) or "assignments" not in mapped:
        return None
    try:
        mode = snapshot.mode_of(source, mapped["assignments"], None)
    except ReadError as exc:
        problems.append(str(exc))
        return None
    if mode is None:
        return (
            "rows of its tables, once (its title block gives no as-at date: import it with "
            "--as-at YYYY-MM-DD to load it as a snapshot)"
        )
    return mode.describe()


def _check_canonical(
    path: Path, fmt: str, sheet: str | None, choice: Choice, org: str | None = None
) -> Check:
    named = table_for(path.stem)
    probe = Source(path, fmt, named or "", sheet)
    header = header_of(probe)
    keys = {header_key(h): h for h in header}
    found, missing = [], []
    if named:
        for col in TABLE_BY_NAME[named].columns:
            if header_key(col.name) in keys:
                found.append((f"{named}.{col.name}", keys[header_key(col.name)]))
            elif org is not None and col.name == "org_code" and needs_org(named):
                found.append((f"{named}.{col.name}", f"set to '{org}' by --org"))
            else:
                missing.append((f"{named}.{col.name}", col.name, col.required))
    columns = {header_key(c) for c in (TABLE_BY_NAME[named].column_names if named else ())}
    keep = {header_key(h) for h in choice.profile.keep}
    unused = [h for h in header if header_key(h) not in columns | keep]
    kept = [h for h in header if header_key(h) in keep and header_key(h) not in columns]
    return Check(probe, choice.profile, choice.reason, 0, found, missing, unused, [], {}, kept=kept)
