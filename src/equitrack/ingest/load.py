"""The import: every file is checked and loaded as a batch, and the whole import stands or falls
together (see `import_paths` for how the journal makes that so without holding it all in memory).

A file already loaded (same bytes, same table) is recognised and passed over, so re-running an
import after fixing one file loads just what is new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack import __version__
from equitrack.ingest import detect, mapping, snapshot
from equitrack.ingest import profile as profiles
from equitrack.ingest.import_log import logged
from equitrack.ingest.naming import Naming, OrgOption
from equitrack.ingest.pseudonymise import Pseudonymiser, load_key
from equitrack.ingest.readers import (
    Fingerprint,
    RawData,
    ReadError,
    Source,
    contiguous,
    fingerprint,
    progress_total,
    read,
)
from equitrack.ingest.scope import OrgScope
from equitrack.ingest.validate import RECURRING, Checked, Context, Examined, complete, examine
from equitrack.model.organisations import Organisation
from equitrack.model.tables import ORG_REF, TABLE_BY_NAME, load_order
from equitrack.outputs.neutral import write_csv
from equitrack.progress import Advance, Progress, Silent
from equitrack.store import Store, StoreError
from equitrack.store.schema import BATCH_ID, BATCHES, EXTRA_VALUES, table_schema

KEY_FINGERPRINT = "key_fingerprint"


class Status:
    LOADED = "loaded"
    ALREADY = "already loaded"
    FAILED = "has problems"
    HELD = "not loaded"  # valid, but another file failed, so nothing was loaded


@dataclass
class SourceResult:
    source: Source
    status: str
    rows_read: int = 0  # the table's records (people merged from several rows are one)
    file_rows: int = 0  # the data rows of the file (or sheet) it was read from
    rows_loaded: int = 0
    rows_rejected: int = 0
    problems: pa.Table | None = None  # row, line, column, reason
    file_problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    sha256: str = ""
    batch_id: int | None = None
    note: str = ""


@dataclass
class ImportResult:
    sources: list[SourceResult]
    notes: list[str]
    written: list[Path] = field(default_factory=list)  # rejects and problem lists
    named: list[str] = field(default_factory=list)  # organisations added by --org (loaded)

    @property
    def ok(self) -> bool:
        return all(r.status in (Status.LOADED, Status.ALREADY) for r in self.sources)

    @property
    def changed(self) -> bool:
        """Whether the import loaded anything (a batch, so a new version of the data): not
        when every file was loaded before, nor when it was refused."""
        return self.ok and (
            bool(self.named) or any(r.status == Status.LOADED for r in self.sources)
        )

    @property
    def files_read(self) -> dict[tuple[Path, str | None], int]:
        """Each file (or sheet) read, and its data rows: a file that gives two tables (an ESR
        export: people and assignments) is counted once."""
        files: dict[tuple[Path, str | None], int] = {}
        for r in self.sources:
            if r.status != Status.ALREADY:
                files[(r.source.path, r.source.sheet)] = r.file_rows
        return files

    @property
    def rows_read(self) -> int:
        """The data rows of the files read (not the records made of them)."""
        return sum(self.files_read.values())

    @property
    def rows_loaded(self) -> int:
        return sum(r.rows_loaded for r in self.sources)

    @property
    def rows_rejected(self) -> int:
        return sum(r.rows_rejected for r in self.sources)

    def by_table(self, count: str) -> dict[str, int]:
        """`rows_loaded` or `rows_rejected` per table, in the order the tables were loaded."""
        totals: dict[str, int] = {}
        for r in self.sources:
            if r.status != Status.ALREADY:
                totals[r.source.table] = totals.get(r.source.table, 0) + getattr(r, count)
        if self.named and count == "rows_loaded":
            totals = {"organisations": totals.get("organisations", 0) + len(self.named), **totals}
        return totals


def _order(sources: list[Source]) -> list[Source]:
    rank = {name: i for i, name in enumerate(load_order())}
    return sorted(sources, key=lambda s: (rank[s.table], str(s.path), s.sheet or ""))


def _loaded_before(store: Store) -> dict[tuple[str, str], dt.datetime]:
    b = store.table("batches").select("sha256", "table_name", "loaded_at").to_pyarrow()
    return {(row["sha256"], row["table_name"]): row["loaded_at"] for row in b.to_pylist()}


def _check_key(store: Store, pseudonymiser: Pseudonymiser) -> None:
    stored = store.meta(KEY_FINGERPRINT)
    if stored is not None and stored != pseudonymiser.fingerprint():
        raise StoreError(
            f"{store.url} was loaded with a different pseudonymisation key, so the people in "
            "this import would not match the people already there. Use the key that was used "
            "before (see EQUITRACK_KEY_FILE / EQUITRACK_PSEUDONYM_KEY in the README)."
        )


@logged  # a JSON log line per file and per import, for operators
def import_paths(
    paths: Sequence[Path],
    store: Store,
    *,
    skip_invalid: bool = False,
    table: str | None = None,
    rejects_dir: Path = Path("rejects"),
    progress: Progress | None = None,
    profile: profiles.Profile | str | Path | None = None,
    allowed_orgs: Iterable[str] | None = None,
    org: OrgOption | None = None,
    as_at: dt.date | None = None,
) -> ImportResult:
    """Import files and folders into the store; see the module docstring.

    Each file is read through a source profile: `profile` (a Profile, a shipped profile's name
    or a profile file's path), else the one its header matches, else the canonical columns of
    the table it is named after. The notes say which was chosen for which file, and why.

    Each file that passes is committed as its own batch, recorded in the import journal, so that
    at most two files are in memory (one being written while the next is read and checked) and
    later files see earlier ones in the store. When every file has passed the journal is
    cleared; if any fails, the batches already committed are removed again. Until the journal
    is cleared, every reader but the import itself is blind to its batches (`Store.table`); a
    killed import leaves them in the journal, hidden, and the next writing connection removes
    them: either way no reader sees anything but the store as it was before, or after, the
    whole import.

    `allowed_orgs` restricts the import to those organisations (ODS codes): a row of any other
    refuses the whole import, naming the organisation and the line (see `scope.py`). None (the
    command line, a whole-system user) loads any organisation.

    `org` names the organisation of files that have no organisation column (--org): their rows
    take its code, and it is added to organisations if not loaded (see `naming.py`).

    `as_at` (--as-at) is the date of ESR staff-in-post exports whose title block does not say
    it: they load as snapshots, and the organisation's assignments are derived from all its
    snapshots and leavers reports when the import finishes (see `snapshot.py`).
    """
    progress = progress or Silent()
    if profile is not None and not isinstance(profile, profiles.Profile):
        profile = profiles.load(profile)
    if profile is not None and not profile.canonical and table is not None:
        raise profiles.ProfileError(
            f"--table names the table of canonical files; the {profile.name} profile "
            f"gives {', '.join(profile.tables)} itself"
        )
    sources, notes = detect.discover([Path(p) for p in paths], table, profile)
    pending: dict[tuple[Path, str | None], dict[str, RawData]] = {}
    canonical = profiles.canonical()  # what canonical files keep aside (keep)
    pseudonymiser = Pseudonymiser(load_key(), recurring=RECURRING)
    _check_key(store, pseudonymiser)
    store.undo_unfinished_import()  # a killed import's, so that its ids are free again
    if org is not None and _unnamed(org, sources, store):
        raise ReadError(org.unknown())
    store = store.importing()  # sees its own batches; every other reader waits for the finish
    ctx = Context(store, pseudonymiser)
    naming = Naming(org)
    added: list[str] = []
    scope = OrgScope.of(allowed_orgs, store) if allowed_orgs is not None else None
    before = _loaded_before(store)
    batch_ids = _batch_ids(store)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    seen: set[tuple[str, str]] = set()
    results: list[SourceResult] = []
    rejects: list[tuple[SourceResult, pa.Table]] = []
    rebuild = snapshot.Rebuild()
    as_snapshots: set[tuple[Path, str | None]] = set()  # files loaded whole as snapshots

    def name_org(source: Source) -> None:
        named = naming.wanted(source)
        if named is not None and not _has_org(store, named.org_code, ctx):
            failed = any(r.status == Status.FAILED for r in results)
            _add_org(store, ctx, named, None if failed else next(batch_ids), loaded_at)
            notes.append(naming.note(named))
            added.append(named.org_code)

    # A file's batch is written on a second thread while the next file is read, checked and
    # hashed; the store itself is only ever used by one thread at a time: the next file is
    # checked against the store after the batch before it has been committed.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="equitrack-insert") as writer:
        writing: Future[None] | None = None
        for source in _order(sources):
            if (source.path, source.sheet) in as_snapshots:
                continue  # read with the file's people
            fp = fingerprint(source.path, source.sheet)
            identity = (fp.sha256, source.table)
            if identity in before or identity in seen:
                when = before.get(identity)
                note = (
                    f"already loaded on {when:%d %b %Y %H:%M}"
                    if when
                    else "the same file is named twice"
                )
                results.append(SourceResult(source, Status.ALREADY, note=note))
                continue
            seen.add(identity)
            advance = progress.task(f"Reading {source.label}", progress_total(source) or None)
            try:
                raw = naming.fill(_read(source, advance, fp, pending, canonical))
                mode = _snapshot_mode(source, pending, as_at)
            except BaseException:  # a file that cannot be read: what this import wrote goes
                _finish(writing)
                store.undo_unfinished_import(store.own)
                raise
            if mode is not None:
                key = (source.path, source.sheet)
                as_snapshots.add(key)
                other = naming.fill(pending.pop(key)["assignments"])
                progress.task(f"Checking {source.label}", None)
                examined = (examine(raw, pseudonymiser), examine(other, pseudonymiser))
                _finish(writing)
                name_org(other.source)
                done = _snapshot(examined, mode, ctx, skip_invalid, scope, len(results))
                notes.append(f"{source.label}: read as {mode.describe()}")
                for (checked, keep), result in zip(
                    done, _results(done, raw, fp, skip_invalid), strict=True
                ):
                    results.append(result)
                    if skip_invalid and (not keep.all() or checked.unreadable):
                        rejects.append((result, _rejected_rows(checked, keep)))
                rows = snapshot.rows_of(*done[0], *done[1], mode)
                results[-1].file_problems.extend(rebuild.add(rows, None, source.label))
                if results[-1].file_problems:
                    for r in results[-2:]:
                        r.status, r.rows_loaded = Status.FAILED, 0
                if not any(r.status == Status.FAILED for r in results):
                    batch_id = next(batch_ids)
                    store.own.add(batch_id)
                    rebuild.batches.add(batch_id)
                    for r in results[-2:]:
                        r.batch_id = batch_id
                    loading = progress.task(f"Loading {source.label}", rows.num_rows)
                    batch = _snapshot_batch(rows, results[-2:], batch_id, loaded_at)
                    writing = writer.submit(_commit, store, batch, loading)
                del raw, other, examined, done, rows
                continue
            progress.task(f"Checking {source.label}", None)
            examined = examine(raw, pseudonymiser)
            _finish(writing)
            name_org(source)
            checked = complete(examined, ctx)
            if scope is not None:
                checked.file_problems.extend(scope.check(checked, len(results)))
            keep = np.ones(raw.data.num_rows, bool)
            keep[checked.bad_rows] = False
            failed = bool(checked.file_problems) or (not checked.ok and not skip_invalid)
            result = SourceResult(
                source,
                Status.FAILED if failed else Status.LOADED,
                rows_read=checked.rows_read,
                file_rows=_file_rows(raw),
                rows_loaded=0 if failed else int(keep.sum()),
                rows_rejected=checked.rows_read - int(keep.sum()),
                problems=checked.problems,
                file_problems=checked.file_problems,
                warnings=checked.warnings,
                encoding=raw.encoding,
                sha256=fp.sha256,
            )
            results.append(result)
            ctx.accept(checked, keep)  # later files' references to it are found in memory
            if not any(r.status == Status.FAILED for r in results):
                result.batch_id = next(batch_ids)
                store.own.add(result.batch_id)
                loading = progress.task(f"Loading {source.label}", result.rows_loaded)
                batch = _batch_tables(checked, keep, result, loaded_at)
                writing = writer.submit(_commit, store, batch, loading)
                del batch
                if skip_invalid and (not keep.all() or checked.unreadable):
                    rejects.append((result, _rejected_rows(checked, keep)))
            del raw, examined, checked  # the file as read is freed before the next is read
        _finish(writing)
    outcome = ImportResult(results, notes)
    if scope is not None and not any(r.status == Status.FAILED for r in results):
        for index, problems in scope.finish().items():
            _refuse(results[index], problems)
    if any(r.status == Status.FAILED for r in results):
        store.undo_unfinished_import(store.own)
        for r in results:
            if r.status == Status.LOADED:
                r.status, r.rows_loaded, r.batch_id = Status.HELD, 0, None
        outcome.written = _write_problem_lists(results, rejects_dir)
        return outcome
    try:
        derive = rebuild.prepare(store, batch_ids, loaded_at)
        store.finish_import({KEY_FINGERPRINT: pseudonymiser.fingerprint()}, also=derive)
    except BaseException:  # the history could not be made: the import loads nothing
        store.undo_unfinished_import(store.own)
        raise
    notes.extend(rebuild.notes)
    outcome.named = added
    outcome.written = [
        _private_csv(table, rejects_dir / f"{_stem(r.source)}.rejects.csv") for r, table in rejects
    ]
    return outcome


def _snapshot_mode(
    source: Source,
    pending: dict[tuple[Path, str | None], dict[str, RawData]],
    as_at: dt.date | None,
) -> snapshot.Mode | None:
    """How an ESR export just read (its people first) loads: as a snapshot, a leavers report,
    or (None) as rows of the tables like any other file."""
    waiting = pending.get((source.path, source.sheet), {})
    if source.table != "people" or not snapshot.can_hold(source) or "assignments" not in waiting:
        return None
    return snapshot.mode_of(source, waiting["assignments"], as_at)


def _snapshot(
    examined: tuple[Examined, Examined],
    mode: snapshot.Mode,
    ctx: Context,
    skip_invalid: bool,
    scope: OrgScope | None,
    index: int,
) -> list[tuple[Checked, np.ndarray]]:
    """A snapshot's people and assignments checked (not against the keys loaded before: they
    name the same people and assignments again), and the rows of each that may load."""
    done = []
    for e in examined:
        checked = complete(e, ctx, loaded=False)
        if checked.table.name == "assignments":
            snapshot.check_rows(checked, mode, ctx.store)
            if scope is not None:
                checked.file_problems.extend(scope.check(checked, index))
        keep = np.ones(e.raw.data.num_rows, bool)
        keep[checked.bad_rows] = False
        if checked.table.name == "people":
            ctx.accept(checked, keep)  # the file's assignments and later files refer to them
        done.append((checked, keep))
    return done


def _results(
    done: list[tuple[Checked, np.ndarray]], raw: RawData, fp: Fingerprint, skip_invalid: bool
) -> list[SourceResult]:
    """A snapshot's result per table; both fail when either does (it is one report)."""
    failed = any(bool(c.file_problems) or (not c.ok and not skip_invalid) for c, _ in done)
    out = []
    for checked, keep in done:
        out.append(
            SourceResult(
                checked.raw.source,
                Status.FAILED if failed else Status.LOADED,
                rows_read=checked.rows_read,
                file_rows=_file_rows(raw),
                rows_loaded=0 if failed else int(keep.sum()),
                rows_rejected=checked.rows_read - int(keep.sum()),
                problems=checked.problems,
                file_problems=checked.file_problems,
                warnings=checked.warnings,
                encoding=raw.encoding,
                sha256=fp.sha256,
            )
        )
    return out


