"""Protected releases kept on disk, so a restarted dashboard answers at once.

Building a release measures every question and protects the answers together (a minute or
more on a large store); a restart (a deploy, a reboot) would pay that again for data that did
not change. So a data version's exact answers (`release.Answers`) and each audience's built
`Release` are kept in a folder of the database's own (`config.releases_dir`: `<db>.releases/`
beside a DuckDB file), and read back by any process that opens the same data with the same
disclosure policy and the same code. What decides the figures names the files (`Shelf.key`):
the data (every batch loaded, not only their count), the released years, the recommendations
plan, and a digest of equitrack's own files and the versions of the libraries that compute;
each audience's file adds its policy's full description and its exact organisations.

The files are Arrow IPC (the results' fields as columns, their options and reasons' values as
JSON text, a JSON manifest in the schema's metadata): reading one never runs code. Each is
written to a temporary file and renamed, so a process killed mid-write leaves nothing half
written to read; a file that cannot be read, or is of another format, is logged, removed and
built again. The folder is the owner's alone (0700, files 0600): exact counts are as sensitive
as the store. When a new version's answers are kept, every other version's files go.

The charts pages draw from those figures are kept there too (`Shelf.drawn`), as their SVG text
in JSON with a digest of it: drawing a page's charts takes longer than reading its figures.
Each file is named by a digest of everything they are drawn from (the figures, the names, the
question), with the version's key and the drawing libraries' versions, so a chart drawn from
anything else is never shown; one changed on disk is drawn again.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import equitrack
from equitrack import config
from equitrack.disclosure import Policy
from equitrack.logs import log
from equitrack.measures.calendar import Interval
from equitrack.measures.result import Result
from equitrack.release import Answers, Question, this_year
from equitrack.store import Store
from equitrack.store.coverage import version

LOG = logging.getLogger(__name__)

#: The files' layout: a file of another is built again, never read.
FORMAT = 2
#: The libraries whose versions can change a figure (counts, intervals, tests).
COMPUTING = ("ibis-framework", "duckdb", "pyarrow", "pandas", "numpy", "scipy", "lifelines")
_META = b"equitrack"
_FIELDS = tuple(f.name for f in fields(Result))
_AS_JSON = frozenset({"options", "reason_values"})
_WRITE = pa.ipc.IpcWriteOptions(compression="zstd")
#: A temporary file older than this belongs to a writer that died: it is removed.
_STALE_TEMP_S = 3600.0


#: The libraries whose versions can change a drawn chart (its specification, its SVG).
DRAWING = ("altair", "vl-convert-python")


@dataclass(frozen=True)
class Drawing:
    """A chart as drawn: its title, its text alternative and its SVG text."""

    title: str
    alt: str
    svg: str


class _Unfit(Exception):
    """A file or a result that cannot be kept or read back as it was."""


@functools.cache
def code_fingerprint() -> str:
    """A digest of equitrack's own files (its code, rules and shipped data) and of the
    versions of Python and the computing libraries: an upgrade or a local edit never reads
    figures another code made."""
    digest = hashlib.sha256()
    root = Path(equitrack.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in COMPUTING:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=-\0".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


@functools.cache
def _drawing_libraries() -> list[str]:
    found = []
    for name in DRAWING:
        try:
            found.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return found


def _plain(value: Any) -> Any:
    """`value` as JSON for a digest that tells any two different values apart: a dataclass
    (a result, a policy) by its type and fields, an enum by its type and value, a set sorted;
    anything else is refused (TypeError), so it is never kept under an ambiguous name."""
    if is_dataclass(value) and not isinstance(value, type):
        return [type(value).__qualname__, *(getattr(value, f.name) for f in fields(value))]
    if isinstance(value, enum.Enum):
        return [type(value).__qualname__, value.value]
    if isinstance(value, (set, frozenset)):
        return ["set", *sorted(value, key=repr)]
    raise TypeError(f"not kept by a digest: {type(value).__name__}")


def _digest_of(drawings: list[list[str]]) -> str:
    return hashlib.sha256(json.dumps(drawings).encode()).hexdigest()


def _plan_digest() -> str:
    """The recommendations plan in force (its evidence adds totals to the answers): the
    shipped one is in the code's digest; one named by the environment is read here."""
    from equitrack.tracker.plan import plan_path  # only where releases are kept

    path = plan_path()
    return hashlib.sha256(path.read_bytes()).hexdigest() if path else "shipped"


