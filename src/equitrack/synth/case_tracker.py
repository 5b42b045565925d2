"""The generated disciplinary cases as an employee-relations case tracker (`er_case_tracker.xlsx`).

What an analyst gets from an HR team's hand-kept Excel tracker: a "Cases" sheet with a row per
case and a "Lists" sheet behind the drop-downs, the team's words rather than codes ("Gross
Misconduct", "Management Advice"), ESR Employee Numbers mostly stored as numbers, and the
untidiness of a workbook typed into for years: most dates are date cells shown as dd/mm/yyyy,
but some were typed as text and the odd one has lost its format (an Excel serial); flags are
Y/N in most rows and Yes/No in others; a few values are in capitals or end in a space. The
shipped `er_case_tracker` profile reads it back into exactly the canonical table it was made
from (tests/ingest_profiles holds the two imports equal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from equitrack.synth.untidy import pick, untidy

FILE_NAME = "er_case_tracker.xlsx"
SHEET = "Cases"
LISTS_SHEET = "Lists"
DATE_FORMAT = "DD/MM/YYYY"
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Shares of dates typed as day-first text, and of date cells that lost their format.
TEXT_DATES = 0.06
SERIAL_DATES = 0.01
#: Share of Employee Numbers typed as text rather than stored as numbers.
TEXT_IDS = 0.15
#: Share of open cases whose outcome says "Ongoing" rather than being left blank.
ONGOING = 0.4

#: Canonical case type → the tracker's words (the first the most common).
CASE_TYPE = {
    "conduct": ("Conduct", "Misconduct", "Gross Misconduct"),
    "capability": ("Capability", "Capability - Performance", "Capability - Ill Health"),
    "other": ("Other",),
}
#: Canonical outcome → the tracker's words.
OUTCOME = {
    "no_case_to_answer": ("No Case to Answer",),
    "informal_action": ("Informal Action", "Management Advice"),
    "first_written_warning": ("First Written Warning",),
    "final_written_warning": ("Final Written Warning",),
    "dismissal": ("Dismissal", "Dismissed"),
    "other": ("Other",),
}
FLAG = {"true": ("Y", "Yes"), "false": ("N", "No")}
HEADER = (
    "Case Reference",
    "Employee Number",
    "Org Code",
    "Case Type",
    "Date Opened",
    "Formal Investigation Date",
    "Suspended",
    "Date Closed",
    "Status",
    "Outcome",
    "Just Culture Assessment Completed",
    "Just Culture Answers",
)
DATE_COLUMNS = ("Date Opened", "Formal Investigation Date", "Date Closed")
WIDTHS = {"Case Reference": 15, "Just Culture Answers": 52, "Just Culture Assessment Completed": 18}


def _flags(rng: np.random.Generator, values: pa.Array) -> pa.Array:
    """A boolean column as a person types it: Y/N mostly, Yes/No sometimes; blank stays blank."""
    as_text = pc.if_else(values, "true", "false")
    return untidy(rng, pick(rng, as_text, FLAG))


def _date_cells(rng: np.random.Generator, values: pa.Array) -> list[object]:
    """Dates as the cells of a hand-kept sheet: mostly date cells, some typed, a few serials."""
    u = rng.random(len(values))
    out: list[object] = []
    for day, x in zip(values.to_pylist(), u, strict=True):
        if day is None:
            out.append(None)
        elif x < TEXT_DATES:
            typed = day.strftime("%d/%m/%Y")
            out.append(typed + " " if x < TEXT_DATES / 4 else typed)
        elif x < TEXT_DATES + SERIAL_DATES:
            out.append((day - EXCEL_EPOCH).days)
        else:
            out.append(day)
    return out


def _employee_numbers(rng: np.random.Generator, values: pa.Array) -> list[object]:
    """Employee Numbers as Excel keeps them: numbers, unless typed as text (with a ')."""
    u = rng.random(len(values))
    return [
        int(v) if v is not None and v.isdigit() and x >= TEXT_IDS else v
        for v, x in zip(values.to_pylist(), u, strict=True)
    ]


def tracker_columns(tables: dict[str, pa.Table], seed: int = 7) -> dict[str, list[object]]:
    """The tracker's columns, in sheet order, as the Python values of their cells."""
    rng = np.random.default_rng(seed)
    cases = tables["disciplinary"]

    def col(name: str) -> pa.Array:
        return cases[name].combine_chunks()

    closed = pc.is_valid(col("closed_date"))
    outcome = untidy(rng, pick(rng, col("outcome"), OUTCOME))
    ongoing = pa.array(rng.random(cases.num_rows) < ONGOING)
    outcome = pc.if_else(pc.and_(pc.invert(closed), ongoing), "Ongoing", outcome)
    columns: dict[str, list[object] | pa.Array] = {
        "Case Reference": col("case_id"),
        "Employee Number": _employee_numbers(rng, col("person_id")),
        "Org Code": col("org_code"),
        "Case Type": untidy(rng, pick(rng, col("case_type"), CASE_TYPE)),
        "Date Opened": _date_cells(rng, col("opened_date")),
        "Formal Investigation Date": _date_cells(rng, col("formal_date")),
        "Suspended": _flags(rng, col("suspended")),
        "Date Closed": _date_cells(rng, col("closed_date")),
        "Status": pc.if_else(closed, "Closed", "Open"),
        "Outcome": outcome,
        "Just Culture Assessment Completed": _flags(rng, col("pre_formal_assessment")),
        "Just Culture Answers": col("just_culture_answers"),
    }
    return {
        name: values if isinstance(values, list) else values.to_pylist()
        for name, values in columns.items()
    }


def _lists(wb: Workbook) -> dict[str, str]:
    """The sheet behind the drop-downs; returns each listed column's range on it."""
    ws = wb.create_sheet(LISTS_SHEET)
    lists = {
        "Case Type": [w for words in CASE_TYPE.values() for w in words],
        "Outcome": [w for words in OUTCOME.values() for w in words] + ["Ongoing"],
        "Suspended": ["Y", "N"],
    }
    ranges = {}
    longest = max(len(v) for v in lists.values())
    ws.append(list(lists))
    for i in range(longest):
        ws.append([v[i] if i < len(v) else None for v in lists.values()])
    for j, (name, words) in enumerate(lists.items(), start=1):
        letter = get_column_letter(j)
        ranges[name] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(words) + 1}"
    ranges["Just Culture Assessment Completed"] = ranges["Suspended"]
    return ranges