def _snapshot_batch(
    rows: pa.Table, results: list[SourceResult], batch_id: int, loaded_at: dt.datetime
) -> list[tuple[str, pa.Table]]:
    ids = pa.array(np.full(rows.num_rows, batch_id, np.int64))
    counts = {r.source.table: (r.rows_read, r.rows_loaded, r.rows_rejected) for r in results}
    source = results[0].source
    return [
        ("snapshot_rows", rows.append_column("batch_id", ids)),
        ("batches", snapshot.batch_rows(batch_id, source, results[0].sha256, counts, loaded_at)),
        ("import_journal", pa.table({"batch_id": pa.array([batch_id], pa.int64())})),
    ]


def _file_rows(raw: RawData) -> int:
    """The data rows of the file as read, before a profile made records of them."""
    as_read = raw.origin[0] if raw.origin is not None else raw.data
    return as_read.num_rows + len(raw.unreadable_rows)


def _unnamed(org: OrgOption, sources: list[Source], store: Store) -> bool:
    """--org names a code equitrack cannot name, and no organisations file of the import may."""
    return (
        org.organisation() is None
        and not any(s.table == "organisations" for s in sources)
        and not _has_org(store, org.code)
    )


def _has_org(store: Store, code: str, ctx: Context | None = None) -> bool:
    """Loaded, or accepted earlier in this import (a file checked but held back)."""
    if ctx is not None and code in ctx.accepted_values(ORG_REF).to_pylist():
        return True
    orgs = store.table("organisations")
    return bool(orgs.filter(orgs.org_code == code).count().to_pyarrow().as_py())


