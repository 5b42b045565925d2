"""Uploads from the dashboard: a name that is safe to write, a private folder, and the import
run in the background on a database connection of its own.

The app serves every page from one DuckDB connection behind one lock. An import holding that
lock while it read and checked a large file stopped every other user's pages for minutes; on a
connection of its own (`WebState.apart_do`) it holds no lock of the app's, and the database's
transactions keep what each connection sees consistent (readers see no unfinished import:
`Store.table`).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from equitrack.ingest import ImportResult

#: Longest file name taken, in bytes (file systems stop at 255; the name shows on pages).
LONGEST_NAME = 200
#: How many of a file's problems the page lists (the count says how many there were).
PROBLEMS_SHOWN = 200
NAME_IT = "name it after its table, for example training.csv"
#: What an upload is told when equitrack itself failed while checking it (the log has why).
OUR_FAULT = (
    "equitrack could not check this file because of a fault of its own (written to the "
    "server's log); nothing was loaded"
)


class UploadProblem(ValueError):
    """An upload refused before it is read: the message says why."""


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    message: str


@dataclass(frozen=True)
class Outcome:
    """What became of an uploaded file: loaded, or refused with its problems."""

    name: str
    problems: list[Problem] = field(default_factory=list)
    loaded: int = 0
    #: For the audit log: the file and how many problems (or what refused it).
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def safe_name(filename: str | None) -> str:
    """The last part of an uploaded file's name, if it can be a file's name on the server."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", "..") or any(ord(c) < 32 or c == "\x7f" for c in name):
        raise UploadProblem(f"the file has no name that can be used: {NAME_IT}")
    if len(name.encode()) > LONGEST_NAME:
        raise UploadProblem(f"the file's name is longer than {LONGEST_NAME} characters: {NAME_IT}")
    return name


def keep_privately(upload: BinaryIO, name: str) -> Path:
    """The upload copied, a block at a time, into a folder only this user of the machine can
    read (removed by `discard`). The body is on disk already, within the upload limit."""
    folder = Path(tempfile.mkdtemp(prefix="equitrack-upload-"))
    path = folder / name
    with path.open("wb") as out:
        shutil.copyfileobj(upload, out, 1024 * 1024)
    return path


def discard(path: Path) -> None:
    """The folder `keep_privately` made, and everything the import wrote in it."""
    shutil.rmtree(path.parent, ignore_errors=True)


def outcome_of(name: str, result: ImportResult) -> Outcome:
    """An import's result as the data page shows it: each problem by line and column."""
    problems: list[Problem] = []
    for source in result.sources:
        problems += [Problem(None, None, p) for p in source.file_problems]
        if source.problems is not None:
            for row in source.problems.to_pylist()[:PROBLEMS_SHOWN]:
                problems.append(
                    Problem(row.get("line"), row.get("column"), row.get("reason") or "")
                )
    if not result.ok and not problems:
        problems = [Problem(None, None, "the file could not be read")]
    if problems:
        return Outcome(name, problems, detail=f"{name}: {len(problems)} problems")
    loaded = result.rows_loaded
    return Outcome(name, loaded=loaded, detail=f"{name}: {loaded} rows")


def refused(name: str, why: str) -> Outcome:
    """A file refused whole; a reader's reason already names the file, so it is not named twice."""
    why = why.removeprefix(f"{name}: ")
    return Outcome(name, [Problem(None, None, why)], detail=f"{name}: {why}")