def _cell(ws: object, value: object, number_format: str | None = None) -> object:
    if number_format is None:
        return value
    cell = WriteOnlyCell(ws, value)
    cell.number_format = number_format
    return cell


def write_tracker(columns: dict[str, Sequence[object]], path: Path) -> Path:
    """The workbook: the cases on the first sheet (the one a profile reads), then the lists."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    names = list(columns)
    rows = len(next(iter(columns.values()))) if columns else 0
    ranges = _lists(wb)
    for j, name in enumerate(names, start=1):
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(name, 13)
        if name in ranges:
            dv = DataValidation(type="list", formula1=f"={ranges[name]}", allow_blank=True)
            dv.add(f"{get_column_letter(j)}2:{get_column_letter(j)}{max(rows, 1) + 1}")
            ws.data_validations.append(dv)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}{rows + 1}"
    bold = Font(bold=True)
    header = []
    for name in names:
        cell = WriteOnlyCell(ws, name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    dates = {i for i, n in enumerate(names) if n in DATE_COLUMNS}
    for r in range(rows):
        ws.append(
            [
                _cell(ws, v, DATE_FORMAT if i in dates and isinstance(v, dt.date) else None)
                for i, v in enumerate(columns[n][r] for n in names)
            ]
        )
    wb.save(path)
    return path


def write_export(tables: dict[str, pa.Table], out_dir: Path, seed: int = 7) -> list[Path]:
    """`er_case_tracker.xlsx`."""
    return [write_tracker(tracker_columns(tables, seed), Path(out_dir) / FILE_NAME)]