def _add_org(
    store: Store, ctx: Context, org: Organisation, batch_id: int | None, loaded_at: dt.datetime
) -> None:
    """The organisation named at import, as a batch of its own (removed with the import if it
    fails); only remembered for the checks once a file has failed, as nothing more is loaded."""
    ctx.accepted.setdefault(ORG_REF, []).append(pa.array([org.org_code], pa.string()))
    if batch_id is None:
        return
    store.own.add(batch_id)
    schema = table_schema(TABLE_BY_NAME["organisations"]).to_pyarrow()
    row = pa.Table.from_pylist([{**org.row(), BATCH_ID: batch_id}], schema=schema)
    named = f"--org {org.org_code}|{org.name}|{org.org_type}|{org.system_code or ''}"
    batch = {
        "batch_id": batch_id,
        "source_file": f"--org {org.org_code}",
        "sheet": None,
        "sha256": hashlib.sha256(named.encode()).hexdigest(),
        "table_name": "organisations",
        "rows_read": 1,
        "rows_loaded": 1,
        "rows_rejected": 0,
        "loaded_at": loaded_at,
        "equitrack_version": __version__,
    }
    tables = [
        ("organisations", row),
        ("batches", pa.Table.from_pylist([batch], schema=BATCHES.to_pyarrow())),
        ("import_journal", pa.table({"batch_id": pa.array([batch_id], pa.int64())})),
    ]
    _commit(store, tables, lambda n: None)


