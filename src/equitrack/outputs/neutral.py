"""Text from data is written as text: no spreadsheet or CSV the project writes carries a formula.

An action's text, an organisation's name or a value in a rejected row can begin with `=`, `+`,
`-`, `@`, a tab or a carriage return; a spreadsheet opening the file would run it as a formula
(OWASP's CSV injection). Every CSV goes through `write_csv` (tables) or `write_rows` (plain rows), which put a single
quote before such text (`write_rows` for plain rows); every workbook is saved by `save_workbook`, which stores such text as a
string cell (and `cells` drops the control characters a workbook cannot hold). Numbers, and text that is only a number ("-3", "+1.5e3"), are left as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    from openpyxl import Workbook

#: The characters a spreadsheet reads as the start of a formula (OWASP).
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_STARTS = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NUMBER_RE = re.compile(_NUMBER)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl's ILLEGAL_CHARACTERS_RE


def dangerous(text: str) -> bool:
    """Whether a spreadsheet could take this text for a formula."""
    return text.startswith(DANGEROUS) and not _NUMBER_RE.match(text)


def csv_field(value: Any) -> Any:
    """A value for a CSV field: dangerous text gets a leading single quote, the rest is kept."""
    return "'" + value if isinstance(value, str) and dangerous(value) else value


def neutral_table(table: pa.Table) -> pa.Table:
    """The table with `csv_field` applied to every text column (the same rule, vectorised)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.and_(
                pc.match_substring_regex(column, _STARTS),
                pc.invert(pc.match_substring_regex(column, _NUMBER)),
            )
            quoted = pc.binary_join_element_wise("'", column, "")
            column = pc.if_else(pc.fill_null(risky, False), quoted, column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def write_csv(table: pa.Table, sink: str | Path | IO[bytes]) -> None:
    """Every CSV of a table the project writes: pyarrow's CSV of `neutral_table`."""
    import pyarrow.csv as pacsv

    pacsv.write_csv(neutral_table(table), sink)


def write_rows(sink: IO[str], columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """CSV of plain rows in the csv module's layout: a header, None as empty, text quoted. Lines
    end in CRLF (RFC 4180), so that a field holding a carriage return is quoted too."""
    writer = csv.DictWriter(sink, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else csv_field(v) for k, v in row.items()})


def cell_value(value: Any) -> Any:
    """A value for a worksheet cell: control characters a workbook cannot hold are dropped from
    text (openpyxl refuses them), so a stray one in an action or a name cannot stop a report."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def cells(values: Iterable[Any]) -> list[Any]:
    """A row for a worksheet, each value as `cell_value` makes it."""
    return [cell_value(v) for v in values]


def save_workbook(wb: Workbook, path: str | Path) -> None:
    """Every workbook the project writes is saved here. openpyxl makes a cell whose text starts
    with `=` a formula, and one like `#N/A` an error: both become text cells. The project writes
    no formulas of its own."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e"):
                    cell.data_type = "s"
    wb.save(path)
