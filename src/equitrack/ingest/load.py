"""The import: check every file, then load them all in one transaction, or load nothing.

A file already loaded (same bytes, same table) is recognised and passed over, so re-running an
import after fixing one file loads just what is new.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from equitrack import __version__
from equitrack.ingest.pseudonymise import Pseudonymiser, load_key
from equitrack.ingest.readers import Source, discover, fingerprint, progress_total, read
from equitrack.ingest.validate import Checked, Context, check
from equitrack.model.tables import load_order
from equitrack.progress import Progress, Silent
from equitrack.store import Store, StoreError
from equitrack.store.schema import BATCH_ID, BATCHES, EXTRA_VALUES

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
    rows_read: int = 0
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

    @property
    def ok(self) -> bool:
        return all(r.status in (Status.LOADED, Status.ALREADY) for r in self.sources)

    @property
    def rows_read(self) -> int:
        return sum(r.rows_read for r in self.sources)

    @property
    def rows_loaded(self) -> int:
        return sum(r.rows_loaded for r in self.sources)

    @property
    def rows_rejected(self) -> int:
        return sum(r.rows_rejected for r in self.sources)


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


def import_paths(
    paths: Sequence[Path],
    store: Store,
    *,
    skip_invalid: bool = False,
    table: str | None = None,
    rejects_dir: Path = Path("rejects"),
    progress: Progress | None = None,
) -> ImportResult:
    """Import canonical files and folders into the store; see the module docstring."""
    progress = progress or Silent()
    sources, notes = discover([Path(p) for p in paths], table)
    pseudonymiser = Pseudonymiser(load_key())
    _check_key(store, pseudonymiser)
    ctx = Context(store, pseudonymiser)
    before = _loaded_before(store)
    seen: set[tuple[str, str]] = set()
    results: list[SourceResult] = []
    checked: dict[int, tuple[Checked, np.ndarray]] = {}
    for source in _order(sources):
        fp = fingerprint(source.path, source.sheet)
        identity = (fp.sha256, source.table)
        if identity in before or identity in seen:
            when = before.get(identity)
            results.append(
                SourceResult(
                    source,
                    Status.ALREADY,
                    note=f"already loaded on {when:%d %b %Y %H:%M}"
                    if when
                    else "the same file is named twice",
                )
            )
            continue
        seen.add(identity)
        advance = progress.task(f"Reading {source.label}", progress_total(source) or None)
        raw = read(source, advance, fp)
        progress.task(f"Checking {source.label}", None)
        result = check(raw, ctx)
        keep = np.ones(raw.data.num_rows, bool)
        keep[result.bad_rows] = False
        ctx.accept(result, keep)
        failed = bool(result.file_problems) or (not result.ok and not skip_invalid)
        results.append(
            SourceResult(
                source,
                Status.FAILED if failed else Status.LOADED,
                rows_read=result.rows_read,
                rows_loaded=int(keep.sum()) if not failed else 0,
                rows_rejected=result.rows_read - int(keep.sum()),
                problems=result.problems,
                file_problems=result.file_problems,
                warnings=result.warnings,
                encoding=raw.encoding,
                sha256=fp.sha256,
            )
        )
        if result.ok and not result.extra_columns:
            result.raw.data = result.raw.data.select([])  # the text is no longer needed: free it
        checked[len(results) - 1] = (result, keep)
    outcome = ImportResult(results, notes)
    if any(r.status == Status.FAILED for r in results):
        for r in results:
            if r.status == Status.LOADED:
                r.status, r.rows_loaded = Status.HELD, 0
        outcome.written = _write_problem_lists(results, rejects_dir)
        return outcome
    _load(store, pseudonymiser, results, checked, progress)
    if skip_invalid:
        outcome.written = _write_rejects(results, checked, rejects_dir)
    return outcome


def _load(
    store: Store,
    pseudonymiser: Pseudonymiser,
    results: list[SourceResult],
    checked: dict[int, tuple[Checked, np.ndarray]],
    progress: Progress,
) -> None:
    if not checked:
        return
    batches = store.table("batches")
    next_id = (batches.batch_id.max().to_pyarrow().as_py() or 0) + 1
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    total = sum(int(keep.sum()) for _, keep in checked.values())
    advance = progress.task("Loading into the database", total)
    with store.transaction():
        if store.meta(KEY_FINGERPRINT) is None:
            store.set_meta(KEY_FINGERPRINT, pseudonymiser.fingerprint())
        for index, (result, keep) in checked.items():
            batch_id = next_id
            next_id += 1
            assert result.data is not None
            data = result.data.filter(pa.array(keep))
            data = data.append_column(
                BATCH_ID, pa.array(np.full(data.num_rows, batch_id, np.int64))
            )
            store.insert(result.table.name, data)
            store.insert("extra_values", _extra_values(result, keep, batch_id))
            src = results[index]
            store.insert(
                "batches",
                pa.Table.from_pylist(
                    [
                        {
                            "batch_id": batch_id,
                            "source_file": str(src.source.path.resolve()),
                            "sheet": src.source.sheet,
                            "sha256": src.sha256,
                            "table_name": result.table.name,
                            "rows_read": src.rows_read,
                            "rows_loaded": src.rows_loaded,
                            "rows_rejected": src.rows_rejected,
                            "loaded_at": loaded_at,
                            "equitrack_version": __version__,
                        }
                    ],
                    schema=BATCHES.to_pyarrow(),
                ),
            )
            src.batch_id = batch_id
            advance(data.num_rows)


def _extra_values(result: Checked, keep: np.ndarray, batch_id: int) -> pa.Table:
    parts = []
    for name in result.extra_columns:
        values = pc.utf8_trim_whitespace(
            result.raw.data.column(name).combine_chunks().cast(pa.string())
        )
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
        pacsv.write_csv(table, fh)
    return path


def _stem(source: Source) -> str:
    return source.path.stem + (f".{source.sheet}" if source.sheet else "")


def _write_problem_lists(results: list[SourceResult], directory: Path) -> list[Path]:
    written = []
    for r in results:
        if r.problems is not None and r.problems.num_rows:
            table = r.problems.select(["line", "column", "reason"])
            written.append(_private_csv(table, directory / f"{_stem(r.source)}.problems.csv"))
    return written


def _write_rejects(
    results: list[SourceResult], checked: dict[int, tuple[Checked, np.ndarray]], directory: Path
) -> list[Path]:
    written = []
    for index, (result, keep) in checked.items():
        if keep.all() and not result.unreadable:
            continue
        rejected = np.flatnonzero(~keep)
        problems = result.problems
        reasons: dict[int, list[str]] = {}
        for row, column, reason in zip(
            problems.column("row").to_pylist(),
            problems.column("column").to_pylist(),
            problems.column("reason").to_pylist(),
            strict=True,
        ):
            reasons.setdefault(row, []).append(f"{column}: {reason}" if column else reason)
        raw = result.raw
        columns = {
            "line": pa.array(raw.lines[rejected]),
            "problems": pa.array(
                ["; ".join(reasons.get(int(r), [])) for r in rejected], pa.string()
            ),
        }
        for name in raw.data.column_names:
            columns[name] = (
                raw.data.column(name).combine_chunks().cast(pa.string()).take(pa.array(rejected))
            )
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
        written.append(
            _private_csv(
                table.sort_by("line"), directory / f"{_stem(results[index].source)}.rejects.csv"
            )
        )
    return written