def _refuse(result: SourceResult, problems: list[str]) -> None:
    """A file found wrong after it was committed: it fails, and with it the import."""
    result.file_problems.extend(problems)
    result.status, result.rows_loaded = Status.FAILED, 0


def _read(
    source: Source,
    advance: Advance,
    fp: Fingerprint,
    pending: dict[tuple[Path, str | None], dict[str, RawData]],
    canonical: profiles.Profile,
) -> RawData:
    """A source as read, or as its profile maps it. A file that gives several tables is read
    once: the tables not yet checked wait in `pending` (one file's at a time) for their turn.
    Columns no profile reads or keeps are dropped here, before anything is stored."""
    if not source.mapped:
        return mapping.canonical(read(source, advance, fp), canonical)
    key = (source.path, source.sheet)
    if source.table not in pending.get(key, {}):
        pending.clear()
        pending[key] = mapping.apply(read(source, advance, fp), source.profile)
    raw = pending[key].pop(source.table)
    if not pending[key]:
        del pending[key]
    return raw


def _batch_ids(store: Store) -> Iterator[int]:
    batches = store.raw_table("batches")  # an unfinished import's ids are not free
    return itertools.count((batches.batch_id.max().to_pyarrow().as_py() or 0) + 1)


def _finish(writing: Future[None] | None) -> None:
    """Wait for the batch being written; its failure is the import's."""
    if writing is not None:
        writing.result()


