"""Reading CSV, XLSX and Parquet files into Arrow, remembering where each value came from.

Everything from text files is read as text: the validator, not the reader, decides what a value
means, so that a bad value is reported with its line and column instead of failing the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from equitrack.ingest import limits
from equitrack.model.tables import TABLE_BY_NAME

Advance = Callable[[int], None]

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}
ENCODINGS = ("utf-8", "cp1252")  # what Excel writes on Windows when it is not UTF-8
BLOCK_SIZE = 8 << 20


class ReadError(Exception):
    """A file that cannot be read at all; the message names the file and says why."""


#: The last row of a worksheet in Excel; a workbook claiming a row beyond it is not Excel's.
EXCEL_ROWS = 1_048_576
#: How much of a CSV file is looked at for its header and the title lines above it.
HEAD_BYTES = 1 << 20
#: What a file starts with, when it is not the text it is named as.
MAGIC = (
    (
        b"PK\x03\x04",
        "a zip archive (an Excel workbook named .csv?); save it as CSV or name it .xlsx",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "an old Excel .xls workbook or a password-protected one; save it "
        "unprotected as .xlsx or CSV",
    ),
    (b"PAR1", "a Parquet file; name it .parquet"),
    (b"\xff\xfe", 'UTF-16 text (Excel\'s "Unicode Text"); save it as CSV UTF-8'),
    (b"\xfe\xff", "UTF-16 text; save it as CSV UTF-8"),
)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _why(exc: BaseException) -> str:
    """An exception's message on one line, short enough to read."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 200 else text[:199] + "…"


def check_size(path: Path) -> None:
    """Refuses a file larger than the file-size limit, before anything reads it, and what is not
    a file at all (a device or a pipe named people.csv would be read for ever)."""
    if not path.is_file():
        raise ReadError(f"{path.name}: not a regular file, so it is not read")
    size = path.stat().st_size
    if size > limits.FILE_SIZE.value() * limits.MB:
        raise ReadError(
            f"{path.name}: the file is {size / limits.MB:,.1f} MB, larger than equitrack reads; "
            f"{limits.FILE_SIZE.says()}"
        )


