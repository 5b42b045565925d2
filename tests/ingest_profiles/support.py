"""What the source-profile tests share, so that each test module holds only its own export's
rows and assertions: writing a hand-checkable export, reading the store back, running the CLI,
finding a line of a shipped profile, and the round trip of a generated system through an export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pyarrow as pa
from typer.testing import CliRunner

from equitrack import synth
from equitrack.cli import app
from equitrack.ingest import ImportResult, import_paths
from equitrack.ingest import profile as profiles
from equitrack.store import connect
from tests.factories import ORGANISATIONS, write_csv

#: The seed of the generated system the round-trip tests share (tests/ingest_profiles/conftest.py)
#: and of the untidiness its exports are written with.
SEED = 3

Cell = TypeVar("Cell")


def write_organisations(folder: Path) -> Path:
    """organisations.csv, which every export needs beside it (its rows name an org_code)."""
    return write_csv(folder / "organisations.csv", ORGANISATIONS)


# --- a hand-checkable export ---------------------------------------------------------------


@dataclass(frozen=True)
class Export(Generic[Cell]):
    """A small export as a fixtures module keeps it: its header and rows, the file name it has
    in a folder, and the canonical files it is imported with. A test writes it as it is, or with
    some rows changed (`replace`) or another header, to see what the profile makes of it."""

    name: str
    header: list[str]
    rows: list[list[Cell]]
    beside: Callable[[Path], object]

    def file(
        self,
        path: Path,
        rows: list[list[Cell]] | None = None,
        header: list[str] | None = None,
        encoding: str = "utf-8",
    ) -> Path:
        """The export at `path` (its folder made), with these rows and header if given."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.write(path, header or self.header, self.rows if rows is None else rows, encoding)
        return path

    def write(self, path: Path, header: list[str], rows: list[list[Cell]], encoding: str) -> None:
        """A CSV file; an export kept in another form says so by overriding this."""
        with path.open("w", newline="", encoding=encoding) as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)

    def folder(
        self,
        folder: Path,
        rows: list[list[Cell]] | None = None,
        header: list[str] | None = None,
        encoding: str = "utf-8",
    ) -> Path:
        """The export under its name beside the canonical files it needs, ready to import."""
        folder.mkdir(parents=True, exist_ok=True)
        self.beside(folder)
        self.file(folder / self.name, rows, header, encoding)
        return folder

    def replace(self, row: list[Cell], **changes: Cell) -> list[Cell]:
        """A copy of a row with some cells changed, named by header (spaces as underscores)."""
        out = list(row)
        for name, value in changes.items():
            out[self.header.index(name.replace("_", " "))] = value
        return out


# --- the store -------------------------------------------------------------------------------


def read_table(db: Path, name: str) -> pa.Table:
    """A table as the store holds it (batch_id and all), the store closed again."""
    store = connect(str(db))
    try:
        return store.table(name).to_pyarrow()
    finally:
        store.close()


def stored(db: Path, name: str, key: str | Sequence[str]) -> pa.Table:
    """A table without its batch_id, sorted by its key: comparable between two stores."""
    keys = [key] if isinstance(key, str) else key
    return read_table(db, name).drop(["batch_id"]).sort_by([(k, "ascending") for k in keys])


def rows_in(db: Path, name: str) -> int:
    """How many rows a table of the store has (the store closed again)."""
    store = connect(str(db))
    try:
        return store.table(name).count().to_pyarrow().as_py()
    finally:
        store.close()


# --- the command line and the shipped profiles -------------------------------------------------

runner = CliRunner()


@dataclass(frozen=True)
class Invoked:
    """A command's exit code, and its output with line wrapping undone (the terminal's width
    would otherwise break the sentences the tests look for)."""

    exit_code: int
    output: str


def invoke(*args: str) -> Invoked:
    """Runs `equitrack` with these arguments; an exception is raised, not turned into a code."""
    result = runner.invoke(app, list(args), catch_exceptions=False, terminal_width=400)
    return Invoked(result.exit_code, " ".join(result.output.split()))


def profile_line(profile: str, section: str) -> int:
    """The line of `[section]` in a shipped profile: where a message tells the user to add to."""
    path = profiles.shipped_dir() / f"{profile}.toml"
    return path.read_text(encoding="utf-8").splitlines().index(f"[{section}]") + 1


# --- a generated system through an export ---------------------------------------------------


@dataclass(frozen=True)
class RoundTrip:
    """One generated system written twice, as canonical CSVs (in `canonical/`) and as an export
    (in a folder named after its format), each imported into a store of its own. The profile is
    right when the two stores hold the same rows. Both imports use the key in force, so the
    pseudonyms match."""

    folder: Path
    fmt: str
    written: dict[str, Path]

    @classmethod
    def write(
        cls, folder: Path, tables: dict[str, pa.Table], fmt: str, seed: int = SEED
    ) -> RoundTrip:
        """Both folders written; `written` is the export's file for each table."""
        synth.write(tables, folder / "canonical", "csv")
        return cls(folder, fmt, synth.write(tables, folder / fmt, fmt, seed=seed))

    @property
    def canonical_db(self) -> Path:
        return self.folder / "canonical.duckdb"

    @property
    def export_db(self) -> Path:
        return self.folder / f"{self.fmt}.duckdb"

    def imported(self) -> dict[str, ImportResult]:
        """Each folder imported into its store, keyed "canonical" and the format; each must load
        without a problem."""
        results = {}
        for name in ("canonical", self.fmt):
            store = connect(str(self.folder / f"{name}.duckdb"))
            results[name] = import_paths([self.folder / name], store)
            store.close()
            assert results[name].ok, [
                (s.source.label, s.problems, s.file_problems) for s in results[name].sources
            ]
        return results

    def tables(self, name: str, key: str | Sequence[str]) -> tuple[pa.Table, pa.Table]:
        """A table as the canonical store and as the export's store hold it, in that order."""
        return stored(self.canonical_db, name, key), stored(self.export_db, name, key)