def _commit(store: Store, tables: list[tuple[str, pa.Table]], advance: Advance) -> None:
    """One file's batch and its journal entry, all or nothing (run on the writer thread)."""
    with store.transaction():
        for name, rows in tables:
            store.insert(name, rows)
    advance(tables[0][1].num_rows)


def _batch_tables(
    checked: Checked, keep: np.ndarray, result: SourceResult, loaded_at: dt.datetime
) -> list[tuple[str, pa.Table]]:
    """What a file's batch writes, table by table. Made before the writer takes it, so that it
    holds only these and the file as read is freed while they are written."""
    assert checked.data is not None and result.batch_id is not None
    data = checked.data if keep.all() else checked.data.filter(pa.array(keep))
    ids = pa.array(np.full(data.num_rows, result.batch_id, np.int64))
    batch = {
        "batch_id": result.batch_id,
        "source_file": str(result.source.path.resolve()),
        "sheet": result.source.sheet,
        "sha256": result.sha256,
        "table_name": checked.table.name,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "loaded_at": loaded_at,
        "equitrack_version": __version__,
    }
    return [
        (checked.table.name, data.append_column(BATCH_ID, ids)),
        ("extra_values", _extra_values(checked, keep, result.batch_id)),
        ("batches", pa.Table.from_pylist([batch], schema=BATCHES.to_pyarrow())),
        ("import_journal", pa.table({"batch_id": pa.array([result.batch_id], pa.int64())})),
    ]


