"""Each reading limit refuses just past itself, reads at itself, and follows its environment
variable; a limit set to nonsense is a one-line error, not a traceback."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equitrack.cli import app
from equitrack.ingest import limits
from equitrack.ingest.readers import ReadError, Source, read
from tests.ingest_hostile.corpus import _rewrite, _workbook


def people_csv(folder: Path, columns: int = 3, value: str = "A", rows: int = 2) -> Path:
    header = ",".join(
        ["person_id", "ethnic_code", "sex"][:columns] + [f"c{i}" for i in range(columns - 3)]
    )
    body = [",".join([str(i), value, "F"][:columns] + ["x"] * (columns - 3)) for i in range(rows)]
    path = folder / "people.csv"
    path.write_text("\n".join([header, *body, ""]))
    return path


def csv_source(path: Path) -> Source:
    return Source(path, "csv", "people")


def test_columns_limit_counts_the_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = people_csv(tmp_path, columns=12)
    monkeypatch.setenv(limits.COLUMNS.env, "11")
    with pytest.raises(
        ReadError,
        match=r"people.csv: the header has 12 columns.*limit is 11 columns \(EQUITRACK_MAX_COLUMNS\)",
    ):
        read(csv_source(path))
    monkeypatch.setenv(limits.COLUMNS.env, "12")
    assert read(csv_source(path)).data.num_columns == 12


def test_cell_limit_names_line_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = people_csv(tmp_path, value="abcdefghij", rows=3)
    monkeypatch.setenv(limits.CELL.env, "9")
    with pytest.raises(
        ReadError,
        match=r"people.csv: line 2, column 2 \(ethnic_code\): a value of 10 characters.*limit is 9",
    ):
        read(csv_source(path))
    monkeypatch.setenv(limits.CELL.env, "10")
    assert read(csv_source(path)).data.column("ethnic_code")[0].as_py() == "abcdefghij"


def test_cell_limit_in_a_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(_workbook([["person_id", "ethnic_code"], ["1", "A"], ["2", "abcdef"]]))
    monkeypatch.setenv(limits.CELL.env, "5")
    with pytest.raises(ReadError, match=r"row 3, column B \(ethnic_code\): a value of 6 char"):
        read(Source(path, "xlsx", "people", "people"))
    monkeypatch.setenv(limits.CELL.env, "6")
    assert read(Source(path, "xlsx", "people", "people")).data.num_rows == 2


def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = people_csv(tmp_path, rows=150_000)  # a little over 1 MB
    assert 1 << 20 < path.stat().st_size < 2 << 20
    monkeypatch.setenv(limits.FILE_SIZE.env, "1")
    with pytest.raises(
        ReadError,
        match=r"people.csv: the file is 1\.\d MB.*limit is 1 MB \(EQUITRACK_MAX_FILE_MB\)",
    ):
        read(csv_source(path))
    monkeypatch.setenv(limits.FILE_SIZE.env, "2")
    assert read(csv_source(path)).data.num_rows == 150_000


def compressible_workbook(path: Path, megabytes: float) -> Path:
    """A workbook whose shared strings are `megabytes` of one repeated letter: it zips to a few
    KB, hundreds of times smaller than it unzips."""
    book = _workbook([["person_id", "ethnic_code"], ["1", "A"]])
    one = b"<si><t>" + b"W" * 1000 + b"</t></si>"
    strings = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main">' + one * int(megabytes * 1024) + b"</sst>"
    )
    path.write_bytes(_rewrite(book, {"xl/sharedStrings.xml": strings}))
    return path


def test_expansion_ratio_is_checked_from_the_zip_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = compressible_workbook(tmp_path / "people.xlsx", 1.5)
    with zipfile.ZipFile(path) as zf:
        part = zf.getinfo("xl/sharedStrings.xml")
    ratio = part.file_size // part.compress_size
    assert ratio > 100
    source = Source(path, "xlsx", "people", "people")
    with pytest.raises(
        ReadError,
        match=rf"sharedStrings.xml unzips to 1\.\d MB .* {ratio:,} times larger.*limit is 100 times",
    ):
        read(source)
    monkeypatch.setenv(limits.XLSX_RATIO.env, str(ratio + 1))
    assert read(source).data.num_rows == 1


def test_a_small_part_may_compress_well(tmp_path: Path) -> None:
    """Under 1 MB unzipped a part cannot do harm, however well it compresses."""
    path = compressible_workbook(tmp_path / "people.xlsx", 0.9)
    assert read(Source(path, "xlsx", "people", "people")).data.num_rows == 1


def test_unpacked_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = compressible_workbook(tmp_path / "people.xlsx", 1.5)
    monkeypatch.setenv(limits.XLSX_RATIO.env, "100000")
    monkeypatch.setenv(limits.UNPACKED.env, "1")
    with pytest.raises(
        ReadError, match=r"people.xlsx: the workbook unzips to 1\.\d MB.*limit is 1 MB"
    ):
        read(Source(path, "xlsx", "people", "people"))


def test_a_dtd_anywhere_in_the_prolog_is_refused_before_parsing(tmp_path: Path) -> None:
    book = _workbook([["person_id", "ethnic_code"], ["1", "A"]])
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        workbook_xml = zf.read("xl/workbook.xml")
    assert b"<!DOCTYPE" not in workbook_xml
    doctype = b'<!DOCTYPE workbook SYSTEM "http://example.invalid/x.dtd">' + workbook_xml
    path = tmp_path / "people.xlsx"
    path.write_bytes(_rewrite(book, {"xl/workbook.xml": doctype}))
    with pytest.raises(ReadError, match=r"people.xlsx: its part xl/workbook.xml declares a DTD"):
        read(Source(path, "xlsx", "people", "people"))


@pytest.mark.parametrize("value", ["abc", "-3", "0", "1.5"])
def test_a_nonsense_limit_is_a_one_line_error(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = people_csv(tmp_path)
    monkeypatch.setenv(limits.COLUMNS.env, value)
    result = CliRunner().invoke(app, ["import", str(path), "--db", str(tmp_path / "db")])
    assert result.exit_code == 2
    assert (
        f"EQUITRACK_MAX_COLUMNS must be a positive whole number of columns, not '{value}'"
        in result.output
    )
    assert "Traceback" not in result.output


def test_every_limit_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "profiles.md").read_text(encoding="utf-8")
    for limit in limits.ALL:
        assert f"`{limit.env}`" in doc and f"{limit.default:,}" in doc, limit.env
