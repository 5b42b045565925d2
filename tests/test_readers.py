import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from equitrack.ingest import readers
from equitrack.ingest.readers import ReadError, Source, discover, read, table_for


def src(path: Path, table: str = "people", fmt: str = "csv") -> Source:
    return Source(path, fmt, table)


def test_utf8_with_bom_windows_1252_and_plain_utf8(tmp_path: Path) -> None:
    text = "person_id,ethnic_code,religion\n1,A,Café\n"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "win.csv").write_bytes(text.encode("cp1252"))
    (tmp_path / "utf.csv").write_bytes(text.encode())
    for name, encoding in (("bom", "UTF-8"), ("win", "Windows-1252"), ("utf", "UTF-8")):
        raw = read(src(tmp_path / f"{name}.csv"))
        assert raw.data.column_names == ["person_id", "ethnic_code", "religion"]
        assert raw.data.column("religion").to_pylist() == ["Café"]
        assert raw.encoding == encoding


def test_windows_1252_detected_deep_in_a_file(tmp_path: Path) -> None:
    rows = "".join(f"{i},A,none\n" for i in range(50_000))
    (tmp_path / "people.csv").write_bytes(
        ("person_id,ethnic_code,religion\n" + rows).encode() + "9,A,Zoë\n".encode("cp1252")
    )
    raw = read(src(tmp_path / "people.csv"))
    assert raw.encoding == "Windows-1252" and raw.data.column("religion")[-1].as_py() == "Zoë"


def test_lines_follow_the_file_with_multi_line_values_and_ragged_rows(tmp_path: Path) -> None:
    content = 'person_id,ethnic_code,religion\n1,A,"two\nlines"\n2,B,x\n3,C\n\n4,D,y\n,,\n'
    (tmp_path / "people.csv").write_text(content)
    raw = read(src(tmp_path / "people.csv"))
    assert raw.data.column("person_id").to_pylist() == ["1", "2", "4"]
    assert raw.lines.tolist() == [2, 4, 7]
    assert [(u.line, u.text) for u in raw.unreadable_rows] == [(5, "3,C")]


def test_simple_files_get_line_numbers_by_arithmetic(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("person_id,ethnic_code\n1,A\n2,B\n3,C")
    assert read(src(tmp_path / "people.csv")).lines.tolist() == [2, 3, 4]


def test_duplicate_header_is_an_error_naming_the_columns(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("person_id,Ethnic_Code,ethnic_code \n1,A,B\n")
    with pytest.raises(ReadError, match=r"people.csv.*appears twice.*columns 2 and 3"):
        read(src(tmp_path / "people.csv"))


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("")
    with pytest.raises(ReadError, match="empty"):
        read(src(tmp_path / "people.csv"))


def test_xlsx_date_cells_numbers_and_row_numbers(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "people"
    ws.append(["Person_ID", "ethnic_code", "nhs_start_date", "birth_year"])
    ws.append([12345, "A", dt.datetime(2019, 4, 1), 1980])
    ws.append([None, None, None, None])
    ws.append(["00123", "N", dt.date(2020, 1, 2), 1990.0])
    wb.save(tmp_path / "people.xlsx")
    sources, _ = discover([tmp_path / "people.xlsx"])
    raw = read(sources[0])
    assert raw.data.to_pydict() == {
        "person_id": ["12345", "00123"],
        "ethnic_code": ["A", "N"],
        "nhs_start_date": ["2019-04-01", "2020-01-02"],
        "birth_year": ["1980", "1990"],
    }
    assert raw.lines.tolist() == [2, 4]
    assert raw.where("nhs_start_date") == "column C (nhs_start_date)"


def test_workbook_with_a_sheet_per_table(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "organisations"
    wb.active.append(["org_code", "name", "org_type"])
    wb.create_sheet("People").append(["person_id", "ethnic_code"])
    wb.create_sheet("Notes").append(["anything"])
    wb.save(tmp_path / "export.xlsx")
    sources, _ = discover([tmp_path / "export.xlsx"])
    assert [(s.table, s.sheet) for s in sources] == [
        ("organisations", "organisations"),
        ("people", "People"),
    ]


def test_parquet_keeps_its_types(tmp_path: Path) -> None:
    pq.write_table(
        pa.table({"person_id": [1, 2], "nhs_start_date": [dt.date(2020, 1, 1), None]}),
        tmp_path / "people.parquet",
    )
    raw = read(Source(tmp_path / "people.parquet", "parquet", "people"))
    assert raw.data.column("nhs_start_date").type == pa.date32()
    assert raw.lines.tolist() == [1, 2]


def test_table_names_from_file_names() -> None:
    assert table_for("People") == "people"
    assert table_for("assignments_2024-03") == "assignments"
    assert table_for("peoples") is None
    assert table_for("staff") is None


def test_discover_skips_other_files_in_a_folder_but_not_when_named(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("person_id,ethnic_code\n")
    (tmp_path / "readme.csv").write_text("x\n")
    (tmp_path / "notes.md").write_text("x\n")
    sources, notes = discover([tmp_path])
    assert [s.table for s in sources] == ["people"] and "readme.csv" in notes[0]
    with pytest.raises(ReadError, match="cannot tell which table"):
        discover([tmp_path / "readme.csv"])
    with pytest.raises(ReadError, match="no such file"):
        discover([tmp_path / "missing.csv"])
    assert discover([tmp_path / "readme.csv"], table="people")[0][0].table == "people"


def test_a_ragged_windows_1252_line_is_reported_not_fatal(tmp_path: Path, capfd) -> None:
    """The line pyarrow cannot split is passed on as text: read as UTF-8 it would not decode."""
    content = "person_id,ethnic_code,religion\n1,A,none\n2,B\n3,C,Zoë,x\n".encode("cp1252")
    (tmp_path / "people.csv").write_bytes(content)
    raw = read(src(tmp_path / "people.csv"))
    assert raw.encoding == "Windows-1252"
    assert [(u.line, u.text) for u in raw.unreadable_rows] == [(3, "2,B"), (4, "3,C,Zoë,x")]
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("content", "utf8"),
    [
        ("a,b\n1,é\n".encode(), True),
        (b"a,b\n1,\xc3", False),  # a character cut off at the end of the file
        (b"a,b\n1,\xc3" + b"x" * 20, False),  # a lead byte followed by plain ASCII
        (b"a,b\n1,\xc3" + b"x" * 7 + b"\xa9", False),  # ... and by what would finish it
        (b"a,b\n1,\xe9 caf" + b"x" * 20, False),  # Windows-1252
        ("é".encode() * 20 + b"x" * 20, True),
    ],
)
@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 20])
def test_a_csv_is_utf8_exactly_when_every_block_decodes_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, utf8: bool, block: int
) -> None:
    """Blocks of plain ASCII are passed over, unless a character begun before is unfinished."""
    monkeypatch.setattr(readers, "BLOCK_SIZE", block)
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    assert readers.fingerprint(path).utf8 is utf8