def _extra_values(result: Checked, keep: np.ndarray, batch_id: int) -> pa.Table:
    parts = []
    for name in result.extra_columns:
        values = pc.utf8_trim_whitespace(contiguous(result.raw.data.column(name)).cast(pa.string()))
        present = pc.and_(pc.fill_null(pc.not_equal(values, ""), False), pa.array(keep))
        rows = np.flatnonzero(present.to_numpy(zero_copy_only=False))
        parts.append(
            pa.table(
                {
                    "batch_id": pa.array(np.full(len(rows), batch_id, np.int64)),
                    "table_name": pa.array([result.table.name] * len(rows), pa.string()),
                    "line": pa.array(result.raw.lines[rows]),
                    "column_name": pa.array([name] * len(rows), pa.string()),
                    "value": values.take(pa.array(rows)),
                }
            )
        )
    schema = EXTRA_VALUES.to_pyarrow()
    return pa.concat_tables([p.cast(schema) for p in parts]) if parts else schema.empty_table()


def _private_csv(table: pa.Table, path: Path) -> Path:
    """Rejects hold raw identifiers from the user's file: only the owner may read them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        write_csv(table, fh)  # text a spreadsheet would run is quoted
    return path


def _stem(source: Source) -> str:
    stem = source.path.stem + (f".{source.sheet}" if source.sheet else "")
    return f"{stem}.{source.table}" if source.mapped else stem


def _write_problem_lists(results: list[SourceResult], directory: Path) -> list[Path]:
    written = []
    for r in results:
        if r.problems is not None and r.problems.num_rows:
            table = r.problems.select(["line", "column", "reason"])
            written.append(_private_csv(table, directory / f"{_stem(r.source)}.problems.csv"))
    return written


def _rejected_rows(checked: Checked, keep: np.ndarray) -> pa.Table:
    """The rows not loaded, as the file had them, with their line and every reason."""
    rejected = np.flatnonzero(~keep)
    problems = checked.problems
    reasons: dict[int, list[str]] = {}
    for row, column, reason in zip(
        problems.column("row").to_pylist(),
        problems.column("column").to_pylist(),
        problems.column("reason").to_pylist(),
        strict=True,
    ):
        reasons.setdefault(row, []).append(f"{column}: {reason}" if column else reason)
    raw = checked.raw
    columns = {
        "line": pa.array(raw.lines[rejected]),
        "problems": pa.array(["; ".join(reasons.get(int(r), [])) for r in rejected], pa.string()),
    }
    if raw.origin is not None:  # made by a profile: the record as the file has it
        as_read, records = raw.origin
        for name in as_read.column_names:
            values = contiguous(as_read.column(name)).cast(pa.string())
            columns[raw.headers.get(name, name)] = values.take(pa.array(records[rejected]))
    else:
        for name in raw.data.column_names:
            values = contiguous(raw.data.column(name)).cast(pa.string())
            columns[name] = values.take(pa.array(rejected))
    table = pa.table(columns)
    if raw.unreadable_rows:
        extra = pa.table(
            {
                "line": pa.array([u.line for u in raw.unreadable_rows], pa.int64()),
                "problems": pa.array([u.reason for u in raw.unreadable_rows], pa.string()),
                "raw_text": pa.array([u.text for u in raw.unreadable_rows], pa.string()),
            }
        )
        table = pa.concat_tables([table, extra], promote_options="default")
    return table.sort_by("line")