def check_workbook(path: Path) -> None:
    """Refuses a workbook that would unzip to far more than it is, or whose XML declares a DTD,
    from the zip's directory and the first bytes of each part, before any part is parsed.

    A 4 MB workbook can hold shared strings that unzip to a gigabyte; Excel never writes
    `<!DOCTYPE` or `<!ENTITY`, which only an entity bomb or an external-entity attack needs.
    (openpyxl also parses through defusedxml, which refuses entities whatever this misses.)
    """
    check_size(path)
    with path.open("rb") as fh:
        magic = fh.read(8)
    if not magic.startswith(b"PK"):
        known = next((what for m, what in MAGIC[1:3] if magic.startswith(m)), None)
        raise ReadError(
            f"{path.name}: not an Excel workbook: it is {known}"
            if known
            else f"{path.name}: not an Excel workbook (an .xlsx file is a zip archive; this is not)"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
            unpacked = sum(p.file_size for p in parts)
            if unpacked > limits.UNPACKED.value() * limits.MB:
                raise ReadError(
                    f"{path.name}: the workbook unzips to {unpacked / limits.MB:,.1f} MB; "
                    f"{limits.UNPACKED.says()}"
                )
            ratio = limits.XLSX_RATIO.value()
            for part in parts:
                if part.file_size > limits.RATIO_GRACE_BYTES and part.file_size > ratio * max(
                    part.compress_size, 1
                ):
                    raise ReadError(
                        f"{path.name}: its part {part.filename} unzips to "
                        f"{part.file_size / limits.MB:,.1f} MB from "
                        f"{part.compress_size / 1024:,.0f} KB, "
                        f"{part.file_size // max(part.compress_size, 1):,} times larger (a zip "
                        f"bomb, not a spreadsheet); {limits.XLSX_RATIO.says()}"
                    )
            for part in parts:
                if part.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with zf.open(part) as fh:
                        head = fh.read(64 << 10).replace(b"\0", b"")  # UTF-16 parts too
                    if _DTD.search(head):
                        raise ReadError(
                            f"{path.name}: its part {part.filename} declares a DTD (<!DOCTYPE "
                            "or <!ENTITY), which Excel never writes and XML attacks need; "
                            "the workbook is not read"
                        )
    except ReadError:
        raise
    except Exception as exc:  # a broken, encrypted or truncated archive
        raise ReadError(f"{path.name}: not a readable Excel workbook ({_why(exc)})") from exc


@dataclass(frozen=True)
class Source:
    path: Path
    format: str
    table: str
    sheet: str | None = None
    #: The source profile that maps the file onto `table` (None: the canonical columns).
    profile: Any = field(default=None, compare=False, hash=False)

    @property
    def mapped(self) -> bool:
        """Read through a profile other than the canonical one."""
        return self.profile is not None and not self.profile.canonical

    @property
    def label(self) -> str:
        return f"{self.path.name} [sheet {self.sheet}]" if self.sheet else self.path.name


@dataclass(frozen=True)
class Unreadable:
    """A line that could not be split into the header's columns."""

    line: int
    reason: str
    text: str


@dataclass(frozen=True)
class Prior:
    """Row problems found before validation (by a source profile), already located."""

    rows: np.ndarray  # rows of the data
    lines: np.ndarray  # the file's line of each
    where: str  # e.g. `column 7 (Ethnic Origin)`
    column: str  # the canonical column the values were for
    reasons: list[str]


@dataclass
class RawData:
    """A source's rows as read, with what is needed to point at any value in the file."""

    source: Source
    data: pa.Table  # columns under their normalised names
    positions: dict[str, int]  # normalised name → 1-based column position in the file
    lines: np.ndarray  # the file's line (CSV) or row (XLSX, Parquet) of each record
    encoding: str | None = None
    unreadable_rows: list[Unreadable] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # normalised name → as written
    #: What a column is called in messages when not its own name (a profile's source column).
    labels: dict[str, str] = field(default_factory=dict)
    prior: list[Prior] = field(default_factory=list)  # row problems found by a profile
    file_problems: list[str] = field(default_factory=list)  # found by a profile
    warnings: list[str] = field(default_factory=list)  # found by a profile
    #: For rows made by a profile: the file as read, and the record each row came from.
    origin: tuple[pa.Table, np.ndarray] | None = None

    def where(self, column: str | None = None) -> str:
        """How a location reads, without the line: e.g. `column C (ethnic_code)`."""
        if column is None:
            return ""
        label = self.labels.get(column, column)
        pos = self.positions.get(column)
        if pos is None:
            return f"column {label}"
        if self.source.format == "xlsx":
            return f"column {_column_letter(pos)} ({label})"
        return f"column {pos} ({label})"

    @property
    def line_word(self) -> str:
        return "line" if self.source.format == "csv" else "row"


def _column_letter(position: int) -> str:
    letters = ""
    while position:
        position, rem = divmod(position - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def normalise_name(name: object) -> str:
    return str(name).replace("\ufeff", "").strip().lower().replace(" ", "_")


def table_for(stem: str) -> str | None:
    """`people`, `People.csv`, `assignments_2024-03` all name their table."""
    stem = normalise_name(stem)
    for name in TABLE_BY_NAME:
        if stem == name or (stem.startswith(name) and stem[len(name)] in "_-. "):
            return name
    return None


def discover(paths: Sequence[Path], table: str | None = None) -> tuple[list[Source], list[str]]:
    """The sources named by files and folders, and notes about files that were passed over."""
    sources: list[Source] = []
    notes: list[str] = []
    for path in paths:
        if not path.exists():
            raise ReadError(f"{path}: no such file or folder")
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            for file in files:
                if file.suffix.lower() not in FORMATS:
                    continue
                found = _sources_in(file, table)
                if not found:
                    notes.append(f"{file}: passed over (its name is not a table name)")
                sources += found
        else:
            if path.suffix.lower() not in FORMATS:
                raise ReadError(
                    f"{path}: equitrack reads .csv, .xlsx and .parquet files, not {path.suffix or 'this'}"
                )
            found = _sources_in(path, table)
            if not found:
                raise ReadError(
                    f"{path}: cannot tell which table this is; name the file after a table "
                    f"({', '.join(TABLE_BY_NAME)}) or use --table"
                )
            sources += found
    return sources, notes


def _sources_in(path: Path, table: str | None) -> list[Source]:
    fmt = FORMATS[path.suffix.lower()]
    named = table or table_for(path.stem)
    if fmt != "xlsx":
        return [Source(path, fmt, named)] if named else []
    sheets = _sheet_names(path)
    if named:
        sheet = next((s for s in sheets if normalise_name(s) == named), sheets[0])
        return [Source(path, fmt, named, sheet)]
    return [Source(path, fmt, t, s) for s in sheets if (t := table_for(s)) is not None]


def _sheet_names(path: Path) -> list[str]:
    from openpyxl import load_workbook

    check_workbook(path)
    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:
        raise ReadError(f"{path.name}: not a readable Excel workbook ({_why(exc)})") from exc
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    newlines: int
    size: int
    ends_with_newline: bool
    utf8: bool | None = None  # a text file's: is all of it UTF-8 (None: not a text file)


def fingerprint(path: Path, sheet: str | None = None) -> Fingerprint:
    """The file's sha256 (with the sheet name for a workbook) and its line count, in one pass;
    for a CSV file also whether it is all UTF-8, so that it is read in the right encoding from
    the start (pyarrow fails untidily on a ragged line that is not in the encoding it reads)."""
    check_size(path)
    digest = hashlib.sha256()
    newlines = size = 0
    last = b""
    text = FORMATS.get(path.suffix.lower()) == "csv"
    decoder = codecs.getincrementaldecoder("utf-8")() if text else None
    with path.open("rb") as fh:
        while chunk := fh.read(BLOCK_SIZE):
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            size += len(chunk)
            last = chunk[-1:]
            decoder = _still_utf8(decoder, chunk)
    decoder = _still_utf8(decoder, b"", final=True)
    if sheet is not None:
        digest.update(b"\0sheet:" + sheet.encode())
    utf8 = decoder is not None if text else None
    return Fingerprint(digest.hexdigest(), newlines, size, last == b"\n", utf8)


def _still_utf8(decoder: Any, chunk: bytes, final: bool = False) -> Any:
    """The decoder, while what it has been given is UTF-8; None from the first byte that is not."""
    if decoder is None:
        return None
    if chunk.isascii() and not decoder.getstate()[0]:  # nothing pending: ASCII is UTF-8 as it is
        return decoder
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return None
    return decoder


def read(source: Source, advance: Advance | None = None, fp: Fingerprint | None = None) -> RawData:
    """Reads a source; `fp`, when the caller has it already, saves a pass over a CSV file."""
    advance = advance or (lambda _n: None)
    check_size(source.path)
    try:
        if source.format == "csv":
            raw = read_csv(source, advance, fp or fingerprint(source.path))
        else:
            raw = {"xlsx": read_xlsx, "parquet": read_parquet}[source.format](source, advance)
        _join_chunks(raw)
    except ReadError:
        raise
    except Exception as exc:  # whatever else a hostile file finds: a message, not a traceback
        kind = {"csv": "CSV", "xlsx": "an Excel sheet", "parquet": "Parquet"}[source.format]
        raise ReadError(f"{source.label}: cannot be read as {kind} ({_why(exc)})") from exc
    return raw


def contiguous(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A column as one array: its only chunk as it is (`combine_chunks` copies even that)."""
    if isinstance(values, pa.ChunkedArray):
        return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    return values


def _join_chunks(raw: RawData) -> None:
    """Every column in one chunk, so that checking a column does not copy it again.

    Readers give a chunk per block or row group. Joined here once, a column at a time, and the
    chunks of each column let go as soon as it is joined: only one column is ever held twice.
    """
    table = raw.data
    if all(column.num_chunks == 1 for column in table.columns):
        return
    raw.data = table.schema.empty_table()  # `table` is now the only reference to the chunks
    schema, arrays = table.schema, []
    while table.num_columns:
        arrays.append(contiguous(table.column(0)))
        table = table.remove_column(0)
    raw.data = pa.Table.from_arrays(arrays, schema=schema)


# --- CSV ----------------------------------------------------------------------------------


class _Counting(io.RawIOBase):
    """A file that tells the progress bar how many bytes pyarrow has read."""

    def __init__(self, path: Path, advance: Advance) -> None:
        self._fh = path.open("rb")
        self._advance = advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = self._fh.readinto(buffer)
        self._advance(n or 0)
        return n or 0

    def close(self) -> None:
        self._fh.close()
        super().close()


#: How far down a report's title block may reach before its header row.
TITLE_ROWS = 30


def _filled(value: object) -> bool:
    return value is not None and bool(str(value).strip())


def title_rows(rows: Sequence[Sequence[object]]) -> int:
    """How many rows of a report's title block stand above its header (0 for most files).

    Reports saved from ESR BI and similar tools start with a title ("Staff in Post"), a run
    date and their parameters, then the header. The header is taken to be the first row with at
    least three cells filled, when the first row has at most one (a title); a file whose first
    row is its header, however narrow, is read as before.
    """

    def filled(row: Sequence[object]) -> int:
        return sum(map(_filled, row))

    if not rows or filled(rows[0]) > 1:
        return 0
    return next((i for i, row in enumerate(rows[:TITLE_ROWS]) if filled(row) >= 3), 0)


def _title_note(lines: int, title: Sequence[object], word: str = "line") -> str:
    shown = next((str(v).strip() for v in title if _filled(v)), "")
    named = f" ('{shown}')" if shown else ""
    return (
        f"the first {lines} {word}(s) are a report title{named}, not data: the header is "
        f"{word} {lines + 1}"
    )


def _decoded(lines: list[bytes], encoding: str) -> list[str]:
    """The lines as text, up to the first that is not in `encoding`: the encoding is decided
    by the lines up to the header, as before by the header alone."""
    out: list[str] = []
    for i, line in enumerate(lines):
        codec = "utf-8-sig" if encoding == "utf-8" and i == 0 else encoding
        try:
            out.append(line.decode(codec).rstrip("\r\n"))
        except UnicodeDecodeError:
            break
    return out


def _head_lines(path: Path) -> list[bytes]:
    """The file's first lines (up to TITLE_ROWS), each with its line ending, read from at most
    HEAD_BYTES: a file with no line breaks is not read whole to find its first line. Lines may
    end in CR LF, LF or a lone CR (Excel for Mac's "CSV (Macintosh)")."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
        more = bool(fh.read(1))
    for magic, what in MAGIC:
        if head.startswith(magic):
            raise ReadError(f"{path.name}: not a CSV file: it is {what}")
    if (nul := head.find(b"\0")) >= 0:
        line = len(head[: nul + 1].splitlines())
        raise ReadError(
            f"{path.name}: line {line} holds NUL bytes, so this is not a text file (a "
            "spreadsheet or database file named .csv?)"
        )
    lines = head.splitlines(keepends=True)[:TITLE_ROWS] or [b""]
    if more and len(lines) < TITLE_ROWS and not lines[-1].endswith((b"\n", b"\r")):
        if len(lines) == 1:
            raise ReadError(
                f"{path.name}: line 1 is longer than {HEAD_BYTES >> 20} MB without a line break, "
                "so it is not a CSV header (is this a CSV file?)"
            )
        lines.pop()  # cut short at HEAD_BYTES: not needed to find the header
    return lines


def _parsed(path: Path, lines: list[str]) -> list[list[str]]:
    """The first lines as CSV rows; a line Python's csv module cannot read is named."""
    reader = csv.reader(lines)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:  # a value over Python's 128 KB field limit, …
        raise _unreadable_line(path, reader.line_num, exc) from exc
    return rows


def _unreadable_line(path: Path, line: int, exc: csv.Error) -> ReadError:
    return ReadError(
        f"{path.name}: line {line} cannot be read as CSV ({_why(exc)}); a value may hold at "
        f"most {limits.CELL.value():,} characters ({limits.CELL.env})"
    )


@dataclass(frozen=True)
class _Header:
    names: list[str]
    encoding: str
    skip: int  # title lines above the header
    title: list[str]  # the first of them, for the note


def _header(path: Path) -> _Header:
    """The header's names, the file's encoding and the title lines standing above it."""
    check_size(path)
    head = _head_lines(path)
    if not head[0].strip():
        raise ReadError(
            f"{path.name}: the file is empty or its first line is blank (a header is needed)"
        )
    for encoding in ENCODINGS:
        lines = _decoded(head, encoding)
        rows = _parsed(path, lines)
        if not rows:
            continue
        skip = title_rows(rows)
        if skip == 0 and len(lines) < len(head) and sum(map(_filled, rows[0])) <= 1:
            continue  # a title whose header does not decode in this encoding
        return _Header(rows[skip], encoding, skip, rows[0] if skip else [])
    raise ReadError(f"{path.name}: the header is neither UTF-8 nor Windows-1252 text")


def read_csv(source: Source, advance: Advance, fp: Fingerprint) -> RawData:
    path = source.path
    header = _header(path)
    names, encoding, skip = header.names, header.encoding, header.skip
    _check_names(source, names)
    if encoding == "utf-8" and fp.utf8 is False:
        encoding = "cp1252"  # UTF-8 down to the header, not below it
    try:
        raw = _read_csv_as(source, names, encoding, advance, fp, skip)
    except pa.ArrowInvalid as exc:
        if encoding == "utf-8" and "UTF8" in str(exc).upper().replace("-", ""):
            try:
                raw = _read_csv_as(source, names, "cp1252", advance, fp, skip)
            except (UnicodeError, pa.ArrowInvalid) as again:
                raise ReadError(
                    f"{path.name}: below the header the file is neither UTF-8 nor "
                    "Windows-1252 text (binary data in a CSV file?)"
                ) from again
        else:
            raise ReadError(f"{path.name}: cannot be read as CSV ({_why(exc)})") from exc
    except UnicodeError as exc:  # read as Windows-1252, with bytes that code page lacks
        raise ReadError(
            f"{path.name}: below the header the file is neither UTF-8 nor Windows-1252 text "
            "(binary data in a CSV file?)"
        ) from exc
    _check_values(raw)
    if skip:
        raw.warnings.append(_title_note(skip, header.title))
    return raw


def _check_values(raw: RawData) -> None:
    """Refuses a value longer than the cell limit, and a column with values but no header
    (its values would otherwise be dropped, or kept under a made-up name)."""
    limit = limits.CELL.value()
    for name in raw.data.column_names:
        column = contiguous(raw.data.column(name))
        headerless = not raw.headers.get(name, name)
        if headerless:
            filled = pc.is_valid(column)
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                filled = pc.fill_null(
                    pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0), False
                )
            if pc.any(filled).as_py():
                row = int(pc.index(filled, True).as_py())
                pos = raw.positions[name]
                letter = _column_letter(pos)
                where = letter if raw.source.format == "xlsx" else f"{pos} ({letter})"
                raise ReadError(
                    f"{raw.source.label}: column {where} has no "
                    f"header but has values ({raw.line_word} {raw.lines[row]}: "
                    f"'{quoted(column[row].as_py())}'); give it a header or delete the column"
                )
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limit:
            row = int(pc.index(lengths, longest).as_py())
            raise ReadError(
                f"{raw.source.label}: {raw.line_word} {raw.lines[row]}, {raw.where(name)}: "
                f"a value of {longest:,} characters is longer than equitrack reads; "
                f"{limits.CELL.says()}"
            )


def quoted(value: object, most: int = 60) -> str:
    """A value as a one-line message quotes it: line breaks as spaces, cut short when long."""
    text = "" if value is None else str(value).replace("\r\n", " ").replace("\n", " ")
    text = text.replace("\r", " ")
    return text if len(text) <= most else text[: most - 1] + "…"


def _read_csv_as(
    source: Source,
    names: list[str],
    encoding: str,
    advance: Advance,
    fp: Fingerprint,
    skip: int = 0,
) -> RawData:
    path = source.path
    unreadable: list[Unreadable] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        reason = (
            f"has {row.actual_columns} values where the header has {row.expected_columns} columns"
        )
        unreadable.append(Unreadable(row.number or 0, reason, row.text))
        return "skip"

    read_options = pacsv.ReadOptions(
        column_names=[f"c{i}" for i in range(len(names))],
        skip_rows=skip + 1,
        encoding="utf8" if encoding == "utf-8" else encoding,
        block_size=BLOCK_SIZE,
    )
    parse_options = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid)
    convert_options = pacsv.ConvertOptions(
        column_types={f"c{i}": pa.string() for i in range(len(names))},
        null_values=[],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    raw = _Counting(path, advance)
    try:
        reader = pacsv.open_csv(raw, read_options, parse_options, convert_options)
        batches = list(reader)
    finally:
        raw.close()
    table = pa.Table.from_batches(batches, schema=reader.schema) if batches else None
    if table is None:
        table = pa.table({f"c{i}": pa.array([], pa.string()) for i in range(len(names))})
    normalised = [normalise_name(n) or f"column_{i + 1}" for i, n in enumerate(names)]
    table = table.rename_columns(normalised)
    lines = _csv_lines(path, fp, encoding, table.num_rows, unreadable, len(names), skip)
    table, lines = _drop_blank_rows(table, lines)
    return RawData(
        source,
        table,
        {n: i + 1 for i, n in enumerate(normalised)},
        lines,
        "UTF-8" if encoding == "utf-8" else "Windows-1252",
        unreadable,
        headers=_as_written(normalised, names),
    )


def _csv_lines(
    path: Path,
    fp: Fingerprint,
    encoding: str,
    rows: int,
    unreadable: list[Unreadable],
    width: int,
    skip: int = 0,
) -> np.ndarray:
    """The line each record starts on; fills in the lines of unreadable records too.

    When every record is one line (the usual case) this is arithmetic. When values hold line
    breaks, there are blank lines, or some lines could not be read, the file is read once more
    with Python's csv module, which knows where each record starts.
    """
    physical = fp.newlines + (0 if fp.ends_with_newline or fp.size == 0 else 1)
    if not unreadable and physical == skip + 1 + rows:
        return np.arange(skip + 2, physical + 1, dtype=np.int64)
    good: list[int] = []
    bad: list[int] = []
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as fh:
        reader = csv.reader(fh)
        while reader.line_num < skip + 1 and next(reader, None) is not None:
            pass  # the title lines and the header
        line = reader.line_num + 1
        try:
            for record in reader:
                if record:
                    (good if len(record) == width else bad).append(line)
                line = reader.line_num + 1
        except csv.Error as exc:  # a value over Python's 128 KB field limit, …
            raise _unreadable_line(path, line, exc) from exc
    for i, u in enumerate(unreadable):
        if i < len(bad):
            unreadable[i] = Unreadable(bad[i], u.reason, u.text)
    return np.array(good[:rows], dtype=np.int64)


def _drop_blank_rows(table: pa.Table, lines: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """Rows of nothing but commas, as Excel leaves below the data, are not records."""
    if table.num_columns == 0 or table.num_rows == 0:
        return table, lines
    blank = None
    for column in table.columns:
        empty = pc.equal(pc.utf8_trim_whitespace(column), "")
        blank = empty if blank is None else pc.and_(blank, empty)
    if not pc.any(blank).as_py():
        return table, lines
    keep = pc.invert(blank)
    return table.filter(keep), lines[keep.to_numpy(zero_copy_only=False)]


def _check_names(source: Source, names: Sequence[object]) -> None:
    if len(names) > limits.COLUMNS.value():
        raise ReadError(
            f"{source.label}: the header has {len(names):,} columns, more than equitrack reads; "
            f"{limits.COLUMNS.says()}"
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        norm = normalise_name(name)
        if not norm:
            continue
        if norm in seen:
            raise ReadError(
                f"{source.label}: the column {name!r} appears twice in the header "
                f"(columns {seen[norm]} and {i})"
            )
        seen[norm] = i


# --- XLSX ---------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@contextmanager
def _sheet(source: Source) -> Iterator[Any]:
    """The source's worksheet (its named sheet, else the first), closed after use."""
    from openpyxl import load_workbook

    check_workbook(source.path)
    try:
        wb = load_workbook(source.path, read_only=True, data_only=True)
        ws = wb[source.sheet] if source.sheet else wb.worksheets[0]
    except Exception as exc:
        raise ReadError(f"{source.path.name}: not a readable Excel workbook ({_why(exc)})") from exc
    try:
        # rows as long as their cells, not padded to a width the sheet claims (up to 16,384)
        ws.reset_dimensions()
        yield ws
    except ReadError:
        raise
    except Exception as exc:  # the sheet's XML is broken part way down
        raise ReadError(f"{source.label}: not a readable Excel sheet ({_why(exc)})") from exc
    finally:
        wb.close()


@dataclass(frozen=True)
class _SheetTop:
    """A sheet's first rows, from the first with anything in it: its title block, if any, its
    header, and the rows read below the header while looking for it."""

    rows: list[tuple[object, ...]]
    first: int  # the sheet's row number of rows[0]
    skip: int  # title rows above the header

    @property
    def header(self) -> tuple[object, ...]:
        return self.rows[self.skip]

    @property
    def header_row(self) -> int:
        return self.first + self.skip


def _sheet_top(rows: Iterator[tuple[object, ...]], label: str) -> _SheetTop | None:
    """Reads up to TITLE_ROWS rows from `rows` (the rest are left to the caller)."""
    top: list[tuple[object, ...]] = []
    first = 0
    for number, values in enumerate(rows, start=1):
        _check_row_number(label, number)
        if not top and not any(map(_filled, values)):
            continue
        first = first or number
        top.append(values)
        if len(top) == TITLE_ROWS:
            break
    return _SheetTop(top, first, title_rows(top)) if top else None


def _check_row_number(label: str, number: int) -> None:
    if number > EXCEL_ROWS:
        raise ReadError(
            f"{label}: the sheet has a row numbered beyond Excel's last ({EXCEL_ROWS:,}), so it was not "
            "written by Excel and is not read"
        )


def read_xlsx(source: Source, advance: Advance) -> RawData:
    with _sheet(source) as ws:
        rows = ws.iter_rows(values_only=True)
        top = _sheet_top(rows, source.label)
        if top is None:
            raise ReadError(f"{source.label}: the sheet is empty (a header row is needed)")
        header, header_row = top.header, top.header_row
        waiting = top.rows[top.skip + 1 :]  # rows already read below the header
        keep = [i for i, v in enumerate(header) if _filled(v)]
        _check_names(source, [header[i] for i in keep])
        columns: list[list[str]] = [[] for _ in keep]
        lines: list[int] = []
        width, limit = len(header), limits.CELL.value()
        unnamed = sorted(set(range(width)) - set(keep))
        for number, values in enumerate(chain(waiting, rows), start=header_row + 1):
            _check_row_number(source.label, number)
            if not any(map(_filled, values)):
                continue
            for j in chain(unnamed, range(width, len(values))):
                if j < len(values) and _filled(values[j]):
                    raise ReadError(
                        f"{source.label}: column {_column_letter(j + 1)} has no header but has "
                        f"values (row {number}: '{quoted(values[j])}'); give it a header or "
                        "delete the column"
                    )
            for out, i in zip(columns, keep, strict=True):
                text = _cell_text(values[i]) if i < len(values) else ""
                if len(text) > limit:
                    raise ReadError(
                        f"{source.label}: row {number}, column {_column_letter(i + 1)} "
                        f"({quoted(header[i])}): a value of {len(text):,} characters is longer "
                        f"than equitrack reads; {limits.CELL.says()}"
                    )
                out.append(text)
            lines.append(number)
            if len(lines) % 10_000 == 0:
                advance(10_000)
        advance(len(lines) % 10_000)
    names = [normalise_name(header[i]) for i in keep]
    table = pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)})
    return RawData(
        source,
        table,
        {n: i + 1 for n, i in zip(names, keep, strict=True)},
        np.array(lines, np.int64),
        headers=_as_written(names, [header[i] for i in keep]),
        warnings=[_title_note(header_row - 1, top.rows[0], "row")] if top.skip else [],
    )


# --- Parquet ------------------------------------------------------------------------------


def _parquet(source: Source) -> pq.ParquetFile:
    """A Parquet file opened at its footer, and refused there, before any column is
    decompressed, when it is too large unpacked, too wide or holds what is not a value."""
    check_size(source.path)
    try:
        pf = pq.ParquetFile(source.path)
        meta, schema = pf.metadata, pf.schema_arrow
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as exc:
        raise ReadError(f"{source.label}: not a readable Parquet file ({_why(exc)})") from exc
    if unpacked > limits.UNPACKED.value() * limits.MB:
        raise ReadError(
            f"{source.label}: the file's columns unpack to {unpacked / limits.MB:,.1f} MB; "
            f"{limits.UNPACKED.says()}"
        )
    _check_names(source, schema.names)
    for i, f in enumerate(schema, start=1):
        if not _plain(f.type):
            raise ReadError(
                f"{source.label}: column {i} ({quoted(f.name)}) holds {quoted(f.type)} values; "
                "equitrack reads columns of text, numbers, dates and true/false"
            )
    return pf


def _plain(t: pa.DataType) -> bool:
    """A type whose values are single values equitrack can read as text, number or date."""
    if pa.types.is_dictionary(t):
        return _plain(t.value_type)
    if t == pa.float16():
        return False
    checks = (
        pa.types.is_string, pa.types.is_large_string, pa.types.is_binary,
        pa.types.is_large_binary, pa.types.is_integer, pa.types.is_floating,
        pa.types.is_boolean, pa.types.is_date, pa.types.is_timestamp, pa.types.is_decimal,
        pa.types.is_null,
    )  # fmt: skip
    return any(check(t) for check in checks)


def _as_values(source: Source, table: pa.Table) -> pa.Table:
    """Dictionary columns (pandas categoricals) decoded, and bytes read as UTF-8 text."""
    for i, f in enumerate(table.schema):
        t = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
        if t == f.type and not (pa.types.is_binary(t) or pa.types.is_large_binary(t)):
            continue
        target = pa.string() if pa.types.is_binary(t) or pa.types.is_large_binary(t) else t
        try:
            table = table.set_column(i, f.name, table.column(i).cast(target))
        except pa.ArrowInvalid as exc:
            raise ReadError(
                f"{source.label}: column {i + 1} ({quoted(f.name)}) holds bytes that are not "
                "UTF-8 text"
            ) from exc
    return table


def read_parquet(source: Source, advance: Advance) -> RawData:
    pf = _parquet(source)
    try:
        batches = []
        for batch in pf.iter_batches(batch_size=1 << 20):
            batches.append(batch)
            advance(batch.num_rows)
        table = pa.Table.from_batches(batches, schema=pf.schema_arrow)
    except Exception as exc:
        raise ReadError(f"{source.label}: not a readable Parquet file ({_why(exc)})") from exc
    table = _as_values(source, table)
    written = list(table.column_names)
    names = [normalise_name(n) or f"column_{i + 1}" for i, n in enumerate(written)]
    table = table.rename_columns(names)
    raw = RawData(
        source,
        table,
        {n: i + 1 for i, n in enumerate(names)},
        np.arange(1, table.num_rows + 1, dtype=np.int64),
        headers=_as_written(names, written),
    )
    _check_values(raw)
    return raw


def _as_written(names: Sequence[str], written: Sequence[object]) -> dict[str, str]:
    return {n: str(w).replace("\ufeff", "").strip() for n, w in zip(names, written, strict=True)}


def header_of(source: Source) -> list[str]:
    """The column names of a source as written, without reading its rows."""
    if source.format == "csv":
        return [n.strip() for n in _header(source.path).names if n.strip()]
    if source.format == "parquet":
        return list(_parquet(source).schema_arrow.names)
    with _sheet(source) as ws:
        top = _sheet_top(ws.iter_rows(values_only=True), source.label)
        return [str(v).strip() for v in top.header if _filled(v)] if top else []


def title_of(source: Source) -> list[list[str]]:
    """The rows of a report's title block above its header, as text (none for most files):
    where an ESR report says the date it is "as at"."""
    if source.format == "csv":
        header = _header(source.path)
        if not header.skip:
            return []
        lines = _decoded(_head_lines(source.path), header.encoding)
        return _parsed(source.path, lines)[: header.skip]
    if source.format == "xlsx":
        with _sheet(source) as ws:
            top = _sheet_top(ws.iter_rows(values_only=True), source.label)
            return [[_cell_text(v) for v in row] for row in top.rows[: top.skip]] if top else []
    return []


def progress_total(source: Source) -> int:
    """What the progress bar counts for a source: bytes for CSV, rows otherwise."""
    if source.format == "csv":
        return source.path.stat().st_size
    if source.format == "parquet":
        try:
            return pq.ParquetFile(source.path).metadata.num_rows
        except Exception:
            return 0
    return 0
