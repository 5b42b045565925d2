"""Which profile reads which file: `--profile`, else the header (each workbook sheet on its
own), else the file's name; every choice is noted with its reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from equitrack.ingest import profile as profiles
from equitrack.ingest import wide
from equitrack.ingest.profile import Profile, header_key
from equitrack.ingest.readers import (
    FORMATS,
    ReadError,
    Source,
    _sheet_names,
    _sources_in,
    header_of,
    table_for,
)
from equitrack.model.tables import TABLE_BY_NAME


@dataclass(frozen=True)
class Choice:
    profile: Profile
    reason: str


def detect(header: Sequence[str], candidates: Iterable[Profile] | None = None) -> Choice | None:
    """The profile with a detection set wholly in the header (the largest such set wins);
    None when there is none."""
    found = [
        (p, matched)
        for p in (candidates if candidates is not None else profiles.available())
        if (matched := _matched(_keys(header, p), p))
    ]
    if not found:
        return None
    most = max(len(m) for _, m in found)
    best = [(p, m) for p, m in found if len(m) == most]
    if len(best) > 1:
        raise ReadError(
            f"the header matches the profiles {', '.join(p.name for p, _ in best)} equally "
            "well; choose one with --profile"
        )
    chosen, matched = best[0]
    return Choice(chosen, f"its header has {_and(matched)}")


def _keys(header: Sequence[str], profile: Profile) -> set[str]:
    """The header's keys as the profile's detection reads them: for a published sheet with
    columns per question (`wide.py`), `Qnn Base` and `Qnn %` stand for any question's."""
    keys = {header_key(h) for h in header}
    if profile.wide is None:
        return keys
    placeholders = {header_key(wide.QUESTION_BASE), header_key(wide.QUESTION_ANSWER)}
    return (keys - placeholders) | wide.detect_keys(list(header), profile.wide)


def _matched(keys: set[str], profile: Profile) -> tuple[str, ...]:
    """The largest of the profile's detection sets that the header has in full, else ()."""
    sets = [s for s in profile.detect if all(header_key(h) in keys for h in s)]
    return max(sets, key=len, default=())


def unmatched(header: Sequence[str], candidates: Iterable[Profile] | None = None) -> str:
    """Why no profile reads a header, naming the nearest profile and what its header lacks.

    The nearest is the profile one of whose detection lists the header has most of; then the
    one lacking fewest, then the one reading most of the header's columns, then by name. A
    header sharing no detection header with any profile has none.
    """
    best: tuple[tuple[int, int, int, str], list[str]] | None = None
    for p in candidates if candidates is not None else profiles.available():
        keys = _keys(header, p)
        read = {header_key(h) for r in p.columns for h in r.headers}
        reads = len(keys & (read | {header_key(h) for s in p.detect for h in s}))
        for wanted in p.detect:
            lacking = [h for h in wanted if header_key(h) not in keys]
            rank = (-(len(wanted) - len(lacking)), len(lacking), -reads, p.name)
            if lacking and rank[0] and (best is None or rank < best[0]):
                best = (rank, lacking)
    if best is None:
        return "its header matches no profile"
    name, lacking = best[0][3], best[1]
    return f"its header matches no profile; nearest is {name}, which also needs {_and(lacking)}"


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
        passed_over = len(notes)
        before = len(sources)
        for file in files:
            found, chosen = sources_for(file, table_name, profile, candidates)
            notes += chosen
            plain = [s for s in found if not s.mapped]
            if plain:  # a workbook that is partly an export names its canonical sheets
                mixed = len(plain) < len(found)
                canonical += [s.label for s in plain] if mixed else [file.name]
            elif not found and explicit:
                raise ReadError(
                    f"{file}: cannot tell what this file holds: {_why_unmatched(file, candidates)}"
                    f", and its name is not a table name. Name the file after a table "
                    f"({', '.join(TABLE_BY_NAME)}), use --table, or give --profile "
                    "(equitrack profiles lists them)"
                )
            elif not found:
                notes.append(
                    f"{file}: passed over (its name is not a table name and "
                    f"{_why_unmatched(file, candidates)})"
                )
            sources += found
        if not explicit and len(sources) == before:
            why = " ".join(notes[passed_over:]) or (
                "it has no .csv, .xlsx or .parquet files (files starting with '.' are ignored)"
            )
            raise ReadError(f"{path}: nothing to import in this folder: {why}")
    if canonical:
        why = "chosen with --profile" if profile is not None else "named after their tables"
        if table_name:
            why = f"holding the {table_name} table (--table)"
        notes.insert(0, f"Canonical files ({why}): {', '.join(canonical)}")
    return sources, notes


def sources_for(
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


def _why_unmatched(file: Path, candidates: list[Profile]) -> str:
    """`unmatched` for a file's first sheet (a workbook's other sheets have a note of their own)."""
    fmt = FORMATS[file.suffix.lower()]
    sheet = _sheet_names(file)[0] if fmt == "xlsx" else None
    try:
        header = header_of(Source(file, fmt, "", sheet))
    except ReadError:
        return "its header matches no profile"
    return unmatched(header, candidates or None)


def _matches(probe: Source, profile: Profile) -> bool:
    if not profile.detect:
        return False
    return bool(_matched(_keys(header_of(probe), profile), profile))


def _chosen(source: Source, profile: Profile, reason: str) -> str:
    return (
        f"{source.label}: read with the {profile.name} profile ({reason}), "
        f"giving {_and(profile.tables)}"
    )