def data_digest(store: Store) -> str:
    """What the store's data are: every batch a reader sees (its file's digest, when and
    what it loaded), not only how many, so a store made again with as many batches differs."""
    b = store.table("batches")
    rows = (
        b.select("batch_id", "table_name", "sha256", "rows_loaded", "loaded_at")
        .order_by("batch_id")
        .to_pyarrow()
        .to_pylist()
    )
    text = json.dumps([version(store)[:3], rows], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _hashed(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Shelf:
    """One data version's kept files, in the database's folder."""

    folder: Path
    key: str

    def answers(self) -> Answers | None:
        """This version's exact answers, as they were measured, or None."""
        found = _read(self._answers_file, "answers", self.key)
        if found is None:
            return None
        rows, manifest = found
        try:
            return _answers_of(rows, manifest)
        except (KeyError, TypeError, ValueError) as exc:
            _unreadable(self._answers_file, exc)
            return None

    def keep_answers(self, asked: Answers, every: Sequence[Result] | None = None) -> None:
        """Keep `asked` (this version's) with `every` (`asked.results()`, if made already), and
        drop every other version's files. The evidence's totals are kept after the answers, so
        a process reading them back makes no result it is not asked for."""
        results = list(asked.results() if every is None else every)
        answered = sum(len(rs) for by in asked.asked.values() for rs in by.values())
        manifest = {
            "totals": len(results) - answered,
            "years": list(asked.years),
            "tables": {t: list(v) for t, v in asked.tables.items()},
            "questions": [
                {**_question_json(q), "answered": [[m, len(rs)] for m, rs in by.items()]}
                for q, by in asked.asked.items()
            ],
        }
        if _write(self.folder, self._answers_file, "answers", self.key, results, manifest):
            self._prune()

    def shown(
        self, policy: Policy, exact_orgs: Collection[str], count: int
    ) -> tuple[Sequence[Result], float] | None:
        """The audience's protected results kept for this version (as many as the `count`
        exact ones), and how long they took to build; or None."""
        path = self._release_file(policy, exact_orgs)
        found = _read(path, "release", self._release_key(policy, exact_orgs))
        if found is None:
            return None
        results, manifest = found
        if len(results) != count or manifest.get("policy") != repr(policy):
            _unreadable(path, _Unfit(f"{len(results)} results for {count} answers"))
            return None
        return results, float(manifest.get("seconds", 0.0))

    def keep_release(
        self, policy: Policy, exact_orgs: Collection[str], shown: Sequence[Result], seconds: float
    ) -> None:
        """Keep one audience's protected results (built in `seconds`)."""
        manifest = {"policy": repr(policy), "exact_orgs": sorted(exact_orgs), "seconds": seconds}
        key = self._release_key(policy, exact_orgs)
        _write(self.folder, self._release_file(policy, exact_orgs), "release", key, shown, manifest)

    def holds_release(self, policy: Policy, exact_orgs: Collection[str]) -> bool:
        """Whether one audience's release is kept for this version (its file is there; one
        unfit to read is found so, and built again, when it is read)."""
        return self._release_file(policy, exact_orgs).is_file()

    def drawn(self, what: Any) -> list[Drawing] | None:
        """The charts kept for `what` (everything they are drawn from), or None: none kept, or
        a file changed or unfit to read (removed, so they are drawn again)."""
        path = self._drawn_file(what)
        if path is None or not path.exists() or not _owned(self.folder, create=False):
            return None
        try:
            if path.stat().st_uid != self.folder.stat().st_uid:
                raise _Unfit("written by another user")
            found = json.loads(path.read_bytes())
            drawings = found["drawings"]
            if (found["format"], found["kind"], found["key"]) != (FORMAT, "drawings", path.stem):
                raise _Unfit(f"of format {found['format']}, {found['kind']}")
            if found["sha256"] != _digest_of(drawings):
                raise _Unfit("changed since it was written")
            if not all(len(d) == 3 and all(isinstance(t, str) for t in d) for d in drawings):
                raise _Unfit("not drawings")
        except Exception as exc:  # whatever is wrong with it, it is drawn again, never shown
            _unreadable(path, exc)
            return None
        return [Drawing(*d) for d in drawings]

    def keep_drawn(self, what: Any, drawings: Sequence[Drawing]) -> None:
        """Keep the charts drawn from `what` with this version's files (pruned with them)."""
        path = self._drawn_file(what)
        if path is None:
            return
        listed = [[d.title, d.alt, d.svg] for d in drawings]
        text = {"format": FORMAT, "kind": "drawings", "key": path.stem, "drawings": listed}
        text["sha256"] = _digest_of(listed)
        try:
            _write_bytes(self.folder, path, json.dumps(text).encode())
        except OSError as exc:
            log(LOG, "charts not kept on disk", logging.WARNING, file=path.name, why=str(exc))

    def _drawn_file(self, what: Any) -> Path | None:
        """Where the charts drawn from `what` are kept: named by a digest of it, this version's
        key and the drawing libraries' versions; None for a `what` without one exact text."""
        try:
            text = json.dumps(
                [self.key, _drawing_libraries(), what],
                default=_plain,
                sort_keys=True,
                allow_nan=True,
            )
        except (TypeError, ValueError):
            return None
        return self.folder / f"drawn-{self.key}-{hashlib.sha256(text.encode()).hexdigest()}.json"

    @property
    def _answers_file(self) -> Path:
        return self.folder / f"answers-{self.key}.arrow"

    def _release_key(self, policy: Policy, exact_orgs: Collection[str]) -> str:
        return _hashed(self.key, repr(policy), sorted(exact_orgs))

    def _release_file(self, policy: Policy, exact_orgs: Collection[str]) -> Path:
        return self.folder / f"release-{self.key}-{self._release_key(policy, exact_orgs)}.arrow"

    def _prune(self) -> None:
        """Every other version's files, and temporary files left by a writer that died."""
        for path in self.folder.iterdir():
            temp = path.name.startswith(".")
            if self.key in path.name and not temp:
                continue
            try:
                if temp and time.time() - path.stat().st_mtime < _STALE_TEMP_S:
                    continue  # another process may be writing it
                path.unlink()
            except OSError:
                continue


def shelf_of(store: Store) -> Shelf | None:
    """Where this store's data version keeps its releases, or None: kept releases turned off
    (`config.RELEASES_ENV`), an in-memory or read-only store, an import still running in this
    view, or a folder that is not the owner's alone."""
    folder = config.releases_dir(store.url, store.backend)
    if folder is None or store.own:
        return None
    try:
        # the released years are a function of the data and today's reporting year: found
        # without reading every table's dates (a command reading its answer back costs less)
        key = _hashed(FORMAT, data_digest(store), this_year(), _plan_digest(), code_fingerprint())
    except Exception as exc:  # a store without batches, an unreadable plan: nothing kept
        log(LOG, "releases not kept on disk", logging.WARNING, why=str(exc))
        return None
    return Shelf(folder, key)


# --- questions and results as data -------------------------------------------------------


def _question_json(q: Question) -> dict[str, Any]:
    return {
        "families": list(q.families),
        "years": list(q.years),
        "by": q.by,
        "system": q.system,
        "interval": str(q.interval),
        "measures": None if q.measures is None else list(q.measures),
        "options": [list(kv) for kv in q.options],
    }


def _question_of(d: dict[str, Any]) -> Question:
    return Question(
        tuple(d["families"]),
        tuple(d["years"]),
        by=d["by"],
        system=d["system"],
        interval=Interval(d["interval"]),
        measures=None if d["measures"] is None else tuple(d["measures"]),
        options=tuple((k, v) for k, v in d["options"]),
    )


def _answers_of(results: Rows, manifest: dict[str, Any]) -> Answers:
    asked: dict[Question, dict[str, Sequence[Result]]] = {}
    at = 0
    for d in manifest["questions"]:
        by: dict[str, Sequence[Result]] = {}
        for measure, n in d["answered"]:
            if n < 0:
                raise ValueError(f"{n} results for {measure}")
            by[measure] = Part(results, at, at + n)
            at += n
        asked[_question_of(d)] = by
    totals = manifest["totals"]
    if not isinstance(totals, int) or totals < 0 or at + totals != len(results):
        raise ValueError(f"{len(results)} results for {at} answers and {totals!r} totals")
    tables = {t: tuple(v) for t, v in manifest["tables"].items()}
    return Answers(tuple(manifest["years"]), tables, asked, every=results)


def _type_of(annotation: str) -> pa.DataType:
    if annotation.startswith("dict"):
        return pa.string()  # JSON
    for word, kind in (("bool", pa.bool_()), ("float", pa.float64()), ("int", pa.int64())):
        if word in annotation:
            return kind
    return pa.string()


_TYPES = {f.name: _type_of(str(f.type)) for f in fields(Result)}


def _json_text(value: dict[str, Any]) -> str:
    """`value` as JSON text that reads back equal to it (else `_Unfit`: a tuple, say)."""
    text = json.dumps(value)
    if json.loads(text) != value:
        raise _Unfit(f"not kept as JSON exactly: {value!r}")
    return text


def _table(results: Sequence[Result], manifest: dict[str, Any]) -> pa.Table:
    columns = []
    for name in _FIELDS:
        values = [getattr(r, name) for r in results]
        if name in _AS_JSON:
            texts: dict[int, str] = {}  # results share their options objects
            values = [texts.get(id(v)) or texts.setdefault(id(v), _json_text(v)) for v in values]
        columns.append(pa.array(values, type=_TYPES[name]))
    schema = pa.schema(
        [pa.field(n, _TYPES[n]) for n in _FIELDS], metadata={_META: json.dumps(manifest)}
    )
    return pa.Table.from_arrays(columns, schema=schema)


class Rows(Sequence[Result]):
    """The results of a kept file, each made when first asked for, a block at a time: a page
    or a command reads a few hundred of a release's results, so a restarted server or a new
    process need not make them all before answering. Everything that can be wrong with the
    file is found here, before any is made (each distinct options' and reasons' text is read
    here once)."""

    def __init__(self, table: pa.Table) -> None:
        if tuple(table.schema.names) != _FIELDS or any(
            table.schema.field(n).type != _TYPES[n] for n in _FIELDS
        ):
            raise _Unfit("the results' fields are not this version's")
        self._table = table
        # one object per options, as the measures share them; reasons are copied per result
        self._options = _objects(table.column("options"))
        self._reasons = _objects(table.column("reason_values"))
        self._made: list[Result | None] = [None] * table.num_rows
        self._blocks = bytearray(-(-table.num_rows // _BLOCK))  # 1 where made
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._made)

    def _make(self, blocks: Iterable[int]) -> None:
        """Every result of `blocks` made, each block at once (faster than one by one)."""
        with self._lock:
            for block in blocks:
                if self._blocks[block]:
                    continue
                start = block * _BLOCK
                part = self._table.slice(start, _BLOCK)
                columns = [part.column(n).to_pylist() for n in _FIELDS]
                columns[_OPTIONS] = [self._options[t] for t in columns[_OPTIONS]]
                columns[_REASONS] = [dict(self._reasons[t]) for t in columns[_REASONS]]
                made = [Result(*values) for values in zip(*columns, strict=True)]
                self._made[start : start + len(made)] = made
                self._blocks[block] = 1

    def __getitem__(self, i: int | slice) -> Any:  # type: ignore[override]
        if isinstance(i, slice):  # a list, as a list's slice is
            places = range(*i.indices(len(self)))
            if places:
                low, high = min(places[0], places[-1]), max(places[0], places[-1])
                self._make(range(low // _BLOCK, high // _BLOCK + 1))
            return [self._made[j] for j in places]
        at = range(len(self))[i]  # an IndexError as a list's, from the end as a list's
        made = self._made[at]
        if made is None:  # (a page reads thousands one by one: no lock for one made already)
            self._make((at // _BLOCK,))
            made = self._made[at]
        return made

    def measures(self) -> list[str]:
        """The measures the file holds results of."""
        return pc.unique(self._table.column("measure")).to_pylist()

    def columns_of(self, measure: str, names: Sequence[str]) -> tuple[list[int], list[list[Any]]]:
        """The places of the results of `measure`, and their fields `names`, column by column,
        read without making a result (a restarted server finds a page's figures in its release
        this way); options as the results' own objects."""
        places = pc.indices_nonzero(pc.equal(self._table.column("measure"), measure))
        part = self._table.select(list(names)).take(places)
        columns = [part.column(n).to_pylist() for n in names]
        for i, n in enumerate(names):
            if n == "options":
                columns[i] = [self._options[t] for t in columns[i]]
        return places.to_pylist(), columns

    def every(self) -> list[Result]:
        """Every result, made at once."""
        self._make(range(len(self._blocks)))
        return list(self._made)  # type: ignore[arg-type]  # every one made


class Part(Sequence[Result]):
    """The results of one answer in a kept file (a measure's to a question), made when first
    read: a command reading one question's figures makes only theirs."""

    def __init__(self, rows: Rows, start: int, stop: int) -> None:
        self._rows, self._start, self._stop = rows, start, stop
        self._list: list[Result] | None = None

    def _all(self) -> list[Result]:
        if self._list is None:
            self._list = self._rows[self._start : self._stop]
        return self._list

    def __len__(self) -> int:
        return self._stop - self._start

    def __getitem__(self, i: int | slice) -> Any:  # type: ignore[override]
        return self._all()[i]

    def __iter__(self) -> Iterator[Result]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and self._all() == list(other)

    __hash__ = None  # type: ignore[assignment]  # as a list's

    def __repr__(self) -> str:
        return repr(self._all())


#: Results made at a time when a kept file is read.
_BLOCK = 2048
_OPTIONS = _FIELDS.index("options")
_REASONS = _FIELDS.index("reason_values")


def _objects(column: pa.ChunkedArray) -> dict[str, dict[str, Any]]:
    """Each distinct JSON text of `column`, read as the object it must be: all in one reading
    (a release has tens of thousands of distinct reasons; one `json.loads` each was most of
    reading a kept file)."""
    texts = pc.unique(column).to_pylist()
    found = json.loads(f"[{','.join(texts)}]")
    if len(found) != len(texts) or not all(isinstance(v, dict) for v in found):
        raise _Unfit("options or reasons that are not one object each")
    return dict(zip(texts, found, strict=True))


# --- files --------------------------------------------------------------------------------

_WRITING = threading.Lock()


def _owned(folder: Path, create: bool) -> bool:
    """Whether `folder` is there (made, if `create`) and the owner's alone; a folder of this
    user that others could read is closed to them."""
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.lstat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log(
            LOG, "kept releases' folder unusable", logging.WARNING, folder=str(folder), why=str(exc)
        )
        return False
    uid = getattr(os, "getuid", lambda: st.st_uid)()
    if not folder.is_dir() or folder.is_symlink() or st.st_uid != uid:
        log(LOG, "kept releases' folder not this user's", logging.WARNING, folder=str(folder))
        return False
    if st.st_mode & 0o077:
        folder.chmod(0o700)
    return True


def _write(
    folder: Path,
    path: Path,
    kind: str,
    key: str,
    results: Sequence[Result],
    manifest: dict[str, Any],
) -> bool:
    """`results` written to `path` whole or not at all; False (logged) if they were not."""
    start = time.perf_counter()
    try:
        table = _table(results, {"format": FORMAT, "kind": kind, "key": key, **manifest})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, table.schema, options=_WRITE) as writer:
            writer.write_table(table)
        if not _write_bytes(folder, path, sink.getvalue()):
            return False
    except (OSError, _Unfit, pa.ArrowException) as exc:
        log(LOG, "release not kept on disk", logging.WARNING, file=path.name, why=str(exc))
        return False
    seconds = round(time.perf_counter() - start, 3)
    log(LOG, "release kept on disk", file=path.name, results=len(results), seconds=seconds)
    return True


def _write_bytes(folder: Path, path: Path, data: bytes | pa.Buffer) -> bool:
    """`data` written to `path` whole or not at all (a temporary file renamed), the owner's
    alone; False if the folder is not the owner's. Raises OSError."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        if not _owned(folder, create=True):
            return False
        with _WRITING:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return True


def _read(path: Path, kind: str, key: str) -> tuple[Rows, dict[str, Any]] | None:
    """The results and manifest of a kept file, or None: none there, or one unfit to read
    (of another format or key, truncated, corrupt), which is logged and removed."""
    if not path.exists() or not _owned(path.parent, create=False):
        return None
    start = time.perf_counter()
    try:
        if path.stat().st_uid != path.parent.stat().st_uid:
            raise _Unfit("written by another user")
        table = pa.ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()
        manifest = json.loads((table.schema.metadata or {})[_META])
        if (manifest.get("format"), manifest.get("kind"), manifest.get("key")) != (
            FORMAT,
            kind,
            key,
        ):
            raise _Unfit(f"of format {manifest.get('format')}, {manifest.get('kind')}")
        results = Rows(table)
    except Exception as exc:  # whatever is wrong with it, it is built again, never a crash
        _unreadable(path, exc)
        return None
    seconds = round(time.perf_counter() - start, 3)
    log(LOG, "release read from disk", file=path.name, results=len(results), seconds=seconds)
    return results, manifest


def _unreadable(path: Path, exc: BaseException) -> None:
    log(LOG, "kept release unreadable: built again", logging.WARNING, file=path.name, why=str(exc))
    path.unlink(missing_ok=True)


__all__ = ["DRAWING", "FORMAT", "Drawing", "Shelf", "code_fingerprint", "data_digest", "shelf_of"]
