"""Hostile and broken files, made when a test needs them (nothing large is committed).

Each maker writes one file into a folder and returns its path; `KINDS` names every maker with
a pattern the one-line reason for refusing it must match. The files are what attackers and
accidents produce: wrong line endings, binary data, giant values, zip bombs, XML entity bombs,
Parquet types that are not values, implausible dates and numbers, and empty files.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

PEOPLE_HEADER = "person_id,ethnic_code,sex"
LEAVE_HEADER = "request_id,person_id,org_code,leave_type,requested_date,start_date,days,decision"


def _junk(n: int, seed: int = 15) -> bytes:
    """Bytes no text encoding reads: any but NUL and line breaks, repeatably."""
    rnd = random.Random(seed)
    return bytes(rnd.choice([b for b in range(256) if b not in (0, 10, 13)]) for _ in range(n))


def _text(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def _workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "people"
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(book: bytes, replace: dict[str, bytes]) -> bytes:
    """A workbook with some of its parts replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = replace.pop(item.filename, None)
            dst.writestr(item, data if data is not None else src.read(item.filename))
        for name, data in replace.items():
            dst.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _sheet_xml(rows: str, prolog: str = "", dimension: str = "A1:C2") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"{prolog}"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _cells(row: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{row}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{row}">{cells}</row>'


HEADER_ROW = _cells(1, ["person_id", "ethnic_code", "sex"])
BOMB = (
    '<!DOCTYPE lolz [<!ENTITY lol "lololololololololol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def _parquet(folder: Path, name: str, table: pa.Table) -> Path:
    path = folder / name
    pq.write_table(table, path)
    return path


# --- CSV ------------------------------------------------------------------------------------


def lone_cr(folder: Path) -> Path:
    """Excel for Mac's "CSV (Macintosh)": lines end in a lone CR; line 3 has a bad sex."""
    return _text(folder, "people.csv", f"{PEOPLE_HEADER}\r1,A,F\r2,B,female\r".encode())


def huge_field_near_top(folder: Path) -> Path:
    return _text(folder, "people.csv", f"{PEOPLE_HEADER}\n1,{'A' * 200_000},F\n2,B,M\n".encode())


def huge_field_far_down(folder: Path) -> Path:
    rows = "".join(f"{i},A,F\n" for i in range(40))
    return _text(folder, "people.csv", f"{PEOPLE_HEADER}\n{rows}99,{'x' * 40_000},F\n".encode())


def no_newline(folder: Path) -> Path:
    return _text(folder, "people.csv", b"person_id" + b",A" * 1_500_000)


def binary_after_header(folder: Path) -> Path:
    return _text(folder, "people.csv", f"{PEOPLE_HEADER}\n1,A,F\n".encode() + _junk(4000))


def binary_file(folder: Path) -> Path:
    return _text(folder, "people.csv", _junk(5000, seed=2))


def nul_bytes(folder: Path) -> Path:
    return _text(folder, "people.csv", f"{PEOPLE_HEADER}\n1,A\0,F\n".encode())


def utf16(folder: Path) -> Path:
    return _text(folder, "people.csv", f"{PEOPLE_HEADER}\n1,A,F\n".encode("utf-16"))


def workbook_named_csv(folder: Path) -> Path:
    return _text(folder, "people.csv", _workbook([["person_id", "ethnic_code"], ["1", "A"]]))


def empty_csv(folder: Path) -> Path:
    return _text(folder, "people.csv", b"")


def header_only_csv(folder: Path) -> Path:
    return _text(folder, "people.csv", f"{PEOPLE_HEADER}\n".encode())


def blank_rows_only(folder: Path) -> Path:
    return _text(folder, "people.csv", f"{PEOPLE_HEADER}\n,,\n,,\n".encode())


def twenty_thousand_columns(folder: Path) -> Path:
    header = PEOPLE_HEADER + "".join(f",c{i}" for i in range(20_000))
    row = "1,A,F" + ",x" * 20_000
    return _text(folder, "people.csv", "\n".join([header, *[row] * 5, ""]).encode())


def unterminated_quote(folder: Path) -> Path:
    return _text(folder, "people.csv", f'{PEOPLE_HEADER}\n1,"A,F\n2,B,M\n'.encode())


def headerless_column(folder: Path) -> Path:
    return _text(folder, "people.csv", b"person_id,,sex\n1,A,F\n2,B,M\n")


def duplicate_header(folder: Path) -> Path:
    return _text(folder, "people.csv", b"person_id,sex,SEX\n1,F,F\n")


def huge_integer(folder: Path) -> Path:
    rows = "1,A,F,99999999999999999999999\n2,B,M,1980\n"
    return _text(folder, "people.csv", f"{PEOPLE_HEADER},birth_year\n{rows}".encode())


def title_only(folder: Path) -> Path:
    return _text(folder, "people.csv", b"Staff in Post\n\n\nRun date 01/04/2024\n")


def implausible_leave(folder: Path) -> Path:
    """The values the issue found loading: leave dated 0001-01-01 and 9999-12-31, 1e26 days."""
    rows = [
        "L1,10000001,RWE,annual,0001-01-01,2024-01-02,5,approved",
        "L2,10000001,RWE,annual,2024-01-01,9999-12-31,5,approved",
        "L3,10000001,RWE,annual,2024-01-01,2024-01-02,1e26,approved",
    ]
    return _text(folder, "leave.csv", "\n".join([LEAVE_HEADER, *rows, ""]).encode())


def infinite_days(folder: Path) -> Path:
    row = "L1,10000001,RWE,annual,2024-01-01,2024-01-02,1e400,approved"
    return _text(folder, "leave.csv", f"{LEAVE_HEADER}\n{row}\n".encode())


# --- XLSX -----------------------------------------------------------------------------------


def not_a_zip(folder: Path) -> Path:
    return _text(folder, "people.xlsx", _junk(3000, seed=3))


def zip_not_workbook(folder: Path) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return _text(folder, "people.xlsx", out.getvalue())


def truncated_workbook(folder: Path) -> Path:
    book = _workbook([["person_id", "ethnic_code", "sex"], ["1", "A", "F"]])
    return _text(folder, "people.xlsx", book[: len(book) // 2])


def old_xls(folder: Path) -> Path:
    return _text(folder, "people.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _junk(2000))


def entity_bomb(folder: Path) -> Path:
    """Billion laughs in the sheet's XML."""
    book = _workbook([["person_id", "ethnic_code", "sex"], ["1", "A", "F"]])
    sheet = _sheet_xml(HEADER_ROW + _cells(2, ["&lol9;", "A", "F"]), prolog=BOMB)
    return _text(folder, "people.xlsx", _rewrite(book, {"xl/worksheets/sheet1.xml": sheet}))


def external_entity(folder: Path) -> Path:
    """XXE: a shared-strings part that would pull in a file from the server's disk."""
    book = _workbook([["person_id", "ethnic_code", "sex"], ["1", "A", "F"]])
    strings = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    )
    return _text(folder, "people.xlsx", _rewrite(book, {"xl/sharedStrings.xml": strings}))


def shared_strings_bomb(folder: Path) -> Path:
    """A small workbook whose shared strings unzip to 64 MB (the issue's unzipped to 0.9 GB)."""
    book = _workbook([["person_id", "ethnic_code", "sex"], ["1", "A", "F"]])
    one = b"<si><t>" + b"W" * 1000 + b"</t></si>"
    strings = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main">' + one * 64_000 + b"</sst>"
    )
    return _text(folder, "people.xlsx", _rewrite(book, {"xl/sharedStrings.xml": strings}))


def row_beyond_excel(folder: Path) -> Path:
    book = _workbook([["person_id", "ethnic_code", "sex"], ["1", "A", "F"]])
    rows = HEADER_ROW + _cells(2, ["1", "A", "F"]).replace('r="2"', 'r="9999999999"')
    rows = rows.replace("A2", "A9999999999").replace("B2", "B9999999999")
    rows = rows.replace("C2", "C9999999999")
    sheet = _sheet_xml(rows, dimension="A1:XFD1048576")
    return _text(folder, "people.xlsx", _rewrite(book, {"xl/worksheets/sheet1.xml": sheet}))


def huge_cell_xlsx(folder: Path) -> Path:
    """A 40,000-character cell: more than Excel holds (openpyxl cuts what it writes at 32,767)."""
    book = _workbook([["person_id", "ethnic_code", "sex"], ["1", "A", "F"]])
    sheet = _sheet_xml(HEADER_ROW + _cells(2, ["1", "A" * 40_000, "F"]))
    return _text(folder, "people.xlsx", _rewrite(book, {"xl/worksheets/sheet1.xml": sheet}))


def empty_sheet(folder: Path) -> Path:
    return _text(folder, "people.xlsx", _workbook([]))


def header_only_xlsx(folder: Path) -> Path:
    return _text(folder, "people.xlsx", _workbook([["person_id", "ethnic_code", "sex"]]))


def headerless_column_xlsx(folder: Path) -> Path:
    rows = [["person_id", "ethnic_code", "sex", None, None], ["1", "A", "F", None, "note"]]
    return _text(folder, "people.xlsx", _workbook(rows))


def wide_xlsx(folder: Path) -> Path:
    return _text(folder, "people.xlsx", _workbook([[f"c{i}" for i in range(1500)], ["x"] * 1500]))


def bad_cell_xml(folder: Path) -> Path:
    """A number cell whose value is not a number, and a shared string that does not exist."""
    book = _workbook([["person_id", "ethnic_code", "sex"], ["1", "A", "F"]])
    row = '<row r="2"><c r="A2" t="n"><v>one</v></c><c r="B2" t="s"><v>99</v></c></row>'
    sheet = _sheet_xml(HEADER_ROW + row)
    return _text(folder, "people.xlsx", _rewrite(book, {"xl/worksheets/sheet1.xml": sheet}))


# --- Parquet --------------------------------------------------------------------------------


def struct_column(folder: Path) -> Path:
    return _parquet(
        folder,
        "people.parquet",
        pa.table(
            {
                "person_id": ["1", "2"],
                "ethnic_code": [{"code": "A", "n": 1}, {"code": "B", "n": 2}],
            }
        ),
    )


def list_column(folder: Path) -> Path:
    return _parquet(
        folder, "people.parquet", pa.table({"person_id": ["1"], "ethnic_code": [["A", "B"]]})
    )


def non_utf8_binary(folder: Path) -> Path:
    return _parquet(
        folder,
        "people.parquet",
        pa.table({"person_id": pa.array([b"1", b"\xff\xfe\xfa"], pa.binary())}),
    )


def int_above_2_53(folder: Path) -> Path:
    """fte as int64 2^53 + 1 (no float holds it exactly) and hourly pay far past any salary."""
    return _parquet(
        folder,
        "pay.parquet",
        pa.table(
            {
                "person_id": ["10000001"],
                "org_code": ["RWE"],
                "snapshot_date": pa.array([1], pa.date32()).cast(pa.date32()),
                "hourly_pay": pa.array([2**53 + 1], pa.int64()),
            }
        ),
    )


def huge_unsigned(folder: Path) -> Path:
    return _parquet(
        folder,
        "people.parquet",
        pa.table(
            {
                "person_id": ["1"],
                "ethnic_code": ["A"],
                "birth_year": pa.array([2**64 - 1], pa.uint64()),
            }
        ),
    )


def nan_days(folder: Path) -> Path:
    return _parquet(
        folder,
        "leave.parquet",
        pa.table(
            {
                "request_id": ["L1", "L2"],
                "person_id": ["10000001", "10000001"],
                "org_code": ["RWE", "RWE"],
                "leave_type": ["annual", "annual"],
                "requested_date": ["2024-01-01", "2024-01-01"],
                "start_date": ["2024-01-02", "2024-01-02"],
                "days": [float("nan"), float("inf")],
                "decision": ["approved", "approved"],
            }
        ),
    )


def far_dates_parquet(folder: Path) -> Path:
    import datetime as dt

    return _parquet(
        folder,
        "people.parquet",
        pa.table(
            {
                "person_id": ["1", "2"],
                "ethnic_code": ["A", "B"],
                "nhs_start_date": pa.array([dt.date(1, 1, 1), dt.date(9999, 12, 31)]),
            }
        ),
    )


def garbage_parquet(folder: Path) -> Path:
    return _text(folder, "people.parquet", b"PAR1" + _junk(3000, seed=4) + b"PAR1")


def truncated_parquet(folder: Path) -> Path:
    path = _parquet(folder, "people.parquet", pa.table({"person_id": ["1"] * 100}))
    path.write_bytes(path.read_bytes()[:-30])
    return path


def empty_parquet(folder: Path) -> Path:
    table = pa.table({"person_id": pa.array([], pa.string()), "ethnic_code": pa.array([], "str")})
    return _parquet(folder, "people.parquet", table)


def duration_column(folder: Path) -> Path:
    return _parquet(
        folder,
        "people.parquet",
        pa.table({"person_id": ["1"], "ethnic_code": pa.array([5], pa.duration("s"))}),
    )


def unnamed_parquet_column(folder: Path) -> Path:
    return _parquet(
        folder, "people.parquet", pa.table({"person_id": ["1"], "ethnic_code": ["A"], "": ["x"]})
    )


def endless_device(folder: Path) -> Path:
    """A link named people.csv to a device that never ends (or a pipe: read for ever)."""
    path = folder / "people.csv"
    path.symlink_to("/dev/zero")
    return path


# --- folders ------------------------------------------------------------------------------


def empty_folder(folder: Path) -> Path:
    target = folder / "exports"
    target.mkdir()
    return target


def folder_of_strangers(folder: Path) -> Path:
    target = folder / "exports"
    target.mkdir()
    (target / "notes.csv").write_text("a,b\n1,2\n")
    (target / "readme.md").write_text("nothing here")
    return target


@dataclass(frozen=True)
class Kind:
    make: Callable[[Path], Path]
    reason: str  # a pattern the one-line reason must match (after the file's name)


KINDS: dict[str, Kind] = {
    k.make.__name__: k
    for k in (
        Kind(lone_cr, r"line 3.*'female' is not one of"),
        Kind(huge_field_near_top, r"line 2.*(200,000 characters|cannot be read).*32,767"),
        Kind(huge_field_far_down, r"line 42, column 2 \(ethnic_code\).*40,000 characters"),
        Kind(no_newline, r"line 1 is longer than 1 MB without a line break"),
        Kind(binary_after_header, r"neither UTF-8 nor Windows-1252"),
        Kind(binary_file, r"(NUL bytes|neither UTF-8 nor Windows-1252)"),
        Kind(nul_bytes, r"line 2 holds NUL bytes"),
        Kind(utf16, r"UTF-16"),
        Kind(workbook_named_csv, r"zip archive"),
        Kind(empty_csv, r"empty"),
        Kind(header_only_csv, r"no data rows"),
        Kind(blank_rows_only, r"no data rows"),
        Kind(twenty_thousand_columns, r"20,003 columns.*limit is 1,000 columns"),
        Kind(unterminated_quote, r"(quote|line 2)"),
        Kind(headerless_column, r"column 2 \(B\) has no header"),
        Kind(duplicate_header, r"appears twice"),
        Kind(huge_integer, r"line 2.*birth_year.*(too large|whole number|not possible)"),
        Kind(title_only, r"(no data rows|missing from the header)"),
        Kind(implausible_leave, r"0001-01-01.*1900 to 2100"),
        Kind(infinite_days, r"(not possible|not a number)"),
        Kind(not_a_zip, r"not an Excel workbook"),
        Kind(zip_not_workbook, r"not a readable Excel workbook"),
        Kind(truncated_workbook, r"not a readable Excel workbook"),
        Kind(old_xls, r"old Excel .xls workbook or a password-protected one"),
        Kind(entity_bomb, r"sheet1.xml declares a DTD"),
        Kind(external_entity, r"sharedStrings.xml declares a DTD"),
        Kind(shared_strings_bomb, r"sharedStrings.xml unzips to 6\d\.\d MB.*limit is 100 times"),
        Kind(row_beyond_excel, r"beyond Excel's last"),
        Kind(huge_cell_xlsx, r"row 2, column B.*40,000 characters"),
        Kind(empty_sheet, r"sheet is empty"),
        Kind(header_only_xlsx, r"no data rows"),
        Kind(headerless_column_xlsx, r"column E has no header"),
        Kind(wide_xlsx, r"1,500 columns"),
        Kind(bad_cell_xml, r"not a readable Excel sheet"),
        Kind(struct_column, r"column 2 \(ethnic_code\) holds struct"),
        Kind(list_column, r"column 2 \(ethnic_code\) holds list"),
        Kind(non_utf8_binary, r"column 1 \(person_id\) holds bytes that are not UTF-8"),
        Kind(int_above_2_53, r"hourly_pay.*not possible"),
        Kind(huge_unsigned, r"birth_year.*(not possible|too large)"),
        Kind(nan_days, r"days.*not a number"),
        Kind(far_dates_parquet, r"0001-01-01.*1900 to 2100"),
        Kind(garbage_parquet, r"not a readable Parquet file"),
        Kind(truncated_parquet, r"not a readable Parquet file"),
        Kind(empty_parquet, r"no data rows"),
        Kind(duration_column, r"holds duration"),
        Kind(unnamed_parquet_column, r"column 3 \(C\) has no header"),
        Kind(endless_device, r"not a regular file"),
        Kind(empty_folder, r"nothing to import"),
        Kind(folder_of_strangers, r"nothing to import"),
    )
}
